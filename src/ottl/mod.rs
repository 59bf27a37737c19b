//! OTTL, the OpenTelemetry Transformation Language, as collector-contrib v0.156.0 parses,
//! checks and evaluates it.

pub mod ast;
pub mod check;
pub mod contexts;
pub mod display;
pub mod enums;
pub mod error;
pub mod grammar;
pub mod infer;
pub mod limits;
mod literals;
mod lower;
pub mod otelcol;
pub mod parse;
pub mod paths;
mod paths_other;
pub mod signatures;
pub mod strcase;
pub mod walk;

pub use check::{check_condition, check_statement, check_value, CheckOptions};
pub use contexts::{Context, PathMode};
pub use enums::resolve_enum;
pub use error::{OttlError, OttlErrorKind};
pub use infer::{infer_context, InferenceHints};
pub use parse::{
    parse_condition, parse_condition_lenient, parse_statement, parse_statement_lenient,
    parse_value, parse_value_lenient,
};
pub use paths::{resolve_path, ResolvedPath};
pub mod runtime;
