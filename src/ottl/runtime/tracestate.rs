//! W3C `tracestate` as the OpenTelemetry Go API (`go.opentelemetry.io/otel/trace`) parses and
//! edits it, which is what `trace_state["k"]` reads and writes upstream: list members split on
//! `,` (empty ones skipped), keys trimmed of leading and values of trailing blanks, key and
//! value checked against the W3C grammar, no duplicate keys, at most 32 members. Any invalid
//! member makes the whole trace state invalid. (The samplers' `processors::sampling::tracestate`
//! ports `pkg/sampling`'s own parser, whose limits and quirks differ.)

const MAX_MEMBERS: usize = 32;

fn value_char(c: u8) -> bool {
    (0x20..=0x7e).contains(&c) && c != b',' && c != b'='
}

fn valid_value(v: &str) -> bool {
    let b = v.as_bytes();
    match b.split_last() {
        Some((&last, rest)) if b.len() <= 256 => {
            rest.iter().all(|&c| value_char(c)) && last != b' ' && value_char(last)
        }
        _ => false,
    }
}

fn key_rest(k: &str) -> bool {
    k.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '*' | '/'))
}

/// A key without `@` (or the system part after it): a lowercase letter first.
fn key_part(k: &str, max_rest: usize) -> bool {
    let b = k.as_bytes();
    !b.is_empty() && b.len() - 1 <= max_rest && b[0].is_ascii_lowercase() && key_rest(&k[1..])
}

fn valid_key(k: &str) -> bool {
    match k.split_once('@') {
        None => key_part(k, 255),
        Some((tenant, system)) => {
            let t = tenant.as_bytes();
            !t.is_empty()
                && (t[0].is_ascii_lowercase() || t[0].is_ascii_digit())
                && t.len() - 1 <= 240
                && key_rest(&tenant[1..])
                && key_part(system, 13)
        }
    }
}

/// The members of a valid trace state, in order; `None` when it is not valid.
pub fn parse(ts: &str) -> Option<Vec<(&str, &str)>> {
    let mut members: Vec<(&str, &str)> = Vec::new();
    for m in ts.split(',').filter(|m| !m.is_empty()) {
        let (k, v) = m.split_once('=')?;
        let k = k.trim_start_matches([' ', '\t']);
        let v = v.trim_end_matches([' ', '\t']);
        if !valid_key(k) || !valid_value(v) || members.iter().any(|(x, _)| *x == k) {
            return None;
        }
        members.push((k, v));
        if members.len() > MAX_MEMBERS {
            return None;
        }
    }
    Some(members)
}

/// `TraceState.Insert`: the member goes first, replacing the key where it was; a new key on a
/// full list pushes the last member out. `None` when the key or value is not valid.
pub fn insert(members: &[(&str, &str)], key: &str, value: &str) -> Option<String> {
    if !valid_key(key) || !valid_value(value) {
        return None;
    }
    let found = members.iter().position(|(k, _)| *k == key);
    let mut out = vec![(key, value)];
    match found {
        Some(i) => {
            out.extend_from_slice(&members[..i]);
            out.extend_from_slice(&members[i + 1..]);
        }
        None if members.len() < MAX_MEMBERS => out.extend_from_slice(members),
        None => out.extend_from_slice(&members[..members.len() - 1]),
    }
    Some(
        out.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w3c_members() {
        assert_eq!(parse("k1=v1,k2=v2"), Some(vec![("k1", "v1"), ("k2", "v2")]));
        assert_eq!(parse(""), Some(vec![]));
        assert_eq!(parse(",, k1=v 1 ,"), Some(vec![("k1", "v 1")]));
        assert_eq!(
            parse("t3n@sys=x,0a@b=y"),
            Some(vec![("t3n@sys", "x"), ("0a@b", "y")])
        );
        for bad in [
            "K=v", "k=", "k", "k=v,k=w", "1k=v", "k=a=b", "k =v", "a@B=v",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        let many: Vec<String> = (0..33).map(|i| format!("k{i}=v")).collect();
        assert_eq!(parse(&many.join(",")), None);
    }

    #[test]
    fn insert_moves_to_front_and_rejects_invalid() {
        let m = parse("a=1,b=2,c=3").unwrap();
        assert_eq!(insert(&m, "b", "9").as_deref(), Some("b=9,a=1,c=3"));
        assert_eq!(insert(&m, "d", "4").as_deref(), Some("d=4,a=1,b=2,c=3"));
        assert_eq!(insert(&m, "Upper", "4"), None);
        assert_eq!(insert(&m, "d", "x,y"), None);
        assert_eq!(insert(&m, "d", "trailing "), None);
        let full: Vec<String> = (0..32).map(|i| format!("k{i}=v")).collect();
        let full = full.join(",");
        let m = parse(&full).unwrap();
        let out = insert(&m, "new", "x").unwrap();
        assert!(
            out.starts_with("new=x,k0=v,") && out.ends_with(",k30=v"),
            "{out}"
        );
    }
}
