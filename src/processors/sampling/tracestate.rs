//! The W3C `tracestate` header and its OpenTelemetry `ot` member, parsed and re-serialized the
//! way `pkg/sampling` (v0.156.0) does it, quirks included: a parse error still leaves whatever
//! was read before it (the never-sampler serializes that), at most 31 members are read (the
//! size check fires on the 32nd), and the `ot` member is always written first.

use super::otep235::{Randomness, Threshold};

/// Why a tracestate was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceStateError {
    /// Not W3C (or `ot`) syntax.
    Syntax,
    /// Too long, too many members, or a key too long.
    Size,
    /// `rv` that is not exactly 14 hex digits.
    RValue,
    /// `th` that is empty, longer than 14 digits or not hex.
    TValue,
}

impl TraceStateError {
    pub fn describe(self) -> &'static str {
        match self {
            TraceStateError::Syntax => "tracestate is not valid W3C syntax",
            TraceStateError::Size => "tracestate is too large",
            TraceStateError::RValue => "ot rv is not 14 hex digits",
            TraceStateError::TValue => "ot th is not 1 to 14 hex digits",
        }
    }
}

/// The `ot=` member: `rv`, `th` and any other sub-keys in their order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OtelTraceState {
    rvalue: String,
    rnd: u64,
    tvalue: String,
    threshold: u64,
    extra: Vec<(String, String)>,
}

/// A whole `tracestate`: the `ot` member and every other member in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct W3cTraceState {
    pub ot: OtelTraceState,
    extra: Vec<(String, String)>,
}

const MAX_W3C_LEN: usize = 1024;
const MAX_OT_LEN: usize = 256;
const MAX_MEMBERS: usize = 32;
const MAX_KEY_LEN: usize = 256;
const MAX_TENANT_LEN: usize = 241;
const MAX_SYSTEM_LEN: usize = 14;

impl OtelTraceState {
    /// `NewOpenTelemetryTraceState`: the state read so far, and the first error if any.
    pub fn parse(input: &str) -> (OtelTraceState, Option<TraceStateError>) {
        let mut s = OtelTraceState::default();
        if input.len() > MAX_OT_LEN {
            return (s, Some(TraceStateError::Size));
        }
        if !valid_ot_syntax(input) {
            return (s, Some(TraceStateError::Syntax));
        }
        let mut err = None;
        for member in input.split(';') {
            let Some((key, value)) = member.split_once(':') else {
                continue;
            };
            match key {
                "rv" => match Randomness::parse(value) {
                    Some(r) => {
                        s.rnd = r.0;
                        s.rvalue = value.to_owned();
                    }
                    None => {
                        s.rnd = 0;
                        s.rvalue.clear();
                        err = err.or(Some(TraceStateError::RValue));
                    }
                },
                "th" => match Threshold::parse(value) {
                    Some(t) => {
                        s.threshold = t.0;
                        s.tvalue = value.to_owned();
                    }
                    None => {
                        s.threshold = 0;
                        s.tvalue.clear();
                        err = err.or(Some(TraceStateError::TValue));
                    }
                },
                _ => s.extra.push((key.to_owned(), value.to_owned())),
            }
        }
        (s, err)
    }

    pub fn randomness(&self) -> Option<Randomness> {
        (!self.rvalue.is_empty()).then_some(Randomness(self.rnd))
    }

    pub fn threshold(&self) -> Option<Threshold> {
        (!self.tvalue.is_empty()).then_some(Threshold(self.threshold))
    }

    pub fn set_randomness(&mut self, rnd: Randomness) {
        self.rnd = rnd.0;
        self.rvalue = rnd.rvalue();
    }

    pub fn clear_threshold(&mut self) {
        self.tvalue.clear();
        self.threshold = 0;
    }

    /// `UpdateTValueWithSampling`: refused (false) when it would raise the probability of an
    /// existing `th`.
    pub fn update_threshold(&mut self, t: Threshold) -> bool {
        if !self.tvalue.is_empty() && self.threshold > t.0 {
            return false;
        }
        self.threshold = t.0;
        self.tvalue = t.tvalue();
        true
    }

    fn has_any_value(&self) -> bool {
        !self.rvalue.is_empty() || !self.tvalue.is_empty() || !self.extra.is_empty()
    }

    fn serialize(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.rvalue.is_empty() {
            parts.push(format!("rv:{}", self.rvalue));
        }
        if !self.tvalue.is_empty() {
            parts.push(format!("th:{}", self.tvalue));
        }
        parts.extend(self.extra.iter().map(|(k, v)| format!("{k}:{v}")));
        parts.join(";")
    }
}

impl W3cTraceState {
    /// `NewW3CTraceState`: the state read so far, and the first error if any.
    pub fn parse(input: &str) -> (W3cTraceState, Option<TraceStateError>) {
        let mut s = W3cTraceState::default();
        if input.is_empty() {
            return (s, None);
        }
        if input.len() > MAX_W3C_LEN {
            return (s, Some(TraceStateError::Size));
        }
        if !valid_w3c_syntax(input) {
            return (s, Some(TraceStateError::Syntax));
        }
        let mut err = None;
        // Upstream counts every comma-separated piece, empty ones too, and stops with a size
        // error when the count reaches 32.
        // Like Go's loop, a trailing separator ends the input rather than adding a member.
        let pieces = input.strip_suffix(',').unwrap_or(input).split(',');
        for (n, member) in pieces.enumerate() {
            if n + 1 >= MAX_MEMBERS {
                return (s, err.or(Some(TraceStateError::Size)));
            }
            let member = member.trim_matches([' ', '\t']);
            let Some((key, value)) = member.split_once('=') else {
                continue;
            };
            if let Some(e) = s.member(key, value) {
                err = err.or(Some(e));
            }
        }
        (s, err)
    }

    fn member(&mut self, key: &str, value: &str) -> Option<TraceStateError> {
        if key.len() > MAX_KEY_LEN {
            return Some(TraceStateError::Size);
        }
        if let Some((tenant, system)) = key.split_once('@') {
            if tenant.len() > MAX_TENANT_LEN || system.len() > MAX_SYSTEM_LEN {
                return Some(TraceStateError::Size);
            }
        }
        if key == "ot" {
            let (ot, err) = OtelTraceState::parse(value);
            self.ot = ot;
            return err;
        }
        self.extra.push((key.to_owned(), value.to_owned()));
        None
    }

    /// The header as upstream writes it back: `ot` first, then the other members in order.
    pub fn serialize(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.ot.has_any_value() {
            parts.push(format!("ot={}", self.ot.serialize()));
        }
        parts.extend(self.extra.iter().map(|(k, v)| format!("{k}={v}")));
        parts.join(",")
    }

    /// The value of member `key` (the `ot` member as written back).
    pub fn get(&self, key: &str) -> Option<String> {
        if key == "ot" {
            return self.ot.has_any_value().then(|| self.ot.serialize());
        }
        self.extra
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
}

fn lc_alpha(c: u8) -> bool {
    c.is_ascii_lowercase()
}

fn lc_alnum(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn key_char(c: u8) -> bool {
    lc_alnum(c) || matches!(c, b'_' | b'-' | b'*' | b'/')
}

fn valid_ot_syntax(input: &str) -> bool {
    if input.is_empty() || input.ends_with(';') {
        return false;
    }
    input.split(';').all(|member| {
        let Some(colon) = member.find(':').filter(|&c| c >= 1) else {
            return false;
        };
        let (key, value) = (&member[..colon], &member[colon + 1..]);
        let kb = key.as_bytes();
        lc_alpha(kb[0])
            && kb[1..].iter().all(|&c| lc_alnum(c))
            && value
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
    })
}

fn valid_w3c_syntax(input: &str) -> bool {
    input.split(',').all(|member| {
        let member = member.trim_matches([' ', '\t']);
        if member.is_empty() {
            return true;
        }
        let Some(eq) = member.find('=').filter(|&e| e >= 1) else {
            return false;
        };
        valid_w3c_key(&member[..eq]) && valid_w3c_value(&member[eq + 1..])
    })
}

fn valid_w3c_key(key: &str) -> bool {
    if let Some((tenant, system)) = key.split_once('@') {
        let (t, s) = (tenant.as_bytes(), system.as_bytes());
        return !t.is_empty()
            && !s.is_empty()
            && lc_alnum(t[0])
            && lc_alpha(s[0])
            && t[1..].iter().all(|&c| key_char(c))
            && s[1..].iter().all(|&c| key_char(c));
    }
    let k = key.as_bytes();
    !k.is_empty() && lc_alpha(k[0]) && k[1..].iter().all(|&c| key_char(c))
}

fn valid_w3c_value(value: &str) -> bool {
    let v = value.as_bytes();
    let non_blank = |c: u8| matches!(c, 0x21..=0x2b | 0x2d..=0x3c | 0x3e..=0x7e);
    match v.split_last() {
        Some((&last, rest)) if v.len() <= 256 => {
            non_blank(last) && rest.iter().all(|&c| c == 0x20 || non_blank(c))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(input: &str) -> (String, Option<TraceStateError>) {
        let (s, e) = W3cTraceState::parse(input);
        (s.serialize(), e)
    }

    #[test]
    fn ot_member_is_written_first() {
        assert_eq!(
            round_trip("foo=bar,ot=th:8;xy:abc"),
            ("ot=th:8;xy:abc,foo=bar".to_owned(), None)
        );
        assert_eq!(
            round_trip(" vendor=a ,foo=b"),
            ("vendor=a,foo=b".to_owned(), None)
        );
    }

    #[test]
    fn errors_keep_what_was_read() {
        assert_eq!(
            round_trip("bad state!!"),
            (String::new(), Some(TraceStateError::Syntax))
        );
        assert_eq!(
            round_trip("foo=bar,ot=rv:12345,baz=q"),
            ("foo=bar,baz=q".to_owned(), Some(TraceStateError::RValue))
        );
        assert_eq!(round_trip("ot=th:zz").1, Some(TraceStateError::TValue));
        assert_eq!(round_trip("ot=th:8;").1, Some(TraceStateError::Syntax));
        assert_eq!(round_trip("ot=th:fg").1, Some(TraceStateError::TValue));
        assert_eq!(round_trip("Vendor=a").1, Some(TraceStateError::Syntax));
        assert_eq!(round_trip(" vendor = a ").1, Some(TraceStateError::Syntax));
    }

    #[test]
    fn thirty_two_members_are_too_many() {
        let members: Vec<String> = (0..31).map(|i| format!("k{i}=v")).collect();
        assert_eq!(round_trip(&members.join(",")).1, None);
        assert_eq!(round_trip(&(members.join(",") + ",")).1, None);
        let members: Vec<String> = (0..32).map(|i| format!("k{i}=v")).collect();
        assert_eq!(
            round_trip(&members.join(",")).1,
            Some(TraceStateError::Size)
        );
    }

    #[test]
    fn update_refuses_to_raise_probability() {
        let (mut s, _) = W3cTraceState::parse("ot=th:c");
        assert!(!s.ot.update_threshold(Threshold::parse("8").unwrap()));
        assert!(s.ot.update_threshold(Threshold::parse("e").unwrap()));
        assert_eq!(s.serialize(), "ot=th:e");
    }
}
