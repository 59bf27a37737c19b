//! Snapshots of the diagnostics for broken processor settings in `fixtures/config/settings/`.
//! Each top-level key of a fixture is one processor (`type[/name]`), decoded for a traces
//! pipeline; diagnostics render as `file:line:col: severity[code] message` plus notes and help.

use otelcheck::config::node::parse_yaml;
use otelcheck::config::settings::{decode_processor, Signal};
use std::fmt::Write as _;
use std::sync::Arc;

fn render(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).expect("fixture");
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("fixture.yaml");
    let file: Arc<str> = name.into();
    let doc = parse_yaml(&file, &text).expect("fixture yaml");
    let mut out = String::new();
    for (key, node) in doc.as_map().unwrap_or_default() {
        let ty = key.name.split('/').next().unwrap_or_default();
        let (settings, diags) = decode_processor(ty, node, &[Signal::Traces]);
        let _ = writeln!(out, "== {} (accepted: {})", key.name, settings.is_some());
        for d in diags {
            let loc = d.location.map(|l| format!("{l}: ")).unwrap_or_default();
            let _ = writeln!(out, "{loc}{}[{}] {}", d.severity, d.code, d.message);
            for n in d.notes {
                let _ = writeln!(out, "   = note: {n}");
            }
            if let Some(h) = d.help {
                let _ = writeln!(out, "   = help: {h}");
            }
        }
    }
    out
}

#[test]
fn broken_settings_snapshots() {
    insta::glob!("../../fixtures/config/settings", "*.yaml", |path| {
        insta::assert_snapshot!(render(path));
    });
}
