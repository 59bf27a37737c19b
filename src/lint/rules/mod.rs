//! One file per lint rule.

pub mod catch_all;
