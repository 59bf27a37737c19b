//! `github.com/iancoleman/strcase` as v0.156.0 vendors it: `ToCamel` (named arguments are
//! matched by `ToCamel(name)`, and the `ToCamelCase` / `ConvertCase(..., "camel")` converters)
//! and `ToSnake`. Both work on bytes and only change ASCII letters, as the Go code does.

/// `strcase.ToCamel`: words split at `_`, ` `, `-`, `.`; each word capitalised; a digit makes
/// the next letter upper-case; a capital after a capital is lowered (`ID` → `Id`).
pub fn to_camel(s: &str) -> String {
    let s = s.trim();
    let mut out = Vec::with_capacity(s.len());
    let mut cap_next = true;
    let mut prev_cap = false;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let mut v = b;
        let is_cap = v.is_ascii_uppercase();
        let is_low = v.is_ascii_lowercase();
        if cap_next {
            v = v.to_ascii_uppercase();
        } else if i == 0 || (prev_cap && is_cap) {
            v = v.to_ascii_lowercase();
        }
        prev_cap = is_cap;
        if is_cap || is_low {
            out.push(v);
            cap_next = false;
        } else if v.is_ascii_digit() {
            out.push(v);
            cap_next = true;
        } else {
            // Anything else (punctuation, non-ASCII bytes) is dropped; a separator capitalises
            // the next letter.
            cap_next = matches!(v, b'_' | b' ' | b'-' | b'.');
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `strcase.ToSnake` (`ToScreamingDelimited(s, '_', "", false)`): a `_` goes where the kind of
/// character changes (lower→upper, letter↔digit), before the last capital of an acronym
/// (`JSONData` → `json_data`), and in place of ` `, `-`, `.`.
pub fn to_snake(s: &str) -> String {
    let s = s.trim().as_bytes();
    let mut out = Vec::with_capacity(s.len() + 2);
    for (i, &b) in s.iter().enumerate() {
        let (v_cap, v_low) = (b.is_ascii_uppercase(), b.is_ascii_lowercase());
        let v = b.to_ascii_lowercase();
        if let Some(&next) = s.get(i + 1) {
            let v_num = v.is_ascii_digit();
            let (n_cap, n_low, n_num) = (
                next.is_ascii_uppercase(),
                next.is_ascii_lowercase(),
                next.is_ascii_digit(),
            );
            if (v_cap && (n_low || n_num))
                || (v_low && (n_cap || n_num))
                || (v_num && (n_cap || n_low))
            {
                if v_cap && n_low && i > 0 && s[i - 1].is_ascii_uppercase() {
                    out.push(b'_');
                }
                out.push(v);
                if v_low || v_num || n_num {
                    out.push(b'_');
                }
                continue;
            }
        }
        if matches!(v, b' ' | b'_' | b'-' | b'.') {
            out.push(b'_');
        } else {
            out.push(v);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_like_strcase() {
        assert_eq!(to_camel("utf8safe"), "Utf8Safe");
        assert_eq!(to_camel("pattern_definitions"), "PatternDefinitions");
        assert_eq!(to_camel("named_captures_only"), "NamedCapturesOnly");
        assert_eq!(to_camel("some ID"), "SomeId");
    }

    #[test]
    fn snake_like_strcase() {
        assert_eq!(to_snake("AnyKind of_string"), "any_kind_of_string");
        assert_eq!(to_snake("JSONData"), "json_data");
        assert_eq!(to_snake("id1Name"), "id_1_name");
    }
}
