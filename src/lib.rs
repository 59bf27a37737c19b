//! otelcheck: predict what an OpenTelemetry Collector (contrib v0.156.0) processor chain does
//! to real traffic, before the config ships.

pub mod capture;
pub mod config;
pub mod diag;
pub mod lint;
pub mod report;
pub mod ottl;
