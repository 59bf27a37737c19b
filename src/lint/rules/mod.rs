//! One file per lint rule.

pub mod catch_all;
pub mod filter_wrong_signal;
