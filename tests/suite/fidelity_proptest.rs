//! Property tests (issue 11, item 17): an OTTL tree printed and parsed again is the same tree;
//! the capture decoders return an error, never a panic, on arbitrary bytes.

use otelcheck::capture::{decode_capture, CaptureFormat};
use otelcheck::ottl::{parse_condition, parse_statement};
use proptest::prelude::*;

/// A tree's `Debug` text without its byte ranges: two trees that differ only in where their
/// nodes sit in the text (original vs printed) compare equal, any other difference does not.
fn shape(tree: &impl std::fmt::Debug) -> String {
    let text = format!("{tree:?}");
    let spans = regex::Regex::new(r"span: Span \{ start: \d+, end: \d+ \}").expect("regex");
    spans.replace_all(&text, "span").into_owned()
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("name".to_string()),
        Just("attributes[\"http.route\"]".to_string()),
        Just("resource.attributes[\"service.name\"]".to_string()),
        Just("kind".to_string()),
        "[a-z]{1,8}".prop_map(|s| format!("\"{s}\"")),
        (0i64..100_000).prop_map(|n| n.to_string()),
        (0u32..1000).prop_map(|n| format!("{}.5", n)),
        Just("nil".to_string()),
        Just("SPAN_KIND_SERVER".to_string()),
    ]
}

fn value() -> impl Strategy<Value = String> {
    leaf().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} + {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} * {b})")),
            inner
                .clone()
                .prop_map(|a| format!("Concat([{a}, \"x\"], \"\")")),
            inner.prop_map(|a| format!("Len({a})")),
        ]
    })
}

fn statement() -> impl Strategy<Value = String> {
    let editor = prop_oneof![
        value().prop_map(|v| format!("set(attributes[\"x\"], {v})")),
        Just("delete_key(attributes, \"http.url\")".to_string()),
        Just("replace_pattern(name, \"^/(\\\\d+)\", \"/$$1\")".to_string()),
        Just("keep_keys(attributes, [\"a\", \"b\"])".to_string()),
    ];
    (editor, proptest::option::of(condition()))
        .prop_map(|(e, c)| c.map_or_else(|| e.clone(), |c| format!("{e} where {c}")))
}

fn condition() -> impl Strategy<Value = String> {
    let op = prop_oneof![Just("=="), Just("!="), Just("<"), Just(">="),];
    let atom = prop_oneof![
        (value(), op, value()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
        value().prop_map(|v| format!("IsMatch({v}, \"^a.*\")")),
        Just("true".to_string()),
    ];
    atom.prop_recursive(3, 16, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or {b}")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn printed_trees_parse_back_to_the_same_tree(text in condition()) {
        // The generator also writes text the grammar refuses (a string in math, `nil * x`);
        // the property is about the trees of text that parses.
        let Ok(tree) = parse_condition(&text) else {
            return Ok(());
        };
        let printed = tree.node.to_string();
        let again = parse_condition(&printed)
            .unwrap_or_else(|e| panic!("{printed:?} (from {text:?}) does not parse: {e:?}"));
        prop_assert_eq!(shape(&again.node), shape(&tree.node), "{} printed as {}", text, printed);
    }

    #[test]
    fn printed_statements_parse_back_to_the_same_tree(text in statement()) {
        let Ok(tree) = parse_statement(&text) else {
            return Ok(());
        };
        let printed = tree.to_string();
        let again = parse_statement(&printed)
            .unwrap_or_else(|e| panic!("{printed:?} (from {text:?}) does not parse: {e:?}"));
        prop_assert_eq!(shape(&again), shape(&tree), "{} printed as {}", text, printed);
    }

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), pick in 0usize..6) {
        let forced = CaptureFormat::ALL.get(pick).copied();
        let _ = decode_capture("prop.capture", &bytes, forced);
    }

    #[test]
    fn decoders_never_panic_on_mutated_msgpack(tail in proptest::collection::vec(any::<u8>(), 0..256), pick in 0usize..6) {
        // A valid-looking start (array of one trace of one span map) so the mutation reaches
        // the span decoder rather than failing on the first byte.
        let mut bytes = vec![0x91, 0x91, 0x8c];
        bytes.extend(tail);
        let forced = CaptureFormat::ALL.get(pick).copied();
        let _ = decode_capture("prop.capture", &bytes, forced);
    }
}

/// Documents built from XML fragments (well-formed or not), for the XML converters.
fn xml_docs() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "<a>",
        "</a>",
        "<b x=\"1\">",
        "</b>",
        "<c/>",
        "text",
        "<![CDATA[z]]>",
        "<!-- c -->",
        "<?xml version=\"1.0\"?>",
        "<?pi x?>",
        "<!DOCTYPE a>",
        "&amp;",
        "&lt;",
        " ",
        "<n:d xmlns:n=\"u\">",
        "</n:d>",
        "\"",
        "<",
        ">",
        "&",
        "<e y='2' z=\"3\">",
        "</e>",
    ]);
    let fragments = prop::collection::vec(atoms, 0..40).prop_map(|v| v.concat());
    // Well-formed documents too: random fragments rarely nest, and edits go wrong on nesting.
    let documents = prop::sample::select(vec![
        "<a><b x=\"1\"><c>t</c></b><b/></a>",
        "<?xml version=\"1.0\"?><a><b><c><d/></c></b><e y='2'><b/></e></a>",
        "<a>t<b/>u<!-- c --><![CDATA[x]]><n:d xmlns:n=\"u\"><b x=\"2\"/></n:d></a>",
    ])
    .prop_map(str::to_owned);
    prop_oneof![documents, fragments]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// GetXML, RemoveXML, InsertXML and the two Convert*XML functions return a value or an
    /// error on any document and any XPath that compiles — never panic, never run forever
    /// (a node linked into its own subtree once made the output check exponential).
    #[test]
    fn xml_converters_end_on_any_document_and_xpath(
        doc in xml_docs(),
        sub in xml_docs(),
        path in "[/a-e@*\\[\\]().='0-9 |!,:-]{0,24}|(//?(\\.\\.|[a-e*@.]{1,3})(\\[[^\\]]{0,8}\\])?){1,5}",
    ) {
        use otelcheck::ottl::runtime::functions::{xmldom, xpath};
        if let Ok(x) = xpath::compile(&path) {
            let _ = xmldom::get_xml(&doc, &x);
            let _ = xmldom::remove_xml(&doc, &x);
            let _ = xmldom::insert_xml(&doc, &x, &sub);
            let _ = xmldom::attributes_to_elements(&doc, &x);
            let _ = xmldom::text_to_elements(&doc, &x, "v");
        }
    }
}
