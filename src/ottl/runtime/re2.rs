//! Compile Go RE2 patterns with the `regex` crate.
//!
//! The two dialects agree on syntax for everything OTTL users write, but Go's Perl classes
//! (`\d`, `\w`, `\s`) and `\b` are ASCII-only while `regex` makes them Unicode-aware; `\d` would
//! then match Arabic-Indic digits that the collector does not. The pattern is rewritten so those
//! classes mean what they mean in Go before compiling.

use regex::Regex;

/// Why a pattern does not compile.
#[derive(Debug)]
pub enum Re2Error {
    /// Over one of Go's limits (`invalid repeat count: ...`, `expression too large`).
    Limit(String),
    /// Refused by the `regex` crate's parser.
    Syntax(regex::Error),
}

/// Compile `pattern` with Go RE2 class semantics; the error reads like Go's.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    build(pattern).map_err(|e| match e {
        Re2Error::Limit(detail) if detail.starts_with("invalid repeat") => {
            format!("error parsing regexp: {detail}")
        }
        Re2Error::Limit(detail) => format!("error parsing regexp: {detail}: `{pattern}`"),
        Re2Error::Syntax(e) => {
            let detail = e
                .to_string()
                .lines()
                .last()
                .unwrap_or("")
                .trim()
                .to_string();
            format!("error parsing regexp: {detail}: `{pattern}`")
        }
    })
}

/// Compile `pattern` as Go's `regexp.Compile` would accept it: RE2 syntax and classes, and
/// Go's limits, checked first.
pub fn build(pattern: &str) -> Result<Regex, Re2Error> {
    let translated = translate(pattern);
    super::re2_limits::check(&translated).map_err(Re2Error::Limit)?;
    // Go's limits were checked above; the crate's own (smaller) nesting and size limits
    // would refuse patterns the collector accepts.
    regex::RegexBuilder::new(&translated)
        .nest_limit(super::re2_limits::MAX_HEIGHT)
        .size_limit(256 << 20)
        .build()
        .map_err(Re2Error::Syntax)
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

/// Prefix given to capture names Go accepts but the `regex` crate does not (those starting
/// with a digit, such as `(?P<0>...)`); [`capture_name`] takes it off again.
const NAME_PREFIX: &str = "otelcheck_go_";

/// The name a capture group has in the pattern as written.
pub fn capture_name(name: &str) -> &str {
    name.strip_prefix(NAME_PREFIX).unwrap_or(name)
}

/// After `(`: a named group `(?P<name>` / `(?<name>` whose Go-valid name (word characters)
/// starts with a digit gets [`NAME_PREFIX`]; anything else is copied as is.
fn push_group_open(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut String) {
    out.push('(');
    let rest: String = chars.clone().take(4).collect();
    let opener = if rest.starts_with("?P<") {
        3
    } else if rest.starts_with("?<") && !rest.starts_with("?<=") && !rest.starts_with("?<!") {
        2
    } else {
        return;
    };
    let name: String = chars
        .clone()
        .skip(opener)
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let closes = chars.clone().nth(opener + name.len()) == Some('>');
    if closes && name.starts_with(|c: char| c.is_ascii_digit()) {
        for _ in 0..opener + name.len() + 1 {
            chars.next();
        }
        out.push_str("?P<");
        out.push_str(NAME_PREFIX);
        out.push_str(&name);
        out.push('>');
    }
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
                if n == 'Q' && !in_class {
                    // RE2's `\Q...\E` quotes everything up to `\E` (or the end).
                    let mut quoted = String::new();
                    while let Some(q) = chars.next() {
                        if q == '\\' && chars.peek() == Some(&'E') {
                            chars.next();
                            break;
                        }
                        quoted.push(q);
                    }
                    out.push_str(&regex::escape(&quoted));
                    continue;
                }
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
            '(' if !in_class => push_group_open(&mut chars, &mut out),
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
        assert_eq!(
            compile("a{1001}").unwrap_err(),
            "error parsing regexp: invalid repeat count: `{1001}`"
        );
    }

    #[test]
    fn go_only_syntax_is_translated() {
        let quoted = compile(r"^\Q/api/*\E$").unwrap();
        assert!(quoted.is_match("/api/*"));
        assert!(!quoted.is_match("/api/x"));
        let digit = compile(r"(?P<0>\d+)-(?<1x>\w)").unwrap();
        let names: Vec<&str> = digit.capture_names().flatten().map(capture_name).collect();
        assert_eq!(names, ["0", "1x"]);
    }
}
