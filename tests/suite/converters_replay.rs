//! Converters that parse text, replayed end to end: a transform config of
//! `fixtures/replay/transform/` runs over `captures/converters.otlp.jsonl` and the attributes
//! the exporter receives (`--write-output`) are compared with what upstream v0.156.0 gives for
//! the same strings (its `Test_Time` rows and Go's `time` package, `time.Local` being UTC).

use crate::common::*;
use serde_json::{Map, Value};

const CAPTURE: &str = "captures/converters.otlp.jsonl";

/// Each exported span: its name and its attributes (key → the OTLP JSON value's payload).
type Spans = Vec<(String, Map<String, Value>)>;

/// Replay `config` and return the exported spans and the report.
fn replay(config: &str) -> (Spans, Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = otelcheck(&[
        "dry-run",
        &fixture(config),
        &fixture(CAPTURE),
        "--format",
        "json",
        "--write-output",
        out.to_str().unwrap(),
    ]);
    assert_ne!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let report = json(&run);
    let text = std::fs::read_to_string(out.join("traces.jsonl")).unwrap();
    let mut spans = Vec::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        for rs in v["resourceSpans"].as_array().unwrap() {
            for ss in rs["scopeSpans"].as_array().unwrap() {
                for sp in ss["spans"].as_array().unwrap() {
                    let attrs = sp["attributes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|kv| {
                            let val = kv["value"].as_object().unwrap().values().next().unwrap();
                            (kv["key"].as_str().unwrap().to_owned(), val.clone())
                        })
                        .collect();
                    spans.push((sp["name"].as_str().unwrap().to_owned(), attrs));
                }
            }
        }
    }
    (spans, report)
}

fn attr<'a>(spans: &'a [(String, Map<String, Value>)], span: &str, key: &str) -> Option<&'a Value> {
    spans
        .iter()
        .find(|(n, _)| n == span)
        .and_then(|(_, a)| a.get(key))
}

#[test]
fn time_parses_zones_locations_and_flexible_fields() {
    let (spans, report) = replay("replay/transform/time_parse.yaml");
    assert_eq!(processor(&report, "transform/time")["emulated"], true);
    assert_eq!(spans.len(), 3);
    // "2023-05-26 12:34:56 HST": HST is UTC−10 in the tz database.
    assert_eq!(
        attr(&spans, "syslog.line", "when.unix"),
        Some(&Value::from("1685140496"))
    );
    // "1986-10-01 00:17:33 MST": UTC−7 (upstream's "before 2000" row).
    assert_eq!(
        attr(&spans, "legacy.line", "when.unix"),
        Some(&Value::from("528535053"))
    );
    // "yesterday" does not parse: the statement errs and the span keeps going without it.
    assert_eq!(attr(&spans, "broken.line", "when.unix"), None);
    // America/New_York: daylight time in May (UTC−4), standard time in January (UTC−5).
    assert_eq!(
        attr(&spans, "syslog.line", "local.unix"),
        Some(&Value::from("1685118896"))
    );
    assert_eq!(
        attr(&spans, "legacy.line", "local.unix"),
        Some(&Value::from("1673787600"))
    );
    // "2/4/2023  7:05" with "%m/%d/%Y %H:%M": one-digit month and day, a padded hour.
    assert_eq!(
        attr(&spans, "syslog.line", "flex.iso"),
        Some(&Value::from("2023-02-04T07:05:00"))
    );
    assert_eq!(
        attr(&spans, "legacy.line", "flex.iso"),
        Some(&Value::from("1999-12-31T23:59:00"))
    );
    // Times compare in conditions.
    assert_eq!(
        attr(&spans, "syslog.line", "after.2000"),
        Some(&Value::from(true))
    );
    assert_eq!(attr(&spans, "legacy.line", "after.2000"), None);
}

/// The value of `key` in an OTLP JSON key-value list (`{"values": [{"key", "value"}]}`).
fn kv<'a>(list: &'a Value, key: &str) -> &'a Value {
    list["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == key)
        .map(|e| &e["value"])
        .unwrap_or(&Value::Null)
}

#[test]
fn parse_xml_builds_upstreams_map_and_fails_on_bad_documents() {
    let (spans, report) = replay("replay/transform/parse_xml.yaml");
    assert_eq!(processor(&report, "transform/xml")["emulated"], true);
    // <Log><User id="0001"><Name>Joe</Name></User><Text>User did a thing</Text></Log>
    let doc = attr(&spans, "syslog.line", "doc").unwrap();
    assert_eq!(kv(doc, "tag")["stringValue"], "Log");
    let children = kv(doc, "children")["arrayValue"]["values"]
        .as_array()
        .unwrap();
    assert_eq!(children.len(), 2);
    let user = &children[0]["kvlistValue"];
    assert_eq!(kv(user, "tag")["stringValue"], "User");
    assert_eq!(
        kv(&kv(user, "attributes")["kvlistValue"], "id")["stringValue"],
        "0001"
    );
    let text = &children[1]["kvlistValue"];
    assert_eq!(kv(text, "content")["stringValue"], "User did a thing");
    assert_eq!(
        attr(&spans, "syslog.line", "first.tag"),
        Some(&Value::from("User"))
    );
    // The declaration and the comment are skipped; each text chunk is trimmed, then joined.
    let event = attr(&spans, "legacy.line", "doc").unwrap();
    assert_eq!(kv(event, "content")["stringValue"], "disk &memory");
    assert_eq!(
        attr(&spans, "legacy.line", "warned"),
        Some(&Value::from(true))
    );
    assert_eq!(attr(&spans, "syslog.line", "warned"), None);
    // ParseSimplifiedXML: elements by name, leaves as their text, attributes dropped; the
    // <Event> has only text and an empty element, so its map is empty and left out.
    let simple = attr(&spans, "syslog.line", "simple").unwrap();
    let log = &kv(simple, "Log")["kvlistValue"];
    assert_eq!(
        kv(&kv(log, "User")["kvlistValue"], "Name")["stringValue"],
        "Joe"
    );
    assert_eq!(kv(log, "Text")["stringValue"], "User did a thing");
    let event = attr(&spans, "legacy.line", "simple").unwrap();
    assert_eq!(event, &serde_json::json!({}));
    // <Log><Text></Log>: Go's "element <Text> closed by </Log>", so nothing is set.
    assert_eq!(attr(&spans, "broken.line", "doc"), None);
    assert_eq!(attr(&spans, "broken.line", "simple"), None);
    let warnings = report.to_string();
    assert!(
        warnings.contains("element <Text> closed by </Log>"),
        "{warnings}"
    );
}

#[test]
fn xpath_xml_converters_select_edit_and_serialise_like_xmlquery() {
    let (spans, report) = replay("replay/transform/xpath_xml.yaml");
    assert_eq!(processor(&report, "transform/xpath")["emulated"], true);
    let s = |span: &str, key: &str| attr(&spans, span, key).cloned();
    let v = |t: &str| Some(Value::from(t));
    // <Log><User id="0001"><Name>Joe</Name></User><Text>User did a thing</Text></Log>
    assert_eq!(s("syslog.line", "user.name"), v("Joe"));
    assert_eq!(s("syslog.line", "host.attr"), v(""));
    assert_eq!(
        s("syslog.line", "no.user"),
        v("<Log><Text>User did a thing</Text></Log>")
    );
    assert_eq!(
        s("syslog.line", "tagged"),
        v(
            r#"<Log><User id="0001"><Name>Joe</Name></User><Text>User did a thing</Text><Seen></Seen></Log>"#
        )
    );
    // The new element goes after the element's children.
    assert_eq!(
        s("syslog.line", "attrs"),
        v("<Log><User><Name>Joe</Name><id>0001</id></User><Text>User did a thing</Text></Log>")
    );
    // No element mixes text with other children: unchanged but re-serialised.
    assert_eq!(
        s("syslog.line", "texts"),
        v(r#"<Log><User id="0001"><Name>Joe</Name></User><Text>User did a thing</Text></Log>"#)
    );
    // <?xml version="1.0"?>\n<Event level="warn">disk &amp; <!-- note -->memory<Host name="db-1"/></Event>:
    // the declaration is kept (the text starts with `<?xml`), `&` escaped again, `<Host/>`
    // written with an end tag.
    assert_eq!(s("legacy.line", "user.name"), v(""));
    assert_eq!(s("legacy.line", "host.attr"), v("db-1"));
    assert_eq!(
        s("legacy.line", "no.user"),
        v("<?xml version=\"1.0\"?>\n<Event level=\"warn\">disk &amp; <!-- note -->memory<Host name=\"db-1\"></Host></Event>")
    );
    assert_eq!(
        s("legacy.line", "tagged"),
        v("<?xml version=\"1.0\"?>\n<Event level=\"warn\">disk &amp; <!-- note -->memory<Host name=\"db-1\"></Host><Seen></Seen></Event>")
    );
    assert_eq!(
        s("legacy.line", "attrs"),
        v("<?xml version=\"1.0\"?>\n<Event>disk &amp; <!-- note -->memory<Host><name>db-1</name></Host><level>warn</level></Event>")
    );
    // The document node mixes the newline after the declaration with <Event>, so that newline
    // is wrapped too (xmlquery keeps it as a text child of the document).
    assert_eq!(
        s("legacy.line", "texts"),
        v("<?xml version=\"1.0\"?><value>\n</value><Event level=\"warn\"><value>disk &amp; </value><!-- note --><value>memory</value><Host name=\"db-1\"></Host></Event>")
    );
    // <Log><Text></Log> does not parse: nothing is set.
    for key in [
        "user.name",
        "host.attr",
        "no.user",
        "tagged",
        "attrs",
        "texts",
    ] {
        assert_eq!(s("broken.line", key), None, "{key}");
    }
}

/// An XPath `xpath.Compile` refuses is a config error at the statement; one it accepts but
/// otelcheck does not evaluate leaves the processor not emulated.
#[test]
fn xpath_syntax_errors_are_config_errors_and_unevaluated_xpath_is_not_emulated() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(fixture("replay/transform/xpath_xml.yaml")).unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, base.replace("\"/Log/User/Name/text()\"", "\"!\"")).unwrap();
    let run = otelcheck(&["dry-run", bad.to_str().unwrap(), &fixture(CAPTURE)]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(
        out.contains("bad.yaml:13:9: error[invalid-ottl]")
            && out.contains("invalid xpath: ! has an invalid token"),
        "{out}"
    );
    let other = dir.path().join("other.yaml");
    std::fs::write(
        &other,
        base.replace(
            "\"/Log/User/Name/text()\"",
            "\"//Name/following-sibling::*\"",
        ),
    )
    .unwrap();
    let run = otelcheck(&[
        "dry-run",
        other.to_str().unwrap(),
        &fixture(CAPTURE),
        "--format",
        "json",
    ]);
    assert_ne!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let report = json(&run);
    assert_eq!(processor(&report, "transform/xpath")["emulated"], false);
    assert!(
        !codes(&report).contains(&"invalid-ottl".to_string()),
        "{report}"
    );
}

/// A converter otelcheck does not evaluate leaves its processor not emulated, and says so.
#[test]
fn a_converter_not_emulated_says_so() {
    let call = unevaluated_span_converter_call();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("unevaluated.yaml");
    let text = std::fs::read_to_string(fixture("replay/transform/parse_xml.yaml"))
        .unwrap()
        .replace(r#"ParseXML(span.attributes["xml"]))"#, &format!("{call})"));
    std::fs::write(&cfg, text).unwrap();
    let run = otelcheck(&[
        "dry-run",
        cfg.to_str().unwrap(),
        &fixture(CAPTURE),
        "--format",
        "json",
    ]);
    assert_ne!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let report = json(&run);
    assert_eq!(
        processor(&report, "transform/xml")["emulated"],
        false,
        "{call}"
    );
    assert!(
        codes(&report).contains(&"unsupported-component".to_string()),
        "{report}"
    );
}

/// `UserAgent` over the capture's `user_agent.original` values, with the maps uap-go gives
/// (values worked out from the vendored regexes; see `functions/useragent.rs`).
#[test]
fn user_agent_parses_like_uap_go() {
    let (spans, report) = replay("replay/transform/user_agent.yaml");
    assert_eq!(processor(&report, "transform/ua")["emulated"], true);
    let str_of = |m: &Value, k: &str| kv(m, k)["stringValue"].as_str().map(str::to_owned);
    let s = |v: &str| Some(v.to_owned());
    // contrib's own "Mobile Safari" row.
    let m = attr(&spans, "syslog.line", "ua").unwrap();
    assert_eq!(str_of(m, "user_agent.name"), s("Mobile Safari"));
    assert_eq!(str_of(m, "user_agent.version"), s("13.1.1"));
    assert_eq!(str_of(m, "os.name"), s("iOS"));
    assert_eq!(str_of(m, "os.version"), s("13.5.1"));
    assert!(str_of(m, "user_agent.original")
        .unwrap()
        .starts_with("Mozilla/5.0 (iPhone; CPU iPhone OS 13_5_1"));
    assert_eq!(m["values"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        attr(&spans, "syslog.line", "ua.name"),
        Some(&Value::from("Mobile Safari"))
    );
    // An iOS app: the family comes from the bare `(iPod|iPod touch|iPhone|iPad)` entry,
    // whose version templates name groups it does not have, so the version is "".
    let m = attr(&spans, "legacy.line", "ua").unwrap();
    assert_eq!(
        str_of(m, "user_agent.name"),
        s("Mobile Safari UI/WKWebView")
    );
    assert_eq!(str_of(m, "user_agent.version"), s(""));
    assert_eq!(str_of(m, "os.name"), s("iOS"));
    assert_eq!(str_of(m, "os.version"), s("17.4"));
    // Nothing matches: "Other" twice, the empty version kept, no os.version.
    let m = attr(&spans, "broken.line", "ua").unwrap();
    assert_eq!(str_of(m, "user_agent.name"), s("Other"));
    assert_eq!(str_of(m, "user_agent.version"), s(""));
    assert_eq!(str_of(m, "os.name"), s("Other"));
    assert_eq!(str_of(m, "os.version"), None);
    assert_eq!(m["values"].as_array().map(Vec::len), Some(4));
}

#[test]
fn decode_reads_multi_byte_character_sets() {
    let (spans, report) = replay("replay/transform/decode_multibyte.yaml");
    assert_eq!(processor(&report, "transform/decode")["emulated"], true);
    assert_eq!(
        attr(&spans, "syslog.line", "text"),
        Some(&Value::from("ログ出力"))
    );
    assert_eq!(
        attr(&spans, "legacy.line", "text"),
        Some(&Value::from("你好"))
    );
    // 0xC6 0x53 is not in EUC-KR: x/text gives U+FFFD and reads the "S" again.
    assert_eq!(
        attr(&spans, "broken.line", "text"),
        Some(&Value::from("한글\u{fffd}S"))
    );
    // EBCDIC code page 037.
    for span in ["syslog.line", "legacy.line", "broken.line"] {
        assert_eq!(attr(&spans, span, "ebcdic"), Some(&Value::from("Hello")));
        // ESC $ B 0x2422 ESC ( B "a".
        assert_eq!(attr(&spans, span, "jis"), Some(&Value::from("あa")));
    }
}

#[test]
fn extract_grok_patterns_types_named_fields() {
    let (spans, report) = replay("replay/transform/grok.yaml");
    assert_eq!(processor(&report, "transform/grok")["emulated"], true);
    // "GET /orders/17?x=1 200 0.042"
    let m = attr(&spans, "syslog.line", "access.parsed").unwrap();
    assert_eq!(kv(m, "http.method")["stringValue"], "GET");
    assert_eq!(kv(m, "url.path")["stringValue"], "/orders/17?x=1");
    assert_eq!(kv(m, "http.status")["intValue"], "200");
    assert_eq!(kv(m, "duration")["doubleValue"], 0.042);
    // Only the named captures: URIPATHPARAM's inner patterns are not in the map.
    assert_eq!(m["values"].as_array().map(Vec::len), Some(4));
    let m = attr(&spans, "legacy.line", "access.parsed").unwrap();
    assert_eq!(kv(m, "http.status")["intValue"], "503");
    assert_eq!(kv(m, "duration")["doubleValue"], 1.5);
    // "garbage" does not match: an empty map.
    assert_eq!(
        attr(&spans, "broken.line", "access.parsed"),
        Some(&serde_json::json!({}))
    );
}
