//! The pipeline checks `otelcol validate` makes: references to configured components,
//! per-pipeline rules, connector use and cycles, signal support — plus the unused-component
//! warning the collector does not give but users want.
//!
//! Upstream stops at the first error (and, iterating Go maps, not always the same one); we
//! report every problem, each at the id or pipeline key it is about, with upstream's wording.

use super::model::{CollectorConfig, ComponentId, ComponentKind, IdRef, Pipeline, Signal};
use super::registry;
use crate::diag::{codes, Diagnostic, Location};
use std::collections::{BTreeMap, BTreeSet};

/// All wiring problems of `cfg`, sorted by position.
pub fn check_wiring(cfg: &CollectorConfig) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    check_service_extensions(cfg, &mut diags);
    for p in &cfg.pipelines {
        check_pipeline(cfg, p, &mut diags);
    }
    super::connectors::check_connectors(cfg, &mut diags);
    check_unused(cfg, &mut diags);
    crate::diag::sort(&mut diags);
    diags
}

fn check_service_extensions(cfg: &CollectorConfig, diags: &mut Vec<Diagnostic>) {
    for r in &cfg.service_extensions {
        if cfg.component(ComponentKind::Extension, &r.id).is_none() {
            let msg = format!(
                "service::extensions: references extension {:?} which is not configured",
                r.id.to_string()
            );
            diags.push(undefined(msg, r, ComponentKind::Extension));
        }
    }
}

fn check_pipeline(cfg: &CollectorConfig, p: &Pipeline, diags: &mut Vec<Diagnostic>) {
    let what = format!("service::pipelines::{}", p.id_text);
    if p.signal == Signal::Profiles {
        let msg = format!("pipeline {:?}: profiling signal support is at alpha level, gated under the \"service.profilesSupport\" feature gate", p.id_text);
        diags.push(pipeline_error(
            msg,
            &p.loc,
            "enable the gate with `--feature-gates=service.profilesSupport` or remove the pipeline",
        ));
    }
    if p.receivers.is_empty() {
        diags.push(pipeline_error(
            format!("{what}: must have at least one receiver"),
            &p.loc,
            "list a receiver (or a connector) under `receivers:`",
        ));
    }
    if p.exporters.is_empty() {
        diags.push(pipeline_error(
            format!("{what}: must have at least one exporter"),
            &p.loc,
            "list an exporter (or a connector) under `exporters:`",
        ));
    }
    let mut seen: BTreeMap<&ComponentId, &Location> = BTreeMap::new();
    for r in &p.processors {
        if let Some(first) = seen.insert(&r.id, &r.loc) {
            let msg = format!(
                "{what}: references processor {:?} multiple times",
                r.id.to_string()
            );
            let d = pipeline_error(msg, &r.loc, "a processor may appear once per pipeline; configure a second instance as `type/other_name`");
            diags.push(d.with_label(first.clone(), "first listed here"));
        }
    }
    check_refs(cfg, p, &what, diags);
}

/// Every id must be configured: receivers and exporters may also be connectors.
fn check_refs(cfg: &CollectorConfig, p: &Pipeline, what: &str, diags: &mut Vec<Diagnostic>) {
    let sides = [
        (&p.receivers, ComponentKind::Receiver),
        (&p.processors, ComponentKind::Processor),
        (&p.exporters, ComponentKind::Exporter),
    ];
    for (refs, kind) in sides {
        for r in refs {
            let is_connector = kind != ComponentKind::Processor
                && cfg.component(ComponentKind::Connector, &r.id).is_some();
            match cfg.component(kind, &r.id) {
                Some(c) => check_signal(c.kind, &c.id, p, r, diags),
                None if is_connector => {}
                None => {
                    let msg = format!(
                        "{what}: references {kind} {:?} which is not configured",
                        r.id.to_string()
                    );
                    diags.push(undefined(msg, r, kind));
                }
            }
        }
    }
}

/// A receiver/processor/exporter whose type is known not to handle the pipeline's signal.
fn check_signal(
    kind: ComponentKind,
    id: &ComponentId,
    p: &Pipeline,
    r: &IdRef,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(t) = registry::lookup(kind, &id.ty) else {
        return;
    };
    if t.signals.is_empty() || t.signals.contains(&p.signal) {
        return;
    }
    let supported: Vec<&str> = t.signals.iter().map(|s| s.as_str()).collect();
    let msg = match kind {
        ComponentKind::Processor => format!(
            "failed to create {:?} processor, in pipeline {:?}: telemetry type is not supported",
            id.to_string(),
            p.id_text
        ),
        _ => format!(
            "failed to create {:?} {kind} for data type {:?}: telemetry type is not supported",
            id.to_string(),
            p.signal.as_str()
        ),
    };
    let help = format!(
        "{:?} handles {} only; move it to a pipeline of that signal",
        id.ty,
        supported.join(", ")
    );
    diags.push(pipeline_error(msg, &r.loc, &help));
}

fn check_unused(cfg: &CollectorConfig, diags: &mut Vec<Diagnostic>) {
    let mut used: BTreeSet<(ComponentKind, &ComponentId)> = BTreeSet::new();
    for p in &cfg.pipelines {
        for r in &p.receivers {
            used.insert((ComponentKind::Receiver, &r.id));
            used.insert((ComponentKind::Connector, &r.id));
        }
        used.extend(
            p.processors
                .iter()
                .map(|r| (ComponentKind::Processor, &r.id)),
        );
        for r in &p.exporters {
            used.insert((ComponentKind::Exporter, &r.id));
            used.insert((ComponentKind::Connector, &r.id));
        }
    }
    used.extend(
        cfg.service_extensions
            .iter()
            .map(|r| (ComponentKind::Extension, &r.id)),
    );
    let all = [
        &cfg.receivers,
        &cfg.processors,
        &cfg.exporters,
        &cfg.connectors,
        &cfg.extensions,
    ];
    for c in all.into_iter().flatten() {
        if used.contains(&(c.kind, &c.id)) {
            continue;
        }
        let (msg, help) = if c.kind == ComponentKind::Extension {
            (
                format!(
                    "extension {:?} is configured but not enabled in service.extensions",
                    c.id.to_string()
                ),
                "add it to service.extensions or delete it",
            )
        } else {
            (
                format!(
                    "{} {:?} is configured but not used in any pipeline",
                    c.kind,
                    c.id.to_string()
                ),
                "the collector does not build it: add it to a pipeline or delete it",
            )
        };
        diags.push(
            Diagnostic::warning(codes::UNUSED_COMPONENT, msg)
                .at(c.key_loc.clone())
                .with_help(help),
        );
    }
}

fn undefined(msg: String, r: &IdRef, kind: ComponentKind) -> Diagnostic {
    Diagnostic::error(codes::UNDEFINED_COMPONENT, msg)
        .at(r.loc.clone())
        .with_help(format!(
            "configure {:?} under `{}:` or fix the id",
            r.id.to_string(),
            kind.section()
        ))
}

pub(super) fn pipeline_error(msg: String, loc: &Location, help: &str) -> Diagnostic {
    Diagnostic::error(codes::INVALID_PIPELINE, msg)
        .at(loc.clone())
        .with_help(help)
}
