//! Connector checks of the collector's pipeline graph: each connector used must be used on
//! both sides with a signal pair its type supports, and data must not flow in a circle.
//!
//! A connector instance exists per (exporting signal, receiving signal) pair; it links the end
//! of every pipeline that exports to it to the start of every pipeline that receives from it.
//! A cycle is reported like upstream: starting at a connector, listing processors on the way.

use super::model::{CollectorConfig, ComponentId, IdRef, Pipeline, Signal};
use super::registry::connector_supports;
use crate::diag::{codes, Diagnostic, Location};

/// Where one connector is used: (pipeline index, the id as written there).
struct Uses<'a> {
    id: &'a ComponentId,
    as_exporter: Vec<(usize, &'a IdRef)>,
    as_receiver: Vec<(usize, &'a IdRef)>,
}

pub(super) fn check_connectors(cfg: &CollectorConfig, diags: &mut Vec<Diagnostic>) {
    let uses = collect_uses(cfg);
    for u in &uses {
        check_sides(cfg, u, diags);
    }
    if let Some(d) = find_cycle(cfg, &uses) {
        diags.push(d);
    }
}

fn collect_uses(cfg: &CollectorConfig) -> Vec<Uses<'_>> {
    let mut out = Vec::new();
    for conn in &cfg.connectors {
        let refs = |side: fn(&Pipeline) -> &Vec<IdRef>| -> Vec<(usize, &IdRef)> {
            let on_side = cfg
                .pipelines
                .iter()
                .enumerate()
                .flat_map(move |(i, p)| side(p).iter().map(move |r| (i, r)));
            on_side.filter(|(_, r)| r.id == conn.id).collect()
        };
        let u = Uses {
            id: &conn.id,
            as_exporter: refs(|p| &p.exporters),
            as_receiver: refs(|p| &p.receivers),
        };
        if !u.as_exporter.is_empty() || !u.as_receiver.is_empty() {
            out.push(u);
        }
    }
    out
}

fn signal_of(cfg: &CollectorConfig, idx: usize) -> Option<Signal> {
    cfg.pipelines.get(idx).map(|p| p.signal)
}

fn check_sides(cfg: &CollectorConfig, u: &Uses<'_>, diags: &mut Vec<Diagnostic>) {
    let ty = u.id.ty.as_str();
    let exp: Vec<Signal> = dedup(u.as_exporter.iter().filter_map(|(i, _)| signal_of(cfg, *i)));
    let rec: Vec<Signal> = dedup(u.as_receiver.iter().filter_map(|(i, _)| signal_of(cfg, *i)));
    for e in &exp {
        if !rec.iter().any(|r| connector_supports(ty, *e, *r)) {
            diags.push(side_error(cfg, u, *e, true));
        }
    }
    for r in &rec {
        if !exp.iter().any(|e| connector_supports(ty, *e, *r)) {
            diags.push(side_error(cfg, u, *r, false));
        }
    }
}

fn dedup(it: impl Iterator<Item = Signal>) -> Vec<Signal> {
    let mut v: Vec<Signal> = it.collect();
    v.sort();
    v.dedup();
    v
}

fn side_error(
    cfg: &CollectorConfig,
    u: &Uses<'_>,
    signal: Signal,
    as_exporter: bool,
) -> Diagnostic {
    let refs = if as_exporter {
        &u.as_exporter
    } else {
        &u.as_receiver
    };
    let on_signal: Vec<&(usize, &IdRef)> = refs
        .iter()
        .filter(|(i, _)| signal_of(cfg, *i) == Some(signal))
        .collect();
    let names: Vec<&str> = on_signal
        .iter()
        .filter_map(|(i, _)| cfg.pipelines.get(*i))
        .map(|p| p.id_text.as_str())
        .collect();
    let (used, other) = if as_exporter {
        ("exporter", "receiver")
    } else {
        ("receiver", "exporter")
    };
    let msg = format!(
        "connector {:?} used as {used} in [{}] pipeline but not used in any supported {other} pipeline",
        u.id.to_string(),
        names.join(" ")
    );
    let help = format!(
        "a connector joins two pipelines: also list {:?} under `{other}s:` of a pipeline whose signal the {:?} connector accepts",
        u.id.to_string(),
        u.id.ty
    );
    let loc = on_signal.first().map(|(_, r)| r.loc.clone());
    connector_error(msg, loc, &help)
}

/// Connector problems always come from a reference, so `loc` is only `None` for an
/// inconsistent model; the diagnostic then has no position rather than a made-up one.
fn connector_error(msg: String, loc: Option<Location>, help: &str) -> Diagnostic {
    Diagnostic::error(codes::INVALID_PIPELINE, msg)
        .at_opt(loc)
        .with_help(help)
}

/// A graph node: a pipeline, or a connector instance (id, from, to).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Node<'a> {
    Pipe(usize),
    Conn(&'a ComponentId, Signal, Signal),
}

fn successors<'a>(cfg: &'a CollectorConfig, uses: &'a [Uses<'a>], n: Node<'a>) -> Vec<Node<'a>> {
    match n {
        Node::Pipe(i) => {
            let Some(p) = cfg.pipelines.get(i) else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for u in uses
                .iter()
                .filter(|u| u.as_exporter.iter().any(|(j, _)| *j == i))
            {
                for r in dedup(u.as_receiver.iter().filter_map(|(j, _)| signal_of(cfg, *j))) {
                    if connector_supports(&u.id.ty, p.signal, r) {
                        out.push(Node::Conn(u.id, p.signal, r));
                    }
                }
            }
            out
        }
        Node::Conn(id, _, to) => uses
            .iter()
            .filter(|u| u.id == id)
            .flat_map(|u| u.as_receiver.iter().map(|(j, _)| *j))
            .filter(|j| signal_of(cfg, *j) == Some(to))
            .map(Node::Pipe)
            .collect(),
    }
}

/// Depth-first search from each pipeline; the first back edge closes a cycle.
fn find_cycle(cfg: &CollectorConfig, uses: &[Uses<'_>]) -> Option<Diagnostic> {
    let mut done: Vec<Node<'_>> = Vec::new();
    for start in 0..cfg.pipelines.len() {
        let mut path = Vec::new();
        if let Some(cycle) = dfs(cfg, uses, Node::Pipe(start), &mut path, &mut done) {
            return Some(cycle_error(cfg, uses, &cycle));
        }
    }
    None
}

fn dfs<'a>(
    cfg: &'a CollectorConfig,
    uses: &'a [Uses<'a>],
    n: Node<'a>,
    path: &mut Vec<Node<'a>>,
    done: &mut Vec<Node<'a>>,
) -> Option<Vec<Node<'a>>> {
    if let Some(pos) = path.iter().position(|p| *p == n) {
        return path.get(pos..).map(<[Node<'a>]>::to_vec);
    }
    if done.contains(&n) {
        return None;
    }
    path.push(n);
    for next in successors(cfg, uses, n) {
        if let Some(c) = dfs(cfg, uses, next, path, done) {
            return Some(c);
        }
    }
    path.pop();
    done.push(n);
    None
}

fn cycle_error(cfg: &CollectorConfig, uses: &[Uses<'_>], cycle: &[Node<'_>]) -> Diagnostic {
    // Start at a connector, as upstream does, and repeat it at the end.
    let start = cycle
        .iter()
        .position(|n| matches!(n, Node::Conn(..)))
        .unwrap_or(0);
    let mut ordered: Vec<Node<'_>> = cycle
        .iter()
        .skip(start)
        .chain(cycle.iter().take(start))
        .copied()
        .collect();
    if let Some(first) = ordered.first().copied() {
        ordered.push(first);
    }
    let mut parts = Vec::new();
    for n in &ordered {
        match n {
            Node::Conn(id, from, to) => {
                parts.push(format!("connector {:?} ({from} to {to})", id.to_string()))
            }
            Node::Pipe(i) => {
                if let Some(p) = cfg.pipelines.get(*i) {
                    parts.extend(p.processors.iter().map(|r| {
                        format!(
                            "processor {:?} in pipeline {:?}",
                            r.id.to_string(),
                            p.id_text
                        )
                    }));
                }
            }
        }
    }
    let loc = ordered.iter().find_map(|n| match n {
        Node::Conn(id, ..) => uses
            .iter()
            .find(|u| u.id == *id)
            .and_then(|u| u.as_receiver.first())
            .map(|(_, r)| r.loc.clone()),
        Node::Pipe(_) => None,
    });
    let msg = format!("cycle detected: {}", parts.join(" -> "));
    let help = "data sent into this connector comes back to it; break the loop so every path ends in an exporter";
    let fallback = cfg.pipelines.first().map(|p| p.loc.clone());
    connector_error(msg, loc.or(fallback), help)
}
