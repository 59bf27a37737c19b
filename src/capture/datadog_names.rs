//! Span-name (and a few attribute) overrides the datadog receiver applies by DataDog operation
//! name (`processSpanByName`): HTTP, Spring handler, Postgres/Redis, gRPC and AWS SDK spans.
//! Every other operation name stays the span name.

use super::datadog_msgpack::DdSpan;
use super::model::{span_kind, AnyValue, Span};

/// Whether [`apply`] reads the span's meta tags (so translation must keep them).
pub fn reads_meta(operation: &str) -> bool {
    matches!(
        operation,
        "servlet.request"
            | "http.request"
            | "web.request"
            | "postgresql.query"
            | "redis.query"
            | "grpc.server"
            | "grpc.client"
            | "aws.request"
            | "aws.command"
    )
}

pub fn apply(dd: &DdSpan, span: &mut Span) {
    match dd.name.as_str() {
        "servlet.request" | "http.request" | "web.request" => http(dd, span),
        "spring.handler" => {
            span.name = dd.resource.clone();
            span.kind = span_kind::INTERNAL;
        }
        "postgresql.query" | "redis.query" => db(dd, span),
        "grpc.server" | "grpc.client" => grpc(dd, span),
        "aws.request" | "aws.command" => aws(dd, span),
        _ => {}
    }
}

fn http(dd: &DdSpan, span: &mut Span) {
    if let Some(method) = dd.meta("http.method") {
        span.name = match dd.meta("http.route") {
            Some(route) => format!("{method} {route}"),
            None => method.to_string(),
        };
    }
}

fn db(dd: &DdSpan, span: &mut Span) {
    if let Some(summary) = dd.meta("db.query.summary") {
        span.name = summary.to_string();
    } else if let Some(op) = dd.meta("db.operation") {
        let suffix = ["db.instance", "db.namespace", "peer.hostname"]
            .iter()
            .filter_map(|k| dd.meta(k))
            .find(|v| !v.is_empty());
        span.name = match suffix {
            Some(s) => format!("{op} {s}"),
            None => op.to_string(),
        };
    } else if let Some(t) = dd.meta("db.type") {
        span.name = t.to_string();
    }
}

/// Split `/pkg.Service/Method` (leading slash optional) into (service, method).
fn split_full_method(s: &str) -> (String, String) {
    let trimmed = s.strip_prefix('/').unwrap_or(s);
    match trimmed.split_once('/') {
        Some((svc, method)) => (svc.to_string(), method.to_string()),
        None => (trimmed.to_string(), String::new()),
    }
}

fn grpc(dd: &DdSpan, span: &mut Span) {
    let attrs = &mut span.attributes;
    attrs.upsert("rpc.system.name", AnyValue::Str("grpc".into()));
    attrs.upsert(
        "rpc.response.status_code",
        AnyValue::Str(dd.error.to_string().into()),
    );
    let (service, method) = if let Some(m) = dd.meta("rpc.method") {
        (
            dd.meta("rpc.service").unwrap_or("").to_string(),
            m.to_string(),
        )
    } else if let Some(full) = dd.meta("rpc.grpc.full_method") {
        match split_full_method(full) {
            (svc, m) if full.strip_prefix('/').unwrap_or(full).contains('/') => (svc, m),
            _ => (String::new(), String::new()),
        }
    } else if let Some(full) = dd.meta("grpc.method.name") {
        split_full_method(full)
    } else {
        match split_full_method(&dd.resource) {
            (svc, m)
                if dd
                    .resource
                    .strip_prefix('/')
                    .unwrap_or(&dd.resource)
                    .contains('/') =>
            {
                (svc, m)
            }
            _ => (String::new(), String::new()),
        }
    };
    let name = if !method.is_empty() {
        attrs.upsert("rpc.method", AnyValue::Str(method.as_str().into()));
        attrs.upsert("rpc.service", AnyValue::Str(service.as_str().into()));
        format!("{service}/{method}")
    } else if !service.is_empty() {
        attrs.upsert("rpc.service", AnyValue::Str(service.as_str().into()));
        service
    } else {
        String::new()
    };
    if !name.is_empty() {
        span.name = name;
    }
}

fn aws(dd: &DdSpan, span: &mut Span) {
    span.attributes
        .upsert("rpc.system.name", AnyValue::Str("aws-api".into()));
    if let Some(service) = dd.meta("aws.service") {
        span.name = match dd.meta("aws.operation") {
            Some(op) => format!("{service}/{op}"),
            None => service.to_string(),
        };
    }
}
