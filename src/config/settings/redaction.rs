//! `redaction` processor settings, every key known for versions near v0.156.0, with the
//! regexes compiled (the collector compiles them when it creates the processor; a bad pattern
//! fails the build). The exact v0.156.0 key set could not be read: the keys come from the newest
//! contrib sources and test configs we could find (see the report), so an unknown key here is
//! a warning-free error only for names no version had.

use super::decode::{Decoder, Fields};
use super::OttlSource;
use crate::config::node::Node;
use crate::diag::Location;

/// `hash_function`; lower-cased before matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashFunction {
    None,
    Md5,
    Sha1,
    Sha3,
    HmacSha256,
    HmacSha512,
}

#[derive(Debug, Clone)]
pub struct RedactionSettings {
    pub allow_all_keys: bool,
    pub allowed_keys: Vec<String>,
    pub ignored_keys: Vec<String>,
    pub ignored_key_patterns: Vec<regex::Regex>,
    pub blocked_key_patterns: Vec<regex::Regex>,
    pub blocked_values: Vec<regex::Regex>,
    pub allowed_values: Vec<regex::Regex>,
    pub hash_function: HashFunction,
    pub hmac_key: String,
    pub redact_all_types: bool,
    /// `debug`, `info`, `silent` or empty.
    pub summary: String,
    pub url_sanitizer: Option<Sanitizer>,
    pub db_sanitizer: Vec<(String, Sanitizer)>,
    pub db_sanitize_span_name: Option<bool>,
    pub skip_conditions: Vec<OttlSource>,
    /// Each list item as written (no expanded `${env:...}` value) with its place, by key
    /// (`allowed_keys`, `blocked_values`, ...), for the dry-run report's rule rows.
    pub written: std::collections::BTreeMap<String, Vec<(String, Location)>>,
    /// Where each top-level key is.
    pub key_locs: std::collections::BTreeMap<String, Location>,
}

/// `{enabled, attributes, sanitize_span_name}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sanitizer {
    pub enabled: bool,
    pub attributes: Vec<String>,
    pub sanitize_span_name: Option<bool>,
}

const KEYS: &[&str] = &[
    "allow_all_keys",
    "allowed_keys",
    "ignored_keys",
    "ignored_key_patterns",
    "blocked_key_patterns",
    "blocked_values",
    "allowed_values",
    "hash_function",
    "hmac_key",
    "redact_all_types",
    "summary",
    "url_sanitizer",
    "db_sanitizer",
    "skip_conditions",
];
const DB_KINDS: &[&str] = &[
    "sql",
    "redis",
    "valkey",
    "memcached",
    "mongo",
    "opensearch",
    "es",
];

pub fn decode(d: &mut Decoder, node: &Node) -> Option<RedactionSettings> {
    let f = d.fields(node, "", KEYS)?;
    let flag = |d: &mut Decoder, k: &str| f.get(k).and_then(|n| d.boolean(n, k)).unwrap_or(false);
    let text = |d: &mut Decoder, k: &str| f.get(k).and_then(|n| d.string(n, k)).unwrap_or_default();
    let strings = |d: &mut Decoder, k: &str| {
        f.get(k)
            .and_then(|n| d.strings(n, k))
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    };
    let hash_function = f
        .get("hash_function")
        .and_then(|n| decode_hash(d, n))
        .unwrap_or(HashFunction::None);
    let mut s = RedactionSettings {
        allow_all_keys: flag(d, "allow_all_keys"),
        allowed_keys: strings(d, "allowed_keys"),
        ignored_keys: strings(d, "ignored_keys"),
        ignored_key_patterns: regexes(d, &f, "ignored_key_patterns"),
        blocked_key_patterns: regexes(d, &f, "blocked_key_patterns"),
        blocked_values: regexes(d, &f, "blocked_values"),
        allowed_values: regexes(d, &f, "allowed_values"),
        hash_function,
        hmac_key: text(d, "hmac_key"),
        redact_all_types: flag(d, "redact_all_types"),
        summary: text(d, "summary"),
        url_sanitizer: f
            .get("url_sanitizer")
            .and_then(|n| sanitizer(d, n, "url_sanitizer", true)),
        db_sanitizer: Vec::new(),
        db_sanitize_span_name: None,
        skip_conditions: f
            .get("skip_conditions")
            .and_then(|n| d.ottl_list(n, "skip_conditions"))
            .unwrap_or_default(),
        written: written_items(&f),
        key_locs: KEYS
            .iter()
            .filter_map(|k| {
                f.entry(k)
                    .map(|(key, _)| ((*k).to_owned(), key.loc.clone()))
            })
            .collect(),
    };
    if let Some(n) = f.get("db_sanitizer") {
        let mut keys = DB_KINDS.to_vec();
        keys.push("sanitize_span_name");
        if let Some(g) = d.fields(n, "db_sanitizer", &keys) {
            s.db_sanitize_span_name = g
                .get("sanitize_span_name")
                .and_then(|v| d.boolean(v, "db_sanitizer.sanitize_span_name"));
            for kind in DB_KINDS {
                if let Some(cfg) = g
                    .get(kind)
                    .and_then(|v| sanitizer(d, v, &g.child(kind), false))
                {
                    s.db_sanitizer.push(((*kind).to_owned(), cfg));
                }
            }
        }
    }
    let hmac = matches!(
        s.hash_function,
        HashFunction::HmacSha256 | HashFunction::HmacSha512
    );
    if hmac && s.hmac_key.is_empty() {
        let loc = f
            .get("hash_function")
            .map(|n| n.loc.clone())
            .unwrap_or_else(|| f.loc.clone());
        d.error(
            &loc,
            "hmac_key must be set when using an HMAC hash function",
            "add `hmac_key`, or choose md5/sha1/sha3",
        );
    }
    (!d.failed_since(0)).then_some(s)
}

/// The string items of the list keys, as written, with their places.
fn written_items(f: &Fields) -> std::collections::BTreeMap<String, Vec<(String, Location)>> {
    let lists = [
        "allowed_keys",
        "ignored_keys",
        "ignored_key_patterns",
        "blocked_key_patterns",
        "blocked_values",
        "allowed_values",
    ];
    lists
        .iter()
        .filter_map(|k| {
            let items = f.get(k)?.as_seq()?;
            let out = items
                .iter()
                .filter_map(|n| {
                    let text = n
                        .written
                        .clone()
                        .or_else(|| n.as_str().map(str::to_owned))?;
                    Some((text, n.loc.clone()))
                })
                .collect();
            Some(((*k).to_owned(), out))
        })
        .collect()
}

fn decode_hash(d: &mut Decoder, n: &Node) -> Option<HashFunction> {
    let text = d.string(n, "hash_function")?.to_lowercase();
    Some(match text.as_str() {
        "" | "none" => HashFunction::None,
        "md5" => HashFunction::Md5,
        "sha1" => HashFunction::Sha1,
        "sha3" => HashFunction::Sha3,
        "hmac-sha256" => HashFunction::HmacSha256,
        "hmac-sha512" => HashFunction::HmacSha512,
        _ => {
            let msg = format!("'hash_function' unknown HashFunction {text}, allowed functions are sha1, sha3, md5, hmac-sha256 and hmac-sha512");
            d.error(
                &n.loc,
                msg,
                "use one of: md5, sha1, sha3, hmac-sha256, hmac-sha512",
            );
            return None;
        }
    })
}

fn regexes(d: &mut Decoder, f: &Fields, key: &str) -> Vec<regex::Regex> {
    let items = f
        .get(key)
        .and_then(|n| d.strings(n, key))
        .unwrap_or_default();
    items
        .into_iter()
        .filter_map(|(text, node)| d.regex(&text, &node, |why| format!("{key}: {why}")))
        .collect()
}

fn sanitizer(d: &mut Decoder, n: &Node, path: &str, span_name: bool) -> Option<Sanitizer> {
    let keys: &[&str] = if span_name {
        &["enabled", "attributes", "sanitize_span_name"]
    } else {
        &["enabled", "attributes"]
    };
    let g = d.fields(n, path, keys)?;
    Some(Sanitizer {
        enabled: g
            .get("enabled")
            .and_then(|v| d.boolean(v, &g.child("enabled")))
            .unwrap_or(false),
        attributes: g
            .get("attributes")
            .and_then(|v| d.strings(v, &g.child("attributes")))
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s)
            .collect(),
        sanitize_span_name: g
            .get("sanitize_span_name")
            .and_then(|v| d.boolean(v, &g.child("sanitize_span_name"))),
    })
}
