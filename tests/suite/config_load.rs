//! Reading and merging config files; inputs that cannot be a collector config.

use otelcheck::config::node::NodeKind;
use otelcheck::config::{load_config_str, load_configs, LoadOptions, LoadedConfig};
use otelcheck::diag::Diagnostic;
use std::path::PathBuf;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/config")
        .join(rel)
}

fn load(rels: &[&str]) -> Result<LoadedConfig, Vec<Diagnostic>> {
    let paths: Vec<PathBuf> = rels.iter().map(|r| fixture(r)).collect();
    load_configs(&paths, &LoadOptions::default())
}

fn file_name(loc: &otelcheck::diag::Location) -> &str {
    loc.file.rsplit('/').next().unwrap_or(&loc.file)
}

#[test]
fn merges_maps_deeply_and_later_scalars_win() {
    let cfg = load(&["merge/base.yaml", "merge/override.yaml"]).unwrap();
    assert_eq!(cfg.files.len(), 2);
    let debug = cfg
        .root
        .get("exporters")
        .and_then(|e| e.get("debug"))
        .unwrap();
    let verbosity = debug.get("verbosity").unwrap();
    assert_eq!(verbosity.kind, NodeKind::Str("detailed".into()));
    assert_eq!(
        (
            file_name(&verbosity.loc),
            verbosity.loc.line,
            verbosity.loc.column
        ),
        ("override.yaml", 11, 16)
    );
    // batch: keys of both files survive
    let batch = cfg
        .root
        .get("processors")
        .and_then(|p| p.get("batch"))
        .unwrap();
    assert_eq!(
        batch.get("timeout").map(|n| &n.kind),
        Some(&NodeKind::Str("1s".into()))
    );
    assert_eq!(
        batch.get("send_batch_size").map(|n| &n.kind),
        Some(&NodeKind::Int(512))
    );
    let timeout = batch.get("timeout").unwrap();
    assert_eq!(
        (file_name(&timeout.loc), timeout.loc.line),
        ("base.yaml", 13)
    );
}

#[test]
fn lists_are_replaced_not_appended() {
    let cfg = load(&["merge/base.yaml", "merge/override.yaml"]).unwrap();
    let actions = cfg
        .root
        .get("processors")
        .and_then(|p| p.get("attributes/tag"))
        .and_then(|a| a.get("actions"))
        .and_then(|a| a.as_seq())
        .unwrap();
    assert_eq!(actions.len(), 1);
    let value = actions[0].get("value").unwrap();
    assert_eq!(value.kind, NodeKind::Str("prod".into()));
    assert_eq!(
        (file_name(&value.loc), value.loc.line),
        ("override.yaml", 5)
    );
}

#[test]
fn three_files_merge_in_order() {
    let cfg = load(&["merge/base.yaml", "merge/override.yaml", "merge/third.yaml"]).unwrap();
    let protocols = cfg
        .root
        .get("receivers")
        .and_then(|r| r.get("otlp"))
        .and_then(|o| o.get("protocols"))
        .unwrap();
    let keys: Vec<&str> = protocols
        .as_map()
        .unwrap()
        .iter()
        .map(|(k, _)| k.name.as_str())
        .collect();
    assert_eq!(keys, ["grpc", "http"]);
    let procs = cfg
        .root
        .get("service")
        .and_then(|s| s.get("pipelines"))
        .and_then(|p| p.get("traces"))
        .and_then(|t| t.get("processors"))
        .unwrap();
    assert_eq!(procs.as_seq().map(<[_]>::len), Some(1));
    assert_eq!(file_name(&procs.loc), "third.yaml");
    // the untouched receivers list still points into base.yaml
    let recv = cfg
        .root
        .get("service")
        .and_then(|s| s.get("pipelines"))
        .and_then(|p| p.get("traces"))
        .and_then(|t| t.get("receivers"))
        .unwrap();
    assert_eq!((file_name(&recv.loc), recv.loc.line), ("base.yaml", 20));
}

#[test]
fn null_in_a_later_file_replaces_a_map() {
    let cfg = otelcheck::config::load_config_strs(
        &[
            (
                "a.yaml",
                "receivers:\n  otlp:\n    protocols:\n      grpc:\n",
            ),
            ("b.yaml", "receivers:\n  otlp:\n"),
        ],
        &LoadOptions::default(),
    )
    .unwrap();
    assert!(cfg
        .root
        .get("receivers")
        .and_then(|r| r.get("otlp"))
        .is_some_and(|o| o.is_null()));
}

fn single_error(result: Result<LoadedConfig, Vec<Diagnostic>>) -> Diagnostic {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(mut errs) => {
            assert_eq!(errs.len(), 1, "{errs:?}");
            let e = errs.remove(0);
            assert_eq!(e.code, "invalid-config");
            assert!(e.location.is_some() && e.help.is_some());
            e
        }
    }
}

#[test]
fn broken_yaml_reports_line_and_column() {
    let e = single_error(load(&["broken/bad-yaml.yaml"]));
    let loc = e.location.unwrap();
    // the parser notices the unclosed `[` at the `:` of the next mapping key
    assert_eq!(
        (file_name(&loc), loc.line, loc.column),
        ("bad-yaml.yaml", 4, 10)
    );
    assert!(
        e.message.contains("invalid YAML: illegal placement of ':'"),
        "{}",
        e.message
    );
    assert!(e.message.starts_with("invalid YAML"), "{}", e.message);
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(
        single_error(load(&["broken/empty.yaml"])).message,
        "empty configuration file"
    );
    assert_eq!(
        single_error(load(&["broken/comment-only.yaml"])).message,
        "empty configuration file"
    );
    // an empty file among others merges as nothing
    assert!(load(&["merge/base.yaml", "broken/empty.yaml"]).is_ok());
}

#[test]
fn missing_file() {
    let e = single_error(load(&["nope/does-not-exist.yaml"]));
    assert!(
        e.message.contains("cannot read config file"),
        "{}",
        e.message
    );
}

#[test]
fn documents_that_are_not_mappings() {
    let e = single_error(load(&["broken/top-level-list.yaml"]));
    assert!(e.message.contains("a list"), "{}", e.message);
    let e = single_error(load(&["broken/scalar.yaml"]));
    assert!(e.message.contains("a string"), "{}", e.message);
}

#[test]
fn foreign_yaml_is_not_a_collector_config() {
    let e = single_error(load(&["broken/k8s-manifest.yaml"]));
    assert!(
        e.message.contains("not a collector config"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("apiVersion, kind, metadata, spec"),
        "{}",
        e.message
    );
    assert_eq!(e.location.map(|l| (l.line, l.column)), Some((1, 1)));
}

#[test]
fn duplicate_keys_are_rejected() {
    let e = single_error(load(&["broken/duplicate-key.yaml"]));
    assert!(e.message.contains("duplicate"), "{}", e.message);
}

#[test]
fn garbage_never_panics() {
    for text in [
        "",
        "{",
        "]]]",
        "a: [",
        "\t- x",
        "? x",
        "!!binary foo",
        "&a [*a]",
        "receivers: *x",
        "\u{0}",
        "key: \"\\u12\"",
        "---\n---\n",
    ] {
        let _ = load_config_str("g.yaml", text, &LoadOptions::default());
    }
}
