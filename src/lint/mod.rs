//! Static lints on compiled rules: the rule table, and running every rule on one condition.
//!
//! A lint sees one drop/sample condition as parsed (the AST), the text it came from, and a
//! function that maps byte offsets of that text back into the config file. Each rule lives in
//! `rules/` with a doc comment saying what it flags, why, and how to fix it.

pub mod reconcile;
pub mod rules;

use crate::diag::{Diagnostic, Location};
use crate::ottl::ast::{self, BoolExpr, Node};

/// What a matching rule does to a span. Only conditions whose match removes data can be
/// catch-alls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleAction {
    Drop,
    Sample,
    Other,
}

/// One condition to lint.
pub struct LintSite<'a> {
    pub cond: &'a Node<BoolExpr>,
    pub text: &'a str,
    pub action: RuleAction,
    /// Maps a byte span of `text` to a location in the config file.
    pub locate: &'a dyn Fn(ast::Span) -> Location,
}

/// Run every static lint on one condition.
pub fn lint_condition(site: &LintSite<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if site.action != RuleAction::Other {
        out.extend(rules::catch_all::check(site));
    }
    out
}

/// Run every static lint that looks at the whole config rather than one condition.
pub fn lint_config(cfg: &crate::config::CollectorConfig) -> Vec<Diagnostic> {
    rules::filter_wrong_signal::check(cfg)
}
