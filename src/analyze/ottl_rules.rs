//! Every OTTL string of the config goes through here: parse (leniently, so non-upstream `=~`
//! still yields a tree), check against the processor's context, compile for the evaluator,
//! lint. Positions inside the string are mapped back into the YAML file.

use crate::config::node::Node;
use crate::config::strpos::location_in_scalar;
use crate::diag::{codes, Diagnostic, Location, SourceMap};
use crate::lint::{lint_condition, LintSite, RuleAction};
use crate::ottl::ast::{self, BoolExpr};
use crate::ottl::error::{OttlError, OttlErrorKind};
use crate::ottl::{CheckOptions, Context, PathMode};

/// A condition that passed parsing and checking (apart from non-upstream syntax, which we can
/// still evaluate) and compiles.
#[derive(Clone)]
pub struct RulePlan {
    pub text: String,
    pub location: Location,
    pub context: Context,
    pub mode: PathMode,
    pub ast: ast::Node<BoolExpr>,
}

/// Maps byte offsets inside one OTTL string to config locations.
pub struct Locator<'a> {
    pub node: &'a Node,
    pub source: &'a str,
}

impl Locator<'_> {
    pub fn at(&self, span: ast::Span) -> Location {
        location_in_scalar(self.node, self.source, span.start)
    }
}

pub fn locator<'a>(node: &'a Node, sources: &'a SourceMap) -> Locator<'a> {
    Locator {
        node,
        source: sources.text(&node.loc.file).unwrap_or(""),
    }
}

pub fn ottl_diagnostic(e: &OttlError, loc: &Locator<'_>, what: &str, text: &str) -> Diagnostic {
    let location = loc.at(e.span);
    match e.kind {
        OttlErrorKind::NonUpstream => Diagnostic::error(codes::NON_UPSTREAM_SYNTAX, e.message.clone())
            .at(location)
            .with_help(e.help.clone().unwrap_or_else(|| "rewrite with IsMatch(...)".into()))
            .with_note("otelcheck evaluates it as an unanchored regex match so the dry run can show its effect"),
        OttlErrorKind::ZeroValue => Diagnostic::error(codes::CATCH_ALL_RULE, format!("OTTL {what} {:?}: {}", loc.node.written.as_deref().unwrap_or(text), e.message))
            .at(location)
            .with_help("give the limit: `truncate_all(attributes, 4096, utf8_safe = true)`".to_owned()),
        OttlErrorKind::Syntax | OttlErrorKind::Invalid => {
            let help = e.help.clone().unwrap_or_else(|| {
                "fix the OTTL so the collector accepts it; see pkg/ottl/LANGUAGE.md for the grammar".into()
            });
            let shown = loc.node.written.as_deref().unwrap_or(text);
            Diagnostic::error(codes::INVALID_OTTL, format!("unable to parse OTTL {what} {shown:?}: {}", e.message))
                .at(location)
                .with_help(help)
        }
    }
}

/// Parse, check and lint one filter condition. Returns the plan when it can be replayed.
pub fn plan_condition(
    text: &str,
    node: &Node,
    sources: &SourceMap,
    ctx_hint: Option<PathMode>,
    allowed_inferred: &[Context],
    action: RuleAction,
    diags: &mut Vec<Diagnostic>,
) -> Option<RulePlan> {
    let loc = locator(node, sources);
    let (tree, errors) = crate::ottl::parse_condition_lenient(text);
    let mut fatal = false;
    for e in &errors {
        fatal |= e.kind.refused();
        diags.push(ottl_diagnostic(e, &loc, "condition", text));
    }
    let tree = tree?;
    if fatal {
        return None;
    }
    let (context, mode) = match ctx_hint {
        Some(m @ (PathMode::Explicit(c) | PathMode::Unprefixed(c))) => (c, m),
        _ => match crate::ottl::infer_context(
            &crate::ottl::InferenceHints::from_condition(&tree),
            allowed_inferred,
            false,
        ) {
            Ok(c) => (c, PathMode::Inferred),
            Err(msg) => {
                diags.push(inference_error(
                    "condition",
                    text,
                    &msg,
                    allowed_inferred,
                    loc.at(tree.span),
                ));
                return None;
            }
        },
    };
    let opts = CheckOptions {
        mode,
        editors_allowed: false,
    };
    let check_errors = crate::ottl::check_condition(&tree, context, &opts);
    for e in &check_errors {
        diags.push(ottl_diagnostic(e, &loc, "condition", text));
    }
    if !check_errors.is_empty() {
        return None;
    }
    let locate = |s: ast::Span| loc.at(s);
    diags.extend(lint_condition(&LintSite {
        cond: &tree,
        text,
        action,
        locate: &locate,
    }));
    Some(RulePlan {
        // Reports show the rule as written (`${env:...}` unexpanded), never its value.
        text: node.written.clone().unwrap_or_else(|| text.to_owned()),
        location: loc.at(ast::Span::new(0, 0)),
        context,
        mode,
        ast: tree,
    })
}

/// The context of `text` could not be inferred. With no context-prefixed path at all the
/// collector's parser collection words it as below (Go `%+q` of the name lists).
fn inference_error(
    what: &str,
    text: &str,
    msg: &str,
    candidates: &[Context],
    at: Location,
) -> Diagnostic {
    let names: Vec<String> = candidates
        .iter()
        .map(|c| format!("{:?}", c.as_str()))
        .collect();
    let message = if msg.starts_with("unable to infer context: no path") {
        format!(
            "unable to infer context from {what}s, path's first segment must be a valid context name: [{}], and at least one context must be capable of parsing all {what}s: [{text:?}]",
            names.join(" ")
        )
    } else {
        format!("unable to parse OTTL {what} {text:?}: {msg}")
    };
    Diagnostic::error(codes::INVALID_OTTL, message)
        .at(at)
        .with_help("prefix the paths with their context (span., resource., scope., spanevent.), or set `context:` on the group")
}

/// Parse and check a statement (transform). `ctx_hint`: the group's `context:`; without it the
/// statement's own context is inferred.
pub fn check_statement_text(
    text: &str,
    node: &Node,
    sources: &SourceMap,
    ctx_hint: Option<Context>,
    allowed_inferred: &[Context],
    diags: &mut Vec<Diagnostic>,
) {
    check_statement_in(
        text,
        node,
        sources,
        ctx_hint.map_or(StatementContext::Infer(allowed_inferred), |c| {
            StatementContext::Fixed(c, PathMode::Explicit(c))
        }),
        diags,
    );
}

/// Where a statement's context comes from.
#[derive(Clone, Copy)]
pub enum StatementContext<'a> {
    /// Given: the group's `context:` (explicit paths), or the context inferred once for the
    /// whole group, as the transform processor does (prefixed paths).
    Fixed(Context, PathMode),
    /// Inferred from this statement alone, among these contexts.
    Infer(&'a [Context]),
}

/// The one context upstream's transform infers for a group without `context:`, from all its
/// statements and conditions together; `None` when they do not parse or infer.
pub fn group_context(
    statements: &[crate::config::settings::OttlSource],
    conditions: &[crate::config::settings::OttlSource],
    allowed: &[Context],
) -> Option<Context> {
    let mut hints = crate::ottl::InferenceHints::default();
    for s in statements {
        let tree = crate::ottl::parse_statement(&s.text).ok()?;
        hints = hints.merged(crate::ottl::InferenceHints::from_statement(&tree));
    }
    for c in conditions {
        let tree = crate::ottl::parse_condition(&c.text).ok()?;
        hints = hints.merged(crate::ottl::InferenceHints::from_condition(&tree));
    }
    crate::ottl::infer_context(&hints, allowed, true).ok()
}

/// Parse and check a statement in a given or inferred context.
pub fn check_statement_in(
    text: &str,
    node: &Node,
    sources: &SourceMap,
    how: StatementContext<'_>,
    diags: &mut Vec<Diagnostic>,
) {
    let loc = locator(node, sources);
    let (tree, errors) = crate::ottl::parse_statement_lenient(text);
    let mut fatal = false;
    for e in &errors {
        fatal |= e.kind.refused();
        diags.push(ottl_diagnostic(e, &loc, "statement", text));
    }
    let Some(tree) = tree else { return };
    if fatal {
        return;
    }
    let (context, mode) = match how {
        StatementContext::Fixed(c, m) => (c, m),
        StatementContext::Infer(allowed_inferred) => match crate::ottl::infer_context(
            &crate::ottl::InferenceHints::from_statement(&tree),
            allowed_inferred,
            true,
        ) {
            Ok(c) => (c, PathMode::Inferred),
            Err(msg) => {
                diags.push(inference_error(
                    "statement",
                    text,
                    &msg,
                    allowed_inferred,
                    loc.at(ast::Span::new(0, text.len())),
                ));
                return;
            }
        },
    };
    let opts = CheckOptions {
        mode,
        editors_allowed: true,
    };
    for e in crate::ottl::check_statement(&tree, context, &opts) {
        diags.push(ottl_diagnostic(&e, &loc, "statement", text));
    }
}
