//! Bounds on what the OTTL front end accepts, checked on the raw text before parsing, so the
//! parser, lowering, checker, compiler and evaluator (all recursive over the tree) never get
//! a tree deeper than they can walk in bounded stack, time and memory.
//!
//! Upstream (Go, growable stacks) parses any depth; a statement nested 64 levels deep is
//! written by a fuzzer, not a person, so otelcheck refuses it with a clear message instead.

use super::ast::Span;
use super::error::OttlError;
use super::parse::line_col;

/// Deepest nesting accepted: open brackets (`(`, `[`, `{`) plus, at each open level, the
/// math operators of its chain (`1 + 2 + 3` lowers to a left-leaning tree two levels deep).
pub const MAX_DEPTH: usize = 64;

/// Longest statement accepted, in bytes. The parse is linear, but a 1 MiB rule is not a rule.
pub const MAX_LEN: usize = 64 * 1024;

/// Rule calls the parser may make on one text before giving up (pest's call limit), at most.
pub const MAX_PARSER_CALLS: usize = 50_000_000;

/// Rule calls allowed per byte of text, plus a base: the budget grows with the text, so a text
/// on which the PEG backtracks (a fuzzer found some) is refused in time linear in its length
/// instead of running to [`MAX_PARSER_CALLS`]. Measured on valid text (2026-12-08): flat
/// expressions, calls, lists and keys take 11–28 calls per byte; nested parentheses are the
/// costliest shape, quadratic in depth (~140 × depth² calls), which [`MAX_DEPTH`] bounds at
/// ~1,200 calls per byte for a text of nothing but 64 nested parentheses — still under the
/// budget with room to spare.
pub const PARSER_CALLS_PER_BYTE: usize = 2_000;
pub const PARSER_CALLS_BASE: usize = 200_000;

/// The parser's call budget for `text`.
pub fn parser_calls(text: &str) -> usize {
    text.len()
        .saturating_mul(PARSER_CALLS_PER_BYTE)
        .saturating_add(PARSER_CALLS_BASE)
        .min(MAX_PARSER_CALLS)
}

/// The first limit `text` breaks, as a syntax error pointing at where it is broken.
pub fn check(text: &str, what: &str) -> Option<OttlError> {
    if text.len() > MAX_LEN {
        let msg = format!(
            "{what} is {} bytes long; otelcheck reads at most {MAX_LEN} bytes per statement",
            text.len()
        );
        return Some(
            OttlError::syntax(msg, Span::new(0, 0))
                .with_help("split it into several statements or conditions"),
        );
    }
    let at = too_deep_at(text.as_bytes())?;
    let (line, col) = line_col(text, at);
    let msg = format!(
        "{what} is nested too deeply at {line}:{col}: more than {MAX_DEPTH} levels of brackets \
         and math operators (otelcheck's limit; the tree would be too deep to check safely)"
    );
    Some(OttlError::syntax(msg, Span::new(at, at + 1)).with_help(
        "split the expression into several statements, or compute parts into attributes first",
    ))
}

/// Byte offset where the nesting first exceeds [`MAX_DEPTH`]; strings are skipped.
fn too_deep_at(bytes: &[u8]) -> Option<usize> {
    // ops[i]: math operators seen so far at open level i (level 0 = outside brackets).
    let mut ops: Vec<usize> = vec![0];
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_string(bytes, i),
            b'(' | b'[' | b'{' => {
                ops.push(0);
                depth += 1;
            }
            b')' | b']' | b'}' if ops.len() > 1 => {
                depth -= 1 + ops.pop().unwrap_or(0);
            }
            b'+' | b'-' | b'*' | b'/' => {
                if let Some(top) = ops.last_mut() {
                    *top += 1;
                }
                depth += 1;
            }
            _ => {}
        }
        if depth > MAX_DEPTH {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Index of the closing quote of the string opening at `start` (or the end of input).
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_brackets_and_operator_chains_but_not_strings() {
        let ok = format!("{}1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(check(&ok, "x").is_none());
        let deep = format!(
            "{}1{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert!(check(&deep, "x").is_some());
        let chain = vec!["1"; MAX_DEPTH + 2].join(" + ");
        assert!(check(&chain, "x").is_some());
        // Closing a bracket gives back its level and the operators inside it.
        let sequential = "(1 + 1) == (2 - 1) and ".repeat(200) + "true";
        assert!(check(&sequential, "x").is_none());
        let quoted = format!("\"{}\"", "(".repeat(1000));
        assert!(check(&quoted, "x").is_none());
    }
}

#[cfg(test)]
mod budget_tests {
    use super::*;
    use crate::ottl::parse::parse_condition;

    /// The costliest valid shape the depth limit lets through still parses within its budget.
    #[test]
    fn the_deepest_valid_nesting_fits_the_budget() {
        let parens = MAX_DEPTH - 1;
        let deepest = format!("{}true{}", "(".repeat(parens), ")".repeat(parens));
        assert!(parse_condition(&deepest).is_ok());
        let calls = format!(
            "{}\"a\"{} == \"a\"",
            "Concat([".repeat(parens / 2),
            "], \"\")".repeat(parens / 2)
        );
        assert!(parse_condition(&calls).is_ok());
    }

    #[test]
    fn the_budget_grows_with_the_text_up_to_the_cap() {
        assert_eq!(parser_calls(""), PARSER_CALLS_BASE);
        assert!(parser_calls(&"a".repeat(1000)) > parser_calls(&"a".repeat(10)));
        assert_eq!(parser_calls(&"a".repeat(MAX_LEN * 1000)), MAX_PARSER_CALLS);
    }
}
