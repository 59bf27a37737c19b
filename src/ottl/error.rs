//! Errors of the OTTL front end as data: what kind, what upstream would say, and where.

use std::fmt;

use super::ast::Span;

/// How an OTTL text was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OttlErrorKind {
    /// The text does not parse (lexer or grammar), or a literal cannot be converted
    /// (`08`, `0x1`, `"\d"`). Example: `name ==`.
    Syntax,
    /// It parses but upstream rejects it while building evaluators: unknown path or function,
    /// arity, argument kinds, bad literal regex. Example: `NoSuch(name)`.
    Invalid,
    /// Valid for otelcheck but not OTTL: `=~` / `!~`. The collector rejects it.
    NonUpstream,
    /// Accepted by upstream, which runs it with Go's zero value for a required literal
    /// parameter left out by named arguments: `truncate_all(attributes, utf8_safe = true)`
    /// runs with limit 0 and empties every string. Replayed as upstream runs it, and reported.
    ZeroValue,
}

impl OttlErrorKind {
    /// Whether the collector refuses the text (so it cannot be replayed).
    pub fn refused(self) -> bool {
        matches!(self, OttlErrorKind::Syntax | OttlErrorKind::Invalid)
    }
}

/// One problem, with a byte span inside the statement/condition text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OttlError {
    pub kind: OttlErrorKind,
    pub message: String,
    pub span: Span,
    pub help: Option<String>,
}

impl OttlError {
    pub fn new(kind: OttlErrorKind, message: impl Into<String>, span: Span) -> Self {
        Self {
            kind,
            message: message.into(),
            span,
            help: None,
        }
    }

    pub fn syntax(message: impl Into<String>, span: Span) -> Self {
        Self::new(OttlErrorKind::Syntax, message, span)
    }

    pub fn invalid(message: impl Into<String>, span: Span) -> Self {
        Self::new(OttlErrorKind::Invalid, message, span)
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Wraps the message the way upstream nests argument errors
    /// (`error while parsing arguments for call to "f": ...`).
    #[must_use]
    pub fn prefixed(mut self, prefix: &str) -> Self {
        self.message = format!("{prefix}{}", self.message);
        self
    }
}

impl fmt::Display for OttlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}..{}: {}",
            self.span.start, self.span.end, self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

impl std::error::Error for OttlError {}
