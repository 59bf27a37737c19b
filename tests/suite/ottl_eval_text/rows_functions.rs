//! §12 "Paths, enums, functions", "Conversions", "Regex", the list/map literal rows of
//! "Editors, `set`" rewritten as comparisons.
//!
//! Not rewritten (statements only, no condition equivalent): the `truncate_all`, `limit`,
//! `replace_*`, `stringify_all` and `set(...)` editor rows, and `set(target = …, target = …)`.

use super::harness::{row, Row, Want::*};

pub const PATHS_ENUMS_FUNCTIONS: &[Row] = &[
    row("span_prefix", r#"span.name == "GET /x""#, True),
    row("scope_name", r#"scope.name == "lib""#, True),
    row(
        "instrumentation_scope_name",
        r#"instrumentation_scope.name == "lib""#,
        True,
    ),
    row("resource_schema_url", r#"resource.schema_url == """#, True),
    row("otelcol_client_addr", "otelcol.client.addr == nil", True),
    row(
        "span_resource",
        r#"span.resource.attributes["x"] == nil"#,
        Rejected(""),
    ),
    row(
        "spanevent_from_span",
        r#"spanevent.name == "x""#,
        Rejected(""),
    ),
    row("status_foo", "status.foo == 1", Rejected("")),
    row("duration_path", "duration > 0", Rejected("")),
    row(
        "name_string",
        r#"name.string == "x""#,
        Rejected("path section \"string\""),
    ),
    row(
        "name_keyed",
        r#"name["x"] == "x""#,
        Rejected("keys indexing \"name\""),
    ),
    row(
        "resource_cache",
        r#"resource.cache["x"] == nil"#,
        Rejected("access to cache must be performed using the same context"),
    ),
    row(
        "log_enum_in_span",
        "kind == SEVERITY_NUMBER_INFO",
        Rejected("enum symbol, SEVERITY_NUMBER_INFO, not found"),
    ),
    row("root_span_ignores_args", "IsRootSpan(1, 2, 3)", True),
    row(
        "is_match_one_arg",
        "IsMatch(name)",
        Rejected("Expected: 2 Received: 1"),
    ),
    row(
        "len_two_args",
        "Len(name, 2) == 1",
        Rejected("Expected: 1 Received: 2"),
    ),
    row("trailing_comma", r#"IsMatch(name, "a",)"#, Rejected("")),
    row("spaced_name", r#"Is Match(name, "GET")"#, True),
    row(
        "url_uri",
        r#"URL(uri = "x") == nil"#,
        Rejected("no such parameter: uri"),
    ),
    row(
        "named_args_any_order",
        r#"Substring("abcdef", length = 3, start = 1) == "bcd""#,
        True,
    ),
    row("lambda", "IsString((x) => x)", Rejected("")),
    row("nested_lambda", "IsString((x) => (y) => x)", Rejected("")),
    row("lambda_without_parens", "IsString(x => x)", Rejected("")),
];

pub const CONVERSIONS: &[Row] = &[
    row("is_match_int", r#"IsMatch(attributes["i"], "^200$")"#, True),
    row(
        "is_match_float",
        r#"IsMatch(attributes["f"], "^200$")"#,
        True,
    ),
    row(
        "is_match_bytes_hex",
        r#"IsMatch(attributes["by"], "^010203$")"#,
        True,
    ),
    row(
        "is_match_bytes_base64",
        r#"IsMatch(attributes["by"], "^AQID$")"#,
        False,
    ),
    row(
        "is_match_map_json",
        r#"IsMatch(attributes["m"], "a")"#,
        True,
    ),
    row(
        "is_match_missing",
        r#"IsMatch(attributes["missing"], ".*")"#,
        False,
    ),
    row("is_match_trace_id", r#"IsMatch(trace_id, "01")"#, False),
    row("is_match_time", r#"IsMatch(start_time, "2023")"#, True),
    row(
        "concat_mixed",
        r#"Concat([attributes["s"], attributes["missing"], 1, 2.5, true, attributes["by"]], "-") == "abc-<nil>-1-2.5-true-010203""#,
        True,
    ),
    row(
        "concat_trace_id",
        r#"Concat([trace_id], "") == "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]""#,
        True,
    ),
    row(
        "concat_time",
        r#"Concat([start_time], "") == "\"2023-11-14T22:13:20Z\"""#,
        True,
    ),
    row("concat_status", r#"Concat([status], "") == "{}""#, True),
    row(
        "concat_duration",
        r#"Concat([end_time - start_time], "") == "5000000""#,
        True,
    ),
    row(
        "concat_map_html_escaped",
        r#"Concat([{"k": "<&>"}], "") == "{\"k\":\"\\u003c\\u0026\\u003e\"}""#,
        True,
    ),
    row(
        "concat_path_list",
        r#"Concat(attributes["l"], "-") == """#,
        Rejected(""),
    ),
    row(
        "concat_nil_element",
        r#"Concat(["a", nil], "-") == "a-<nil>""#,
        True,
    ),
    row(
        "concat_nil_delimiter",
        r#"Concat(["a", "b"], nil) == """#,
        Rejected(""),
    ),
    row(
        "concat_path_delimiter",
        r#"Concat(["a", "b"], attributes["s"]) == "aabcb""#,
        True,
    ),
    row("int_of_string", r#"Int("12") == 12"#, True),
    row("int_of_bad_string", r#"Int("x") == nil"#, True),
    row("int_of_negative_float", "Int(-2.7) == -2", True),
    row("int_of_bool", "Int(true) == 1", True),
    row(
        "double_of_bad_literal",
        r#"Double("x") == nil"#,
        Rejected(""),
    ),
    row(
        "double_of_bad_attr",
        r#"Double(attributes["s"]) == nil"#,
        RunErr(""),
    ),
    row("bool_of_bad_literal", r#"Bool("yes") == nil"#, Rejected("")),
    row("bool_of_int", "Bool(2) == true", True),
    row("bool_of_zero_float", "Bool(0.0) == false", True),
    row(
        "string_of_float",
        r#"String(attributes["f"]) == "200""#,
        True,
    ),
    row(
        "string_of_bytes",
        r#"String(attributes["by"]) == "010203""#,
        True,
    ),
    row("string_of_nil", "String(nil) == nil", True),
    row("len_of_int", r#"Len(attributes["i"]) == 3"#, RunErr("")),
    row(
        "has_prefix_missing",
        r#"HasPrefix(attributes["missing"], "a")"#,
        RunErr(""),
    ),
    row(
        "has_prefix_nil_literal",
        r#"HasPrefix(nil, "a")"#,
        Rejected(""),
    ),
    row(
        "sha256_of_int",
        r#"SHA256(attributes["i"]) == nil"#,
        RunErr(""),
    ),
    row(
        "is_bool_of_string_literal",
        r#"IsBool("true")"#,
        Rejected(""),
    ),
    row("is_string_of_int", r#"IsString(attributes["i"])"#, False),
];

pub const REGEX: &[Row] = &[
    row("anchored_both", r#"IsMatch(name, "^GET$")"#, False),
    row(
        "case_insensitive_flag",
        r#"IsMatch(name, "(?i)^get")"#,
        True,
    ),
    row("digits", r#"IsMatch(attributes["dig"], "\\d+")"#, True),
    row(
        "digits_anchored",
        r#"IsMatch(attributes["dig"], "^\\d+$")"#,
        False,
    ),
    row(
        "unicode_class",
        r#"IsMatch(attributes["dig"], "\\p{L}")"#,
        True,
    ),
    row(
        "caret_is_text_start",
        r#"IsMatch(attributes["nl"], "^line2")"#,
        False,
    ),
    row(
        "multiline_flag",
        r#"IsMatch(attributes["nl"], "(?m)^line2")"#,
        True,
    ),
    row(
        "dot_not_newline",
        r#"IsMatch(attributes["nl"], "line1.line2")"#,
        False,
    ),
    row(
        "dotall_flag",
        r#"IsMatch(attributes["nl"], "(?s)line1.line2")"#,
        True,
    ),
    row(
        "named_group_angle",
        r#"IsMatch(attributes["s"], "(?<x>a)")"#,
        True,
    ),
    row(
        "backreference",
        r#"IsMatch(attributes["s"], "(a)\\1")"#,
        Rejected(""),
    ),
    row(
        "lookahead",
        r#"IsMatch(attributes["s"], "a(?=b)")"#,
        Rejected(""),
    ),
    row(
        "bad_repeat_range",
        r#"IsMatch(attributes["s"], "a{2,1}")"#,
        Rejected(""),
    ),
    row(
        "unclosed_group",
        r#"IsMatch(name, "(")"#,
        Rejected("is not a valid pattern"),
    ),
    row(
        "dynamic_bad_pattern",
        r#"IsMatch(name, Concat(["(", ""], ""))"#,
        RunErr(""),
    ),
    row(
        "int_pattern",
        "IsMatch(name, 1)",
        Rejected("expected string but got int64"),
    ),
];

/// List/map literal rows of "Editors, `set`", compared with the fixture's `l`, `li`, `m`.
pub const LIST_MAP_LITERALS: &[Row] = &[
    row("list_without_commas", r#"attributes["li"] == [1 2]"#, True),
    row(
        "list_leading_comma",
        r#"attributes["l"] == [, "a", "b"]"#,
        True,
    ),
    row(
        "list_trailing_comma",
        r#"attributes["l"] == ["a", "b",]"#,
        Rejected(""),
    ),
    row(
        "map_without_commas",
        r#"attributes["m"] == {"a": 1 "b": "x"}"#,
        True,
    ),
    row(
        "map_duplicate_last_wins",
        r#"attributes["m"] == {"a": 2, "b": "x", "a": 1}"#,
        True,
    ),
    row("map_bare_key", r#"attributes["m"] == {a: 1}"#, Rejected("")),
];

/// §12's ParseJSON rows, plus one row per converter family the brief names (values computed
/// from the documented upstream algorithm: known digests, RFC/Go behaviour).
pub const CONVERTERS: &[Row] = &[
    row(
        "parse_json_eq_int_map",
        r#"ParseJSON("{\"a\":1}") == {"a": 1}"#,
        False,
    ),
    row(
        "parse_json_eq_float_map",
        r#"ParseJSON("{\"a\":1}") == {"a": 1.0}"#,
        True,
    ),
    row(
        "parse_json_index",
        r#"ParseJSON("{\"a\":1}")["a"] == 1.0"#,
        True,
    ),
    row(
        "parse_json_missing_key",
        r#"ParseJSON("{\"a\":1}")["b"] == nil"#,
        RunErr("key not found in map"),
    ),
    row(
        "parse_json_array",
        r#"Len(ParseJSON("[1, 2, 3]")) == 3"#,
        True,
    ),
    row(
        "parse_json_scalar",
        r#"ParseJSON("1") == nil"#,
        RunErr("could not convert parsed value"),
    ),
    row(
        "url_domain",
        r#"URL("https://example.com:8080/p/a.txt?q=1")["url.domain"] == "example.com""#,
        True,
    ),
    row(
        "url_port_is_int",
        r#"URL("https://example.com:8080/p")["url.port"] == 8080"#,
        True,
    ),
    row(
        "url_empty",
        r#"URL("") == nil"#,
        RunErr("url cannot be empty"),
    ),
    row(
        "parse_key_value_quoted",
        r#"ParseKeyValue("a=1 b=\"x y\"")["b"] == "x y""#,
        True,
    ),
    row(
        "parse_key_value_custom_delims",
        r#"ParseKeyValue("a:1|b:2", ":", "|")["b"] == "2""#,
        True,
    ),
    row(
        "parse_key_value_same_delims",
        r#"ParseKeyValue("a=1", "=", "=") == nil"#,
        Rejected("cannot be equal to delimiter"),
    ),
    row(
        "extract_patterns_named",
        r#"ExtractPatterns(attributes["dig"], "(?P<num>\\d+)")["num"] == "123""#,
        True,
    ),
    row(
        "extract_patterns_digit_name",
        r#"ExtractPatterns(attributes["dig"], "(?P<0>\\d+)")["0"] == "123""#,
        True,
    ),
    row(
        "extract_patterns_unnamed",
        r#"ExtractPatterns(attributes["dig"], "(\\d+)") == nil"#,
        RunErr("at least 1 named capture group"),
    ),
    row(
        "is_in_cidr_yes",
        r#"IsInCIDR("10.1.2.3", ["192.168.0.0/16", "10.0.0.0/8"])"#,
        True,
    ),
    row(
        "is_in_cidr_no",
        r#"IsInCIDR("11.1.2.3", ["10.0.0.0/8"])"#,
        False,
    ),
    row(
        "is_in_cidr_not_an_ip",
        r#"IsInCIDR("nope", ["10.0.0.0/8"])"#,
        False,
    ),
    row(
        "is_in_cidr_bad_network",
        r#"IsInCIDR("10.1.2.3", ["10.0.0.0"])"#,
        Rejected("invalid CIDR address"),
    ),
    row("sort_ints", r#"Sort([3, 1, 2]) == [1, 2, 3]"#, True),
    row(
        "sort_desc_strings",
        r#"Sort(["a", "c", "b"], "desc") == ["c", "b", "a"]"#,
        True,
    ),
    row("sort_mixed_numbers", r#"Sort([2, 1.5]) == [1.5, 2]"#, True),
    row(
        "sort_bad_order",
        r#"Sort([1], "up") == nil"#,
        Rejected("Order should be either"),
    ),
    row(
        "format_verbs",
        r#"Format("%s-%d", [name, 7]) == "GET /x-7""#,
        True,
    ),
    row(
        "convert_case_snake",
        r#"ConvertCase("HTTPServerError", "snake") == "http_server_error""#,
        True,
    ),
    row(
        "convert_case_camel",
        r#"ConvertCase("http_server", "camel") == "HttpServer""#,
        True,
    ),
    row(
        "convert_case_bad",
        r#"ConvertCase("x", "title") == nil"#,
        Rejected("invalid case: title"),
    ),
    row(
        "to_snake_case",
        r#"ToSnakeCase("someName") == "some_name""#,
        True,
    ),
    row("luhn_valid", r#"IsValidLuhn("4111 1111 1111 1111")"#, True),
    row("luhn_invalid", r#"IsValidLuhn("4111111111111112")"#, False),
    row("luhn_int", r#"IsValidLuhn(79927398713)"#, True),
    row("len_events", "Len(events) == 0", True),
    row("len_links", "Len(links) == 0", True),
    row("trace_state_key", r#"trace_state["k2"] == "v2""#, True),
    row(
        "sha1",
        r#"SHA1("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d""#,
        True,
    ),
    row(
        "md5",
        r#"MD5("abc") == "900150983cd24fb0d6963f7d28e17f72""#,
        True,
    ),
    row("xxh3_empty", r#"XXH3("") == "2d06800538d394c2""#, True),
    row(
        "murmur3_hello",
        r#"Murmur3Hash("hello") == "47fa8b24""#,
        True,
    ),
    row(
        "keys_values",
        r#"Keys(attributes["m"]) == ["a", "b"]"#,
        True,
    ),
    row("values", r#"Values(attributes["m"]) == [1, "x"]"#, True),
    row("base64_encode", r#"Base64Encode("abc") == "YWJj""#, True),
    // ottlfuncs README: `Decode(value, encoding)` with an IANA name; ISO-8859-1 byte n is U+00nn.
    row(
        "decode_latin1_bytes",
        r#"Decode(0xe974e9, "ISO-8859-1") == "été""#,
        True,
    ),
    row(
        "decode_us_ascii",
        r#"Decode("abc", "us-ascii") == "abc""#,
        True,
    ),
    row(
        "decode_utf16be",
        r#"Decode(0x00680069, "UTF-16BE") == "hi""#,
        True,
    ),
    row("year_of_start", "Year(start_time) == 2023", True),
    row("weekday_of_start", "Weekday(start_time) == 2", True),
    row("parse_int_hex", r#"ParseInt("ff", 16) == 255"#, True),
    row(
        "slice_to_map_index_keys",
        r#"SliceToMap(attributes["l"])["1"] == "b""#,
        True,
    ),
    row(
        "to_key_value_string_sorted_and_quoted",
        r#"ToKeyValueString({"b": "x y", "a": 1}, "=", " ", true) == "a=1 b=\"x y\"""#,
        True,
    ),
    row(
        "truncate_time_to_the_hour",
        r#"TruncateTime(start_time, Duration("1h")) == Unix(1699999200)"#,
        True,
    ),
    row("parse_xml_is_map", r#"IsMap(ParseXML("<a>1</a>"))"#, True),
    row(
        "parse_xml_tag",
        r#"ParseXML("<a x='1'>b</a>")["attributes"]["x"] == "1""#,
        True,
    ),
    row(
        "parse_simplified_xml_leaf",
        r#"ParseSimplifiedXML("<a><b>1</b></a>")["a"]["b"] == "1""#,
        True,
    ),
    // ottlfuncs `Test_Time`: "2023-04-12" with "%Y-%m-%d" (time.Local being UTC).
    row(
        "time_parses_a_date",
        r#"Time("2023-04-12", "%Y-%m-%d") == Unix(1681257600)"#,
        True,
    ), // ottlfuncs `TestUserAgentParser`'s "curl" row: a map (uap-go's regexes, see
    // functions/useragent.rs), with the version the curl entry gives.
    row(
        "user_agent_is_map",
        r#"IsMap(UserAgent("curl/7.81.0"))"#,
        True,
    ),
    row(
        "user_agent_curl_version",
        r#"UserAgent("curl/7.81.0")["user_agent.version"] == "7.81.0""#,
        True,
    ),
];
