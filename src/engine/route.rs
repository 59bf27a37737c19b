//! Which traces pipelines a capture enters, and how `forward` connectors chain pipelines.
//!
//! As the collector routes it: DataDog payloads reach pipelines with a `datadog` receiver,
//! OTLP reaches pipelines with an `otlp` receiver; a receiver shared by several pipelines fans
//! out a copy to each. A connector used as exporter in pipeline A and receiver in pipeline B
//! feeds A's output into B (only `forward` keeps traces as traces).

use crate::capture::ReceiverKind;
use crate::config::model::{CollectorConfig, Pipeline, Signal};

/// A traces pipeline's position in the replay graph.
#[derive(Debug, Clone)]
pub struct Route {
    /// Index into `CollectorConfig::pipelines`.
    pub pipeline: usize,
    /// Pipelines (indexes) whose output reaches this one through a `forward` connector.
    pub fed_by: Vec<usize>,
    /// Whether captures of the kind enter here directly.
    pub entry: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Routing {
    /// Traces pipelines in an order where every feeder comes before the pipelines it feeds.
    pub order: Vec<Route>,
    /// True when no pipeline had a receiver of the capture's kind (so it enters all).
    pub unrouted: bool,
    /// Distinct receivers of the kind the capture enters through. With more than one, a
    /// replay sends every request to each, where a real client sends it to one endpoint.
    pub receivers: Vec<String>,
    /// Connectors feeding traces pipelines that otelcheck does not emulate (e.g. `routing`):
    /// the pipelines behind them receive nothing in the replay. (id, where it is defined)
    pub unemulated_connectors: Vec<(String, crate::diag::Location)>,
}

fn receiver_type(kind: ReceiverKind) -> &'static str {
    match kind {
        ReceiverKind::Datadog => "datadog",
        ReceiverKind::Otlp => "otlp",
    }
}

fn is_connector(cfg: &CollectorConfig, ty_id: &crate::config::model::ComponentId) -> bool {
    cfg.connectors.iter().any(|c| &c.id == ty_id)
}

pub fn route(cfg: &CollectorConfig, kind: ReceiverKind) -> Routing {
    let traces: Vec<(usize, &Pipeline)> = cfg
        .pipelines
        .iter()
        .enumerate()
        .filter(|(_, p)| p.signal == Signal::Traces)
        .collect();
    let wanted = receiver_type(kind);
    let direct = |p: &Pipeline| {
        p.receivers
            .iter()
            .any(|r| r.id.ty == wanted && !is_connector(cfg, &r.id))
    };
    let unrouted = !traces.iter().any(|(_, p)| direct(p));
    let mut routes: Vec<Route> = traces
        .iter()
        .map(|(i, p)| {
            let fed_by = traces
                .iter()
                .filter(|(_, q)| {
                    q.exporters.iter().any(|e| {
                        e.id.ty == "forward"
                            && is_connector(cfg, &e.id)
                            && p.receivers.iter().any(|r| r.id == e.id)
                    })
                })
                .map(|(j, _)| *j)
                .collect();
            let has_plain_receiver = p.receivers.iter().any(|r| !is_connector(cfg, &r.id));
            Route {
                pipeline: *i,
                fed_by,
                entry: if unrouted {
                    has_plain_receiver
                } else {
                    direct(p)
                },
            }
        })
        .collect();
    let mut receivers: Vec<String> = Vec::new();
    for (_, p) in &traces {
        for r in &p.receivers {
            let id = r.id.to_string();
            if r.id.ty == wanted && !is_connector(cfg, &r.id) && !receivers.contains(&id) {
                receivers.push(id);
            }
        }
    }
    let mut unemulated_connectors = Vec::new();
    for c in &cfg.connectors {
        let feeds_traces = traces
            .iter()
            .any(|(_, p)| p.receivers.iter().any(|r| r.id == c.id));
        // `forward` is emulated; `nop` sends nothing, which is what the replay does too.
        if !matches!(c.id.ty.as_str(), "forward" | "nop") && feeds_traces {
            unemulated_connectors.push((c.id.to_string(), c.key_loc.clone()));
        }
    }
    Routing {
        order: topo_order(&mut routes),
        unrouted,
        receivers,
        unemulated_connectors,
    }
}

/// Feeders first. Wiring checks reject cycles; should one slip through, the remaining
/// pipelines are appended in config order rather than looping.
fn topo_order(routes: &mut Vec<Route>) -> Vec<Route> {
    let mut done: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    while !routes.is_empty() {
        let ready = routes
            .iter()
            .position(|r| r.fed_by.iter().all(|f| done.contains(f)))
            .unwrap_or(0);
        let r = routes.remove(ready);
        done.push(r.pipeline);
        out.push(r);
    }
    out
}
