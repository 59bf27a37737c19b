//! otelcheck: predict what an OpenTelemetry Collector (contrib v0.156.0) processor chain does
//! to real traffic, before the config ships.
//!
//! Data flow: `config` (load, merge, expand, model, wiring, settings) → `ottl` (parse, check,
//! compile) → `analyze` (everything `validate` reports) → `capture` (a stream of decoded
//! requests) → `engine` (routing, `processors`, observers) → `findings` → `report`.

pub mod analyze;
pub mod capture;
pub mod cli;
pub mod config;
pub mod diag;
pub mod diff;
pub mod engine;
pub mod explain;
pub mod findings;
pub mod lint;
pub mod ottl;
pub mod processors;
pub mod record;
pub mod report;
pub mod testfile;
