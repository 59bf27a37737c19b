//! The whole `validate` analysis against every processor row of upstream's expectations:
//! each component block goes, as EXPECTATIONS.md describes the v0.156.0 check, into a minimal
//! config (an otlp receiver, that one processor in a pipeline of each signal it configures, a
//! debug exporter) and the verdict must match — including the rows the collector rejects for
//! their OTTL, which the settings stage alone does not see.

use crate::common;
use common::upstream::*;
use otelcheck::analyze::analyze_loaded;
use otelcheck::config::node::{parse_yaml, Key, Node, NodeKind};
use otelcheck::config::settings::Signal;
use otelcheck::config::LoadedConfig;
use otelcheck::diag::{Location, Severity, SourceMap};
use std::path::Path;
use std::sync::Arc;

fn map(loc: &Location, entries: Vec<(&str, Node)>) -> Node {
    Node::new(
        NodeKind::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    (
                        Key {
                            name: k.to_owned(),
                            loc: loc.clone(),
                        },
                        v,
                    )
                })
                .collect(),
        ),
        loc.clone(),
    )
}

fn list(loc: &Location, items: &[&str]) -> Node {
    Node::new(
        NodeKind::Seq(
            items
                .iter()
                .map(|s| Node::new(NodeKind::Str((*s).to_owned()), loc.clone()))
                .collect(),
        ),
        loc.clone(),
    )
}

fn signal_name(s: Signal) -> &'static str {
    match s {
        Signal::Traces => "traces",
        Signal::Metrics => "metrics",
        Signal::Logs => "logs",
        Signal::Profiles => "profiles",
    }
}

/// A minimal collector config around one processor block.
pub(crate) fn minimal(
    file: &Arc<str>,
    text: &str,
    id: &str,
    block: Node,
    signals: &[Signal],
) -> LoadedConfig {
    let loc = Location::new(file.clone(), 1, 1);
    let empty = || map(&loc, vec![]);
    // Profiles pipelines need a feature gate that is off; profiles blocks are checked in the
    // other pipelines, as the expectations were.
    let mut pipelines: Vec<(&str, Node)> = signals
        .iter()
        .filter(|s| **s != Signal::Profiles)
        .map(|s| {
            (
                signal_name(*s),
                map(
                    &loc,
                    vec![
                        ("receivers", list(&loc, &["otlp"])),
                        ("processors", list(&loc, &[id])),
                        ("exporters", list(&loc, &["debug"])),
                    ],
                ),
            )
        })
        .collect();
    if pipelines.is_empty() {
        pipelines.push((
            "traces",
            map(
                &loc,
                vec![
                    ("receivers", list(&loc, &["otlp"])),
                    ("processors", list(&loc, &[id])),
                    ("exporters", list(&loc, &["debug"])),
                ],
            ),
        ));
    }
    let root = map(
        &loc,
        vec![
            (
                "receivers",
                map(
                    &loc,
                    vec![(
                        "otlp",
                        map(
                            &loc,
                            vec![("protocols", map(&loc, vec![("grpc", empty())]))],
                        ),
                    )],
                ),
            ),
            ("processors", map(&loc, vec![(id, block)])),
            ("exporters", map(&loc, vec![("debug", empty())])),
            (
                "service",
                map(&loc, vec![("pipelines", map(&loc, pipelines))]),
            ),
        ],
    );
    let mut sources = SourceMap::default();
    sources.insert(file.clone(), text);
    LoadedConfig {
        files: vec![file.clone()],
        sources,
        root,
        warnings: Vec::new(),
        expanded_values: Vec::new(),
    }
}

#[test]
fn validate_agrees_with_every_upstream_processor_row() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for r in rows() {
        if r.expectation != "valid" && r.expectation != "invalid" {
            continue;
        }
        let text = std::fs::read_to_string(Path::new(ROOT).join(&r.file)).expect("fixture");
        let name: Arc<str> = r.file.as_str().into();
        let doc = parse_yaml(&name, &text).unwrap_or_else(|e| panic!("{}: {e}", r.file));
        let (id, node) = block(&doc, &r.id);
        let ty = id.split('/').next().unwrap_or_default().to_owned();
        let sigs = signals(&ty, &id, &node);
        let analysis = analyze_loaded(minimal(&name, &text, &id, node, &sigs));
        checked += 1;
        let errors: Vec<String> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            // A catch-all finding is about what a valid config does, not whether it is valid
            // (upstream's `redaction/empty` is accepted, and deletes every attribute).
            .filter(|d| d.code != "catch-all-rule")
            .map(|d| {
                format!(
                    "{}[{}] {}",
                    d.location
                        .as_ref()
                        .map(|l| l.to_string())
                        .unwrap_or_default(),
                    d.code,
                    d.message
                )
            })
            .collect();
        let tag = format!("line {} {} {}", r.line, r.file, r.id);
        match r.expectation.as_str() {
            "valid" if !errors.is_empty() => {
                failures.push(format!("{tag}: expected valid, got {errors:#?}"))
            }
            "invalid" if errors.is_empty() => {
                failures.push(format!("{tag}: expected invalid, got no error"))
            }
            "invalid" => {
                if let Some(want) = expected_message(&r) {
                    // participle reports syntax errors at other positions than a PEG parser
                    // can: for those the verdict and the kind of error must agree.
                    let want = if want.contains("has invalid syntax") {
                        "has invalid syntax".to_owned()
                    } else {
                        want
                    };
                    if !errors.iter().any(|e| e.contains(&want)) {
                        failures.push(format!(
                            "{tag}: no error contains {want:?}; got {errors:#?}"
                        ));
                    }
                }
            }
            _ => {}
        }
        // Every error points into the upstream file it came from.
        for d in analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
        {
            if d.location.as_ref().is_none_or(|l| l.line == 0) {
                failures.push(format!("{tag}: error without a position: {}", d.message));
            }
        }
    }
    assert!(checked >= 140, "only {checked} rows checked");
    assert!(
        failures.is_empty(),
        "{} row(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
