//! DataDog spans → OTLP [`Batch`], exactly as the contrib `datadog` receiver (v0.156.0,
//! `internal/translator/traces_translator.go`) builds them.
//!
//! Where upstream iterates Go maps (resource groups, shared resource attributes, meta,
//! metrics) its order is random; we use a fixed order instead — first-seen service, wire order
//! of tags — so output is deterministic. Everything else follows the receiver:
//! one ResourceSpans per service after `_dd.base_service`, scope `Datadog` + tracer version,
//! status Ok/Error (never Unset), `sampling.priority` as Go `%f`, meta before metrics,
//! 128-bit trace ids through a per-capture LRU cache (gate `Enable128BitTraceID` is beta,
//! i.e. on, in v0.156.0; the receiver's default `trace_id_cache_size` is 100).
//!
//! Known gaps: native v0.4 `span_events` are skipped by the decoder (the agent decoder read
//! has no such field), so only `events` meta JSON becomes events; the `rpc.service`
//! attribute on gRPC spans assumes the `DontEmitDeprecatedRPCServiceAttr` gate is off.

use super::datadog_keys::translate_interned;
use super::datadog_links_events::{events, links, trace_id};
use super::datadog_msgpack::{DdPayload, DdSpan, DdVersion};
use super::headers::PayloadHeaders;
use super::model::{
    span_kind, status_code, AnyValue, Attributes, Batch, Key, Resource, ResourceSpans, Scope,
    ScopeSpans, Span, Status, Str,
};

/// The keys translation reads or writes on every span, interned once for the process (each is
/// then a pointer comparison, not a string comparison or a lookup by text).
struct Keys {
    resource: Key,
    priority: Key,
    span_id: Key,
    trace_id: Key,
    server_address: Key,
    p_tid: Key,
    base_service: Key,
    service_name: Key,
    peer_hostname: Key,
    span_kind: Key,
    version: Key,
    span_links: Key,
    events: Key,
    has_exception: Key,
}

fn keys() -> &'static Keys {
    static KEYS: std::sync::OnceLock<Keys> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| Keys {
        resource: Key::of("dd.span.Resource"),
        priority: Key::of("sampling.priority"),
        span_id: Key::of("datadog.span.id"),
        trace_id: Key::of("datadog.trace.id"),
        server_address: Key::of("server.address"),
        p_tid: Key::of("_dd.p.tid"),
        base_service: Key::of("_dd.base_service"),
        service_name: Key::of("service.name"),
        peer_hostname: Key::of("peer.hostname"),
        span_kind: Key::of("span.kind"),
        version: Key::of("version"),
        span_links: Key::of("_dd.span_links"),
        events: Key::of("events"),
        has_exception: Key::of("_dd.span_events.has_exception"),
    })
}

/// semconv 1.40 schema URL, as the receiver sets on every ResourceSpans.
pub const SCHEMA_URL: &str = "https://opentelemetry.io/schemas/1.40.0";
/// The receiver's default `trace_id_cache_size`.
pub const DEFAULT_TRACE_ID_CACHE_SIZE: usize = 100;

/// The receiver's low-64-bit → full-128-bit trace id LRU (hashicorp `lru.Cache` semantics:
/// `get` refreshes recency, `add` evicts the least recently used entry when full).
#[derive(Debug, Clone)]
pub struct TraceIdCache {
    entries: lru::LruCache<u64, [u8; 16], rustc_hash::FxBuildHasher>,
}

impl Default for TraceIdCache {
    fn default() -> Self {
        Self::new(DEFAULT_TRACE_ID_CACHE_SIZE)
    }
}

impl TraceIdCache {
    pub fn new(capacity: usize) -> Self {
        let capacity = std::num::NonZeroUsize::new(capacity).unwrap_or(std::num::NonZeroUsize::MIN);
        Self {
            entries: lru::LruCache::with_hasher(capacity, rustc_hash::FxBuildHasher),
        }
    }

    fn get(&mut self, low: u64) -> Option<[u8; 16]> {
        self.entries.get(&low).copied()
    }

    fn add(&mut self, low: u64, id: [u8; 16]) {
        self.entries.put(low, id);
    }

    /// `traceID64to128`: cached id, else `_dd.p.tid` (hex, no sign/prefix) cached, else none.
    fn full_id(&mut self, span: &DdSpan) -> Option<[u8; 16]> {
        if let Some(id) = self.get(span.trace_id) {
            return Some(id);
        }
        let tid = span.meta_key(keys().p_tid)?;
        if tid.is_empty() || !tid.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None; // upstream logs "error converting ... to uint64"
        }
        let high = u64::from_str_radix(tid, 16).ok()?;
        let id = trace_id(high, span.trace_id);
        self.add(span.trace_id, id);
        Some(id).filter(|id| *id != [0; 16])
    }
}

/// Payload-level metadata the receiver takes from request headers (v0.3–v0.5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TracerInfo {
    pub lang: String,
    pub lang_version: String,
    pub tracer_version: String,
    /// Only read for v0.5 (`Datadog-Container-ID`).
    pub container_id: String,
}

impl TracerInfo {
    pub fn from_headers(h: Option<&PayloadHeaders>, version: DdVersion) -> Self {
        let Some(h) = h else { return Self::default() };
        Self {
            lang: h.get("Datadog-Meta-Lang").to_string(),
            lang_version: h.get("Datadog-Meta-Lang-Version").to_string(),
            tracer_version: h.get("Datadog-Meta-Tracer-Version").to_string(),
            container_id: if version == DdVersion::V05 {
                h.get("Datadog-Container-ID").to_string()
            } else {
                String::new()
            },
        }
    }
}

/// Translate one payload into the batch the receiver hands to the pipeline.
pub fn translate_payload(payload: DdPayload, info: &TracerInfo, cache: &mut TraceIdCache) -> Batch {
    let shared = shared_resource_attributes(&payload, info);
    let mut groups: Vec<(String, Vec<Span>)> = Vec::new();
    let mut group_of: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    for chunk in payload.traces {
        // Formatted once per chunk: every span of the chunk carries the same value.
        let priority = chunk
            .iter()
            .find_map(|s| s.metric("_sampling_priority_v1"))
            .map(|p| super::model::Str::from(go_percent_f(p)));
        // Spans are consumed: decoding happens once and nothing is copied twice.
        for mut dd in chunk {
            if let Some(base) = dd.meta_key(keys().base_service).map(str::to_string) {
                let original = std::mem::replace(&mut dd.service, base);
                set_meta(&mut dd, keys().service_name, original.into());
            }
            let span = translate_span(&mut dd, priority.as_ref(), cache);
            match group_of.get(&dd.service).and_then(|&i| groups.get_mut(i)) {
                Some((_, spans)) => spans.push(span),
                None => {
                    group_of.insert(dd.service.clone(), groups.len());
                    groups.push((dd.service.clone(), vec![span]));
                }
            }
        }
    }
    let resource_spans = groups
        .into_iter()
        .map(|(service, spans)| {
            let mut attributes = shared.clone();
            attributes.upsert("service.name", AnyValue::Str(service.into()));
            ResourceSpans {
                resource: Resource {
                    attributes,
                    dropped_attributes_count: 0,
                },
                scope_spans: vec![ScopeSpans {
                    scope: Scope {
                        name: "Datadog".into(),
                        version: info.tracer_version.clone(),
                        ..Scope::default()
                    },
                    spans,
                    schema_url: String::new(),
                }],
                schema_url: SCHEMA_URL.into(),
            }
        })
        .collect();
    Batch { resource_spans }
}

fn set_meta(dd: &mut DdSpan, key: Key, value: Str) {
    match dd.meta.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => dd.meta.push((key, value)),
    }
}

fn shared_resource_attributes(payload: &DdPayload, info: &TracerInfo) -> Attributes {
    let app_version = payload
        .traces
        .iter()
        .flatten()
        .find_map(|s| s.meta_key(keys().version).filter(|v| !v.is_empty()));
    let mut attrs = Attributes::new();
    let candidates = [
        ("container.id", info.container_id.as_str()),
        ("telemetry.sdk.language", info.lang.as_str()),
        ("process.runtime.version", info.lang_version.as_str()),
        ("service.version", app_version.unwrap_or("")),
        ("telemetry.sdk.name", "Datadog"),
        ("telemetry.sdk.version", info.tracer_version.as_str()),
    ];
    for (k, v) in candidates {
        if !v.is_empty() {
            attrs.upsert(k, AnyValue::Str(v.into()));
        }
    }
    // upsertHeadersAttributes: the header values win over the payload's.
    if !info.tracer_version.is_empty() {
        attrs.upsert(
            "telemetry.sdk.version",
            AnyValue::Str(format!("Datadog-{}", info.tracer_version).into()),
        );
    }
    if !info.lang.is_empty() {
        let lang = if info.lang == ".NET" {
            "dotnet"
        } else {
            info.lang.as_str()
        };
        attrs.upsert("telemetry.sdk.language", AnyValue::Str(lang.into()));
    }
    attrs
}

/// Go's `fmt.Sprintf("%f", v)`.
pub fn go_percent_f(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{v:.6}")
    }
}

fn translate_span(
    dd: &mut DdSpan,
    priority: Option<&super::model::Str>,
    cache: &mut TraceIdCache,
) -> Span {
    let k = keys();
    let meta_links = take_meta(dd, k.span_links);
    let meta_events = take_meta(dd, k.events);
    take_meta(dd, k.has_exception);
    let mut span = Span {
        links: links(dd, meta_links.as_deref()),
        events: events(meta_events.as_deref()),
        trace_id: cache
            .full_id(dd)
            .unwrap_or_else(|| trace_id(0, dd.trace_id)),
        span_id: dd.span_id.to_be_bytes(),
        parent_span_id: dd.parent_id.to_be_bytes(),
        start_time_unix_nano: dd.start as u64,
        end_time_unix_nano: dd.start.wrapping_add(dd.duration) as u64,
        name: dd.name.clone(),
        status: Status {
            code: if dd.error > 0 {
                status_code::ERROR
            } else {
                status_code::OK
            },
            message: String::new(),
        },
        ..Span::default()
    };
    span.kind = kind(dd);
    let peer_host = matches!(
        span.kind,
        span_kind::CLIENT | span_kind::PRODUCER | span_kind::CONSUMER
    )
    .then(|| dd.meta_key(k.peer_hostname).map(str::to_owned))
    .flatten();
    // The meta strings move into the attributes; only the few operation names whose span name
    // is derived from meta afterwards keep a copy.
    let meta = if super::datadog_names::reads_meta(&dd.name) {
        dd.meta.clone()
    } else {
        std::mem::take(&mut dd.meta)
    };
    // Upsert semantics (meta first, then metrics overwrite), built in one linear pass.
    let mut pairs: Vec<(Key, AnyValue)> = Vec::with_capacity(4 + meta.len() + dd.metrics.len());
    pairs.push((k.resource, AnyValue::Str(dd.resource.clone().into())));
    if let Some(p) = priority {
        pairs.push((k.priority, AnyValue::Str(p.clone())));
    }
    pairs.push((k.span_id, AnyValue::Str(dd.span_id.to_string().into())));
    pairs.push((k.trace_id, AnyValue::Str(dd.trace_id.to_string().into())));
    pairs.extend(
        meta.into_iter()
            .map(|(k, v)| (translate_interned(k), AnyValue::Str(v))),
    );
    pairs.extend(
        dd.metrics
            .iter()
            .map(|(k, v)| (translate_interned(*k), AnyValue::Double(*v))),
    );
    span.attributes = Attributes::from_pairs(pairs);
    if let Some(host) = peer_host {
        if span.attributes.get_key(k.server_address).is_none() {
            span.attributes
                .upsert(k.server_address, AnyValue::Str(host.into()));
        }
    }
    super::datadog_names::apply(dd, &mut span);
    span
}

fn take_meta(dd: &mut DdSpan, key: Key) -> Option<Str> {
    let i = dd.meta.iter().position(|(k, _)| *k == key)?;
    Some(dd.meta.remove(i).1)
}

fn kind(dd: &DdSpan) -> i64 {
    match dd.meta_key(keys().span_kind).unwrap_or("") {
        "server" => span_kind::SERVER,
        "client" => span_kind::CLIENT,
        "producer" => span_kind::PRODUCER,
        "consumer" => span_kind::CONSUMER,
        "internal" => span_kind::INTERNAL,
        _ => match dd.span_type.as_str() {
            "web" => span_kind::SERVER,
            "http" => span_kind::CLIENT,
            _ => span_kind::UNSPECIFIED,
        },
    }
}

#[cfg(test)]
mod trace_id_cache_tests {
    use super::TraceIdCache;

    #[test]
    fn evicts_the_least_recently_used_entry() {
        let mut cache = TraceIdCache::new(2);
        cache.add(1, [1; 16]);
        cache.add(2, [2; 16]);
        assert_eq!(cache.get(1), Some([1; 16]), "get refreshes 1");
        cache.add(3, [3; 16]);
        assert_eq!(cache.get(2), None, "2 was least recently used");
        assert_eq!(cache.get(1), Some([1; 16]));
        assert_eq!(cache.get(3), Some([3; 16]));
        cache.add(1, [9; 16]);
        assert_eq!(
            cache.get(1),
            Some([9; 16]),
            "add replaces an existing entry"
        );
    }

    #[test]
    fn zero_capacity_keeps_one_entry() {
        let mut cache = TraceIdCache::new(0);
        cache.add(1, [1; 16]);
        assert_eq!(cache.get(1), Some([1; 16]));
    }
}
