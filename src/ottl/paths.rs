//! Which paths each context accepts, resolved the way v0.156.0's context parsers do it: first
//! the context prefix (required when the context is inferred, rewritten in when it is
//! explicit), then the cache rule, then the field tables of `contexts/internal/ctx*`, and
//! finally upstream's completeness check (unused path sections or keys are errors).
//! Trace-side contexts resolve to typed fields an evaluator can match on; the other contexts
//! resolve to their field name (never a false error on a path upstream accepts).

use super::ast::{Key, Node, Path, Span};
use super::contexts::{Context, PathMode};
use super::error::OttlError;
use super::otelcol::OtelColField;
use super::parse::key_text;

/// A path resolved for one context. `keys` are the index keys applied to the field's value
/// (attribute keys, cache keys, the trace_state key).
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedPath {
    pub target: PathTarget,
    pub keys: Vec<Node<Key>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathTarget {
    /// The evaluating context's own scratch map.
    Cache,
    Resource(ResourceField),
    Scope(ScopeField),
    Span(SpanField),
    SpanEvent(SpanEventField),
    /// A log / metric / datapoint / profile / otelcol field, by its path text after the
    /// context (`body.string`, `positive.offset`).
    Other(Context, &'static str),
    /// `otelcol.*` request metadata (client address, auth, gRPC metadata).
    OtelCol(OtelColField),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceField {
    Attributes,
    DroppedAttributesCount,
    SchemaUrl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeField {
    Name,
    Version,
    Attributes,
    DroppedAttributesCount,
    SchemaUrl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpanField {
    TraceId,
    TraceIdString,
    SpanId,
    SpanIdString,
    ParentSpanId,
    ParentSpanIdString,
    /// The whole W3C tracestate text.
    TraceState,
    /// `trace_state["k"]` (exactly one key, in `ResolvedPath::keys`).
    TraceStateKey,
    Name,
    Kind,
    KindString,
    KindDeprecatedString,
    StartTimeUnixNano,
    EndTimeUnixNano,
    StartTime,
    EndTime,
    Attributes,
    DroppedAttributesCount,
    Events,
    DroppedEventsCount,
    Links,
    DroppedLinksCount,
    Status,
    StatusCode,
    StatusMessage,
    Flags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpanEventField {
    Name,
    TimeUnixNano,
    Time,
    Attributes,
    DroppedAttributesCount,
    EventIndex,
}

const DOC_BASE: &str =
    "https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/pkg/ottl/contexts/ottl";

/// Context names a context's parser accepts as a path prefix, in a fixed order.
pub fn path_context_names(ctx: Context) -> &'static [&'static str] {
    match ctx {
        Context::Resource => &["resource", "otelcol"],
        Context::Scope => &["scope", "instrumentation_scope", "resource", "otelcol"],
        Context::Span => &[
            "span",
            "resource",
            "scope",
            "instrumentation_scope",
            "otelcol",
        ],
        Context::SpanEvent => &[
            "spanevent",
            "span",
            "resource",
            "scope",
            "instrumentation_scope",
            "otelcol",
        ],
        Context::Log => &[
            "log",
            "resource",
            "scope",
            "instrumentation_scope",
            "otelcol",
        ],
        Context::Metric => &[
            "metric",
            "resource",
            "scope",
            "instrumentation_scope",
            "otelcol",
        ],
        Context::DataPoint => &[
            "datapoint",
            "metric",
            "resource",
            "scope",
            "instrumentation_scope",
            "otelcol",
        ],
        Context::Profile => &[
            "profile",
            "resource",
            "scope",
            "instrumentation_scope",
            "otelcol",
        ],
    }
}

/// The path as upstream prints it in messages: keys in brackets, string keys unquoted.
pub fn original_text(segments: &[Node<super::ast::Field>]) -> String {
    let parts: Vec<String> = segments
        .iter()
        .map(|s| {
            let keys: String = s
                .node
                .keys
                .iter()
                .map(|k| format!("[{}]", key_text(&k.node)))
                .collect();
            format!("{}{keys}", s.node.name)
        })
        .collect();
    parts.join(".")
}

/// Whether upstream's grammar captured the first segment as a context candidate
/// (`lower.` with no keys, followed by more).
fn grammar_context(path: &Path) -> Option<&str> {
    match path.segments.as_slice() {
        [first, _, ..] if first.node.keys.is_empty() => Some(first.node.name.as_str()),
        _ => None,
    }
}

fn whole_span(path: &Path) -> Span {
    match (path.segments.first(), path.segments.last()) {
        (Some(a), Some(b)) => Span::new(a.span.start, b.span.end),
        _ => Span::default(),
    }
}

/// Resolve `path` for `ctx`; the error texts are upstream's.
pub fn resolve_path(path: &Path, ctx: Context, mode: PathMode) -> Result<ResolvedPath, OttlError> {
    let span = whole_span(path);
    let names = path_context_names(ctx);
    let written = original_text(&path.segments);
    let quoted = |suffix: &str| -> String {
        names
            .iter()
            .map(|n| format!("\"{n}{suffix}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (path_ctx, rest, full) = match (mode, grammar_context(path)) {
        (PathMode::Inferred, None) => {
            let msg = format!(
                "missing context name for path \"{written}\", possibly valid options are: {}",
                quoted(&format!(".{written}"))
            );
            return Err(OttlError::invalid(msg, span));
        }
        (PathMode::Inferred, Some(c)) if !names.contains(&c) => {
            let msg = format!(
                "context \"{c}\" from path \"{written}\" is not valid, it must be replaced by one of: {}",
                quoted("")
            );
            return Err(OttlError::invalid(msg, path.segments[0].span));
        }
        (_, Some(c)) if names.contains(&c) => (c.to_string(), &path.segments[1..], written),
        // No path context names: the path is resolved and quoted as written.
        (PathMode::Unprefixed(_), _) => (ctx.as_str().to_string(), &path.segments[..], written),
        // Explicit context: upstream rewrites the statement with the context prefix.
        _ => (
            ctx.as_str().to_string(),
            &path.segments[..],
            format!("{}.{written}", ctx.as_str()),
        ),
    };
    let mut cur = Cursor {
        segs: rest,
        used_segs: 0,
        used_keys: vec![false; rest.len()],
        full,
        span,
    };
    let target = resolve_in(&mut cur, &path_ctx, ctx)?;
    cur.complete()?;
    let keys = cur.keys_of_last_keyed();
    Ok(ResolvedPath { target, keys })
}

fn resolve_in(cur: &mut Cursor<'_>, path_ctx: &str, ctx: Context) -> Result<PathTarget, OttlError> {
    if cur.name(0) == Some("cache") {
        if path_ctx == ctx.as_str() {
            cur.take(0, true);
            return Ok(PathTarget::Cache);
        }
        let suggestion =
            cur.full
                .replacen(&format!("{path_ctx}."), &format!("{}.", ctx.as_str()), 1);
        let msg = format!(
            "access to cache must be performed using the same context, please replace \"{}\" with \"{suggestion}\"",
            cur.full
        );
        return Err(OttlError::invalid(msg, cur.span));
    }
    match path_ctx {
        "resource" => resource(cur).map(PathTarget::Resource),
        "scope" | "instrumentation_scope" => scope(cur).map(PathTarget::Scope),
        "span" => span(cur).map(PathTarget::Span),
        "spanevent" => span_event(cur).map(PathTarget::SpanEvent),
        "otelcol" => otelcol(cur).map(PathTarget::OtelCol),
        "log" => super::paths_other::log(cur),
        "metric" => super::paths_other::metric(cur),
        "datapoint" => super::paths_other::datapoint(cur),
        "profile" => super::paths_other::profile(cur),
        other => Err(cur.segment_error_named(other, ctx.as_str())),
    }
}

/// Walks the segments after the context, remembering which sections and keys were used.
pub(crate) struct Cursor<'a> {
    segs: &'a [Node<super::ast::Field>],
    used_segs: usize,
    used_keys: Vec<bool>,
    pub(crate) full: String,
    span: Span,
}

impl Cursor<'_> {
    pub(crate) fn name(&self, i: usize) -> Option<&str> {
        self.segs.get(i).map(|s| s.node.name.as_str())
    }

    pub(crate) fn has_keys(&self, i: usize) -> bool {
        self.segs.get(i).is_some_and(|s| !s.node.keys.is_empty())
    }

    pub(crate) fn key_count(&self, i: usize) -> usize {
        self.segs.get(i).map_or(0, |s| s.node.keys.len())
    }

    /// Mark segment `i` (and the ones before) as used, with or without its keys.
    pub(crate) fn take(&mut self, i: usize, keys: bool) {
        self.used_segs = self.used_segs.max(i + 1);
        if keys {
            if let Some(k) = self.used_keys.get_mut(i) {
                *k = true;
            }
        }
    }

    /// `segment "x" from path "..." is not a valid path ...` for segment `i`.
    pub(crate) fn segment_error(&self, i: usize, ctx_name: &str) -> OttlError {
        let span = self.segs.get(i).map_or(self.span, |s| s.span);
        let name = self.name(i).unwrap_or("nil");
        let mut e = self.segment_error_named(name, ctx_name);
        e.span = span;
        e
    }

    fn segment_error_named(&self, name: &str, ctx_name: &str) -> OttlError {
        let msg = format!(
            "segment \"{name}\" from path \"{}\" is not a valid path nor a valid OTTL keyword for the {ctx_name} context - review {DOC_BASE}{ctx_name} to see all valid paths",
            self.full
        );
        OttlError::invalid(msg, self.span)
    }

    /// Upstream's `isComplete`: every section and every key list must have been used.
    fn complete(&self) -> Result<(), OttlError> {
        for (i, seg) in self.segs.iter().enumerate() {
            if i >= self.used_segs {
                let msg = format!(
                    "the path section \"{}\" was not used by the context - this likely means you are using extra path sections",
                    seg.node.name
                );
                return Err(OttlError::invalid(msg, seg.span));
            }
            if !seg.node.keys.is_empty() && !self.used_keys.get(i).copied().unwrap_or(false) {
                let msg = format!(
                    "the keys indexing \"{}\" were not used by the context - this likely means you are trying to index a path that does not support indexing",
                    seg.node.name
                );
                return Err(OttlError::invalid(msg, seg.span));
            }
        }
        Ok(())
    }

    fn keys_of_last_keyed(&self) -> Vec<Node<Key>> {
        self.segs
            .iter()
            .zip(&self.used_keys)
            .rfind(|(_, used)| **used)
            .map(|(s, _)| s.node.keys.clone())
            .unwrap_or_default()
    }
}

/// A field with an optional `.sub` section: returns the sub name, or an error for an
/// unknown one (`kind.bar`).
pub(crate) fn sub<'s>(
    cur: &mut Cursor<'_>,
    allowed: &[&'s str],
    ctx_name: &str,
) -> Result<Option<&'s str>, OttlError> {
    cur.take(0, false);
    let Some(next) = cur.name(1) else {
        return Ok(None);
    };
    match allowed.iter().find(|a| **a == next) {
        Some(found) => {
            cur.take(1, false);
            Ok(Some(found))
        }
        None => Err(cur.segment_error(1, ctx_name)),
    }
}

/// `otelcol.*`: the sections are checked by [`super::otelcol::resolve`].
fn otelcol(cur: &mut Cursor<'_>) -> Result<OtelColField, OttlError> {
    let sections: Vec<(&str, bool)> = cur
        .segs
        .iter()
        .map(|s| (s.node.name.as_str(), !s.node.keys.is_empty()))
        .collect();
    match super::otelcol::resolve(&sections) {
        Ok(r) => {
            let last = r.used.saturating_sub(1);
            (0..r.used).for_each(|i| cur.take(i, i == last && r.field.indexable()));
            Ok(r.field)
        }
        Err(i) => Err(cur.segment_error(i, "otelcol")),
    }
}

/// A map field: keys (any number) are consumed.
pub(crate) fn keyed(cur: &mut Cursor<'_>) {
    cur.take(0, true);
}

fn resource(cur: &mut Cursor<'_>) -> Result<ResourceField, OttlError> {
    let f = match cur.name(0) {
        Some("attributes") => {
            keyed(cur);
            return Ok(ResourceField::Attributes);
        }
        Some("dropped_attributes_count") => ResourceField::DroppedAttributesCount,
        Some("schema_url") => ResourceField::SchemaUrl,
        _ => return Err(cur.segment_error(0, "resource")),
    };
    cur.take(0, false);
    Ok(f)
}

fn scope(cur: &mut Cursor<'_>) -> Result<ScopeField, OttlError> {
    let f = match cur.name(0) {
        Some("attributes") => {
            keyed(cur);
            return Ok(ScopeField::Attributes);
        }
        Some("name") => ScopeField::Name,
        Some("version") => ScopeField::Version,
        Some("dropped_attributes_count") => ScopeField::DroppedAttributesCount,
        Some("schema_url") => ScopeField::SchemaUrl,
        _ => return Err(cur.segment_error(0, "scope")),
    };
    cur.take(0, false);
    Ok(f)
}

fn span(cur: &mut Cursor<'_>) -> Result<SpanField, OttlError> {
    use SpanField as F;
    let id = |cur: &mut Cursor<'_>, plain, string| {
        Ok(if sub(cur, &["string"], "span")?.is_some() {
            string
        } else {
            plain
        })
    };
    let simple = match cur.name(0) {
        Some("trace_id") => return id(cur, F::TraceId, F::TraceIdString),
        Some("span_id") => return id(cur, F::SpanId, F::SpanIdString),
        Some("parent_span_id") => return id(cur, F::ParentSpanId, F::ParentSpanIdString),
        Some("trace_state") => {
            if !cur.has_keys(0) {
                cur.take(0, false);
                return Ok(F::TraceState);
            }
            if cur.key_count(0) != 1 {
                let msg = "must provide exactly 1 key when accessing trace_state";
                return Err(OttlError::invalid(msg, cur.span));
            }
            cur.take(0, true);
            return Ok(F::TraceStateKey);
        }
        Some("kind") => {
            return Ok(match sub(cur, &["string", "deprecated_string"], "span")? {
                Some("string") => F::KindString,
                Some(_) => F::KindDeprecatedString,
                None => F::Kind,
            })
        }
        Some("status") => {
            return Ok(match sub(cur, &["code", "message"], "span")? {
                Some("code") => F::StatusCode,
                Some(_) => F::StatusMessage,
                None => F::Status,
            })
        }
        Some("attributes") => {
            keyed(cur);
            return Ok(F::Attributes);
        }
        Some("name") => F::Name,
        Some("start_time_unix_nano") => F::StartTimeUnixNano,
        Some("end_time_unix_nano") => F::EndTimeUnixNano,
        Some("start_time") => F::StartTime,
        Some("end_time") => F::EndTime,
        Some("dropped_attributes_count") => F::DroppedAttributesCount,
        Some("events") => F::Events,
        Some("dropped_events_count") => F::DroppedEventsCount,
        Some("links") => F::Links,
        Some("dropped_links_count") => F::DroppedLinksCount,
        Some("flags") => F::Flags,
        _ => return Err(cur.segment_error(0, "span")),
    };
    cur.take(0, false);
    Ok(simple)
}

fn span_event(cur: &mut Cursor<'_>) -> Result<SpanEventField, OttlError> {
    let f = match cur.name(0) {
        Some("attributes") => {
            keyed(cur);
            return Ok(SpanEventField::Attributes);
        }
        Some("name") => SpanEventField::Name,
        Some("time_unix_nano") => SpanEventField::TimeUnixNano,
        Some("time") => SpanEventField::Time,
        Some("dropped_attributes_count") => SpanEventField::DroppedAttributesCount,
        Some("event_index") => SpanEventField::EventIndex,
        _ => return Err(cur.segment_error(0, "spanevent")),
    };
    cur.take(0, false);
    Ok(f)
}
