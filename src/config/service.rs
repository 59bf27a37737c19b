//! The `service:` section: `extensions` and `pipelines` read into the model, other keys
//! checked against what collector core v0.156.0 accepts (`telemetry` in `telemetry.rs`).

use super::ids::parse_pipeline_id;
use super::model::{invalid, CollectorConfig, ComponentId, IdRef, Pipeline};
use super::node::{Key, Node, NodeKind};
use crate::diag::{codes, Diagnostic};

const SERVICE_KEYS: &[&str] = &["telemetry", "extensions", "pipelines"];
const PIPELINE_KEYS: &[&str] = &["receivers", "processors", "exporters"];

pub(super) fn read_service(
    cfg: &mut CollectorConfig,
    key: &Key,
    service: &Node,
    diags: &mut Vec<Diagnostic>,
) {
    if !matches!(service.kind, NodeKind::Map(_) | NodeKind::Null) {
        diags.push(invalid(
            format!("'service' expected a map, got {}", service.type_name()),
            &key.loc,
        ));
        return;
    }
    check_keys("service", service, SERVICE_KEYS, diags);
    if let Some((k, telemetry)) = service.get_entry("telemetry") {
        super::telemetry::check_telemetry(k, telemetry, diags);
    }
    if let Some((k, list)) = service.get_entry("extensions") {
        cfg.service_extensions = read_id_list("service::extensions", k, list, diags);
    }
    match service.get_entry("pipelines") {
        Some((k, pipelines)) => read_pipelines(cfg, k, pipelines, diags),
        None => diags.push(no_pipelines(&key.loc)),
    }
}

use super::telemetry::check_keys;

pub(super) fn no_pipelines(loc: &crate::diag::Location) -> Diagnostic {
    Diagnostic::error(codes::INVALID_PIPELINE, "service::pipelines: service must have at least one pipeline")
        .at(loc.clone())
        .with_help("add a pipeline under service.pipelines, e.g. `traces: {receivers: [otlp], exporters: [debug]}`")
}

fn read_pipelines(cfg: &mut CollectorConfig, key: &Key, node: &Node, diags: &mut Vec<Diagnostic>) {
    let entries = match &node.kind {
        NodeKind::Map(e) => e.as_slice(),
        NodeKind::Null => &[],
        _ => {
            diags.push(invalid(
                format!(
                    "'service.pipelines' expected a map, got {}",
                    node.type_name()
                ),
                &key.loc,
            ));
            return;
        }
    };
    if entries.is_empty() {
        diags.push(no_pipelines(&key.loc));
    }
    for (k, body) in entries {
        let (signal, name) = match parse_pipeline_id(&k.name) {
            Ok(v) => v,
            Err(e) => {
                let d = Diagnostic::error(codes::INVALID_PIPELINE, format!("service::pipelines: {e}"))
                    .at(k.loc.clone())
                    .with_help("pipeline ids are `traces`, `metrics` or `logs`, optionally followed by `/name`");
                diags.push(d);
                continue;
            }
        };
        let id_text = match &name {
            Some(n) => format!("{signal}/{n}"),
            None => signal.to_string(),
        };
        if cfg.pipelines.iter().any(|p| p.id_text == id_text) {
            diags.push(invalid(
                format!("service::pipelines: duplicate pipeline id {id_text:?}"),
                &k.loc,
            ));
            continue;
        }
        let what = format!("service::pipelines::{id_text}");
        check_keys(
            &format!("service.pipelines[{id_text}]"),
            body,
            PIPELINE_KEYS,
            diags,
        );
        let list = |field: &str, diags: &mut Vec<Diagnostic>| match body.get_entry(field) {
            Some((fk, v)) => read_id_list(&what, fk, v, diags),
            None => Vec::new(),
        };
        let receivers = list("receivers", diags);
        let processors = list("processors", diags);
        let exporters = list("exporters", diags);
        cfg.pipelines.push(Pipeline {
            id_text,
            signal,
            name,
            loc: k.loc.clone(),
            receivers,
            processors,
            exporters,
        });
    }
}

/// A list of component ids; null is an empty list.
fn read_id_list(what: &str, key: &Key, node: &Node, diags: &mut Vec<Diagnostic>) -> Vec<IdRef> {
    let items = match &node.kind {
        NodeKind::Seq(items) => items.as_slice(),
        NodeKind::Null => &[],
        _ => {
            diags.push(
                invalid(
                    format!(
                        "{what}: '{}' expected a list of ids, got {}",
                        key.name,
                        node.type_name()
                    ),
                    &key.loc,
                )
                .with_help("write ids as a YAML list, e.g. `[otlp, otlp/2]`"),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for item in items {
        let parsed = match &item.kind {
            NodeKind::Str(s) => s.parse::<ComponentId>(),
            _ => Err(format!("expected an id, got {}", item.type_name())),
        };
        match parsed {
            Ok(id) => out.push(IdRef {
                id,
                loc: item.loc.clone(),
            }),
            Err(e) => diags.push(
                invalid(format!("{what}: {e}"), &item.loc)
                    .with_help("ids are `type` or `type/name`"),
            ),
        }
    }
    out
}
