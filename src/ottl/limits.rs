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

/// Rule calls the parser may make on one text before giving up (pest's call limit).
pub const MAX_PARSER_CALLS: usize = 50_000_000;

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
