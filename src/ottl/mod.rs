//! OTTL, the OpenTelemetry Transformation Language, as collector-contrib v0.156.0 parses,
//! checks and evaluates it.

pub mod ast;
pub mod contexts;
pub mod display;
pub mod error;
pub mod grammar;
mod literals;
mod lower;
pub mod parse;
pub mod walk;

pub use contexts::{Context, PathMode};
pub use error::{OttlError, OttlErrorKind};
pub use parse::{
    parse_condition, parse_condition_lenient, parse_statement, parse_statement_lenient,
    parse_value, parse_value_lenient,
};
