//! Compile Go RE2 patterns with the `regex` crate.
//!
//! The two dialects agree on syntax for everything OTTL users write, but Go's Perl classes
//! (`\d`, `\w`, `\s`) and `\b` are ASCII-only while `regex` makes them Unicode-aware; `\d` would
//! then match Arabic-Indic digits that the collector does not. The pattern is rewritten so those
//! classes mean what they mean in Go before compiling.

use regex::Regex;

/// Compile `pattern` with Go RE2 class semantics; the error reads like Go's.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(&translate(pattern)).map_err(|e| {
        let detail = e
            .to_string()
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .to_string();
        format!("error parsing regexp: {detail}: `{pattern}`")
    })
}

fn ascii_class(c: char) -> Option<(&'static str, bool)> {
    Some(match c {
        'd' => ("0-9", false),
        'D' => ("0-9", true),
        'w' => ("0-9A-Za-z_", false),
        'W' => ("0-9A-Za-z_", true),
        's' => ("\\t\\n\\f\\r ", false),
        'S' => ("\\t\\n\\f\\r ", true),
        _ => return None,
    })
}

fn translate(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 8);
    let mut chars = p.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(n) = chars.next() else {
                    out.push('\\');
                    break;
                };
                match (ascii_class(n), n) {
                    (Some((set, neg)), _) if in_class && !neg => out.push_str(set),
                    (Some((set, neg)), _) => {
                        out.push_str(if neg { "[^" } else { "[" });
                        out.push_str(set);
                        out.push(']');
                    }
                    (None, 'b') if !in_class => out.push_str("(?-u:\\b)"),
                    (None, 'B') if !in_class => out.push_str("(?-u:\\B)"),
                    _ => {
                        out.push('\\');
                        out.push(n);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                // A leading `^` and a leading `]` belong to the class syntax.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            '[' if in_class && chars.peek() == Some(&':') => {
                // POSIX class `[:alpha:]`: copy through to its closing `:]`.
                out.push('[');
                for d in chars.by_ref() {
                    out.push(d);
                    if d == ']' {
                        break;
                    }
                }
            }
            '[' => out.push_str("\\["),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perl_classes_are_ascii_like_go() {
        let re = compile(r"^\d+$").unwrap();
        assert!(re.is_match("123"));
        assert!(!re.is_match("١٢٣"));
        assert!(compile(r"[\d,]+").unwrap().is_match("1,2"));
        assert!(compile(r"\bx\b").unwrap().is_match("a x b"));
    }

    #[test]
    fn re2_rejects_what_go_rejects() {
        assert!(compile(r"(a)\1").is_err());
        assert!(compile("a(?=b)").is_err());
        assert!(compile("a{2,1}").is_err());
        assert!(compile("(").is_err());
        assert!(compile("(?<x>a)").is_ok());
    }
}
