//! OTTL contexts: which kind of telemetry item a statement or condition runs on.

use std::fmt;

/// An OTTL context (upstream `ottlresource`, `ottlscope`, `ottlspan`, `ottlspanevent`, `ottllog`,
/// `ottlmetric`, `ottldatapoint`, `ottlprofile`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub enum Context {
    Resource,
    Scope,
    Span,
    SpanEvent,
    Log,
    Metric,
    DataPoint,
    Profile,
}

impl Context {
    /// The name used in configs (`context: span`) and as a path prefix (`span.name`).
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Resource => "resource",
            Context::Scope => "scope",
            Context::Span => "span",
            Context::SpanEvent => "spanevent",
            Context::Log => "log",
            Context::Metric => "metric",
            Context::DataPoint => "datapoint",
            Context::Profile => "profile",
        }
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How paths are written for a parser.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PathMode {
    /// The processor configured the context explicitly (`traces.span`, `context: span`):
    /// unprefixed paths are allowed; upstream rewrites them with the context prefix.
    Explicit(Context),
    /// The context is fixed by the config key and the parser has no path context names
    /// (filter `traces.span: [...]`, `traces.resource`, ...): paths are used as written, an
    /// optional own-context prefix (`span.name`) is accepted, and error texts quote the path
    /// unchanged.
    Unprefixed(Context),
    /// The context is inferred from the paths: every path must start with a context name.
    Inferred,
}
