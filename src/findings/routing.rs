//! Findings about how captures reach the pipelines: traffic no pipeline would receive, traffic
//! replayed into several receivers of one kind, and connectors the replay cannot follow.

use crate::capture::ReceiverKind;
use crate::config::model::CollectorConfig;
use crate::diag::{codes, Diagnostic};
use crate::engine::replay::CaptureOutcome;
use crate::engine::Engine;

fn receiver_type(kind: ReceiverKind) -> &'static str {
    match kind {
        ReceiverKind::Datadog => "datadog",
        ReceiverKind::Otlp => "otlp",
    }
}

/// Routing findings for the replayed captures.
pub fn routing_findings(
    engine: &Engine,
    cfg: Option<&CollectorConfig>,
    captures: &[CaptureOutcome],
) -> Vec<Diagnostic> {
    let Some(cfg) = cfg else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let first_pipeline = cfg.pipelines.first().map(|p| p.loc.clone());
    let mut kinds_seen: Vec<ReceiverKind> = Vec::new();
    for c in captures {
        for &kind in &c.kinds {
            if !kinds_seen.contains(&kind) {
                kinds_seen.push(kind);
            }
            if engine.is_unrouted(kind) {
                let wanted = receiver_type(kind);
                let article = if wanted.starts_with('o') { "an" } else { "a" };
                out.push(
                    Diagnostic::warning(
                        codes::UNROUTED_CAPTURE,
                        format!(
                            "no traces pipeline has {article} `{wanted}` receiver, so the collector would never see {}; replaying it through every traces pipeline instead",
                            c.path
                        ),
                    )
                    .at_opt(first_pipeline.clone())
                    .with_help(unrouted_help(cfg, wanted, article)),
                );
            }
        }
    }
    for kind in kinds_seen {
        let routing = engine.routing(kind);
        if receivers_feed_different_pipelines(cfg, &routing.receivers) {
            out.push(
                Diagnostic::warning(
                    codes::UNROUTED_CAPTURE,
                    format!(
                        "the {} traffic was replayed into each of the receivers {}, which feed different pipelines: a real client sends a request to one of them, so these counts hold every span once per receiver where the collector would see it once",
                        receiver_type(kind),
                        routing.receivers.join(", ")
                    ),
                )
                .at_opt(first_pipeline.clone())
                .with_help("replay one capture per receiver endpoint, or read the per-pipeline counts knowing every request entered through each receiver"),
            );
        }
    }
    if let Some(any) = captures.first().and_then(|c| c.kinds.first()) {
        for (id, loc) in &engine.routing(*any).unemulated_connectors {
            out.push(
                Diagnostic::warning(
                    codes::UNSUPPORTED_COMPONENT,
                    format!(
                        "otelcheck does not emulate the `{id}` connector yet: the traces pipelines it feeds receive nothing in this replay, where the real collector would route spans to them"
                    ),
                )
                .at(loc.clone())
                .with_help("the counts of the pipelines behind this connector are not what the collector would see; check its routes in a staging collector"),
            );
        }
    }
    out
}

/// Whether the receivers a capture enters through feed different sets of pipelines. A pipeline
/// listing several of them gets each request once (as in the collector, where a request
/// arrives at one endpoint); pipelines behind different receivers each get every request.
fn receivers_feed_different_pipelines(cfg: &CollectorConfig, receivers: &[String]) -> bool {
    let fed = |id: &String| -> Vec<usize> {
        cfg.pipelines
            .iter()
            .enumerate()
            .filter(|(_, p)| p.receivers.iter().any(|r| &r.id.to_string() == id))
            .map(|(i, _)| i)
            .collect()
    };
    let mut sets = receivers.iter().map(fed);
    let Some(first) = sets.next() else {
        return false;
    };
    sets.any(|s| s != first)
}

/// When a receiver of the right type exists (e.g. only in a metrics pipeline), say so instead
/// of suggesting to add one.
fn unrouted_help(cfg: &CollectorConfig, wanted: &str, article: &str) -> String {
    let Some(rcv) = cfg.receivers.iter().find(|r| r.id.ty == wanted) else {
        return format!(
            "add {article} `{wanted}` receiver to the pipeline that should take this traffic"
        );
    };
    let id = rcv.id.to_string();
    let users: Vec<&str> = cfg
        .pipelines
        .iter()
        .filter(|p| p.receivers.iter().any(|r| r.id.to_string() == id))
        .map(|p| p.id_text.as_str())
        .collect();
    let used = if users.is_empty() {
        String::from("defined but in no pipeline")
    } else {
        format!("used only by {}", users.join(", "))
    };
    format!(
        "the `{id}` receiver is {used}: list it under `receivers` of the traces pipeline that \
         should take this traffic"
    )
}
