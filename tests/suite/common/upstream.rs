//! Reading upstream's expectations table (fixtures/config/upstream/expectations.tsv) and the
//! component blocks of the copied upstream test configs.

#![allow(dead_code)]

use otelcheck::config::node::Node;
use otelcheck::config::settings::Signal;
use std::path::Path;

pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/config/upstream");

pub struct Row {
    pub line: usize,
    pub file: String,
    pub id: String,
    pub expectation: String,
    pub gist: String,
    pub validate: String,
}

pub fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("expectations.tsv"))
        .expect("expectations.tsv");
    text.lines()
        .enumerate()
        .skip(1)
        .map(|(i, l)| {
            let c: Vec<&str> = l.split('\t').collect();
            let get = |n: usize| c.get(n).copied().unwrap_or("").to_owned();
            Row {
                line: i + 1,
                file: get(0),
                id: get(1),
                expectation: get(2),
                gist: get(4),
                validate: get(6),
            }
        })
        .filter(|r| r.file.starts_with("processor/"))
        .collect()
}

/// The component id and its block: a top-level key, or one under `processors:`.
pub fn block(doc: &Node, id_field: &str) -> (String, Node) {
    let id = if let Some(inner) = id_field.strip_prefix("(whole file: ") {
        inner.trim_end_matches(')').to_owned()
    } else {
        id_field.trim_end_matches(" (under processors:)").to_owned()
    };
    let top = doc
        .get(&id)
        .or_else(|| doc.get("processors").and_then(|p| p.get(&id)));
    let node = top.cloned().unwrap_or_else(|| panic!("no block {id}"));
    (id, node)
}

/// The signals of the pipeline EXPECTATIONS.md put the block in.
pub fn signals(ty: &str, id: &str, node: &Node) -> Vec<Signal> {
    let has = |k: &str| node.get(k).is_some_and(|n| !n.is_null());
    let mut out = Vec::new();
    match ty {
        "filter" => {
            if has("traces") || has("spans") || has("trace_conditions") {
                out.push(Signal::Traces);
            }
            if has("metrics") || has("metric_conditions") {
                out.push(Signal::Metrics);
            }
            if has("logs") || has("log_conditions") {
                out.push(Signal::Logs);
            }
            if has("profiles") || has("profile_conditions") {
                out.push(Signal::Profiles);
            }
        }
        "attributes" if id.contains("log_") => out.push(Signal::Logs),
        "probabilistic_sampler" if id.ends_with("/logs") => out.push(Signal::Logs),
        _ => {}
    }
    if out.is_empty() {
        out.push(Signal::Traces);
    }
    out
}

/// Upstream's message for an invalid row, if the table gives one.
pub fn expected_message(r: &Row) -> Option<String> {
    if let Some(rest) = r.validate.strip_prefix("invalid (") {
        return rest.split_once("): ").map(|(_, m)| m.to_owned());
    }
    let (_, after) = r.gist.split_once("message `")?;
    after.split_once('`').map(|(m, _)| m.to_owned())
}
