//! The OTel Go SDK's strict `trace.ParseTraceState`, which the `trace_state` policy uses (not
//! the lenient `pkg/sampling` parser): one bad member, a duplicate key or more than 32 members
//! make the whole header unreadable, and then the policy sees no value at all.

const MAX_MEMBERS: usize = 32;

/// The value of `key` in `header`, `None` when absent or when the header does not parse.
pub fn get(header: &str, key: &str) -> Option<String> {
    let members = parse(header)?;
    members
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.to_owned())
}

fn parse(header: &str) -> Option<Vec<(&str, &str)>> {
    let mut members: Vec<(&str, &str)> = Vec::new();
    for m in header.split(',') {
        if m.is_empty() {
            continue;
        }
        let (key, value) = m.split_once('=')?;
        let key = key.trim_start_matches([' ', '\t']);
        let value = value.trim_end_matches([' ', '\t']);
        if !valid_key(key) || !valid_value(value) || members.iter().any(|(k, _)| *k == key) {
            return None;
        }
        members.push((key, value));
        if members.len() > MAX_MEMBERS {
            return None;
        }
    }
    Some(members)
}

fn key_char(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'-' | b'*' | b'/')
}

fn valid_key(key: &str) -> bool {
    let b = key.as_bytes();
    match key.split_once('@') {
        None => {
            !b.is_empty()
                && b.len() <= 256
                && b[0].is_ascii_lowercase()
                && b[1..].iter().all(|&c| key_char(c))
        }
        Some((tenant, system)) => {
            let (t, s) = (tenant.as_bytes(), system.as_bytes());
            !t.is_empty()
                && t.len() <= 241
                && (t[0].is_ascii_lowercase() || t[0].is_ascii_digit())
                && t[1..].iter().all(|&c| key_char(c))
                && !s.is_empty()
                && s.len() <= 14
                && s[0].is_ascii_lowercase()
                && s[1..].iter().all(|&c| key_char(c))
        }
    }
}

fn valid_value(v: &str) -> bool {
    let b = v.as_bytes();
    !b.is_empty()
        && b.len() <= 256
        && b[b.len() - 1] != b' '
        && b.iter()
            .all(|&c| (0x20..=0x7e).contains(&c) && c != b',' && c != b'=')
}

#[cfg(test)]
mod tests {
    use super::get;

    #[test]
    fn processors_md_table_d_trace_state_rows() {
        for h in ["vendor=a", "ot=th:8,vendor=a", " vendor=a ,foo=b"] {
            assert_eq!(get(h, "vendor").as_deref(), Some("a"), "{h}");
        }
        for h in [" vendor = a ", "Vendor=a,vendor=a", "vendor=a,vendor=b"] {
            assert_eq!(get(h, "vendor"), None, "{h}");
        }
        assert_eq!(get("vendor=b", "vendor").as_deref(), Some("b"));
    }
}
