//! `sensitive-data-exported`: what a pipeline's exporters receive is scanned for values that
//! look like credentials (authorization/cookie headers, bearer/basic tokens, API keys),
//! Luhn-valid card numbers and e-mail addresses.
//!
//! The pure part ([`scan_span`], [`scan_attributes`], [`Exposures`]) is what `diff` reuses to
//! compare two configs. No scanned value is kept: a hit carries the field, the kind and a
//! masked description (kind and length), never the text.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;

use crate::capture::model::{AnyValue, Attributes, Batch, Key, Resource, Span};
use crate::diag::{codes, Diagnostic};
use crate::engine::Engine;
use crate::processors::api::{Example, Observer};

/// What a value looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An authorization or cookie header, a bearer/basic token, an API key.
    Credential,
    CardNumber,
    Email,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Credential => "a credential",
            Kind::CardNumber => "a card number",
            Kind::Email => "an e-mail address",
        }
    }
}

/// One sensitive-looking value in one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The field as an OTTL path names it: `attributes["url.full"]`,
    /// `resource.attributes["k"]`, `events["exception"].attributes["k"]`.
    pub field: String,
    pub kind: Kind,
    /// The value, masked: its kind and length only (`<card number, 16 digits>`).
    pub masked: String,
}

/// Every hit in a span's own attributes and its events' attributes.
pub fn scan_span(span: &Span) -> Vec<Hit> {
    let mut hits = scan_attributes(&span.attributes, "");
    for e in &span.events {
        let prefix = format!("events[{}].", quote(&e.name));
        hits.extend(scan_attributes(&e.attributes, &prefix));
    }
    hits
}

/// Every hit in a resource's attributes.
pub fn scan_resource(resource: &Resource) -> Vec<Hit> {
    scan_attributes(&resource.attributes, "resource.")
}

/// Every hit in one attribute map; field names get `prefix` (`resource.`, ...).
pub fn scan_attributes(attrs: &Attributes, prefix: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    for &(key, ref value) in attrs.entries() {
        let mut kinds: Vec<(Kind, String)> = Vec::new();
        let mut flags = None;
        for s in strings(value) {
            let flags = *flags.get_or_insert_with(|| KeyFlags::of_interned(key));
            for (kind, masked) in scan_value_with(flags, s) {
                if !kinds.iter().any(|(k, _)| *k == kind) {
                    kinds.push((kind, masked));
                }
            }
        }
        for (kind, masked) in kinds {
            hits.push(Hit {
                field: format!("{prefix}attributes[{}]", quote(&key)),
                kind,
                masked,
            });
        }
    }
    hits
}

/// The strings a value carries: itself, or the string elements of a slice (semantic
/// conventions record HTTP headers as string arrays).
fn strings(value: &AnyValue) -> impl Iterator<Item = &str> {
    let (one, many) = match value {
        AnyValue::Str(s) => (Some(&**s), None),
        AnyValue::Slice(items) => (None, Some(items.iter())),
        _ => (None, None),
    };
    one.into_iter()
        .chain(many.into_iter().flatten().filter_map(|v| match v {
            AnyValue::Str(s) => Some(&**s),
            _ => None,
        }))
}

/// What an attribute key says about its values, worked out once per distinct key.
#[derive(Clone, Copy)]
struct KeyFlags {
    /// A header or key whose value is a secret by nature.
    credential: bool,
    /// An identifier key: long decimal ids there are not card numbers.
    id: bool,
}

impl KeyFlags {
    fn of(key: &str) -> KeyFlags {
        KeyFlags {
            credential: credential_key(key),
            id: id_key(key),
        }
    }

    /// [`KeyFlags::of`] remembered per interned key (pointer), as a dry run scans the same few
    /// hundred keys on every exported span; bounded by the key interner's own bound.
    fn of_interned(key: Key) -> KeyFlags {
        thread_local! {
            static MEMO: std::cell::RefCell<rustc_hash::FxHashMap<Key, KeyFlags>> =
                std::cell::RefCell::new(rustc_hash::FxHashMap::default());
        }
        MEMO.with(|m| {
            if let Some(&f) = m.borrow().get(&key) {
                return f;
            }
            let f = KeyFlags::of(&key);
            m.borrow_mut().insert(key, f);
            f
        })
    }
}

/// The kinds of sensitive data in one string value of attribute `key` (each kind once).
pub fn scan_value(key: &str, value: &str) -> Vec<(Kind, String)> {
    scan_value_with(KeyFlags::of(key), value)
}

fn scan_value_with(key: KeyFlags, value: &str) -> Vec<(Kind, String)> {
    let mut out = Vec::new();
    if value.is_empty() {
        return out;
    }
    if already_protected(value) {
        return out;
    }
    // One pass over the bytes first: each pattern needs a marker most values lack (a dry run
    // scans every exported value, so the regexes run only where they can match).
    let raw = Shape::of(value);
    let (decoded, shape) = if raw.percent {
        let d = percent_decode(value);
        let shape = Shape::of(&d);
        (d, shape)
    } else {
        (std::borrow::Cow::Borrowed(value), raw)
    };
    if key.credential || (shape.may_hold_token(&decoded) && token_re().is_match(&decoded)) {
        out.push((
            Kind::Credential,
            format!("<credential, {} chars>", value.chars().count()),
        ));
    }
    let card = if shape.digits < 13 || key.id {
        None
    } else {
        card_numbers(&decoded).next()
    };
    if let Some(digits) = card {
        out.push((Kind::CardNumber, format!("<card number, {digits} digits>")));
    }
    if let Some(m) = shape.at.then(|| email_re().find(&decoded)).flatten() {
        out.push((
            Kind::Email,
            format!("<e-mail address, {} chars>", m.as_str().chars().count()),
        ));
    }
    out
}

/// A value a processor already masked (`****`) or replaced by a digest (hex of MD5, SHA-1,
/// SHA-256, SHA-512): what it hid is not exported.
fn already_protected(value: &str) -> bool {
    let masked = value.len() >= 3 && value.bytes().all(|b| b == b'*');
    let digest = matches!(value.len(), 32 | 40 | 64 | 128)
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    masked || digest
}

/// What one pass over a value's bytes says about which patterns could match it.
#[derive(Clone, Copy)]
struct Shape {
    /// ASCII digits: a card number needs at least 13.
    digits: usize,
    /// An `@`: every e-mail address has one.
    at: bool,
    /// A `%`: the value is percent-decoded before the patterns run.
    percent: bool,
    /// A byte every token pattern but `AKIA…`/`xox…` needs: whitespace after
    /// `bearer`/`basic` (`\s` is Unicode-aware, so any non-ASCII byte counts), the `=` of a
    /// query parameter, the `_` of `sk_live_`/`ghp_`.
    token_byte: bool,
    /// An `A` or an `x`: the tokens without such a byte start `AKIA`/`xox`.
    a_or_x: bool,
}

impl Shape {
    fn of(value: &str) -> Shape {
        // One table lookup per byte and no branches: every exported value goes through here.
        const DIGIT: u8 = 1;
        const AT: u8 = 2;
        const PERCENT: u8 = 4;
        const TOKEN: u8 = 8;
        const A_OR_X: u8 = 16;
        const CLASS: [u8; 256] = {
            let mut t = [0u8; 256];
            let mut b = 0;
            while b < 256 {
                let c = b as u8;
                t[b] = match c {
                    b'0'..=b'9' => DIGIT,
                    b'@' => AT,
                    b'%' => PERCENT,
                    b'=' | b'_' => TOKEN,
                    b'A' | b'x' => A_OR_X,
                    // `\s` of the token pattern (Unicode-aware: any non-ASCII byte counts).
                    b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => TOKEN,
                    0x80..=0xff => TOKEN,
                    _ => 0,
                };
                b += 1;
            }
            t
        };
        let mut seen = 0u8;
        let mut digits = 0usize;
        for &b in value.as_bytes() {
            let class = CLASS[usize::from(b)];
            seen |= class;
            digits += usize::from(class & DIGIT);
        }
        Shape {
            digits,
            at: seen & AT != 0,
            percent: seen & PERCENT != 0,
            token_byte: seen & TOKEN != 0,
            a_or_x: seen & A_OR_X != 0,
        }
    }

    fn may_hold_token(self, value: &str) -> bool {
        self.token_byte || (self.a_or_x && (value.contains("AKIA") || value.contains("xox")))
    }
}

/// `haystack` ends with `suffix`, ASCII case-insensitively.
fn ends_with_ignore_case(haystack: &str, suffix: &str) -> bool {
    haystack.len() >= suffix.len()
        && haystack.as_bytes()[haystack.len() - suffix.len()..]
            .eq_ignore_ascii_case(suffix.as_bytes())
}

/// Identifier keys (`datadog.span.id`, `x-request-id`, `order_id`): long decimal ids there are
/// not card numbers, however their checksum comes out.
fn id_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("id")
        || [".id", "_id", "-id"]
            .iter()
            .any(|s| ends_with_ignore_case(key, s))
}

/// Header and key names whose value is a secret by nature.
fn credential_key(key: &str) -> bool {
    let last = key.rsplit(['.', '/']).next().unwrap_or(key);
    [
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
    ]
    .iter()
    .any(|n| last.eq_ignore_ascii_case(n))
        || [
            "api_key",
            "api-key",
            "apikey",
            "password",
            "passwd",
            "secret",
            "access_token",
        ]
        .iter()
        .any(|n| contains_ignore_case(last, n))
}

/// `haystack` contains `needle` (lower-case ASCII), ASCII case-insensitively.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Bearer/basic tokens and well-known API key shapes anywhere in a value.
fn token_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(?:bearer|basic)\s+[a-z0-9._~+/=-]{8,}|\bAKIA[0-9A-Z]{16}\b|\b(?:sk|rk)_(?:live|test)_[0-9a-zA-Z]{10,}|\bgh[pousr]_[0-9a-zA-Z]{20,}|\bxox[abpr]-[0-9a-zA-Z-]{10,}|[?&](?:api[_-]?key|access_token|token)=[^&\s]{8,}",
        )
        .expect("static regex")
    })
}

fn email_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
            .expect("static regex")
    })
}

fn digits_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // 13 to 19 digits, optionally grouped by single spaces or dashes, not inside a longer run.
    RE.get_or_init(|| {
        Regex::new(r"(?:^|[^0-9])((?:[0-9][ -]?){12,18}[0-9])(?:$|[^0-9])").expect("static regex")
    })
}

/// Digit counts of the Luhn-valid card numbers in `text`.
fn card_numbers(text: &str) -> impl Iterator<Item = usize> + '_ {
    digits_re().captures_iter(text).filter_map(|c| {
        let digits: Vec<u32> = c[1].chars().filter_map(|ch| ch.to_digit(10)).collect();
        (card_brand_length(&digits) && luhn(&digits)).then_some(digits.len())
    })
}

/// Whether the digits start like a card of a major network and have one of its lengths
/// (Visa, Mastercard, American Express, Discover, Diners Club, JCB, UnionPay).
fn card_brand_length(d: &[u32]) -> bool {
    let prefix = |n: usize| d.iter().take(n).fold(0u32, |acc, x| acc * 10 + x);
    let len = d.len();
    match d.first() {
        Some(4) => matches!(len, 13 | 16 | 19),
        Some(5) => (51..=55).contains(&prefix(2)) && len == 16,
        Some(2) => (2221..=2720).contains(&prefix(4)) && len == 16,
        Some(3) => {
            (matches!(prefix(2), 34 | 37) && len == 15)
                || ((matches!(prefix(2), 36 | 38) || (300..=305).contains(&prefix(3))) && len == 14)
                || ((3528..=3589).contains(&prefix(4)) && (16..=19).contains(&len))
        }
        Some(6) => {
            (prefix(4) == 6011
                || prefix(2) == 65
                || (644..=649).contains(&prefix(3))
                || prefix(2) == 62)
                && (16..=19).contains(&len)
        }
        _ => false,
    }
}

/// The Luhn checksum (ISO/IEC 7812).
pub fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// `%XX` decoded (a query string carries `alice%40example.com`); `+` is left alone because an
/// e-mail address may contain it. Borrowed when there is nothing to decode.
fn percent_decode(s: &str) -> std::borrow::Cow<'_, str> {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy()
}

fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// One exposure: a field of a kind, seen on `spans` exported spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    pub spans: u64,
    pub first: Example,
    pub masked: String,
}

/// Exposures per pipeline, field and kind: what `dry-run` reports and `diff` compares.
#[derive(Debug, Clone, Default)]
pub struct Exposures {
    pub by_pipeline: BTreeMap<usize, BTreeMap<(String, Kind), Exposure>>,
}

impl Exposures {
    /// Count the hits of one exported request.
    pub fn add_batch(&mut self, pipeline: usize, batch: &Batch) {
        let into = self.by_pipeline.entry(pipeline).or_default();
        for rs in &batch.resource_spans {
            let resource_hits = scan_resource(&rs.resource);
            for ss in &rs.scope_spans {
                for span in &ss.spans {
                    let mut hits = scan_span(span);
                    hits.extend(resource_hits.iter().cloned());
                    for h in hits {
                        let e = into.entry((h.field, h.kind)).or_insert_with(|| Exposure {
                            spans: 0,
                            first: Example::of(&rs.resource, span),
                            masked: h.masked,
                        });
                        e.spans += 1;
                    }
                }
            }
        }
    }
}

impl Exposures {
    /// Exported spans per (field, kind), over all pipelines (pipeline numbering differs between
    /// two configs; what leaves the collector is what `diff` compares).
    pub fn totals(&self) -> BTreeMap<(String, Kind), u64> {
        let mut out: BTreeMap<(String, Kind), u64> = BTreeMap::new();
        for found in self.by_pipeline.values() {
            for (k, e) in found {
                *out.entry(k.clone()).or_default() += e.spans;
            }
        }
        out
    }

    /// What `head` exports that `base` did not (a field and kind with no exported span in
    /// `base`), with `head`'s span counts: the `diff` command's `sensitive-data-exposed`.
    pub fn newly_exposed(base: &Exposures, head: &Exposures) -> Vec<((String, Kind), u64)> {
        let before = base.totals();
        head.totals()
            .into_iter()
            .filter(|(k, _)| !before.contains_key(k))
            .collect()
    }
}

impl Observer for Exposures {
    fn exported(&mut self, pipeline: usize, batch: &Batch) {
        self.add_batch(pipeline, batch);
    }
}

/// One `sensitive-data-exported` warning per pipeline, field and kind.
pub fn findings(engine: &Engine, exposures: &Exposures) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for p in engine.pipelines() {
        let Some(found) = exposures.by_pipeline.get(&p.index) else {
            continue;
        };
        for ((field, kind), e) in found {
            out.push(
                Diagnostic::warning(
                    codes::SENSITIVE_DATA_EXPORTED,
                    format!(
                        "pipeline {} exports {} spans whose {field} looks like {} (e.g. {}), first in trace {} span {} ({} {:?})",
                        p.id,
                        e.spans,
                        kind.as_str(),
                        e.masked,
                        e.first.trace_id,
                        e.first.span_id,
                        e.first.service,
                        e.first.name
                    ),
                )
                .at(p.location.clone())
                .with_help(help(*kind)),
            );
        }
    }
    out
}

fn help(kind: Kind) -> &'static str {
    match kind {
        Kind::Credential => "delete the header or key before export (attributes processor `action: delete`, or a redaction processor)",
        Kind::CardNumber => "mask the digits before export (redaction `blocked_values`, or transform `replace_pattern`)",
        Kind::Email => "hash or mask the address before export (attributes `action: hash`, or redaction `blocked_values`)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cheap_prefilters_never_hide_a_match() {
        let samples = [
            "Bearer abcdefgh12345678",
            "basic\tdXNlcjpwYXNzd29yZA==",
            "Bearer\u{a0}abcdefgh12345678",
            "key AKIAABCDEFGHIJKLMNOP here",
            "sk_live_0123456789abcdef",
            "ghp_0123456789abcdefghijABCD",
            "xoxb-0123456789-abcdef",
            "/x?api_key=0123456789",
            "https://h/?token=abcdefgh&x=1",
            "plain text",
        ];
        for s in samples {
            if token_re().is_match(s) {
                assert!(Shape::of(s).may_hold_token(s), "{s:?}");
            }
        }
        assert!(scan_value("note", "Bearer\u{a0}abcdefgh12345678")
            .iter()
            .any(|(k, _)| *k == Kind::Credential));
        // 13 digits is the shortest card (Visa); the digit count gate must let it through.
        assert!(scan_value("q", "card=4222222222222")
            .iter()
            .any(|(k, _)| *k == Kind::CardNumber));
        assert!(scan_value("q", "to=bob%40example.org")
            .iter()
            .any(|(k, _)| *k == Kind::Email));
        assert!(credential_key("http.request.header.Authorization"));
        assert!(credential_key("db.PASSWORD_hash"));
        assert!(id_key("Order_ID") && !id_key("void"));
    }

    #[test]
    fn newly_exposed_compares_fields_and_kinds() {
        use crate::capture::model::{Key, ResourceSpans, ScopeSpans};
        let batch = |email: &str| {
            let mut span = Span::default();
            span.attributes
                .upsert(Key::of("user.email"), AnyValue::Str(email.into()));
            Batch {
                resource_spans: vec![ResourceSpans {
                    scope_spans: vec![ScopeSpans {
                        spans: vec![span],
                        ..ScopeSpans::default()
                    }],
                    ..ResourceSpans::default()
                }],
            }
        };
        let (mut base, mut head) = (Exposures::default(), Exposures::default());
        base.add_batch(0, &batch(&"ab".repeat(32)));
        head.add_batch(3, &batch("alice@example.com"));
        let new = Exposures::newly_exposed(&base, &head);
        assert_eq!(
            new,
            vec![(("attributes[\"user.email\"]".to_owned(), Kind::Email), 1)]
        );
        assert!(Exposures::newly_exposed(&head, &head).is_empty());
    }

    #[test]
    fn luhn_accepts_test_cards_only() {
        let d = |s: &str| s.chars().filter_map(|c| c.to_digit(10)).collect::<Vec<_>>();
        assert!(luhn(&d("4111111111111111")));
        assert!(luhn(&d("378282246310005")));
        assert!(!luhn(&d("4111111111111112")));
    }

    #[test]
    fn values_by_kind() {
        let kinds = |k: &str, v: &str| {
            scan_value(k, v)
                .into_iter()
                .map(|h| h.0)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            kinds("url.query", "a=b&card_no=4111111111111111&e=x%40y.io"),
            vec![Kind::CardNumber, Kind::Email]
        );
        assert_eq!(kinds("url.query", "card=4111111111111112"), vec![]);
        assert_eq!(
            kinds("http.request.header.authorization", "anything"),
            vec![Kind::Credential]
        );
        assert_eq!(kinds("note", "Bearer abcdefghijkl"), vec![Kind::Credential]);
        // A SHA-256 hex digest is neither a card number nor an address.
        let h = "07df3a51d5e2c2b0c3e8a1f4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4";
        assert_eq!(kinds("user.email", h), vec![]);
        assert_eq!(kinds("order.id", "1234567890123"), vec![]);
        assert_eq!(kinds("http.request.header.authorization", "****"), vec![]);
        for (_, masked) in scan_value("e", "alice@example.com") {
            assert!(!masked.contains("alice"));
        }
    }
}
