//! The context-aware checks upstream runs while turning a parsed statement or condition into
//! evaluators: paths resolve for the context, enums exist, functions exist and are available,
//! arguments fit their parameters, literal regexes compile. Every problem is collected (upstream
//! stops at the first), each with upstream's message including the nested-call prefixes.

mod args;
mod create;
mod glob;
pub use glob::glob_error;

use super::ast::{BoolExpr, Call, Key, Node, Statement, Value};
use super::contexts::{Context, PathMode};
use super::enums::{enum_error, resolve_enum};
use super::error::OttlError;
use super::paths::resolve_path;
use super::signatures::{self, Signature};

/// How the processor parses: path mode, and whether editors exist (transform yes, filter no).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOptions {
    pub mode: PathMode,
    pub editors_allowed: bool,
}

/// Check a condition for `ctx`.
pub fn check_condition(cond: &Node<BoolExpr>, ctx: Context, opts: &CheckOptions) -> Vec<OttlError> {
    let mut c = Checker {
        ctx,
        opts: *opts,
        errors: Vec::new(),
    };
    c.bool_expr(cond);
    c.finish()
}

/// Check a statement for `ctx`.
pub fn check_statement(stmt: &Statement, ctx: Context, opts: &CheckOptions) -> Vec<OttlError> {
    let mut c = Checker {
        ctx,
        opts: *opts,
        errors: Vec::new(),
    };
    // An upper-case top-level call was already reported by the parser.
    if stmt.editor.node.is_editor_name() {
        let errs = c.call(&stmt.editor.node, stmt.editor.span);
        c.errors.extend(errs);
    }
    if let Some(cond) = &stmt.condition {
        c.bool_expr(cond);
    }
    c.finish()
}

/// Check a value expression for `ctx`.
pub fn check_value(value: &Node<Value>, ctx: Context, opts: &CheckOptions) -> Vec<OttlError> {
    let mut c = Checker {
        ctx,
        opts: *opts,
        errors: Vec::new(),
    };
    let errs = c.value(value);
    c.errors.extend(errs);
    c.finish()
}

pub(crate) struct Checker {
    pub(crate) ctx: Context,
    pub(crate) opts: CheckOptions,
    errors: Vec<OttlError>,
}

impl Checker {
    fn finish(mut self) -> Vec<OttlError> {
        self.errors.sort_by_key(|e| (e.span.start, e.span.end));
        self.errors
    }

    fn bool_expr(&mut self, expr: &Node<BoolExpr>) {
        match &expr.node {
            BoolExpr::Or(items) | BoolExpr::And(items) => {
                items.iter().for_each(|i| self.bool_expr(i))
            }
            BoolExpr::Not(inner) => self.bool_expr(inner),
            BoolExpr::Comparison { left, right, .. } => {
                let errs = [self.value(left), self.value(right)].concat();
                self.errors.extend(errs);
            }
            BoolExpr::RegexMatch {
                target, pattern, ..
            } => {
                let mut errs = [self.value(target), self.value(pattern)].concat();
                // Evaluated as IsMatch: a literal pattern must compile.
                if let Value::String(p) = &pattern.node {
                    errs.extend(create::regex_error("IsMatch", p, pattern.span));
                }
                self.errors.extend(errs);
            }
            BoolExpr::Converter(call) => {
                let errs = self.call(call, expr.span);
                self.errors.extend(errs);
            }
            BoolExpr::Literal(_) => {}
        }
    }

    /// Errors of one value used where upstream builds a plain getter.
    pub(crate) fn value(&self, value: &Node<Value>) -> Vec<OttlError> {
        match &value.node {
            Value::Path(p) => match resolve_path(p, self.ctx, self.opts.mode) {
                Ok(_) => p.segments.iter().flat_map(|s| self.keys(&s.node.keys)).collect(),
                Err(e) => vec![e],
            },
            Value::Call(call) if !call.is_editor_name() => self.call(call, value.span),
            Value::Call(_) => Vec::new(), // reported by the parser
            Value::Enum(name) => match resolve_enum(name, self.ctx) {
                Some(_) => Vec::new(),
                None => vec![OttlError::invalid(enum_error(name, self.ctx), value.span)],
            },
            Value::FunctionRef(_) => vec![OttlError::invalid(
                "no value field set. This is a bug in the OpenTelemetry Transformation Language",
                value.span,
            )
            .with_help("a bare function name is only accepted by function-reference parameters")],
            Value::Lambda { .. } => vec![OttlError::invalid(
                "lambda expression arguments require the `ottl.functions.enableLambda` feature gate to be enabled",
                value.span,
            )],
            Value::List(items) => items.iter().flat_map(|i| self.value(i)).collect(),
            Value::Map(items) => items.iter().flat_map(|(_, i)| self.value(i)).collect(),
            Value::Binary { left, right, .. } => [self.value(left), self.value(right)].concat(),
            Value::Negate(i) | Value::Plus(i) | Value::Group(i) => self.value(i),
            Value::BoolBody(_) => Vec::new(),
            Value::Nil
            | Value::String(_)
            | Value::Int(_)
            | Value::Float(_)
            | Value::Bytes(_)
            | Value::Bool(_) => Vec::new(),
        }
    }

    fn keys(&self, keys: &[Node<Key>]) -> Vec<OttlError> {
        keys.iter()
            .flat_map(|k| match &k.node {
                Key::Expr(e) => self.value(e),
                _ => Vec::new(),
            })
            .collect()
    }

    /// A call: lookup, arguments, creation-time checks, then its index keys.
    pub(crate) fn call(&self, call: &Call, span: super::ast::Span) -> Vec<OttlError> {
        let name = call.name.node.as_str();
        let Some(sig) = self.lookup(name) else {
            if self.lenient_unknown(name) {
                return Vec::new();
            }
            let msg = format!("undefined function \"{name}\"");
            return vec![OttlError::invalid(msg, call.name.span)];
        };
        let mut errors = Vec::new();
        if sig.params.is_some() {
            let arg_errors = args::check_args(self, call, sig, span);
            let ok = arg_errors.is_empty();
            let prefix = format!("error while parsing arguments for call to \"{name}\": ");
            errors.extend(arg_errors.into_iter().map(|e| e.prefixed(&prefix)));
            if ok {
                errors.extend(create::creation_errors(call, sig));
            }
        }
        errors.extend(self.keys(&call.keys));
        errors
    }

    fn lookup(&self, name: &str) -> Option<&'static Signature> {
        signatures::lookup(name)
            .filter(|sig| signatures::available(sig, self.ctx, self.opts.editors_allowed))
    }

    /// The transform processor adds metric-only editors/converters whose signatures otelcheck
    /// does not model (and whose set varies across releases). In the metric and datapoint
    /// contexts those names are accepted without argument checks; any other unknown name is
    /// still `undefined function`.
    fn lenient_unknown(&self, name: &str) -> bool {
        transform_function_available(name, self.ctx, self.opts.editors_allowed)
    }
}

/// Whether `name` is one of the transform processor's own functions (not in `pkg/ottl`) and
/// exists in `ctx`: the metric functions in the metric and datapoint contexts, and
/// `set_semconv_span_name` (`internal/traces`) in the span context. Context inference asks
/// too, so `convert_sum_to_gauge() where metric.name == "x"` infers the metric context.
pub(crate) fn transform_function_available(
    name: &str,
    ctx: Context,
    editors_allowed: bool,
) -> bool {
    if !editors_allowed {
        return false;
    }
    match ctx {
        Context::Metric | Context::DataPoint => TRANSFORM_METRIC_FUNCTIONS.contains(&name),
        Context::Span => name == "set_semconv_span_name",
        _ => false,
    }
}

/// Metric-only functions of the transform processor (`internal/metrics`), across the releases
/// around v0.156.0.
const TRANSFORM_METRIC_FUNCTIONS: &[&str] = &[
    "aggregate_on_attribute_value",
    "aggregate_on_attributes",
    "convert_exponential_histogram_to_histogram",
    "convert_gauge_to_histogram",
    "convert_gauge_to_sum",
    "convert_sum_to_gauge",
    "convert_summary_count_val_to_sum",
    "convert_summary_quantile_val_to_gauge",
    "convert_summary_sum_val_to_sum",
    "copy_metric",
    "extract_count_metric",
    "extract_sum_metric",
    "merge_histogram_buckets",
    "scale_metric",
];

#[cfg(test)]
mod transform_metric_tests {
    #[test]
    fn names_are_sorted_and_unique() {
        let mut v = super::TRANSFORM_METRIC_FUNCTIONS.to_vec();
        v.sort_unstable();
        v.dedup();
        assert_eq!(v, super::TRANSFORM_METRIC_FUNCTIONS);
    }
}
