//! What both samplers share with upstream's `pkg/sampling` (OTEP 235): 56-bit thresholds and
//! randomness, probability-to-threshold rounding, the W3C `tracestate` and its `ot` member,
//! and the FNV hashes the hash-based decisions use.

pub mod fnv;
pub mod go_float;
pub mod otep235;
pub mod tracestate;
