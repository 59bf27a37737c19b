//! The one span model every capture decoder produces and every processor works on.
//!
//! It is OTLP-shaped (resource → scope → spans) because the collector's processors see OTLP:
//! DataDog payloads are translated into it exactly as the contrib `datadog` receiver does.
//! Attribute maps are small insertion-ordered vectors behind a private API: a linear scan over
//! ~10-40 keys beats hashing on the hot path, and order matters for output fidelity. Keys are
//! interned ([`Key`]); string values are [`Str`], cheap to clone and, for DataDog payloads,
//! slices of the payload's own bytes rather than copies.

mod key;
pub mod pdata_string;

pub use key::{Key, TooManyKeys};

/// An immutable UTF-8 string that clones by reference count and can share a payload buffer.
pub type Str = bytestring::ByteString;

/// One request as a receiver would hand it to the pipeline (one OTLP export request, or one
/// DataDog payload after translation).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    pub resource_spans: Vec<ResourceSpans>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceSpans {
    pub resource: Resource,
    pub scope_spans: Vec<ScopeSpans>,
    pub schema_url: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resource {
    pub attributes: Attributes,
    pub dropped_attributes_count: u32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScopeSpans {
    pub scope: Scope,
    pub spans: Vec<Span>,
    pub schema_url: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    pub name: String,
    pub version: String,
    pub attributes: Attributes,
    pub dropped_attributes_count: u32,
}

/// OTLP span kinds (values as in the protocol and in OTTL's `SPAN_KIND_*` enums).
pub mod span_kind {
    pub const UNSPECIFIED: i64 = 0;
    pub const INTERNAL: i64 = 1;
    pub const SERVER: i64 = 2;
    pub const CLIENT: i64 = 3;
    pub const PRODUCER: i64 = 4;
    pub const CONSUMER: i64 = 5;

    /// The one table of span kind names, indexed by value: the protobuf enum name (OTLP JSON,
    /// filter configs, OTTL `kind.deprecated_string`) and pdata's `String()` (OTTL `kind.string`).
    pub const NAMES: [(&str, &str); 6] = [
        ("SPAN_KIND_UNSPECIFIED", "Unspecified"),
        ("SPAN_KIND_INTERNAL", "Internal"),
        ("SPAN_KIND_SERVER", "Server"),
        ("SPAN_KIND_CLIENT", "Client"),
        ("SPAN_KIND_PRODUCER", "Producer"),
        ("SPAN_KIND_CONSUMER", "Consumer"),
    ];

    /// `SPAN_KIND_SERVER` for 2; `None` outside the enum.
    pub fn proto_name(kind: i64) -> Option<&'static str> {
        usize::try_from(kind)
            .ok()
            .and_then(|k| NAMES.get(k))
            .map(|n| n.0)
    }

    /// `Server` for 2; `None` outside the enum.
    pub fn display_name(kind: i64) -> Option<&'static str> {
        usize::try_from(kind)
            .ok()
            .and_then(|k| NAMES.get(k))
            .map(|n| n.1)
    }

    /// 2 for `SPAN_KIND_SERVER`.
    pub fn from_proto_name(name: &str) -> Option<i64> {
        NAMES.iter().position(|n| n.0 == name).map(|k| k as i64)
    }
}

/// OTLP status codes.
pub mod status_code {
    pub const UNSET: i64 = 0;
    pub const OK: i64 = 1;
    pub const ERROR: i64 = 2;

    /// Indexed by value: the protobuf enum name and pdata's `String()`.
    pub const NAMES: [(&str, &str); 3] = [
        ("STATUS_CODE_UNSET", "Unset"),
        ("STATUS_CODE_OK", "Ok"),
        ("STATUS_CODE_ERROR", "Error"),
    ];

    /// `STATUS_CODE_ERROR` for 2; `None` outside the enum.
    pub fn proto_name(code: i64) -> Option<&'static str> {
        usize::try_from(code)
            .ok()
            .and_then(|c| NAMES.get(c))
            .map(|n| n.0)
    }

    /// 2 for `STATUS_CODE_ERROR`.
    pub fn from_proto_name(name: &str) -> Option<i64> {
        NAMES.iter().position(|n| n.0 == name).map(|c| c as i64)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Span {
    pub trace_id: [u8; 16],
    pub span_id: [u8; 8],
    /// All zeros for a root span.
    pub parent_span_id: [u8; 8],
    pub trace_state: String,
    pub flags: u32,
    pub name: String,
    /// Kept as i64 because OTTL may set any int64 (`set(kind, 99)` is legal upstream).
    pub kind: i64,
    pub start_time_unix_nano: u64,
    pub end_time_unix_nano: u64,
    pub attributes: Attributes,
    pub dropped_attributes_count: u32,
    pub events: Vec<Event>,
    pub dropped_events_count: u32,
    pub links: Vec<Link>,
    pub dropped_links_count: u32,
    pub status: Status,
}

impl Span {
    pub fn is_root(&self) -> bool {
        self.parent_span_id == [0; 8]
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    /// Kept as i64 for the same reason as `Span::kind`.
    pub code: i64,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Event {
    pub time_unix_nano: u64,
    pub name: String,
    pub attributes: Attributes,
    pub dropped_attributes_count: u32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Link {
    pub trace_id: [u8; 16],
    pub span_id: [u8; 8],
    pub trace_state: String,
    pub attributes: Attributes,
    pub dropped_attributes_count: u32,
    pub flags: u32,
}

/// An OTLP `AnyValue`. `Empty` is pdata's empty value (reads as nil in OTTL).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum AnyValue {
    #[default]
    Empty,
    Str(Str),
    Bool(bool),
    Int(i64),
    Double(f64),
    Bytes(Vec<u8>),
    Slice(Vec<AnyValue>),
    Map(Attributes),
}

impl AnyValue {
    /// The pdata type name, as upstream prints it in messages (`pcommon.ValueType.String()`).
    pub fn type_name(&self) -> &'static str {
        match self {
            AnyValue::Empty => "Empty",
            AnyValue::Str(_) => "Str",
            AnyValue::Bool(_) => "Bool",
            AnyValue::Int(_) => "Int",
            AnyValue::Double(_) => "Double",
            AnyValue::Bytes(_) => "Bytes",
            AnyValue::Slice(_) => "Slice",
            AnyValue::Map(_) => "Map",
        }
    }
}

/// An ordered attribute map with unique keys (pdata semantics: `insert` keeps the first,
/// `upsert` replaces in place).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes(Vec<(Key, AnyValue)>);

impl Attributes {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    pub fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&AnyValue> {
        self.0.iter().find(|(k, _)| **k == *key).map(|(_, v)| v)
    }

    /// Look up by interned key (pointer comparisons only).
    pub fn get_key(&self, key: Key) -> Option<&AnyValue> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut AnyValue> {
        self.0.iter_mut().find(|(k, _)| **k == *key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| **k == *key)
    }

    /// Set `key` to `value`, replacing an existing value in place.
    pub fn upsert(&mut self, key: impl Into<Key>, value: AnyValue) {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => *slot = value,
            None => self.0.push((key, value)),
        }
    }

    /// Add `key` only if absent. Returns whether it was added.
    pub fn insert(&mut self, key: impl Into<Key>, value: AnyValue) -> bool {
        let key = key.into();
        if self.0.iter().any(|(k, _)| *k == key) {
            return false;
        }
        self.0.push((key, value));
        true
    }

    pub fn remove(&mut self, key: &str) -> Option<AnyValue> {
        let idx = self.0.iter().position(|(k, _)| **k == *key)?;
        Some(self.0.remove(idx).1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &AnyValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Entries with their interned keys, in order.
    pub fn entries(&self) -> &[(Key, AnyValue)] {
        &self.0
    }

    /// Build from pairs with upsert semantics (a repeated key keeps its first position and
    /// takes the last value) in linear time.
    pub fn from_pairs(pairs: Vec<(Key, AnyValue)>) -> Self {
        Self(dedupe_interned(pairs))
    }

    /// Build from pairs keeping the first value of a repeated key (pdata's `Get` finds the
    /// first one, so that is what an OTLP receiver's readers see), in linear time.
    pub fn first_wins(pairs: impl Iterator<Item = (Key, AnyValue)>) -> Self {
        let mut out = Vec::new();
        let mut seen: rustc_hash::FxHashSet<Key> = rustc_hash::FxHashSet::default();
        for (k, v) in pairs {
            if seen.insert(k) {
                out.push((k, v));
            }
        }
        Self(out)
    }

    /// [`Attributes::first_wins`] over a vector, which is kept as it is when its keys are
    /// distinct (the common case: no second allocation, no hash set for a short list).
    pub fn first_wins_vec(pairs: Vec<(Key, AnyValue)>) -> Self {
        if has_repeated_interned(&pairs) {
            Self::first_wins(pairs.into_iter())
        } else {
            Self(pairs)
        }
    }
}

impl FromIterator<(Key, AnyValue)> for Attributes {
    /// Upsert semantics, like [`Attributes::from_pairs`].
    fn from_iter<I: IntoIterator<Item = (Key, AnyValue)>>(iter: I) -> Self {
        Self::from_pairs(iter.into_iter().collect())
    }
}

impl Batch {
    pub fn span_count(&self) -> usize {
        self.resource_spans
            .iter()
            .flat_map(|r| &r.scope_spans)
            .map(|s| s.spans.len())
            .sum()
    }

    /// Drop scopes without spans and resources without scopes, as processors do after removing
    /// spans.
    pub fn prune_empty(&mut self) {
        for rs in &mut self.resource_spans {
            rs.scope_spans.retain(|s| !s.spans.is_empty());
        }
        self.resource_spans.retain(|r| !r.scope_spans.is_empty());
    }
}

/// Map semantics for a list of pairs (Go maps, pdata `PutX`): a repeated key replaces the earlier value, which keeps
/// its first-seen position. Real maps have no repeated keys, so the common case only probes a
/// borrowed hash set and returns the entries untouched; the rare repeated key takes a slower
/// path that stays linear even for a hostile map with millions of keys.
pub fn dedupe_keys<K, V>(entries: Vec<(K, V)>) -> Vec<(K, V)>
where
    K: std::ops::Deref<Target = str> + Clone + Eq + std::hash::Hash,
{
    if !has_repeated_key(&entries) {
        return entries;
    }
    let mut index: rustc_hash::FxHashMap<K, usize> = rustc_hash::FxHashMap::default();
    let mut out: Vec<(K, V)> = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        match index.get(&k) {
            Some(&i) => {
                if let Some(slot) = out.get_mut(i) {
                    slot.1 = v;
                }
            }
            None => {
                index.insert(k.clone(), out.len());
                out.push((k, v));
            }
        }
    }
    out
}

/// [`dedupe_keys`] for interned keys: equal keys share a pointer, so a repeated key is found by
/// comparing pointers (sorted machine words for longer lists), never by reading key text.
pub fn dedupe_interned<V>(entries: Vec<(Key, V)>) -> Vec<(Key, V)> {
    if has_repeated_interned(&entries) {
        dedupe_keys(entries)
    } else {
        entries
    }
}

/// Whether an interned key occurs twice: pointer compares for short lists, sorted key ids
/// past 16 entries (no hashing of key text either way).
fn has_repeated_interned<V>(entries: &[(Key, V)]) -> bool {
    if entries.len() <= 16 {
        return (1..entries.len()).any(|i| entries[..i].iter().any(|(k, _)| *k == entries[i].0));
    }
    let mut ids: Vec<usize> = entries.iter().map(|(k, _)| k.id()).collect();
    ids.sort_unstable();
    ids.windows(2).any(|w| w[0] == w[1])
}

fn has_repeated_key<K: std::ops::Deref<Target = str>, V>(entries: &[(K, V)]) -> bool {
    if entries.len() <= 8 {
        return entries
            .iter()
            .enumerate()
            .any(|(i, (k, _))| entries[..i].iter().any(|(o, _)| **o == **k));
    }
    // Cheap signatures first (length, first, middle and last byte): distinct keys almost always
    // differ in one of them, so sorting small integers settles the common case; only a
    // signature collision pays for hashing the strings.
    let mut sigs: Vec<u64> = entries.iter().map(|(k, _)| key_signature(k)).collect();
    sigs.sort_unstable();
    if sigs.windows(2).all(|w| w[0] != w[1]) {
        return false;
    }
    let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    seen.reserve(entries.len());
    !entries.iter().all(|(k, _)| seen.insert(&**k))
}

fn key_signature(k: &str) -> u64 {
    let b = k.as_bytes();
    let at = |i: usize| u64::from(b.get(i).copied().unwrap_or(0));
    ((b.len() as u64) << 24)
        | (at(0) << 16)
        | (at(b.len() / 2) << 8)
        | at(b.len().saturating_sub(1))
}

/// `service.name` of a resource, as the collector's matchers read it (`AsString()`), or `None`.
pub fn service_name(resource: &Resource) -> Option<String> {
    resource.attributes.get("service.name").map(|v| match v {
        AnyValue::Str(s) => s.to_string(),
        AnyValue::Int(i) => i.to_string(),
        AnyValue::Bool(b) => b.to_string(),
        AnyValue::Double(d) => d.to_string(),
        _ => String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::dedupe_keys;

    fn pairs(keys: &[&str]) -> Vec<(String, usize)> {
        keys.iter()
            .enumerate()
            .map(|(i, k)| ((*k).to_owned(), i))
            .collect()
    }

    #[test]
    fn repeated_keys_keep_first_position_and_last_value() {
        let many = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "b", "j"];
        let out = dedupe_keys(pairs(&many));
        assert_eq!(out.len(), 10);
        assert_eq!(out[1], ("b".to_owned(), 9));
        let few = dedupe_keys(pairs(&["x", "y", "x"]));
        assert_eq!(few, vec![("x".to_owned(), 2), ("y".to_owned(), 1)]);
    }

    #[test]
    fn keys_that_only_share_a_signature_are_distinct() {
        // Same length, first, middle and last byte: the signature collides, the keys do not.
        let keys = ["abcd", "aXcd", "k1", "k2", "k3", "k4", "k5", "k6", "k7"];
        assert_eq!(dedupe_keys(pairs(&keys)).len(), keys.len());
    }
}
