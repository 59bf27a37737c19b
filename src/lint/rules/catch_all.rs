//! `catch-all-rule` (static): a drop/sample condition that provably matches every span it
//! tests.
//!
//! **What it flags**
//! - the literal `true`, or a comparison of an expression with itself (`x == x`, `x <= x`);
//! - `IsMatch(v, re)` (or the non-upstream `v =~ re`) whose regex can match the empty string:
//!   OTTL matching is unanchored, so such a regex matches every value `v` has;
//! - the same on a URL-path-like attribute (`http.target`, `url.path`, `http.route`,
//!   `http.url`, `url.full`) with a regex that matches every path, such as `"/.*"`, `"/"` or
//!   `"^/"` (every path starts with, and contains, a slash);
//! - `or` with such an operand, `and` whose operands all are such.
//!
//! **Why**: this is the bug otelcheck exists for: `attributes["http.target"] =~ "/.*"` was meant
//! to drop health checks and dropped every span of a payment service.
//!
//! **Fix**: anchor and narrow the pattern (`"^/health$"`), or compare exactly
//! (`attributes["http.route"] == "/health"`).

use super::super::LintSite;
use crate::diag::{codes, Diagnostic};
use crate::ottl::ast::{self, BoolExpr, Key, Node, Value};
use regex::Regex;

/// Attributes that hold a URL path (possibly with a query) or a full URL.
const PATH_ATTRIBUTES: &[&str] = &["http.target", "url.path", "http.route"];
const URL_ATTRIBUTES: &[&str] = &["http.url", "url.full"];

/// Representative values: a regex matching all of them matches "every path" for our purposes.
const PATH_SAMPLES: &[&str] = &[
    "/",
    "/health",
    "/api/v1/orders/42",
    "/orders/<order_id>/export",
    "/x?y=1&z=%20",
];
const URL_SAMPLES: &[&str] = &[
    "http://127.0.0.1:8080/",
    "https://shop.example.com/health",
    "http://orders:5000/api/v1/orders/42?x=1",
];

/// Why a condition is always true, and where (a byte span of the condition text).
struct Finding {
    reason: String,
    span: ast::Span,
    help: String,
}

pub fn check(site: &LintSite<'_>) -> Vec<Diagnostic> {
    let Some(f) = always_true(&site.cond.node, site.cond.span, site.text) else {
        return Vec::new();
    };
    vec![Diagnostic::error(
        codes::CATCH_ALL_RULE,
        format!("this condition matches every span it tests: {}", f.reason),
    )
    .at((site.locate)(f.span))
    .with_help(f.help)]
}

fn always_true(expr: &BoolExpr, span: ast::Span, text: &str) -> Option<Finding> {
    match expr {
        BoolExpr::Literal(true) => Some(Finding {
            reason: "it is the literal `true`".into(),
            span,
            help: "remove the rule, or write the condition that selects the spans you mean to drop"
                .into(),
        }),
        BoolExpr::Or(items) => items
            .iter()
            .find_map(|i| always_true(&i.node, i.span, text)),
        BoolExpr::And(items) => {
            let all: Vec<_> = items
                .iter()
                .map(|i| always_true(&i.node, i.span, text))
                .collect();
            if all.iter().all(Option::is_some) {
                all.into_iter().flatten().next()
            } else {
                None
            }
        }
        BoolExpr::Comparison { left, op, right } => self_comparison(left, op.node, right, text),
        BoolExpr::Converter(call) if call.name.node == "IsMatch" => {
            let target = call.args.first()?;
            let pattern = call.args.get(1)?;
            regex_catch_all(&target.node.value, &pattern.node.value, text)
        }
        BoolExpr::RegexMatch {
            target,
            pattern,
            negated: false,
            ..
        } => regex_catch_all(target, pattern, text),
        _ => None,
    }
}

fn self_comparison(
    left: &Node<Value>,
    op: ast::CompareOp,
    right: &Node<Value>,
    text: &str,
) -> Option<Finding> {
    use ast::CompareOp::{Eq, Ge, Le};
    if !matches!(op, Eq | Le | Ge) {
        return None;
    }
    let l = squeeze(text.get(left.span.start..left.span.end)?);
    let r = squeeze(text.get(right.span.start..right.span.end)?);
    if l.is_empty() || l != r {
        return None;
    }
    Some(Finding {
        reason: format!("it compares `{l}` with itself"),
        span: ast::Span::new(left.span.start, right.span.end),
        help: "compare the value with the literal you mean, e.g. attributes[\"http.route\"] == \"/health\"".into(),
    })
}

/// The text without white space outside string literals, to compare two operands.
fn squeeze(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_str = false;
    let mut escaped = false;
    for c in s.chars() {
        if in_str {
            out.push(c);
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => escaped = false,
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn regex_catch_all(target: &Node<Value>, pattern: &Node<Value>, text: &str) -> Option<Finding> {
    let pattern_span = pattern.span;
    let Value::String(pattern) = &pattern.node else {
        return None;
    };
    let re = Regex::new(pattern).ok()?;
    let target_text = text
        .get(target.span.start..target.span.end)
        .map_or_else(|| "the value".to_owned(), squeeze);
    let target = &target.node;
    if re.is_match("") {
        return Some(Finding {
            reason: format!(
                "regex {pattern:?} can match the empty string, and matching is unanchored, so it matches every value of {target_text}"
            ),
            span: pattern_span,
            help: format!("anchor the pattern to what you mean, e.g. IsMatch({target_text}, \"^/health$\")"),
        });
    }
    let key = attribute_key(target)?;
    let samples = if PATH_ATTRIBUTES.contains(&key) {
        PATH_SAMPLES
    } else if URL_ATTRIBUTES.contains(&key) {
        URL_SAMPLES
    } else {
        return None;
    };
    if samples.iter().all(|s| re.is_match(s)) {
        return Some(Finding {
            reason: format!(
                "regex {pattern:?} matches every URL path, and {target_text} holds a URL path on every HTTP span"
            ),
            span: pattern_span,
            help: format!(
                "match the paths you mean exactly, e.g. {target_text} == \"/health\", or anchor the regex: \"^/(health|ready)$\""
            ),
        });
    }
    None
}

/// `attributes["k"]` / `span.attributes["k"]` → `k`.
fn attribute_key(v: &Value) -> Option<&str> {
    let Value::Path(path) = v else { return None };
    let segs = &path.segments;
    let last = segs.last()?;
    let prefix_ok = match segs.len() {
        1 => true,
        2 => segs[0].node.name == "span" && segs[0].node.keys.is_empty(),
        _ => false,
    };
    if !prefix_ok || last.node.name != "attributes" || last.node.keys.len() != 1 {
        return None;
    }
    match &last.node.keys[0].node {
        Key::String(k) => Some(k),
        _ => None,
    }
}
