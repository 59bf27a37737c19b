//! `${...}` expansion against the observed v0.156.0 behaviour (processors.md table H and the
//! §10 bullet list). Values are read back from an attributes `value:` as in the observations.

use otelcheck::config::node::NodeKind;
use otelcheck::config::{load_config_str, LoadOptions};
use otelcheck::diag::{Diagnostic, Severity};
use std::collections::HashMap;

fn opts() -> LoadOptions {
    let env: HashMap<String, String> = [
        ("X1", "hello"),
        ("NUM", "5"),
        ("EMPTY", ""),
        ("Y", "${env:X1}-y"),
        ("LIST", "[1, 2]"),
        ("MAP", "{a: 1}"),
        ("QUOTED", "\"5\""),
        ("SPACED", " x "),
        ("HEX", "0x10"),
        ("OCT", "010"),
        ("DBL", "0.50"),
        ("BOOL", "true"),
        ("SELF", "${env:SELF}"),
        ("DOLLARS", "a$$b"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    LoadOptions {
        sets: Vec::new(),
        env,
    }
}

const HEAD: &str = "receivers:\n  otlp:\nexporters:\n  debug:\nprocessors:\n  attributes:\n    actions:\n      - key: k\n        value: ";

/// Expand `written` (YAML source text of the value) and return the value and the warnings.
fn expand_with(
    written: &str,
    o: &LoadOptions,
) -> Result<(NodeKind, Vec<Diagnostic>), Vec<Diagnostic>> {
    let text = format!("{HEAD}{written}\n        action: insert\n");
    let loaded = load_config_str("c.yaml", &text, o)?;
    let value = loaded
        .root
        .get("processors")
        .and_then(|p| p.get("attributes"))
        .and_then(|a| a.get("actions"))
        .and_then(|a| a.as_seq())
        .and_then(|s| s.first())
        .and_then(|a| a.get("value"))
        .map(|v| v.kind.clone());
    Ok((value.unwrap_or(NodeKind::Null), loaded.warnings))
}

fn expand(written: &str) -> NodeKind {
    match expand_with(written, &opts()) {
        Ok((v, _)) => v,
        Err(e) => panic!("{written}: unexpected error {e:?}"),
    }
}

fn s(v: &str) -> NodeKind {
    NodeKind::Str(v.to_owned())
}

#[test]
fn table_h_rows() {
    assert_eq!(expand("${env:X1}"), s("hello"));
    assert_eq!(expand("${X1}"), s("hello"));
    assert_eq!(expand("pre-${env:U}-post"), s("pre--post"));
    assert_eq!(expand("${env:U:-dflt}"), s("dflt"));
    assert_eq!(expand("x${env:EMPTY:-dflt}x"), s("xx"));
    assert_eq!(expand("${env:NUM}"), NodeKind::Int(5));
    assert_eq!(expand("n-${env:NUM}"), s("n-5"));
    assert_eq!(expand("$${env:X1}"), s("${env:X1}"));
    assert_eq!(expand("a$$b"), s("a$b"));
    assert_eq!(expand("$X1"), s("$X1"));
    assert_eq!(expand("${env:U}"), NodeKind::Null);
}

#[test]
fn scheme_less_default_is_a_scheme_error() {
    let err = expand_with("${X1:-dflt}", &opts()).unwrap_err();
    assert_eq!(err.len(), 1);
    assert_eq!(err[0].code, "invalid-config");
    assert!(
        err[0]
            .message
            .contains(r#"scheme "X1" is not supported for uri "X1:-dflt""#),
        "{}",
        err[0].message
    );
    let loc = err[0].location.as_ref().unwrap();
    assert_eq!((loc.line, loc.column), (9, 16));
}

#[test]
fn whole_value_takes_the_yaml_type() {
    assert_eq!(expand("${env:BOOL}"), NodeKind::Bool(true));
    assert_eq!(expand("${env:DBL}"), NodeKind::Float(0.5));
    assert_eq!(expand("${env:HEX}"), NodeKind::Int(16));
    assert_eq!(expand("${env:OCT}"), NodeKind::Int(8));
    assert_eq!(expand("${env:QUOTED}"), s("\"5\""));
    assert_eq!(expand("${env:SPACED}"), s(" x "));
    let NodeKind::Seq(items) = expand("${env:LIST}") else {
        panic!("not a list")
    };
    assert_eq!(
        items.iter().map(|n| n.kind.clone()).collect::<Vec<_>>(),
        [NodeKind::Int(1), NodeKind::Int(2)]
    );
    let NodeKind::Map(entries) = expand("${env:MAP}") else {
        panic!("not a map")
    };
    assert_eq!(
        (entries[0].0.name.as_str(), &entries[0].1.kind),
        ("a", &NodeKind::Int(1))
    );
    // embedded, the same variables are spliced in as text
    assert_eq!(expand("v=${env:HEX}"), s("v=0x10"));
    assert_eq!(expand("'${env:NUM}'"), NodeKind::Int(5));
}

#[test]
fn defaults_and_empty_values() {
    assert_eq!(expand("${env:U:-a:b}"), s("a:b"));
    assert_eq!(expand("${env:EMPTY:-dflt}"), NodeKind::Null);
    assert_eq!(expand("${env:U:-}"), s(""));
    assert_eq!(expand("${env:U:-${env:X1}}"), s("hello"));
    assert_eq!(expand("${env:U:-7}"), NodeKind::Int(7));
}

#[test]
fn dollar_escapes() {
    assert_eq!(expand("$$X"), s("$X"));
    assert_eq!(expand("$$${env:X1}"), s("$hello"));
    assert_eq!(expand("$$$${env:X1}"), s("$${env:X1}"));
    assert_eq!(expand("${env:X1"), s("${env:X1"));
    assert_eq!(expand("${env:DOLLARS}"), s("a$b"));
}

#[test]
fn expansion_is_recursive() {
    assert_eq!(expand("${env:Y}"), s("hello-y"));
    assert_eq!(expand("<${env:Y}>"), s("<hello-y>"));
    let err = expand_with("${env:SELF}", &opts()).unwrap_err();
    assert!(
        err[0].message.contains("too many recursive expansions"),
        "{}",
        err[0].message
    );
}

#[test]
fn unset_variable_warns_with_name_and_location() {
    let (v, warnings) = expand_with("pre-${env:U}-post", &opts()).unwrap();
    assert_eq!(v, s("pre--post"));
    assert_eq!(warnings.len(), 1);
    let w = &warnings[0];
    assert_eq!((w.code, w.severity), ("unset-variable", Severity::Warning));
    assert!(w.message.contains("\"U\""), "{}", w.message);
    let loc = w.location.as_ref().unwrap();
    assert_eq!((&*loc.file, loc.line, loc.column), ("c.yaml", 9, 16));
    assert!(w.help.is_some());
    // with a default there is nothing to warn about
    assert!(expand_with("${env:U:-d}", &opts()).unwrap().1.is_empty());
}

#[test]
fn invalid_names_and_schemes() {
    let msg = |w: &str| expand_with(w, &opts()).unwrap_err()[0].message.clone();
    assert!(msg("${env:1BAD}").contains(
        r#"environment variable "1BAD" has invalid name: must match regex ^[a-zA-Z_][a-zA-Z0-9_]*$"#
    ));
    assert!(msg("${foo:bar}").contains(r#"scheme "foo" is not supported for uri "foo:bar""#));
    assert!(msg("${X:-d}").contains(r#"invalid uri: "X:-d""#));
    assert!(msg("${1BAD}").contains(r#"environment variable "1BAD" has invalid name"#));
}

#[test]
fn set_wins_over_environment() {
    let mut o = opts();
    o.sets.push(("X1".into(), "from-set".into()));
    o.sets.push(("NEW".into(), "42".into()));
    assert_eq!(expand_with("${env:X1}", &o).unwrap().0, s("from-set"));
    assert_eq!(expand_with("${NEW}", &o).unwrap().0, NodeKind::Int(42));
}

#[test]
fn keys_are_not_expanded() {
    let text = "receivers:\n  otlp:\nexporters:\n  debug:\n  ${env:X1}: 1\n";
    let loaded = load_config_str("c.yaml", text, &opts()).unwrap();
    assert!(loaded
        .root
        .get("exporters")
        .and_then(|e| e.get("${env:X1}"))
        .is_some());
}
