//! §12 "Boolean logic" (conditions, with `ERR` spelled out), "Math" and "Indexing" (value rows
//! `z ← X` rewritten as `X == expected`, or as a condition that must fail the same way).
//!
//! Not rewritten: `z ← end_time - start_time` / `z ← start_time` are about what `set` stores;
//! reading those values in a condition is covered by the time rows.

use super::harness::{row, Row, Want::*};

/// `ERR` of §12: `attributes["missing"] + 1 == 2`, which fails at run time.
macro_rules! err {
    () => {
        r#"attributes["missing"] + 1 == 2"#
    };
}

/// Why `ERR` fails: the left operand of `+` is nil.
const ERR_MSG: &str = "<nil> must be int64, float64, time.Time or time.Duration";

pub const BOOLEAN_LOGIC: &[Row] = &[
    row("or_binds_looser_than_and", "true or false and false", True),
    row("parenthesised_or", "(true or false) and false", False),
    row("not_binds_tighter_than_and", "not false and false", False),
    row("not_of_group", "not (not true)", True),
    row("not_not", "not not true", Rejected("")),
    row("err_itself", err!(), RunErr(ERR_MSG)),
    row("false_and_err", concat!("false and ", err!()), False),
    row(
        "true_and_err",
        concat!("true and ", err!()),
        RunErr(ERR_MSG),
    ),
    row("err_and_false", concat!(err!(), " and false"), False),
    row("err_or_true", concat!(err!(), " or true"), True),
    row(
        "err_or_name",
        concat!(err!(), r#" or name == "GET /x""#),
        RunErr(ERR_MSG),
    ),
    row(
        "name_or_err",
        concat!(r#"name == "GET /x" or "#, err!()),
        True,
    ),
    row(
        "folded_false_or_err",
        concat!(r#""a" == "b" or "#, err!()),
        RunErr(ERR_MSG),
    ),
    row("not_err", concat!("not (", err!(), ")"), RunErr(ERR_MSG)),
    row("bare_path", "name", Rejected("")),
    row("bare_attribute", r#"attributes["b"]"#, Rejected("")),
    row(
        "bare_len",
        "Len(name)",
        RunErr("value returned from Converter in constant expression must be bool but got int64"),
    ),
    row(
        "bare_split",
        r#"Split(name, " ")"#,
        RunErr(
            "value returned from Converter in constant expression must be bool but got []string",
        ),
    ),
    row("converter_eq_true", "IsString(name) == true", True),
    row(
        "grouped_converter_eq_true",
        "(IsString(name)) == true",
        True,
    ),
    row(
        "grouped_comparison_eq_true",
        r#"(name == "GET /x") == true"#,
        Rejected(""),
    ),
    row(
        "chained_comparison",
        r#"name == "GET /x" == true"#,
        Rejected(""),
    ),
];

pub const MATH: &[Row] = &[
    row("mul_before_add", "1 + 2 * 3 == 7", True),
    row("parens_first", "(1 + 2) * 3 == 9", True),
    row("sub_left_assoc", "10 - 4 - 3 == 3", True),
    row("div_left_assoc", "100 / 10 / 5 == 2", True),
    row("int_div_truncates", "7 / 2 == 3", True),
    row("int_div_stays_int", "IsInt(7 / 2)", True),
    row("neg_int_div_truncates_to_zero", "-7 / 2 == -3", True),
    row("int_div_float_promotes", "7 / 2.0 == 3.5", True),
    row(
        "attr_int_plus_float",
        r#"attributes["i"] + attributes["fh"] == 202.5"#,
        True,
    ),
    row(
        "int_div_by_zero",
        "1 / 0 == 0",
        RunErr("attempted to divide by 0"),
    ),
    row(
        "float_div_by_zero",
        "1.0 / 0.0 == 0",
        RunErr("attempted to divide by 0"),
    ),
    row(
        "int_overflow_wraps",
        "9223372036854775807 + 1 == -9223372036854775807 - 1",
        True,
    ),
    row("string_plus_string", r#""a" + "b" == "ab""#, Rejected("")),
    row("bool_plus_int", "true + 1 == 2", Rejected("")),
    row("nil_plus_int", "nil + 1 == 1", Rejected("")),
    row("bytes_plus_int", "0x01 + 1 == 2", Rejected("")),
    row("enum_plus_int", "SPAN_KIND_SERVER + 1 == 3", Rejected("")),
    row("modulo", "5 % 2 == 1", Rejected("")),
    row(
        "string_attr_plus_int",
        r#"attributes["s"] + 1 == 1"#,
        RunErr("abc must be int64, float64, time.Time or time.Duration"),
    ),
    row(
        "int_plus_missing",
        r#"1 + attributes["missing"] == 1"#,
        RunErr("<nil> must be int64 or float64"),
    ),
    row(
        "negate_string",
        r#"-attributes["s"] == "abc""#,
        RunErr("unsupported unary minus operation on type string"),
    ),
    row("plus_string_is_noop", r#"+attributes["s"] == "abc""#, True),
    row(
        "negate_duration",
        r#"-Duration("1s") == Duration("1s")"#,
        RunErr("unsupported unary minus operation on type time.Duration"),
    ),
    row(
        "duration_difference",
        r#"Milliseconds(Duration("1s") - Duration("1ms")) == 999"#,
        True,
    ),
    row(
        "time_plus_time",
        "start_time + start_time == start_time",
        RunErr("time.Time must be added to time.Duration"),
    ),
    row(
        "time_times_int",
        "start_time * 2 == start_time",
        RunErr("only addition and subtraction supported for time.Time and time.Duration"),
    ),
    row(
        "time_plus_int",
        "start_time + 1 == start_time",
        RunErr("time.Time must be added to time.Duration; found 1 instead"),
    ),
];

pub const INDEXING: &[Row] = &[
    row(
        "split_index_0",
        r#"Split(attributes["csv"], ",")[0] == "a""#,
        True,
    ),
    row(
        "split_index_3",
        r#"Split(attributes["csv"], ",")[3] == nil"#,
        RunErr("index 3 out of bounds"),
    ),
    row(
        "split_index_neg",
        r#"Split(attributes["csv"], ",")[-1] == nil"#,
        RunErr("index -1 out of bounds"),
    ),
    row(
        "split_index_group",
        r#"Split(attributes["csv"], ",")[(1 + 1)] == "c""#,
        True,
    ),
    row(
        "split_index_len_minus_1",
        r#"Split(attributes["csv"], ",")[Len(attributes["l"]) - 1] == "b""#,
        True,
    ),
    row(
        "key_int_plus",
        r#"attributes["l"][1 + 0] == "b""#,
        Rejected(""),
    ),
    row(
        "key_int_minus",
        r#"attributes["l"][2 - 1] == "b""#,
        Rejected(""),
    ),
    row(
        "key_int_times",
        r#"attributes["l"][1 * 1] == "b""#,
        Rejected(""),
    ),
    row("key_unary_start", r#"attributes["l"][-1 + 2] == "b""#, True),
    row("key_group", r#"attributes["l"][(1)] == "b""#, True),
    row(
        "slice_float_key",
        r#"attributes["l"][0.0] == nil"#,
        RunErr("expecting 'int64' but got 'float64'"),
    ),
    row(
        "slice_string_key",
        r#"attributes["l"]["a"] == nil"#,
        RunErr("invalid key type"),
    ),
    row(
        "map_int_key",
        r#"attributes["m"][0] == nil"#,
        RunErr("invalid key type"),
    ),
    row(
        "string_indexed",
        r#"attributes["s"]["a"] == nil"#,
        RunErr("type Str does not support string indexing"),
    ),
    row(
        "missing_nested_keys",
        r#"attributes["m"]["zz"]["yy"] == nil"#,
        True,
    ),
    row(
        "missing_then_int",
        r#"attributes["missing"][0] == nil"#,
        True,
    ),
    row("cache_empty", r#"cache["x"] == nil"#, True),
    row(
        "dynamic_key",
        r#"attributes[attributes["key"]] == "abc""#,
        True,
    ),
    row(
        "dynamic_key_nil",
        r#"attributes[attributes["missing"]] == nil"#,
        RunErr("expecting 'string' but got '<nil>'"),
    ),
    row(
        "split_result_string_indexed",
        r#"Split(attributes["csv"], ",")[0][0] == nil"#,
        RunErr("type string does not support int indexing"),
    ),
];
