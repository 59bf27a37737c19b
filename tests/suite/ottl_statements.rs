//! Statements driven by text: the editor rows of `ottl.md` §12 (and the `z ← X` value rows) are
//! parsed, checked, compiled and executed on the §12 fixture span, and the span afterwards is
//! compared with what the table says upstream stores.

use otelcheck::capture::model::{AnyValue, Attributes, Span};
use otelcheck::ottl::runtime::{compile_statement, ItemMut, Ran};
use otelcheck::ottl::{check_statement, parse_statement, CheckOptions, Context, PathMode};

use crate::ottl_eval_text::harness::{fixture, Stage};

type Outcome = Result<Span, (Stage, String)>;

/// Run `texts` in order on the fixture span (stopping at the first failure), with one fresh
/// `cache` for the item as the transform processor gives each item.
fn run_all(texts: &[&str]) -> Outcome {
    otelcheck::ottl::runtime::with_cache(&mut Attributes::new(), || run_in_cache(texts))
}

fn run_in_cache(texts: &[&str]) -> Outcome {
    let (mut resource, mut scope, mut span) = fixture();
    let mode = PathMode::Explicit(Context::Span);
    let opts = CheckOptions {
        mode,
        editors_allowed: true,
    };
    let joined = |errs: Vec<otelcheck::ottl::OttlError>| {
        errs.iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    };
    for text in texts {
        let tree = parse_statement(text).map_err(|e| (Stage::Parse, joined(e)))?;
        let errs = check_statement(&tree, Context::Span, &opts);
        if !errs.is_empty() {
            return Err((Stage::Check, joined(errs)));
        }
        let stmt = compile_statement(&tree, text, Context::Span, mode)
            .map_err(|e| (Stage::Compile, e.message))?;
        let mut item = ItemMut {
            resource: &mut resource,
            scope: &mut scope,
            span: Some(&mut span),
            event: None,
        };
        stmt.execute(&mut item)
            .map_err(|e| (Stage::Run, e.message))?;
    }
    Ok(span)
}

fn run(text: &str) -> Outcome {
    run_all(&[text])
}

fn attrs(o: &Outcome) -> &Attributes {
    &o.as_ref().expect("statement ran").attributes
}

fn get<'a>(o: &'a Outcome, key: &str) -> Option<&'a AnyValue> {
    attrs(o).get(key)
}

fn s(x: &str) -> AnyValue {
    AnyValue::Str(x.into())
}

fn run_err(o: &Outcome) -> String {
    match o {
        Err((Stage::Run, m)) => m.clone(),
        other => panic!("expected a run-time error, got {other:?}"),
    }
}

fn rejected(o: &Outcome) -> String {
    match o {
        Err((stage, m)) if *stage != Stage::Run => m.clone(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn set_nil_is_a_no_op() {
    assert_eq!(
        get(&run(r#"set(attributes["s"], nil)"#), "s"),
        Some(&s("abc"))
    );
    let o = run(r#"set(attributes["s"], attributes["missing"])"#);
    assert_eq!(get(&o, "s"), Some(&s("abc")));
    assert_eq!(get(&run(r#"set(attributes["z"], nil)"#), "z"), None);
}

#[test]
fn set_values_and_math() {
    let z = |expr: &str| run(&format!(r#"set(attributes["z"], {expr})"#));
    assert_eq!(get(&z("1 + 2 * 3"), "z"), Some(&AnyValue::Int(7)));
    assert_eq!(get(&z("-7 / 2"), "z"), Some(&AnyValue::Int(-3)));
    assert_eq!(
        get(&z(r#"attributes["i"] + attributes["fh"]"#), "z"),
        Some(&AnyValue::Double(202.5))
    );
    assert_eq!(get(&z("0x1F"), "z"), Some(&AnyValue::Bytes(vec![0x1f])));
    assert_eq!(
        get(&z(r#"Split(attributes["csv"], ",")[0]"#), "z"),
        Some(&s("a"))
    );
    assert_eq!(
        get(&z(r#"attributes[attributes["key"]]"#), "z"),
        Some(&s("abc"))
    );
    assert_eq!(get(&z(r#"attributes["m"]["zz"]["yy"]"#), "z"), None);
    assert_eq!(
        get(&z(r#"{"a": 1, "a": 2}"#), "z").map(|v| v.type_name()),
        Some("Map")
    );
    assert!(run_err(&z("1 / 0")).contains("attempted to divide by 0"));
}

#[test]
fn set_of_an_unstorable_value_leaves_an_empty_value() {
    let o = run_all(&[r#"set(attributes["z"], end_time - start_time)"#]);
    assert!(run_err(&o).contains("unsupported type time.Duration for set operation"));
    // The key was created before the value was refused (ctxutil.SetMapValue).
    let (mut resource, mut scope, mut span) = fixture();
    let text = r#"set(attributes["z"], start_time)"#;
    let tree = parse_statement(text).unwrap();
    let stmt = compile_statement(
        &tree,
        text,
        Context::Span,
        PathMode::Explicit(Context::Span),
    )
    .unwrap();
    let mut item = ItemMut {
        resource: &mut resource,
        scope: &mut scope,
        span: Some(&mut span),
        event: None,
    };
    let err = stmt.execute(&mut item).unwrap_err();
    assert!(err.message.contains("time.Time"));
    assert_eq!(span.attributes.get("z"), Some(&AnyValue::Empty));
}

#[test]
fn set_through_missing_containers_and_out_of_range() {
    let o = run(r#"set(attributes["z"][2], 1)"#);
    assert_eq!(
        get(&o, "z"),
        Some(&AnyValue::Slice(vec![
            AnyValue::Empty,
            AnyValue::Empty,
            AnyValue::Int(1)
        ]))
    );
    assert!(run_err(&run(r#"set(attributes["l"][5], 1)"#)).contains("index 5 out of bounds"));
    // A huge index through an empty value is refused rather than exhausting memory.
    let e = run_err(&run(r#"set(attributes["z"][4000000000], 1)"#));
    assert!(e.contains("otelcheck refuses"), "{e}");
}

#[test]
fn set_span_fields_follow_the_span_setters() {
    assert!(run_err(&run("set(name, 1)")).contains("expects string but got int64"));
    assert_eq!(run("set(kind, 99)").unwrap().kind, 99);
    assert_eq!(run(r#"set(kind.string, "Client")"#).unwrap().kind, 3);
    assert!(
        run_err(&run(r#"set(kind.string, "Bogus")"#)).contains("unknown span kind string, Bogus")
    );
    assert!(run_err(&run(r#"set(trace_id.string, "zz")"#))
        .contains("trace ids must be 32 hex characters"));
    let e = run_err(&run(r#"set(span_id.string, "zzzzzzzzzzzzzzzz")"#));
    assert_eq!(e, "encoding/hex: invalid byte: U+007A 'z'");
    let sp = run(r#"set(span_id.string, "0102030405060708")"#).unwrap();
    assert_eq!(sp.span_id, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(
        run(r#"set(status.code, STATUS_CODE_OK)"#)
            .unwrap()
            .status
            .code,
        1
    );
    assert_eq!(
        run(r#"set(trace_state["k2"], "new")"#).unwrap().trace_state,
        "k2=new,k1=v1"
    );
}

/// `trace_state["k"]` goes through go.opentelemetry.io/otel/trace (ottl.md §paths): a key or
/// value the W3C rules reject is silently not written, and on a trace state that is not valid
/// W3C text the key reads as nil and writing it does nothing.
#[test]
fn trace_state_keys_follow_the_w3c_rules() {
    for bad in [
        r#"set(trace_state["K3"], "x")"#,
        r#"set(trace_state["3k"], "x")"#,
        r#"set(trace_state["k3"], "a,b")"#,
        r#"set(trace_state["k3"], "a=b")"#,
        r#"set(trace_state["k3"], "")"#,
        r#"set(trace_state["k3"], "trailing ")"#,
    ] {
        assert_eq!(run(bad).unwrap().trace_state, "k1=v1,k2=v2", "{bad}");
    }
    assert_eq!(
        run(r#"set(trace_state["vendor@sys"], "a b")"#)
            .unwrap()
            .trace_state,
        "vendor@sys=a b,k1=v1,k2=v2"
    );
    let invalid = run_all(&[
        r#"set(trace_state, "k1=v1,Bad=x")"#,
        r#"set(trace_state["k3"], "x")"#,
        r#"set(attributes["k1_is_nil"], true) where trace_state["k1"] == nil"#,
    ])
    .unwrap();
    assert_eq!(invalid.trace_state, "k1=v1,Bad=x");
    assert_eq!(
        invalid.attributes.get("k1_is_nil"),
        Some(&AnyValue::Bool(true))
    );
}

#[test]
fn truncate_all_cuts_bytes_utf8_safe_by_default() {
    let o = run_all(&[
        r#"set(attributes["z"], "aé")"#,
        "truncate_all(attributes, 2)",
    ]);
    assert_eq!(get(&o, "z"), Some(&s("a")));
    assert_eq!(get(&o, "s"), Some(&s("ab")));
    assert_eq!(get(&o, "i"), Some(&AnyValue::Int(200)));
    // Named after positional leaves `limit` unset: the checker reports it, upstream runs with
    // Go's zero value, and so does the compiled statement.
    let text = "truncate_all(attributes, utf8_safe = true)";
    assert!(rejected(&run(text)).contains("runs truncate_all with limit 0"));
    let tree = parse_statement(text).unwrap();
    let stmt = compile_statement(
        &tree,
        text,
        Context::Span,
        PathMode::Explicit(Context::Span),
    )
    .unwrap();
    let (mut r, mut sc, mut sp) = fixture();
    let mut item = ItemMut {
        resource: &mut r,
        scope: &mut sc,
        span: Some(&mut sp),
        event: None,
    };
    stmt.execute(&mut item).unwrap();
    assert_eq!(sp.attributes.get("s"), Some(&s("")));
    assert!(rejected(&run("truncate_all(attributes, -1)")).contains("must be an int"));
}

#[test]
fn limit_keeps_priority_keys() {
    let o = run(r#"limit(attributes, 2, ["s", "nl"])"#);
    let keys: Vec<&str> = attrs(&o).iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["s", "nl"]);
    let e = rejected(&run(r#"limit(attributes, 2, ["s", "nl", "dig"])"#));
    assert!(
        e.contains("2 cannot be less than number of priority attributes 3"),
        "{e}"
    );
}

#[test]
fn key_editors() {
    let o = run(r#"delete_key(attributes, "s")"#);
    assert_eq!(get(&o, "s"), None);
    assert_eq!(attrs(&o).len(), 16);
    let o = run(r#"delete_matching_keys(attributes, "^[a-c]")"#);
    assert!(attrs(&o)
        .iter()
        .all(|(k, _)| !k.starts_with(['a', 'b', 'c'])));
    assert_eq!(get(&o, "s"), Some(&s("abc")));
    let o = run(r#"keep_keys(attributes, ["s", "i", "missing"])"#);
    assert_eq!(attrs(&o).len(), 2);
    let o = run(r#"keep_matching_keys(attributes, "^(s|snum)$")"#);
    assert_eq!(attrs(&o).len(), 2);
    let o = run(r#"delete_key(attributes["m"], "a")"#);
    let Some(AnyValue::Map(m)) = get(&o, "m") else {
        panic!("m is a map")
    };
    assert_eq!(m.len(), 1);
    assert!(run_err(&run(r#"delete_key(attributes["s"], "a")"#)).contains("expected pcommon.Map"));
}

#[test]
fn replace_pattern_rows() {
    let o = run(r#"replace_pattern(attributes["dig"], "(\\d+)", "<$1>")"#);
    assert_eq!(get(&o, "dig"), Some(&s("x<123>y")));
    let o = run(r#"replace_pattern(attributes["dig"], "(\\d+)", "<$$1>")"#);
    assert_eq!(get(&o, "dig"), Some(&s("x<$1>y")));
    let o = run(r##"replace_pattern(attributes["dig"], "^\\d", "#")"##);
    assert_eq!(get(&o, "dig"), Some(&s("x123y")));
    let o = run(r#"replace_pattern(attributes["dig"], "(\\d+)", "$1", SHA256, "h:%s")"#);
    // sha256("123")
    let want = "xh:a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3y";
    assert_eq!(get(&o, "dig"), Some(&s(want)));
    let e = run_err(&run(
        r#"replace_pattern(attributes["dig"], "(\\d+)", "$1", SHA256, "nofmt")"#,
    ));
    assert!(e.contains("%s"), "{e}");
    let o = run(r#"replace_pattern(attributes["i"], "2", "3")"#);
    assert_eq!(get(&o, "i"), Some(&AnyValue::Int(200)));
}

#[test]
fn replace_all_patterns_on_values_and_keys() {
    let o = run(r#"replace_all_patterns(attributes, "value", "^a", "Z")"#);
    assert_eq!(get(&o, "s"), Some(&s("Zbc")));
    assert_eq!(get(&o, "csv"), Some(&s("Z,b,c")));
    let o = run(r#"replace_all_patterns(attributes, "key", "^s", "t")"#);
    assert_eq!(get(&o, "tnum"), Some(&s("200")));
    assert_eq!(get(&o, "snum"), None);
    let e = rejected(&run(
        r#"replace_all_patterns(attributes, "both", "a", "b")"#,
    ));
    assert!(e.contains("invalid mode both"), "{e}");
}

#[test]
fn glob_editors() {
    let o = run(r#"replace_match(attributes["csv"], "a,?,c", "X")"#);
    assert_eq!(get(&o, "csv"), Some(&s("X")));
    let o = run(r#"replace_all_matches(attributes, "*b*", "X")"#);
    assert_eq!(get(&o, "s"), Some(&s("X")));
    assert_eq!(get(&o, "csv"), Some(&s("X")));
    assert_eq!(get(&o, "dig"), Some(&s("x123y")));
}

#[test]
fn stringify_all_uses_pdata_as_string() {
    let o = run("stringify_all(attributes)");
    assert_eq!(get(&o, "by"), Some(&s("AQID")));
    assert_eq!(get(&o, "m"), Some(&s(r#"{"a":1,"b":"x"}"#)));
    assert_eq!(get(&o, "f"), Some(&s("200")));
    assert_eq!(get(&o, "e"), Some(&s("")));
}

#[test]
fn merge_flatten_append_delete_index() {
    let o = run(r#"merge_maps(attributes, {"s": "new", "n": 1}, "insert")"#);
    assert_eq!(get(&o, "s"), Some(&s("abc")));
    assert_eq!(get(&o, "n"), Some(&AnyValue::Int(1)));
    let o = run(r#"merge_maps(attributes, {"s": "new", "n": 1}, "update")"#);
    assert_eq!((get(&o, "s"), get(&o, "n")), (Some(&s("new")), None));
    let o = run(r#"flatten(attributes["m"], "p")"#);
    let Some(AnyValue::Map(m)) = get(&o, "m") else {
        panic!("m is a map")
    };
    assert_eq!(m.get("p.a"), Some(&AnyValue::Int(1)));
    let o = run(r#"flatten(attributes)"#);
    assert_eq!(get(&o, "m.b"), Some(&s("x")));
    assert_eq!(get(&o, "l.1"), Some(&s("b")));
    let o = run(r#"append(attributes["l"], "c")"#);
    assert_eq!(
        get(&o, "l"),
        Some(&AnyValue::Slice(vec![s("a"), s("b"), s("c")]))
    );
    let o = run(r#"append(attributes["s"], values = [1, 2])"#);
    assert_eq!(
        get(&o, "s"),
        Some(&AnyValue::Slice(vec![
            s("abc"),
            AnyValue::Int(1),
            AnyValue::Int(2)
        ]))
    );
    let o = run(r#"delete_index(attributes["l"], 0)"#);
    assert_eq!(get(&o, "l"), Some(&AnyValue::Slice(vec![s("b")])));
    let e = run_err(&run(r#"delete_index(attributes["l"], 5)"#));
    assert!(
        e.contains("startIndex 5 out of bounds for slice of length 2"),
        "{e}"
    );
}

#[test]
fn where_clause_and_cache() {
    let o = run(r#"set(attributes["z"], 1) where name == "nope""#);
    assert_eq!(get(&o, "z"), None);
    let o = run(r#"set(attributes["z"], 1) where IsRootSpan()"#);
    assert_eq!(get(&o, "z"), Some(&AnyValue::Int(1)));
    let o = run_all(&[
        r#"set(cache["x"], attributes["s"])"#,
        r#"set(attributes["z"], cache["x"])"#,
    ]);
    assert_eq!(get(&o, "z"), Some(&s("abc")));
}

#[test]
fn editors_report_their_name_and_constant_false_where() {
    let tree = parse_statement(r#"set(name, "x") where 1 == 2"#).unwrap();
    let stmt =
        compile_statement(&tree, "t", Context::Span, PathMode::Explicit(Context::Span)).unwrap();
    assert!(stmt.never_runs());
    assert_eq!(stmt.editor_name(), "set");
    let (mut r, mut sc, mut sp) = fixture();
    let mut item = ItemMut {
        resource: &mut r,
        scope: &mut sc,
        span: Some(&mut sp),
        event: None,
    };
    assert_eq!(stmt.execute(&mut item).unwrap(), Ran::Skipped);
}
