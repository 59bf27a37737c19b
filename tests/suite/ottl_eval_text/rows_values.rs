//! §12 "Literals" (value rows `z ← X` rewritten as conditions that pin the value down) and
//! "nil, comparisons" (already conditions).

use super::harness::{row, Row, Want::*};

/// `z ← X` literal rows as `X == expected` (or `Len`/`Is*` checks where the type matters).
pub const LITERALS: &[Row] = &[
    // Invalid escapes are parse errors.
    row("esc_d", r#""a\db" == "x""#, Rejected("")),
    row("esc_w", r#""a\wb" == "x""#, Rejected("")),
    row("esc_dot", r#""a\.b" == "x""#, Rejected("")),
    row("esc_slash", r#""a\/b" == "x""#, Rejected("")),
    row("esc_single_quote", r#""a\'b" == "x""#, Rejected("")),
    row("esc_nul_short", r#""a\0b" == "x""#, Rejected("")),
    // §12 writes `\x4`; substituted into "a\db" it would read `\x4b`, a valid escape ("K").
    row("esc_x_one_digit", r#""a\x4g" == "x""#, Rejected("")),
    row("esc_x4b_is_valid", r#""a\x4b" == "aK""#, True),
    row("esc_octal_400", r#""a\400b" == "x""#, Rejected("")),
    row("esc_surrogate", r#""a\ud800b" == "x""#, Rejected("")),
    // Valid escapes decode to code points.
    row("esc_backslash", r#"Len("a\\db") == 4"#, True),
    row(
        "esc_backslash_text",
        r#""a\\db" == Concat(["a", "db"], "\\")"#,
        True,
    ),
    row("esc_hex", r#""\x41\x7a" == "Az""#, True),
    row("esc_octal", r#""\101\060" == "A0""#, True),
    row("esc_xff_is_code_point", r#""\xff" == "ÿ""#, True),
    row("esc_xff_two_bytes", r#"Len("\xff") == 2"#, True),
    row("esc_big_u", r#""\U0001F600" == "😀""#, True),
    // Raw control characters are kept; other quotes and comments do not lex.
    row("raw_tab", "\"a\tb\" == \"a\\tb\"", True),
    row("raw_cr", "\"a\rb\" == \"a\\rb\"", True),
    row(
        "raw_newline",
        "attributes[\"nl\"] == \"line1\nline2\"",
        True,
    ),
    row("single_quotes", r#"'single' == "single""#, Rejected("")),
    row("backticks", r#"`raw` == "raw""#, Rejected("")),
    row("hash_comment", r#"name == "GET /x" # c"#, Rejected("")),
    row("slash_comment", r#"name == "GET /x" // c"#, Rejected("")),
    // Floats.
    row("float_trailing_dot", "3. == 3.0", True),
    row("float_trailing_dot_is_double", "IsDouble(3.)", True),
    row("float_leading_dot", ".5 == 0.5", True),
    row("float_dot_exp", "1.e3 == 1000.0", True),
    row("float_leading_dot_exp", ".5E-2 == 0.005", True),
    row("exp_without_dot", "1e3 == 1000", Rejected("")),
    row("exp_plus_without_dot", "1E+2 == 100", Rejected("")),
    // Signs are math.
    row("minus_one", "-1 == 0 - 1", True),
    row("plus_one", "+1 == 1", True),
    row("minus_space_one", "- 1 == -1", True),
    row("double_minus", "--1 == 1", Rejected("")),
    row("minus_group", "-(-1) == 1", True),
    row("minus_minus_three", "5 - -3 == 8", True),
    row("plus_minus_five", "3+-5 == -2", True),
    // Leading zero means octal.
    row("octal_007", "007 == 7", True),
    row("octal_010", "010 == 8", True),
    row("octal_08", "08 == 8", Rejected("")),
    row("octal_0200_cond", "0200 == 128", True),
    // Integer range and separators.
    row("int_max", "9223372036854775807 > 0", True),
    row("int_overflow", "9223372036854775808 > 0", Rejected("")),
    row("int_min_literal", "-9223372036854775808 < 0", Rejected("")),
    row("float_overflow", "1.0e400 > 0", Rejected("")),
    row("int_underscore", "1_000 == 1000", Rejected("")),
    // Bytes literals.
    row("bytes_upper_hex", "0x1F == 0x1f", True),
    row("bytes_len", "Len(0x1F) == 1", True),
    row("bytes_odd_length", "0x1 == nil", Rejected("")),
    row("bytes_capital_x", "0X1F == nil", Rejected("")),
    row("bytes_empty", "0x == nil", Rejected("")),
];

pub const NIL_AND_COMPARISONS: &[Row] = &[
    row("nil_eq_nil", "nil == nil", True),
    row("nil_lt_nil", "nil < nil", False),
    row("missing_eq_nil", r#"attributes["missing"] == nil"#, True),
    row("missing_ne_a", r#"attributes["missing"] != "a""#, True),
    row("missing_gt_5", r#"attributes["missing"] > 5"#, False),
    row("missing_le_nil", r#"attributes["missing"] <= nil"#, True),
    row("empty_value_eq_nil", r#"attributes["e"] == nil"#, True),
    row("empty_string_eq_nil", r#"attributes["es"] == nil"#, False),
    row("string_nil_eq_nil", r#""nil" == nil"#, False),
    row("int_eq_float", r#"attributes["i"] == 200.0"#, True),
    row("float_eq_int", r#"attributes["f"] == 200"#, True),
    row("int_eq_string", r#"attributes["i"] == "200""#, False),
    row(
        "numeric_string_eq_int",
        r#"attributes["snum"] == 200"#,
        False,
    ),
    row(
        "numeric_string_gt_int",
        r#"attributes["snum"] > 100"#,
        False,
    ),
    row("bool_eq_string", r#"attributes["b"] == "true""#, False),
    row("bool_gt_false", r#"attributes["b"] > false"#, True),
    row("bytewise_upper_lt_lower", r#""B" < "a""#, True),
    row("bytewise_accent_gt_z", r#""é" > "z""#, True),
    row("float_sum_not_exact", "0.1 + 0.2 == 0.3", False),
    row("bytes_eq", r#"attributes["by"] == 0x010203"#, True),
    row("bytes_lt", r#"attributes["by"] < 0x010204"#, True),
    row("bytes_gt_prefix", r#"attributes["by"] > 0x0102"#, True),
    row("bytes_eq_base64", r#"attributes["by"] == "AQID""#, False),
    row("empty_bytes_eq_nil", r#"attributes["eb"] == nil"#, True),
    row(
        "trace_id_eq_bytes",
        "trace_id == 0x0102030405060708090a0b0c0d0e0f10",
        False,
    ),
    row(
        "trace_id_eq_trace_id_bytes",
        "trace_id == TraceID(0x0102030405060708090a0b0c0d0e0f10)",
        True,
    ),
    row(
        "trace_id_eq_trace_id_hex",
        r#"trace_id == TraceID("0102030405060708090a0b0c0d0e0f10")"#,
        True,
    ),
    row(
        "trace_id_lt_trace_id",
        "trace_id < TraceID(0x0102030405060708090a0b0c0d0e0f11)",
        False,
    ),
    row(
        "map_eq_reordered",
        r#"attributes["m"] == {"b": "x", "a": 1}"#,
        True,
    ),
    row(
        "map_eq_float_value",
        r#"attributes["m"] == {"a": 1.0, "b": "x"}"#,
        False,
    ),
    row("map_gt", r#"attributes["m"] > {"a": 1}"#, False),
    row(
        "list_eq_reordered",
        r#"attributes["l"] == ["b", "a"]"#,
        False,
    ),
    row("list_eq_floats", r#"attributes["li"] == [1.0, 2.0]"#, False),
    row(
        "split_eq_list_literal",
        r#"Split("a,b", ",") == ["a", "b"]"#,
        False,
    ),
    row(
        "split_eq_split",
        r#"Split("a", ",") == Split("a", ",")"#,
        NoMatch,
    ),
    row("kind_eq_enum", "kind == SPAN_KIND_SERVER", True),
    row("kind_eq_float", "kind == 2.0", True),
    row("kind_eq_string", r#"kind == "Server""#, False),
    row("kind_eq_status_enum", "kind == STATUS_CODE_OK", False),
    row("enum_gt_enum", "SPAN_KIND_CLIENT > SPAN_KIND_SERVER", True),
    row("end_gt_start", "end_time > start_time", True),
    row(
        "duration_eq",
        r#"end_time - start_time == Duration("5ms")"#,
        True,
    ),
    row("time_eq_int", "start_time == 1700000000000000000", False),
    row("duration_gt_int", r#"Duration("1s") > 1"#, False),
    row("trace_state_key", r#"trace_state["k1"] == "v1""#, True),
    row(
        "trace_state_missing_empty",
        r#"trace_state["zz"] == """#,
        True,
    ),
    row(
        "trace_state_missing_not_nil",
        r#"trace_state["zz"] == nil"#,
        False,
    ),
];
