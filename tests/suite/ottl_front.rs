//! OTTL front end: parse + check verdicts for the reference tables (ottl.md §9, §12),
//! fixture snapshots, Display round trips, context inference, and a mutation smoke test.

use otelcheck::ottl::paths::{PathTarget, SpanEventField, SpanField};
use otelcheck::ottl::{
    self, check_condition, check_statement, check_value, infer_context, parse_condition_lenient,
    parse_statement_lenient, parse_value_lenient, resolve_path, CheckOptions, Context,
    InferenceHints, OttlError, OttlErrorKind, PathMode,
};

const SPAN: CheckOptions = CheckOptions {
    mode: PathMode::Explicit(Context::Span),
    editors_allowed: true,
};

/// Parse then (if a tree was built) check; all errors, sorted.
fn run(
    kind: char,
    text: &str,
    ctx: Context,
    opts: &CheckOptions,
) -> (Option<String>, Vec<OttlError>) {
    let (shown, mut errors) = match kind {
        'c' => {
            let (tree, mut errors) = parse_condition_lenient(text);
            if let Some(t) = &tree {
                errors.extend(check_condition(t, ctx, opts));
            }
            (tree.map(|t| t.node.to_string()), errors)
        }
        's' => {
            let (tree, mut errors) = parse_statement_lenient(text);
            if let Some(t) = &tree {
                errors.extend(check_statement(t, ctx, opts));
            }
            (tree.map(|t| t.to_string()), errors)
        }
        _ => {
            let (tree, mut errors) = parse_value_lenient(text);
            if let Some(t) = &tree {
                errors.extend(check_value(t, ctx, opts));
            }
            (tree.map(|t| t.node.to_string()), errors)
        }
    };
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    (shown, errors)
}

fn z(value: &str) -> String {
    format!("set(attributes[\"z\"], {value})")
}

enum Want {
    Ok,
    Err(OttlErrorKind, &'static str),
}
use OttlErrorKind::{Invalid as I, NonUpstream as N, Syntax as S};
use Want::{Err as E, Ok as O};

fn assert_verdict(kind: char, text: &str, want: &Want) {
    let (_, errors) = run(kind, text, Context::Span, &SPAN);
    match want {
        Want::Ok => assert!(errors.is_empty(), "{text:?} should be OK, got {errors:#?}"),
        Want::Err(k, sub) => {
            assert!(
                errors
                    .iter()
                    .any(|e| e.kind == *k && e.message.contains(sub)),
                "{text:?} should fail with {k:?} containing {sub:?}, got {errors:#?}"
            );
        }
    }
    for e in &errors {
        assert!(
            e.span.start <= e.span.end && e.span.end <= text.len(),
            "{text:?}: span {e:?}"
        );
    }
}

#[test]
fn section_12_literals() {
    let rows: &[(&str, Want)] = &[
        (r#""a\db""#, E(S, "invalid quoted string")),
        (r#""a\wb""#, E(S, "invalid quoted string")),
        (r#""a\.b""#, E(S, "invalid quoted string")),
        (r#""a\/b""#, E(S, "invalid quoted string")),
        (r#""a\'b""#, E(S, "invalid quoted string")),
        (r#""a\0b""#, E(S, "invalid quoted string")),
        (r#""a\x4b""#, O), // \x4b is a valid 2-digit escape
        (r#""a\x4""#, E(S, "invalid quoted string")),
        (r#""a\400b""#, E(S, "invalid quoted string")),
        (r#""a\ud800b""#, E(S, "invalid quoted string")),
        (r#""a\\db""#, O),
        (r#""\x41\x7a""#, O),
        ("\"tab\tcr\rnl\nx\"", O),
        ("'single'", E(S, "lexer: invalid input text")),
        ("`raw`", E(S, "lexer: invalid input text")),
        ("\"x\" # c", E(S, "lexer: invalid input text")),
        ("\"x\" // c", E(S, "unexpected token")),
        ("3.", O),
        (".5", O),
        ("1.e3", O),
        (".5E-2", O),
        ("1e3", E(S, "unexpected token")),
        ("1E+2", E(S, "unexpected token")),
        ("-1", O),
        ("+1", O),
        ("- 1", O),
        ("--1", E(S, "unexpected token")),
        ("-(-1)", O),
        ("5 - -3", O),
        ("3+-5", O),
        ("007", O),
        ("010", O),
        ("08", E(S, "strconv.ParseInt")),
        ("9223372036854775807", O),
        ("9223372036854775808", E(S, "value out of range")),
        ("-9223372036854775808", E(S, "value out of range")),
        ("1.0e400", E(S, "value out of range")),
        ("1_000", E(S, "lexer: invalid input text")),
        ("0x1F", O),
        ("0x1", E(S, "odd length hex string")),
        ("0X1F", E(S, "unexpected token")),
        ("0x", E(S, "unexpected token")),
    ];
    for (value, want) in rows {
        assert_verdict('s', &z(value), want);
    }
}

#[test]
fn section_12_conditions() {
    let conds: &[(&str, Want)] = &[
        ("0200 == 128", O),
        ("nil == nil", O),
        (r#"attributes["missing"] <= nil"#, O),
        (r#""nil" == nil"#, O),
        ("true or false and false", O),
        ("(true or false) and false", O),
        ("not false and false", O),
        ("not (not true)", O),
        ("not not true", E(S, "unexpected token")),
        ("name", E(S, "unexpected token")),
        (r#"attributes["b"]"#, E(S, "unexpected token")),
        ("Len(name)", O), // a run-time error only
        ("IsString(name) == true", O),
        ("(IsString(name)) == true", O),
        (r#"(name == "GET /x") == true"#, E(S, "unexpected token")),
        (r#"name == "GET /x" == true"#, E(S, "unexpected token")),
        ("kind == SPAN_KIND_SERVER", O),
        ("kind == 2.0", O),
        ("SPAN_KIND_CLIENT > SPAN_KIND_SERVER", O),
        (r#"end_time - start_time == Duration("5ms")"#, O),
        (r#"trace_state["k1"] == "v1""#, O),
        (r#"span.name == "GET /x""#, O),
        (r#"scope.name == "lib""#, O),
        (r#"instrumentation_scope.name == "lib""#, O),
        (r#"resource.schema_url == """#, O),
        ("otelcol.client.addr == nil", O),
        (
            r#"span.resource.attributes["x"] == nil"#,
            E(I, "segment \"resource\""),
        ),
        (r#"spanevent.name == "x""#, E(I, "segment \"spanevent\"")),
        ("status.foo == 1", E(I, "segment \"foo\"")),
        ("duration > 0", E(I, "segment \"duration\"")),
        (
            r#"name.string == "x""#,
            E(I, "the path section \"string\" was not used"),
        ),
        (
            r#"name["x"] == "x""#,
            E(I, "the keys indexing \"name\" were not used"),
        ),
        (
            r#"resource.cache["x"] == nil"#,
            E(
                I,
                "access to cache must be performed using the same context",
            ),
        ),
        (
            "kind == SEVERITY_NUMBER_INFO",
            E(I, "enum symbol, SEVERITY_NUMBER_INFO, not found"),
        ),
        (
            r#"trace_state["a"]["b"] == """#,
            E(I, "must provide exactly 1 key when accessing trace_state"),
        ),
        ("IsRootSpan(1, 2, 3)", O),
        (
            "IsMatch(name)",
            E(I, "incorrect number of arguments. Expected: 2 Received: 1"),
        ),
        (
            "Len(name, 2) == 1",
            E(I, "incorrect number of arguments. Expected: 1 Received: 2"),
        ),
        (r#"IsMatch(name, "a",)"#, E(S, "unexpected token")),
        (r#"Is Match(name, "GET")"#, O),
        (r#"IsMatch(attributes["i"], "^200$")"#, O),
        (r#"IsMatch(name, "(?i)^get")"#, O),
        (r#"IsMatch(attributes["dig"], "\\d+")"#, O),
        (r#"IsMatch(name, "\\p{L}")"#, O),
        (r#"IsMatch(attributes["s"], "(?<x>a)")"#, O),
        (r#"IsMatch(name, "(a)\\1")"#, E(I, "is not a valid pattern")),
        (r#"IsMatch(name, "a(?=b)")"#, E(I, "is not a valid pattern")),
        (r#"IsMatch(name, "a{2,1}")"#, E(I, "is not a valid pattern")),
        (
            r#"IsMatch(name, "(")"#,
            E(I, "the regex pattern supplied to IsMatch"),
        ),
        (r#"IsMatch(name, Concat(["(", ""], ""))"#, O),
        ("IsMatch(name, 1)", E(I, "expected string but got int64")),
        (r#"HasPrefix(attributes["missing"], "a")"#, O),
        (
            r#"HasPrefix(nil, "a")"#,
            E(I, "expected string but got nil"),
        ),
        (r#"SHA256(attributes["i"]) == nil"#, O),
        (r#"IsBool("true")"#, E(I, "expected bool but got string")),
        (r#"IsString(attributes["i"])"#, O),
        (r#"Len(attributes["i"]) == 3"#, O),
        (r#"attributes["x"] != null"#, E(I, "segment \"null\"")),
        (
            r#"name =~ "GET .*""#,
            E(N, "the \"=~\" operator is not OTTL"),
        ),
        (
            r#"name !~ "GET .*""#,
            E(N, "the \"!~\" operator is not OTTL"),
        ),
    ];
    for (cond, want) in conds {
        assert_verdict('c', cond, want);
    }
}

#[test]
fn section_12_values() {
    let values: &[(&str, Want)] = &[
        ("1 + 2 * 3", O),
        ("(1 + 2) * 3", O),
        ("7 / 2.0", O),
        (r#"attributes["i"] + attributes["fh"]"#, O),
        ("1 / 0", O),
        (r#""a" + "b""#, E(S, "unexpected token")),
        ("true + 1", E(S, "unexpected token")),
        ("nil + 1", E(S, "unexpected token")),
        ("0x01 + 1", E(S, "unexpected token")),
        ("SPAN_KIND_SERVER + 1", E(S, "unexpected token")),
        ("5 % 2", E(S, "lexer: invalid input text")),
        (r#"-attributes["s"]"#, O),
        (r#"Milliseconds(Duration("1s") - Duration("1ms"))"#, O),
        (r#"Split(attributes["csv"], ",")[0]"#, O),
        (r#"Split(attributes["csv"], ",")[(1 + 1)]"#, O),
        (r#"attributes["l"][Len(attributes["l"]) - 1]"#, O),
        (r#"attributes["l"][1 + 0]"#, E(S, "unexpected token")),
        (r#"attributes["l"][2 - 1]"#, E(S, "unexpected token")),
        (r#"attributes["l"][1 * 1]"#, E(S, "unexpected token")),
        (r#"attributes["l"][-1 + 2]"#, O),
        (r#"attributes["l"][(1)]"#, O),
        (r#"ParseJSON("{\"a\":1}")["a"]"#, O),
        (r#"cache["x"]"#, O),
        (
            "(x) => x",
            E(I, "`ottl.functions.enableLambda` feature gate"),
        ),
        (
            "(x) => (y) => x",
            E(
                I,
                "lambda body cannot result into another lambda expression",
            ),
        ),
        ("x => x", E(S, "unexpected token")),
        (
            r#"Concat([attributes["s"], attributes["missing"], 1, 2.5, true, attributes["by"]], "-")"#,
            O,
        ),
        (
            r#"Concat(attributes["l"], "-")"#,
            E(I, "must be a list of type"),
        ),
        (
            r#"Concat(["a", "b"], nil)"#,
            E(I, "expected string but got nil"),
        ),
        (r#"Int("x")"#, O),
        ("Int(-2.7)", O),
        (r#"Double("x")"#, E(I, "strconv.ParseFloat")),
        (r#"Bool("yes")"#, E(I, "strconv.ParseBool")),
        ("Bool(2)", O),
        ("String(nil)", O),
        (r#"URL(uri = "x")"#, E(I, "no such parameter: uri")),
        (r#"Substring("abcdef", length = 3, start = 1)"#, O),
        (r#"[1, "a", 2.5, true, nil]"#, O),
        (r#"{"k": nil, "n": 1}"#, O),
        ("[1 2]", O),
        ("[,1]", O),
        ("[1,]", E(S, "unexpected token")),
        (r#"{"a": 1 "b": 2}"#, O),
        (r#"{"a": 1, "a": 2}"#, O),
        ("{a: 1}", E(S, "unexpected token")),
    ];
    for (value, want) in values {
        assert_verdict('s', &z(value), want);
    }
}

#[test]
fn section_12_editors() {
    let rows: &[(&str, Want)] = &[
        ("truncate_all(attributes, 2, utf8Safe = false)", O),
        ("truncate_all(attributes, 2, utf8safe = false)", O),
        (
            "truncate_all(attributes, 2, Utf8Safe = false)",
            E(S, "unexpected token"),
        ),
        (
            r#"truncate_all(attributes, 2, truncation_marker = "~")"#,
            E(I, "no such parameter: truncation_marker"),
        ),
        (
            "truncate_all(limit = 2, attributes)",
            E(I, "unnamed argument used after named argument"),
        ),
        (
            "truncate_all(attributes, utf8_safe = true)",
            E(OttlErrorKind::ZeroValue, "runs truncate_all with limit 0"),
        ),
        (
            "truncate_all(attributes, -1)",
            E(I, "invalid argument at position 1: must be an int"),
        ),
        ("truncate_all(attributes, 2.0)", E(I, "must be an int")),
        (
            r#"set(target = attributes["z"], target = attributes["y"])"#,
            E(I, "given more than once"),
        ),
        (r#"set(attributes["s"], nil)"#, O),
        (r#"set(attributes["z"][2], 1)"#, O),
        ("set(name, 1)", O),
        (r#"set(kind.string, "Client")"#, O),
        (r#"set(trace_id.string, "zz")"#, O),
        (r#"limit(attributes, 2, ["s", "nl"])"#, O),
        (
            r#"limit(attributes, 2, ["s", "nl", "dig"])"#,
            E(I, "2 cannot be less than number of priority attributes 3"),
        ),
        (r#"replace_pattern(attributes["dig"], "(\\d+)", "<$1>")"#, O),
        (
            r#"replace_pattern(attributes["dig"], "(\\d+)", "$1", SHA256, "h:%s")"#,
            O,
        ),
        (
            r#"replace_pattern(attributes["dig"], "(\\d+)", "$1", IsMatch)"#,
            O,
        ),
        (r#"replace_match(attributes["csv"], "a,?,c", "X")"#, O),
        ("stringify_all(attributes)", O),
        (
            r#"keep_keys(attributes, "s")"#,
            E(I, "must be a list of type StringGetter"),
        ),
        (
            r#"replace_all_patterns(attributes, "keys", "a", "b")"#,
            E(I, "invalid mode keys"),
        ),
        (r#"replace_all_patterns(attributes, "key", "a", "b")"#, O),
    ];
    for (stmt, want) in rows {
        assert_verdict('s', stmt, want);
    }
}

#[test]
fn section_9_parser_facts() {
    let rows: &[(char, &str, Want)] = &[
        ('s', r#"set(attributes["bar"], "dog")"#, O),
        (
            's',
            r#"set(name, "t") where trace_id == TraceID(0x0102030405060708090a0b0c0d0e0f10)"#,
            O,
        ),
        (
            's',
            r#"set(attributes["my.environment.2"], Split(resource.attributes["host.name"],"h")[1])"#,
            O,
        ),
        (
            's',
            r#"flatten(attributes, "test", resolveConflicts=true)"#,
            O,
        ),
        (
            's',
            r#"append(attributes["foo"]["slice"], values=[5,6])"#,
            O,
        ),
        (
            's',
            r#"set(attributes["entrypoint-root"], name) where IsRootSpan()"#,
            O,
        ),
        ('s', r#"set(name, "test") where true and true and false"#, O),
        (
            's',
            r#"set(name, "test") where false and (true or false)"#,
            O,
        ),
        (
            's',
            r#"set(name, "test") where name != "foo" and name != "bar""#,
            O,
        ),
        ('s', r#"set(name, "test") where not (true or false)"#, O),
        ('v', "3==4.9", E(S, "unexpected token")),
        ('c', "3==4.9", O),
        ('s', r#"set("foo")"#, E(I, "Expected: 2 Received: 1")),
        ('c', "Int() == 1", E(I, "Expected: 1 Received: 0")),
        ('c', "true and 1 == Int() ", E(I, "Expected: 1 Received: 0")),
        ('s', "met(1.2)", E(I, "undefined function \"met\"")),
        ('s', "fff({})", E(I, "undefined function \"fff\"")),
        (
            's',
            "set(name, 1) where True()",
            E(I, "undefined function \"True\""),
        ),
        ('c', "Test()", E(I, "undefined function \"Test\"")),
        (
            's',
            r#"set("foo", GetSomething(bear.honey))"#,
            E(I, "invalid argument at position 0: must be a path"),
        ),
        (
            's',
            r#"set(foo.attributes["bar"].cat, "dog")"#,
            E(I, "segment \"foo\" from path"),
        ),
        (
            's',
            r#"set(foo.attributes["bar"].cat, "dog") where name == "fido""#,
            E(I, "segment \"foo\""),
        ),
        (
            's',
            r#"replace_pattern(attributes["message"], Sha256)"#,
            E(I, "Expected: 5 Received: 2"),
        ),
        (
            's',
            r#"replace_pattern(attributes["message"], "a", "b", Sha256)"#,
            E(I, "undefined function Sha256"),
        ),
        (
            's',
            r#"set(set = attributes["animal"], val = "dog")"#,
            E(I, "no such parameter: set"),
        ),
        (
            's',
            r#"set(value = "dog", target = attributes["animal"])"#,
            O,
        ),
        ('s', "set(", E(S, "unexpected token")),
        ('s', r#"set("foo)"#, E(S, "lexer: invalid input text")),
        ('s', "set(name.)", E(S, "unexpected token")),
        ('s', r#"("foo")"#, E(S, "unexpected token")),
        (
            's',
            r#"set(name, "x") where name =||= "fido""#,
            E(S, "lexer: invalid input text"),
        ),
        (
            's',
            "set(span_id, SpanIDWrapper{01})",
            E(S, "unexpected token"),
        ),
        (
            's',
            r#"set(name, "x") where name = "fido""#,
            E(S, "unexpected token"),
        ),
        (
            's',
            r#"set(name, "x") where name =< "dog""#,
            E(S, "unexpected token"),
        ),
        (
            's',
            r#"set(name, "x") where name => "dog""#,
            E(S, "unexpected token"),
        ),
        (
            's',
            r#"set(name, "x") where name <> "dog""#,
            E(S, "unexpected token"),
        ),
        (
            's',
            r#"set(name, "x") where name or "fido""#,
            E(S, "unexpected token"),
        ),
        ('s', "set(name, \"x\") where (", E(S, "unexpected token")),
        (
            's',
            r#"set(name, "x") where ((name == "fido")"#,
            E(S, "unexpected token"),
        ),
        (
            's',
            "Set()",
            E(
                I,
                "editor names must start with a lowercase letter but got 'Set'",
            ),
        ),
        (
            's',
            "set(int())",
            E(
                I,
                "converter names must start with an uppercase letter but got 'int'",
            ),
        ),
        ('s', "set(1 * 1 + (2 * int()))", E(I, "but got 'int'")),
        ('s', "set() where 1 == int()", E(I, "but got 'int'")),
        ('v', r#"test("foo")"#, E(I, "but got 'test'")),
        (
            's',
            r#"set(foo.attributes["bar"].cat)["key"]"#,
            E(
                I,
                "only paths and converters may be indexed, not editors, but got set[key]",
            ),
        ),
        (
            'c',
            r#"test(animal)["kind"] == "birds""#,
            E(I, "not editors, but got test[kind]"),
        ),
        ('c', "set()", E(S, "unexpected token")),
        ('c', r#""test" == Foo"#, E(S, "unexpected token")),
    ];
    for (kind, text, want) in rows {
        assert_verdict(*kind, text, want);
    }
}

#[test]
fn where_is_text_not_a_keyword() {
    let (tree, errors) = parse_statement_lenient(r#"set(name, "x") where where == "x""#);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        tree.map(|t| t.to_string()).as_deref(),
        Some(r#"set(name, "x") where where == "x""#)
    );
    assert!(ottl::parse_statement("set(name, \"x\") WHERE name == \"x\"").is_err());
    assert!(ottl::parse_condition("name == \"a\" AND name == \"b\"").is_err());
    // Keywords need word boundaries: these are ordinary identifiers (paths).
    let cond = ottl::parse_condition("android == nilly or not_x == nottrue").unwrap();
    assert_eq!(
        cond.node.to_string(),
        "android == nilly or not_x == nottrue"
    );
}

#[test]
fn regex_operators_give_tree_and_rewrite_hint() {
    let (tree, errors) = parse_condition_lenient(r#"attributes["http.target"] =~ "/.*""#);
    assert!(tree.is_some());
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, OttlErrorKind::NonUpstream);
    assert_eq!(
        errors[0].help.as_deref(),
        Some(r#"rewrite as: IsMatch(attributes["http.target"], "/.*")"#)
    );
    assert_eq!(errors[0].span, otelcheck::ottl::ast::Span::new(26, 28));
    let (_, errors) = parse_condition_lenient(r#"attributes["http.target"] !~ "/.*""#);
    assert_eq!(
        errors[0].help.as_deref(),
        Some(r#"rewrite as: not IsMatch(attributes["http.target"], "/.*")"#)
    );
    assert!(
        ottl::parse_condition(r#"name =~ "x""#).is_err(),
        "strict parse reports it"
    );
}

#[test]
fn inferred_mode_requires_prefixes() {
    let opts = CheckOptions {
        mode: PathMode::Inferred,
        editors_allowed: false,
    };
    let (_, errors) = run('c', r#"name == "x""#, Context::Span, &opts);
    let want = r#"missing context name for path "name", possibly valid options are: "span.name""#;
    assert!(errors[0].message.starts_with(want), "{errors:?}");
    let (_, errors) = run('c', r#"foo.name == "x""#, Context::Span, &opts);
    assert!(errors[0]
        .message
        .contains(r#"context "foo" from path "foo.name" is not valid"#));
    let (_, errors) = run('c', r#"span.cache["x"] == nil"#, Context::SpanEvent, &opts);
    let want = r#"please replace "span.cache[x]" with "spanevent.cache[x]""#;
    assert!(errors[0].message.contains(want), "{errors:?}");
    let (_, errors) = run(
        'c',
        r#"spanevent.name == "x" and span.name == "y""#,
        Context::SpanEvent,
        &opts,
    );
    assert!(errors.is_empty(), "{errors:?}");
    let (_, errors) = run('s', r#"set(span.name, "x")"#, Context::Span, &opts);
    assert!(
        errors[0].message.contains(r#"undefined function "set""#),
        "no editors: {errors:?}"
    );
}

fn parse_path(text: &str) -> otelcheck::ottl::ast::Path {
    match ottl::parse_value(text).map(|v| v.node) {
        Ok(otelcheck::ottl::ast::Value::Path(p)) => p,
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn resolve_path_names_fields() {
    let span = PathMode::Explicit(Context::Span);
    let r = resolve_path(
        &parse_path(r#"attributes["http.route"]"#),
        Context::Span,
        span,
    )
    .unwrap();
    assert_eq!(r.target, PathTarget::Span(SpanField::Attributes));
    assert_eq!(r.keys.len(), 1);
    let r = resolve_path(&parse_path("kind.string"), Context::Span, span).unwrap();
    assert_eq!(r.target, PathTarget::Span(SpanField::KindString));
    let r = resolve_path(
        &parse_path("span.trace_id.string"),
        Context::SpanEvent,
        PathMode::Inferred,
    )
    .unwrap();
    assert_eq!(r.target, PathTarget::Span(SpanField::TraceIdString));
    let ev = PathMode::Explicit(Context::SpanEvent);
    let r = resolve_path(&parse_path("event_index"), Context::SpanEvent, ev).unwrap();
    assert_eq!(r.target, PathTarget::SpanEvent(SpanEventField::EventIndex));
    let r = resolve_path(&parse_path(r#"cache["a"]["b"]"#), Context::Span, span).unwrap();
    assert_eq!((r.target, r.keys.len()), (PathTarget::Cache, 2));
    assert!(
        resolve_path(&parse_path("flags"), Context::Span, span).is_ok(),
        "span.flags exists"
    );
    let log = PathMode::Explicit(Context::Log);
    for p in [
        "body.string",
        r#"body["a"]"#,
        "severity_number",
        "trace_id.string",
        "event_name",
    ] {
        assert!(
            resolve_path(&parse_path(p), Context::Log, log).is_ok(),
            "{p}"
        );
    }
    let dp = PathMode::Explicit(Context::DataPoint);
    for p in [
        "positive.offset",
        "metric.name",
        r#"metric.metadata["x"]"#,
        "value_double",
    ] {
        assert!(
            resolve_path(&parse_path(p), Context::DataPoint, dp).is_ok(),
            "{p}"
        );
    }
    assert!(resolve_path(&parse_path("nope"), Context::Log, log).is_err());
}

#[test]
fn context_inference_follows_priority_and_functions() {
    let trace = [
        Context::Resource,
        Context::Scope,
        Context::Span,
        Context::SpanEvent,
    ];
    let infer = |text: &str| {
        let cond = ottl::parse_condition(text).unwrap();
        infer_context(&InferenceHints::from_condition(&cond), &trace, false)
    };
    let both = r#"resource.attributes["h"] == "x" or spanevent.name == "t""#;
    assert_eq!(infer(both), Ok(Context::SpanEvent));
    assert_eq!(
        infer(r#"span.name == "x" and resource.attributes["a"] == nil"#),
        Ok(Context::Span)
    );
    assert_eq!(
        infer(r#"resource.attributes["a"] == nil"#),
        Ok(Context::Resource)
    );
    assert_eq!(
        infer(r#"IsRootSpan() and resource.attributes["a"] == nil"#),
        Ok(Context::Span)
    );
    assert_eq!(
        infer(r#"instrumentation_scope.name == "lib""#),
        Ok(Context::Scope)
    );
    assert!(infer(r#"name == "x""#).is_err());
    let text = r#"set(span.attributes["x"], "y") where resource.attributes["e"] == "dev""#;
    let stmt = ottl::parse_statement(text).unwrap();
    let hints = InferenceHints::from_statement(&stmt);
    assert_eq!(infer_context(&hints, &trace, true), Ok(Context::Span));
}

#[test]
fn every_ottlfuncs_function_is_registered() {
    use otelcheck::ottl::signatures::{all, lookup};
    assert_eq!(
        all().len(),
        115,
        "113 ottlfuncs files + 2 filter metric helpers"
    );
    let ra = lookup("replace_all_patterns").unwrap();
    assert_eq!((ra.required(), ra.total()), (4, 6));
    assert_eq!(lookup("IsRootSpan").unwrap().params, None);
    assert!(lookup("All").is_none() && lookup("IsEmpty").is_none());
    let cid = lookup("CommunityID").unwrap();
    assert_eq!(cid.param_named("source_i_p").map(|p| p.0), Some(0));
    assert!(cid.param_named("source_ip").is_none());
    let kv = lookup("ToKeyValueString").unwrap();
    assert!(kv.param_named("sortoutput").is_none());
    assert!(kv.param_named("sortOutput").is_some());
    assert!(kv.param_named("sort_output").is_some());
}

fn fixture_lines(path: &std::path::Path) -> Vec<(char, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| (l.chars().next().unwrap(), l[2..].to_string()))
        .collect()
}

#[test]
fn ok_fixtures_parse_check_and_round_trip() {
    insta::glob!("../../fixtures/ottl/ok", "*.ottl", |path| {
        let mut out = String::new();
        for (kind, text) in fixture_lines(path) {
            let (shown, errors) = run(kind, &text, Context::Span, &SPAN);
            assert!(errors.is_empty(), "{text:?}: {errors:#?}");
            let shown = shown.unwrap();
            let (again, errors) = run(kind, &shown, Context::Span, &SPAN);
            assert!(errors.is_empty(), "round trip of {shown:?}: {errors:#?}");
            assert_eq!(
                again.as_deref(),
                Some(shown.as_str()),
                "Display unstable for {text:?}"
            );
            out.push_str(&format!("{kind} {text}\n  = {shown}\n"));
        }
        insta::assert_snapshot!(out);
    });
}

#[test]
fn err_fixtures_report_errors() {
    insta::glob!("../../fixtures/ottl/err", "*.ottl", |path| {
        let mut out = String::new();
        for (kind, text) in fixture_lines(path) {
            let (_, errors) = run(kind, &text, Context::Span, &SPAN);
            assert!(!errors.is_empty(), "{text:?} should fail");
            out.push_str(&format!("{kind} {text}\n"));
            for e in errors {
                let (s, end) = (e.span.start, e.span.end);
                out.push_str(&format!("  {:?} {s}..{end}: {}\n", e.kind, e.message));
                if let Some(help) = e.help {
                    out.push_str(&format!("    help: {help}\n"));
                }
            }
        }
        insta::assert_snapshot!(out);
    });
}

#[test]
fn mutated_inputs_never_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ottl/ok");
    let inserts = [
        "(", ")", "[", "]", "\"", "\\", ".", ",", "=", "!", "~", "-", "0x", "é", " ", "{", "}",
        "=>", "not ", "A", "_",
    ];
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        for (kind, text) in fixture_lines(&entry.unwrap().path()) {
            let cuts: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            for &cut in &cuts {
                let _ = run(kind, &text[..cut], Context::Span, &SPAN);
                let _ = run('c', &text[cut..], Context::SpanEvent, &SPAN);
                for ins in inserts {
                    let mutated = format!("{}{ins}{}", &text[..cut], &text[cut..]);
                    let (_, errors) = run(kind, &mutated, Context::Span, &SPAN);
                    for e in errors {
                        assert!(e.span.end <= mutated.len(), "{mutated:?}: {e:?}");
                    }
                    count += 1;
                }
            }
        }
    }
    assert!(count > 2000, "only {count} mutations");
}
