//! The one way a glob (`replace_match`, `replace_all_matches`) fails to compile upstream:
//! a character range `[...]` of the `gobwas/glob` syntax that is not closed or not well formed.
//! Everything else (unclosed `{`, stray `}`) is accepted there, so it is here.

/// gobwas/glob's error text for `pattern`, or `None` when it compiles.
pub fn glob_error(pattern: &str) -> Option<String> {
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' => {
                if let RangeOutcome::Error(msg) = range(&mut chars) {
                    return Some(msg);
                }
            }
            _ => {}
        }
    }
    None
}

/// How a range after its `[` ended.
enum RangeOutcome {
    Closed,
    Error(String),
}

fn range(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> RangeOutcome {
    const EOF: &str = "unexpected end of input";
    let mut first = chars.next();
    if first == Some('!') {
        first = chars.next();
    }
    let Some(lo) = first else {
        return RangeOutcome::Error(EOF.into());
    };
    if chars.peek() == Some(&'-') {
        chars.next();
        let Some(hi) = chars.next() else {
            return RangeOutcome::Error(EOF.into());
        };
        return match chars.next() {
            None => RangeOutcome::Error(EOF.into()),
            Some(']') if hi < lo => RangeOutcome::Error(format!(
                "hi character '{hi}' should be greater than lo '{lo}'"
            )),
            Some(']') => RangeOutcome::Closed,
            Some(_) => RangeOutcome::Error("expected close range character".into()),
        };
    }
    // A list of characters up to `]` (escapes allowed), `lo` being the first.
    let mut escaped = lo == '\\';
    if lo == ']' {
        return RangeOutcome::Closed;
    }
    for c in chars.by_ref() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            ']' => return RangeOutcome::Closed,
            _ => {}
        }
    }
    RangeOutcome::Error(EOF.into())
}

#[cfg(test)]
mod tests {
    use super::glob_error;

    #[test]
    fn ranges_must_close_and_be_ordered() {
        assert_eq!(glob_error("[").as_deref(), Some("unexpected end of input"));
        assert_eq!(
            glob_error("a[bc").as_deref(),
            Some("unexpected end of input")
        );
        assert_eq!(
            glob_error("[a-z").as_deref(),
            Some("unexpected end of input")
        );
        assert_eq!(
            glob_error("[a-zx]").as_deref(),
            Some("expected close range character")
        );
        assert!(glob_error("[z-a]").is_some());
        for ok in ["*", "[abc]", "[!a-z]x", "{a,b", "\\[", "/api/*"] {
            assert_eq!(glob_error(ok), None, "{ok}");
        }
    }
}
