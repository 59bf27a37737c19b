//! The evaluator driven by text: every condition row of `ottl.md` §12 (and every `z ← X` value
//! row that reads meaningfully as a condition) is parsed, checked, compiled and evaluated on
//! the §12 fixture span, and its outcome compared with the table's. The hand-built-AST tests in
//! `ottl_eval.rs` pin the evaluator alone; these pin the whole front end plus evaluator, which
//! is what users feed.

#[path = "ottl_eval_text/harness.rs"]
pub(crate) mod harness;
#[path = "ottl_eval_text/rows_functions.rs"]
mod rows_functions;
#[path = "ottl_eval_text/rows_logic.rs"]
mod rows_logic;
#[path = "ottl_eval_text/rows_values.rs"]
mod rows_values;
#[path = "ottl_eval_text/sequences.rs"]
mod sequences;

use harness::check_rows;

#[test]
fn literals() {
    check_rows("Literals", rows_values::LITERALS);
}

#[test]
fn nil_and_comparisons() {
    check_rows("nil, comparisons", rows_values::NIL_AND_COMPARISONS);
}

#[test]
fn boolean_logic() {
    check_rows("Boolean logic", rows_logic::BOOLEAN_LOGIC);
}

#[test]
fn math() {
    check_rows("Math", rows_logic::MATH);
}

#[test]
fn indexing() {
    check_rows("Indexing", rows_logic::INDEXING);
}

#[test]
fn paths_enums_functions() {
    check_rows(
        "Paths, enums, functions",
        rows_functions::PATHS_ENUMS_FUNCTIONS,
    );
}

#[test]
fn conversions() {
    check_rows("Conversions", rows_functions::CONVERSIONS);
}

#[test]
fn regex() {
    check_rows("Regex", rows_functions::REGEX);
}

#[test]
fn list_and_map_literals() {
    check_rows(
        "Editors (list/map literals)",
        rows_functions::LIST_MAP_LITERALS,
    );
}

#[test]
fn converters() {
    check_rows("Converters", rows_functions::CONVERTERS);
}

/// `explain`'s operands on the §12 fixture span: every comparison (also those `and`/`or`
/// would not reach), each non-literal side as written with the value the fixture holds, an
/// error where a side fails, and Go's `%v` for values no attribute can hold.
#[test]
fn operands_are_the_fixture_values_of_each_comparison_side() {
    use otelcheck::capture::model::AnyValue;
    use otelcheck::ottl::runtime::{EvalItem, Operand, OperandValue};
    let (resource, scope, span) = harness::fixture();
    let item = EvalItem {
        resource: &resource,
        scope: &scope,
        span: Some(&span),
        event: None,
    };
    let ops = |text: &str| harness::compile(text).unwrap().operands(&item);
    let op = |expr: &str, value: OperandValue| Operand {
        expr: expr.to_owned(),
        value,
    };
    let v = OperandValue::Value;
    assert_eq!(
        ops(r#"name == "nope" and attributes[ "i" ]  >  1 + 2 or "a" == "b""#),
        [
            op("name", v(AnyValue::Str("GET /x".into()))),
            op(r#"attributes[ "i" ]"#, v(AnyValue::Int(200))),
            op("1 + 2", v(AnyValue::Int(3))),
        ]
    );
    assert_eq!(
        ops(r#"not (attributes["missing"] + 1 == 2) and attributes["e"] == nil"#),
        [
            op(
                r#"attributes["missing"] + 1"#,
                OperandValue::Error(
                    match harness::outcome(r#"attributes["missing"] + 1 == 2"#) {
                        harness::Got::Failed(harness::Stage::Run, m) => m,
                        other => panic!("{other:?}"),
                    }
                )
            ),
            op(r#"attributes["e"]"#, v(AnyValue::Empty)),
        ]
    );
    assert_eq!(
        ops("trace_id == TraceID(0x0102030405060708090a0b0c0d0e0f10)"),
        [
            op(
                "trace_id",
                OperandValue::Text("0102030405060708090a0b0c0d0e0f10".into())
            ),
            op(
                "TraceID(0x0102030405060708090a0b0c0d0e0f10)",
                OperandValue::Text("0102030405060708090a0b0c0d0e0f10".into())
            ),
        ]
    );
    assert!(ops(r#"IsMatch(name, "GET")"#).is_empty());
}
