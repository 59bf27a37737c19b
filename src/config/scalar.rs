//! Decode an environment variable's value as the collector does: as a YAML document read by
//! Go's `yaml.v3`, whose rules differ from our YAML parser's in places that show up in real
//! configs (`yes` stays a string, `010` is octal 8, `08` is the float 8).
//!
//! Plain one-line scalars are resolved here by yaml.v3's rules; anything with YAML structure
//! (flow or block collections, quotes, several lines) goes to [`parse_yaml`]. A result that
//! is a string is returned as the variable's *raw* text, quotes and spaces included, because
//! that is what the collector substitutes.

use super::node::{parse_yaml, NodeKind};
use std::sync::Arc;

/// The value a variable holding `text` stands for.
pub fn resolve_env_yaml(text: &str) -> NodeKind {
    let t = text.trim_matches([' ', '\t', '\r', '\n']);
    if t.is_empty() || t.starts_with('#') {
        return NodeKind::Null;
    }
    if has_structure(t) {
        let name: Arc<str> = "<env>".into();
        return match parse_yaml(&name, text) {
            Ok(node) if !matches!(node.kind, NodeKind::Str(_)) => node.kind,
            _ => NodeKind::Str(text.to_owned()),
        };
    }
    resolve_plain(t).unwrap_or_else(|| NodeKind::Str(text.to_owned()))
}

fn has_structure(t: &str) -> bool {
    let first = t.chars().next().unwrap_or(' ');
    "[{\"'|>&*!%@`".contains(first)
        || t == "-"
        || t.starts_with("- ")
        || t.contains('\n')
        || t.contains(": ")
        || t.contains(" #")
        || t.ends_with(':')
}

/// yaml.v3's resolution of an untagged plain scalar; `None` means "a string".
pub fn resolve_plain(t: &str) -> Option<NodeKind> {
    match t {
        "~" | "null" | "Null" | "NULL" => return Some(NodeKind::Null),
        "true" | "True" | "TRUE" => return Some(NodeKind::Bool(true)),
        "false" | "False" | "FALSE" => return Some(NodeKind::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(NodeKind::Float(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(NodeKind::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(NodeKind::Float(f64::NAN)),
        _ => {}
    }
    if let Some(i) = parse_go_int(t) {
        return Some(match i64::try_from(i) {
            Ok(v) => NodeKind::Int(v),
            Err(_) => NodeKind::Float(i as f64),
        });
    }
    if is_yaml_float(t) {
        return t.parse::<f64>().ok().map(NodeKind::Float);
    }
    None
}

/// Go's `strconv.ParseInt(s, 0, 64)` (falling back to `ParseUint`): sign, `0x`/`0o`/`0b`/`0`
/// prefixes, `_` between digits. Returns the value widened so callers can see overflow.
fn parse_go_int(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    let digits = digits
        .strip_prefix('_')
        .filter(|_| radix != 10)
        .unwrap_or(digits);
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    let v = i128::from_str_radix(&clean, radix).ok()?;
    let v = if neg { -v } else { v };
    let in_range = (i128::from(i64::MIN)..=i128::from(u64::MAX)).contains(&v);
    in_range.then_some(v)
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exp_ok = exp.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_yaml_v3_scalars() {
        assert_eq!(resolve_env_yaml("5"), NodeKind::Int(5));
        assert_eq!(resolve_env_yaml(" 5 "), NodeKind::Int(5));
        assert_eq!(resolve_env_yaml("0x10"), NodeKind::Int(16));
        assert_eq!(resolve_env_yaml("010"), NodeKind::Int(8));
        assert_eq!(resolve_env_yaml("0o10"), NodeKind::Int(8));
        assert_eq!(resolve_env_yaml("1_000"), NodeKind::Int(1000));
        assert_eq!(resolve_env_yaml("-3"), NodeKind::Int(-3));
        assert_eq!(resolve_env_yaml("08"), NodeKind::Float(8.0));
        assert_eq!(resolve_env_yaml("0.50"), NodeKind::Float(0.5));
        assert_eq!(resolve_env_yaml("1e3"), NodeKind::Float(1000.0));
        assert_eq!(resolve_env_yaml("true"), NodeKind::Bool(true));
        assert_eq!(resolve_env_yaml("yes"), NodeKind::Str("yes".into()));
        assert_eq!(resolve_env_yaml("~"), NodeKind::Null);
        assert_eq!(resolve_env_yaml(""), NodeKind::Null);
        assert_eq!(resolve_env_yaml(" x "), NodeKind::Str(" x ".into()));
        assert_eq!(resolve_env_yaml("\"5\""), NodeKind::Str("\"5\"".into()));
        assert_eq!(resolve_env_yaml("a: b: c"), NodeKind::Str("a: b: c".into()));
        assert_eq!(
            resolve_env_yaml("2024-01-01"),
            NodeKind::Str("2024-01-01".into())
        );
    }

    #[test]
    fn collections() {
        let NodeKind::Seq(items) = resolve_env_yaml("[1, 2]") else {
            panic!("not a list")
        };
        assert_eq!(
            items.iter().map(|n| n.kind.clone()).collect::<Vec<_>>(),
            [NodeKind::Int(1), NodeKind::Int(2)]
        );
        let NodeKind::Map(entries) = resolve_env_yaml("{a: 1}") else {
            panic!("not a map")
        };
        assert_eq!(entries[0].0.name, "a");
    }
}
