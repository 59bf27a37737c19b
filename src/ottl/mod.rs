//! OTTL, the OpenTelemetry Transformation Language, as collector-contrib v0.156.0 parses,
//! checks and evaluates it.

pub mod ast;
pub mod contexts;

pub use contexts::{Context, PathMode};
pub mod runtime;
