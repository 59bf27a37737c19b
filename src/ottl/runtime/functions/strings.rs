//! String converters.
//!
//! | Converter | Parameters | Result |
//! |---|---|---|
//! | `HasPrefix(target, prefix)` / `HasSuffix(target, suffix)` | StringGetter ×2 | bool; nil or non-string target is an error |
//! | `Split(target, delimiter)` | StringGetter ×2 | `[]string` (Go `strings.Split`) |
//! | `Substring(target, start, length)` | StringGetter, IntGetter ×2 | byte offsets; out of range is an error |
//! | `ToLowerCase(target)` / `ToUpperCase(target)` | StringGetter | case-mapped string |
//! | `TrimPrefix(target, prefix)` / `TrimSuffix(target, suffix)` | StringGetter ×2 | string |
//! | `Trim(target, replacement?)` | StringGetter, literal string (default `" "`) | both ends trimmed of any of those characters |
//! | `Index(target, value)` | Getter ×2 | first byte offset of a substring / position in a slice, or -1 |

use std::borrow::Cow;

use super::{arg, opt, to_int, to_str, Build, Spec};
use crate::ottl::ast::CompareOp;
use crate::ottl::runtime::compare::compare;
use crate::ottl::runtime::value::Value;

type R<T> = Result<T, String>;

fn owned(s: String) -> Value<'static> {
    Value::Str(Cow::Owned(s))
}

pub const SPECS: &[Spec] = &[
    Spec {
        name: "HasPrefix",
        build: Build::Simple(|mut a| {
            let t = to_str(arg(&mut a, 0))?;
            Ok(Value::Bool(t.starts_with(to_str(arg(&mut a, 1))?.as_ref())))
        }),
    },
    Spec {
        name: "HasSuffix",
        build: Build::Simple(|mut a| {
            let t = to_str(arg(&mut a, 0))?;
            Ok(Value::Bool(t.ends_with(to_str(arg(&mut a, 1))?.as_ref())))
        }),
    },
    Spec {
        name: "Split",
        build: Build::Simple(|mut a| {
            let t = to_str(arg(&mut a, 0))?;
            let d = to_str(arg(&mut a, 1))?;
            Ok(Value::StrList(split(&t, &d)))
        }),
    },
    Spec {
        name: "Substring",
        build: Build::Simple(|mut a| {
            let t = to_str(arg(&mut a, 0))?;
            let start = to_int(arg(&mut a, 1))?;
            let length = to_int(arg(&mut a, 2))?;
            let utf8_safe = matches!(super::opt(&mut a, 3), Some(Value::Bool(true)));
            substring(&t, start, length, utf8_safe).map(owned)
        }),
    },
    Spec {
        name: "ToLowerCase",
        build: Build::Simple(|mut a| Ok(owned(to_str(arg(&mut a, 0))?.to_lowercase()))),
    },
    Spec {
        name: "ToUpperCase",
        build: Build::Simple(|mut a| Ok(owned(to_str(arg(&mut a, 0))?.to_uppercase()))),
    },
    Spec {
        name: "TrimPrefix",
        build: Build::Simple(|mut a| {
            let t = to_str(arg(&mut a, 0))?;
            let p = to_str(arg(&mut a, 1))?;
            Ok(owned(t.strip_prefix(p.as_ref()).unwrap_or(&t).to_string()))
        }),
    },
    Spec {
        name: "TrimSuffix",
        build: Build::Simple(|mut a| {
            let t = to_str(arg(&mut a, 0))?;
            let p = to_str(arg(&mut a, 1))?;
            Ok(owned(t.strip_suffix(p.as_ref()).unwrap_or(&t).to_string()))
        }),
    },
    Spec {
        name: "Trim",
        build: Build::Simple(|mut a| {
            let t = to_str(arg(&mut a, 0))?;
            let cut = match opt(&mut a, 1) {
                Some(r) => to_str(r)?.into_owned(),
                None => " ".to_string(),
            };
            Ok(owned(t.trim_matches(|c| cut.contains(c)).to_string()))
        }),
    },
    Spec {
        name: "Index",
        build: Build::Simple(|mut a| {
            let t = arg(&mut a, 0);
            let v = arg(&mut a, 1);
            index(t, v).map(Value::Int)
        }),
    },
];

/// Go `strings.Split`: an empty delimiter splits after each UTF-8 character.
fn split(t: &str, d: &str) -> Vec<String> {
    if d.is_empty() {
        return t.chars().map(String::from).collect();
    }
    t.split(d).map(String::from).collect()
}

fn substring(t: &str, start: i64, length: i64, utf8_safe: bool) -> R<String> {
    if start < 0 {
        return Err(format!(
            "invalid start for substring function, {start} cannot be negative"
        ));
    }
    if length <= 0 {
        return Err(format!(
            "invalid length for substring function, {length} cannot be negative or zero"
        ));
    }
    let len = i64::try_from(t.len()).unwrap_or(i64::MAX);
    if start > len || length > len - start {
        return Err(format!(
            "invalid range for substring function, start({start})+length({length}) cannot be greater than the length of target string({len})"
        ));
    }
    let (mut from, mut to) = (start as usize, (start + length) as usize);
    if utf8_safe {
        // Move the start forward and the end back to character boundaries.
        while from < t.len() && !t.is_char_boundary(from) {
            from += 1;
        }
        while from < to && to < t.len() && !t.is_char_boundary(to) {
            to -= 1;
        }
        to = to.max(from);
    }
    // Byte offsets as upstream; an unsafe cut inside a character keeps the broken bytes
    // (replaced by U+FFFD here: Rust strings hold only whole characters).
    let bytes = t.as_bytes().get(from..to).unwrap_or_default();
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

fn index(target: Value, value: Value) -> R<i64> {
    match target {
        Value::Str(t) => match value {
            Value::Str(v) => Ok(t.find(v.as_ref()).map_or(-1, |i| i as i64)),
            _ => Err("invalid value type for Index function, value must be a string".into()),
        },
        Value::Slice(items) => {
            for (i, item) in items.iter().enumerate() {
                if compare(&Value::from_any(item), &value, CompareOp::Eq)? {
                    return Ok(i as i64);
                }
            }
            Ok(-1)
        }
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if compare(item, &value, CompareOp::Eq)? {
                    return Ok(i as i64);
                }
            }
            Ok(-1)
        }
        other => Err(format!(
            "unsupported type for Index function: {}",
            other.go_type()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_substring_follow_go() {
        assert_eq!(split("a,b,c", ","), ["a", "b", "c"]);
        assert_eq!(split("ab", ""), ["a", "b"]);
        assert_eq!(substring("abcdef", 1, 3, false).unwrap(), "bcd");
        assert!(substring("abc", 2, 5, false)
            .unwrap_err()
            .contains("start(2)+length(5) cannot be greater than the length of target string(3)"));
        // "aé" is 61 c3 a9: a cut after byte 2 lands inside é; utf8-safe backs off.
        assert_eq!(substring("aéb", 0, 2, true).unwrap(), "a");
        assert_eq!(substring("aéb", 2, 2, true).unwrap(), "b");
    }
}
