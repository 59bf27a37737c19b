//! Path resolution: an AST path becomes a direct accessor (`Field`) plus its keys, following the
//! span / spanevent / resource / scope path parsers of upstream (`contexts/internal/ctx*`).
//!
//! Context prefixes are stripped here: with `PathMode::Inferred` every path must start with a
//! context name the parser accepts; with an explicit context an unprefixed path belongs to that
//! context (upstream rewrites it with the prefix first, which is equivalent).

use super::{AttrScope, Field, KeyExpr, PathExpr};
use crate::ottl::ast::{self, Key, Node, Path};
use crate::ottl::contexts::{Context, PathMode};
use crate::ottl::otelcol;

/// Which context a path prefix names, if it names one this parser accepts.
fn prefix_context(name: &str, ctx: Context) -> Option<Context> {
    let target = match name {
        "span" => Context::Span,
        "spanevent" => Context::SpanEvent,
        "resource" => Context::Resource,
        "scope" | "instrumentation_scope" => Context::Scope,
        _ => return None,
    };
    let reachable = match ctx {
        Context::SpanEvent => true,
        Context::Span => target != Context::SpanEvent,
        Context::Scope => matches!(target, Context::Scope | Context::Resource),
        Context::Resource => target == Context::Resource,
        _ => false,
    };
    reachable.then_some(target)
}

/// Resolve `path` for a condition running in `ctx`. Keys are compiled by `compile_key`.
pub(super) fn resolve(
    path: &Path,
    ctx: Context,
    mode: PathMode,
    compile_key: &mut dyn FnMut(&Node<Key>) -> Result<KeyExpr, String>,
) -> Result<PathExpr, String> {
    let text = path_text(path);
    let segs = &path.segments;
    let first = segs.first().ok_or_else(|| "empty path".to_string())?;
    let prefixed = segs.len() > 1 && first.node.keys.is_empty();
    if prefixed && first.node.name == "otelcol" {
        return otelcol(&segs[1..], &text, compile_key);
    }
    let (target, rest) = match prefixed
        .then(|| prefix_context(&first.node.name, ctx))
        .flatten()
    {
        Some(t) => (t, &segs[1..]),
        None if mode == PathMode::Inferred => {
            return Err(format!("missing context name for path \"{text}\""));
        }
        None => (ctx, &segs[..]),
    };
    let [head, tail @ ..] = rest else {
        return Err(format!("path \"{text}\" names only a context"));
    };
    let name = head.node.name.as_str();
    let sub = tail.first().map(|s| s.node.name.as_str());
    let (field, used_sub) = field_of(target, name, sub).ok_or_else(|| {
        format!(
            "segment \"{name}\" from path \"{text}\" is not a valid path nor a valid OTTL keyword for the {} context",
            target.as_str()
        )
    })?;
    if field == Field::Cache && target != ctx {
        return Err(format!(
            "access to cache must be performed using the same context, please replace \"{text}\" with \"{}.cache\"",
            ctx.as_str()
        ));
    }
    let consumed = 1 + usize::from(used_sub);
    if let Some(extra) = rest.get(consumed) {
        return Err(format!(
            "the path section \"{}\" was not used by the context",
            extra.node.name
        ));
    }
    let key_seg = rest.get(consumed - 1).unwrap_or(head);
    if !key_seg.node.keys.is_empty() && !field.indexable() {
        return Err(format!(
            "the keys indexing \"{name}\" were not used by the context"
        ));
    }
    if field == Field::TraceState && key_seg.node.keys.len() > 1 {
        return Err("must provide exactly 1 key when accessing trace_state".into());
    }
    let keys = key_seg
        .node
        .keys
        .iter()
        .map(&mut *compile_key)
        .collect::<Result<_, _>>()?;
    Ok(PathExpr { field, keys })
}

/// `otelcol.*`, resolved like the checker does; keys apply to the last used section.
fn otelcol(
    rest: &[Node<ast::Field>],
    text: &str,
    compile_key: &mut dyn FnMut(&Node<Key>) -> Result<KeyExpr, String>,
) -> Result<PathExpr, String> {
    let sections: Vec<(&str, bool)> = rest
        .iter()
        .map(|s| (s.node.name.as_str(), !s.node.keys.is_empty()))
        .collect();
    let r = otelcol::resolve(&sections).map_err(|i| {
        let name = sections.get(i).map_or("nil", |s| s.0);
        format!(
            "segment \"{name}\" from path \"{text}\" is not a valid path nor a valid OTTL keyword for the otelcol context"
        )
    })?;
    if let Some(extra) = rest.get(r.used) {
        return Err(format!(
            "the path section \"{}\" was not used by the context",
            extra.node.name
        ));
    }
    let keys = match rest.get(r.used.saturating_sub(1)) {
        Some(seg) if r.field.indexable() => seg
            .node
            .keys
            .iter()
            .map(&mut *compile_key)
            .collect::<Result<_, _>>()?,
        _ => Vec::new(),
    };
    Ok(PathExpr {
        field: Field::OtelCol(r.field),
        keys,
    })
}

/// The field for `name` (and, when it consumes it, the sub-field `sub`) in `target`.
fn field_of(target: Context, name: &str, sub: Option<&str>) -> Option<(Field, bool)> {
    let attr = |s| Field::Attributes(s);
    let plain = |f| Some((f, false));
    match (target, name) {
        (_, "cache") => plain(Field::Cache),
        (Context::Resource, "attributes") => plain(attr(AttrScope::Resource)),
        (Context::Resource, "dropped_attributes_count") => {
            plain(Field::DroppedAttrs(AttrScope::Resource))
        }
        (Context::Resource | Context::Scope, "schema_url") => plain(Field::SchemaUrl),
        (Context::Scope, "name") => plain(Field::ScopeName),
        (Context::Scope, "version") => plain(Field::ScopeVersion),
        (Context::Scope, "attributes") => plain(attr(AttrScope::Scope)),
        (Context::Scope, "dropped_attributes_count") => {
            plain(Field::DroppedAttrs(AttrScope::Scope))
        }
        (Context::SpanEvent, "name") => plain(Field::EventName),
        (Context::SpanEvent, "time_unix_nano") => plain(Field::EventTimeNanos),
        (Context::SpanEvent, "time") => plain(Field::EventTime),
        (Context::SpanEvent, "attributes") => plain(attr(AttrScope::Event)),
        (Context::SpanEvent, "dropped_attributes_count") => {
            plain(Field::DroppedAttrs(AttrScope::Event))
        }
        (Context::SpanEvent, "event_index") => plain(Field::EventIndex),
        (Context::Span, _) => span_field(name, sub),
        _ => None,
    }
}

fn span_field(name: &str, sub: Option<&str>) -> Option<(Field, bool)> {
    let with_sub = |f| Some((f, true));
    Some(match (name, sub) {
        ("trace_id", Some("string")) => return with_sub(Field::TraceIdString),
        ("span_id", Some("string")) => return with_sub(Field::SpanIdString),
        ("parent_span_id", Some("string")) => return with_sub(Field::ParentSpanIdString),
        ("kind", Some("string")) => return with_sub(Field::KindString),
        ("kind", Some("deprecated_string")) => return with_sub(Field::KindDeprecatedString),
        ("status", Some("code")) => return with_sub(Field::StatusCode),
        ("status", Some("message")) => return with_sub(Field::StatusMessage),
        ("trace_id", _) => (Field::TraceId, false),
        ("span_id", _) => (Field::SpanId, false),
        ("parent_span_id", _) => (Field::ParentSpanId, false),
        ("trace_state", _) => (Field::TraceState, false),
        ("name", _) => (Field::Name, false),
        ("kind", _) => (Field::Kind, false),
        ("start_time_unix_nano", _) => (Field::StartNanos, false),
        ("end_time_unix_nano", _) => (Field::EndNanos, false),
        ("start_time", _) => (Field::StartTime, false),
        ("end_time", _) => (Field::EndTime, false),
        ("attributes", _) => (Field::Attributes(AttrScope::Span), false),
        ("dropped_attributes_count", _) => (Field::DroppedAttrs(AttrScope::Span), false),
        ("events", _) => (Field::Events, false),
        ("dropped_events_count", _) => (Field::DroppedEvents, false),
        ("links", _) => (Field::Links, false),
        ("dropped_links_count", _) => (Field::DroppedLinks, false),
        ("status", _) => (Field::Status, false),
        ("flags", _) => (Field::Flags, false),
        _ => return None,
    })
}

/// The path as upstream prints it in errors (keys without quotes).
fn path_text(path: &Path) -> String {
    let mut out = String::new();
    for (i, seg) in path.segments.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(&seg.node.name);
        for k in &seg.node.keys {
            match &k.node {
                Key::String(s) => out.push_str(&format!("[{s}]")),
                Key::Int(n) => out.push_str(&format!("[{n}]")),
                Key::Expr(_) => out.push_str("[<expr>]"),
            }
        }
    }
    out
}
