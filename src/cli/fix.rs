//! `validate --fix` / `--diff`: rewrite what can be rewritten safely — the non-upstream
//! `=~` / `!~` operators to `IsMatch(...)` / `not IsMatch(...)` — in place, keeping every other
//! byte of the file (comments, layout, quoting), after showing the unified diff.
//!
//! Safety: only one-line list-item scalars are edited: plain and single-quoted ones whose text
//! is the OTTL text byte for byte (no `''` escapes), and double-quoted ones whose only escapes
//! are `\"` and `\\` (decoded, rewritten, encoded back). The rewritten OTTL must parse without
//! error, or the scalar is left alone and counted as skipped. Files are written atomically.
//! After `--fix`, `validate` checks the rewritten files, so the exit code tells what is left.

use super::inputs::{ConfigUnit, STDIN_NAME};
use super::output::{fatal, note, write_file, write_stdout};
use super::ExitStatus;
use crate::ottl::ast::{BoolExpr, Node, Span};
use crate::ottl::parse::{
    parse_condition, parse_condition_lenient, parse_statement, parse_statement_lenient,
};
use std::path::Path;

/// What rewriting one file gave.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rewrite {
    pub text: String,
    pub fixed: usize,
    /// Scalars with `=~`/`!~` that could not be rewritten safely (left for a human).
    pub skipped: usize,
}

/// Show (and unless `diff_only`, apply) the rewrites of every unit's files. The diff goes to
/// standard output when it is the only output (`diff_only`, or a text report after it), else
/// to standard error, so a JSON or SARIF report on standard output stays one document. The
/// units take the rewritten text of each file written, so the checks that follow `--fix`
/// see the file as it now is.
pub fn run(units: &mut [ConfigUnit], diff_only: bool, diff_to_stdout: bool) -> ExitStatus {
    let mut changed = false;
    let mut status = ExitStatus::Clean;
    for (name, text) in units.iter_mut().flat_map(|u| u.docs.iter_mut()) {
        let r = rewrite_file(text);
        if r.skipped > 0 {
            note(&format!(
                "{name}: {} rule(s) with =~/!~ left as they are (multi-line, flow-style or \
                 escaped YAML): rewrite them by hand as IsMatch(...)",
                r.skipped
            ));
        }
        if r.fixed == 0 {
            continue;
        }
        changed = true;
        let diff = similar::TextDiff::from_lines(text.as_str(), r.text.as_str())
            .unified_diff()
            .header(name, name)
            .to_string();
        if diff_to_stdout {
            if let Err(m) = write_stdout(&diff) {
                fatal(&m);
                return ExitStatus::Error;
            }
        } else {
            eprint!("{diff}");
        }
        if diff_only {
            continue;
        }
        if name == STDIN_NAME {
            note("standard input cannot be fixed in place; the diff above shows the rewrite");
            continue;
        }
        match write_file(Path::new(name.as_str()), &r.text) {
            Ok(()) => {
                note(&format!("fixed {} rule(s) in {name}", r.fixed));
                *text = r.text;
            }
            Err(m) => {
                fatal(&m);
                status = ExitStatus::Error;
            }
        }
    }
    // Like `ruff --diff`: a diff that shows changes is a failure for CI.
    if diff_only && changed && status == ExitStatus::Clean {
        return ExitStatus::Findings;
    }
    status
}

/// Rewrite every safe scalar of a YAML file.
pub fn rewrite_file(text: &str) -> Rewrite {
    let mut out = Rewrite::default();
    let mut lines: Vec<String> = Vec::new();
    for line in text.split_inclusive('\n') {
        lines.push(rewrite_line(line, &mut out));
    }
    out.text = lines.concat();
    out
}

fn rewrite_line(line: &str, acc: &mut Rewrite) -> String {
    let Some((start, end)) = scalar_range(line) else {
        if has_operator(line) && !is_comment(line) {
            acc.skipped += usize::from(looks_like_rule(line));
        }
        return line.to_owned();
    };
    let quoted = &line[start..end];
    let double = start > 0 && line.as_bytes()[start - 1] == b'"';
    let ottl = if double {
        match unescape_double(quoted) {
            Some(t) => t,
            None => {
                acc.skipped += usize::from(has_operator(quoted));
                return line.to_owned();
            }
        }
    } else {
        quoted.to_owned()
    };
    if !has_operator(&ottl) {
        return line.to_owned();
    }
    match rewrite_ottl(&ottl) {
        Some(new) => {
            acc.fixed += 1;
            let new = if double { escape_double(&new) } else { new };
            format!("{}{new}{}", &line[..start], &line[end..])
        }
        None => {
            acc.skipped += 1;
            line.to_owned()
        }
    }
}

fn has_operator(s: &str) -> bool {
    s.contains("=~") || s.contains("!~")
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// A list item or mapping value that holds a rule (so a skipped one is worth mentioning).
fn looks_like_rule(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("- ") || t.contains(": ")
}

/// Byte range of a list item's scalar whose YAML text is its value: `- 'text'` without `''`
/// escapes, or a plain `- text` (up to a ` #` comment).
fn scalar_range(line: &str) -> Option<(usize, usize)> {
    let body = line.trim_end_matches(['\n', '\r']);
    let indent = body.len() - body.trim_start().len();
    let rest = body[indent..].strip_prefix("- ")?;
    let at = body.len() - rest.len();
    let lead = rest.len() - rest.trim_start().len();
    let at = at + lead;
    let rest = rest.trim_start();
    match rest.chars().next()? {
        '\'' => {
            let inner = &rest[1..];
            let close = inner.find('\'')?;
            // `''` is an escaped quote: the YAML text is no longer the OTTL text.
            if inner[close + 1..].starts_with('\'') {
                return None;
            }
            let tail = inner[close + 1..].trim_start();
            (tail.is_empty() || tail.starts_with('#')).then_some((at + 1, at + 1 + close))
        }
        '"' => {
            let inner = &rest[1..];
            let close = closing_double_quote(inner)?;
            let tail = inner[close + 1..].trim_start();
            (tail.is_empty() || tail.starts_with('#')).then_some((at + 1, at + 1 + close))
        }
        '|' | '>' | '&' | '*' | '!' | '[' | '{' => None,
        _ => {
            let end = rest.find(" #").unwrap_or(rest.len());
            let value = rest[..end].trim_end();
            // `key: value` inside a list item is a mapping, not a rule.
            if value.contains(": ") {
                return None;
            }
            Some((at, at + value.len()))
        }
    }
}

/// The byte position of the `"` that closes a double-quoted scalar starting after its
/// opening quote (escaped quotes `\"` do not close it).
fn closing_double_quote(inner: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in inner.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// A double-quoted scalar's value when its only escapes are `\"` and `\\` (the ones OTTL
/// text needs); other escapes (`\n`, `\u..`) are left to a human.
fn unescape_double(quoted: &str) -> Option<String> {
    let mut out = String::with_capacity(quoted.len());
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                e @ ('"' | '\\') => out.push(e),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// `text` as the inside of a double-quoted YAML scalar.
fn escape_double(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The OTTL text with every `a =~ b` → `IsMatch(a, b)` and `a !~ b` → `not IsMatch(a, b)`,
/// or `None` when there is nothing to rewrite or the result would not parse.
pub fn rewrite_ottl(text: &str) -> Option<String> {
    let mut sites = Vec::new();
    let is_condition = match parse_condition_lenient(text).0 {
        Some(tree) => {
            collect(&tree, &mut sites);
            true
        }
        None => {
            let stmt = parse_statement_lenient(text).0?;
            collect(stmt.condition.as_ref()?, &mut sites);
            false
        }
    };
    if sites.is_empty() {
        return None;
    }
    sites.sort_by_key(|s| std::cmp::Reverse(s.whole.start));
    let mut out = text.to_owned();
    for s in &sites {
        // Operand spans may include the whitespace before the operator.
        let target = text.get(s.target.start..s.target.end)?.trim();
        let pattern = text.get(s.pattern.start..s.pattern.end)?.trim();
        let not = if s.negated { "not " } else { "" };
        out.replace_range(
            s.whole.start..s.whole.end,
            &format!("{not}IsMatch({target}, {pattern})"),
        );
    }
    let parses = if is_condition {
        parse_condition(&out).is_ok()
    } else {
        parse_statement(&out).is_ok()
    };
    parses.then_some(out)
}

struct Site {
    whole: Span,
    target: Span,
    pattern: Span,
    negated: bool,
}

fn collect(node: &Node<BoolExpr>, out: &mut Vec<Site>) {
    match &node.node {
        BoolExpr::Or(items) | BoolExpr::And(items) => {
            for item in items {
                collect(item, out);
            }
        }
        BoolExpr::Not(inner) => collect(inner, out),
        BoolExpr::RegexMatch {
            target,
            pattern,
            negated,
            ..
        } => out.push(Site {
            whole: Span::new(target.span.start, pattern.span.end),
            target: target.span,
            pattern: pattern.span,
            negated: *negated,
        }),
        BoolExpr::Comparison { .. } | BoolExpr::Literal(_) | BoolExpr::Converter(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_conditions_and_where_clauses() {
        assert_eq!(
            rewrite_ottl(r#"attributes["http.target"] =~ "/.*""#).as_deref(),
            Some(r#"IsMatch(attributes["http.target"], "/.*")"#)
        );
        assert_eq!(
            rewrite_ottl(r#"name !~ "^GET" and kind == SPAN_KIND_SERVER"#).as_deref(),
            Some(r#"not IsMatch(name, "^GET") and kind == SPAN_KIND_SERVER"#)
        );
        assert_eq!(
            rewrite_ottl(r#"set(attributes["x"], "y") where name =~ "a""#).as_deref(),
            Some(r#"set(attributes["x"], "y") where IsMatch(name, "a")"#)
        );
        assert_eq!(rewrite_ottl(r#"name == "a""#), None);
    }

    #[test]
    fn keeps_everything_else_of_the_file() {
        let text = "a:\n  # keep me\n  - 'name =~ \"x\"'   # trailing\n  - \"name =~ \\\"y\\\"\"\n  - \"name =~ \\\"a\\\\n\\\"\"\n  - \"name =~ \\\"\\n\\\"\"\n";
        let r = rewrite_file(text);
        assert_eq!(
            r.text,
            "a:\n  # keep me\n  - 'IsMatch(name, \"x\")'   # trailing\n  - \"IsMatch(name, \\\"y\\\")\"\n  - \"IsMatch(name, \\\"a\\\\n\\\")\"\n  - \"name =~ \\\"\\n\\\"\"\n"
        );
        assert_eq!((r.fixed, r.skipped), (3, 1));
    }
}
