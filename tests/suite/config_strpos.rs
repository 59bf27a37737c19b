//! `location_in_scalar`: a byte of a string value back to the file's line:column.

use otelcheck::config::node::{parse_yaml, Node};
use otelcheck::config::strpos::location_in_scalar;
use std::sync::Arc;

const SRC: &str = r#"statements:
  plain: set(name, "x") where a == 1
  single: 'it''s a("b")'
  double: "tab\there \u00e9 x"
  literal: |
    first line
    second line
  folded: >-
    one
    two
  multi: plain
    continued here
  crlf: "a\
    b"
"#;

fn node(key: &str) -> Node {
    let file: Arc<str> = "s.yaml".into();
    let root = parse_yaml(&file, SRC).unwrap();
    root.get("statements")
        .and_then(|s| s.get(key))
        .cloned()
        .unwrap()
}

/// Line and column of the byte where `needle` starts in `key`'s value.
fn at(key: &str, needle: &str) -> (u32, u32) {
    let n = node(key);
    let value = n.as_str().unwrap();
    let byte = value
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {value:?}"));
    let loc = location_in_scalar(&n, SRC, byte);
    assert_eq!(&*loc.file, "s.yaml");
    (loc.line, loc.column)
}

#[test]
fn plain_scalar() {
    assert_eq!(at("plain", "set"), (2, 10));
    assert_eq!(at("plain", "where"), (2, 25));
}

#[test]
fn single_quoted_counts_doubled_quotes_once() {
    assert_eq!(at("single", "it"), (3, 12));
    assert_eq!(at("single", "s a"), (3, 16));
    assert_eq!(at("single", "(\"b"), (3, 19));
}

#[test]
fn double_quoted_escapes_shift_columns() {
    assert_eq!(at("double", "tab"), (4, 12));
    assert_eq!(at("double", "here"), (4, 17));
    // `é` is 2 value bytes written as 6 source characters
    assert_eq!(at("double", "\u{e9}"), (4, 22));
    assert_eq!(at("double", "x"), (4, 29));
}

#[test]
fn literal_block_lands_on_the_right_line() {
    assert_eq!(at("literal", "first"), (6, 5));
    assert_eq!(at("literal", "line\nsecond"), (6, 11));
    assert_eq!(at("literal", "second"), (7, 5));
}

#[test]
fn folded_block() {
    assert_eq!(node("folded").as_str(), Some("one two"));
    assert_eq!(at("folded", "one"), (9, 5));
    assert_eq!(at("folded", "two"), (10, 5));
}

#[test]
fn multi_line_plain_and_escaped_line_break() {
    assert_eq!(node("multi").as_str(), Some("plain continued here"));
    assert_eq!(at("multi", "continued"), (12, 5));
    assert_eq!(node("crlf").as_str(), Some("ab"));
    assert_eq!(at("crlf", "b"), (14, 5));
}

#[test]
fn out_of_range_and_missing_offsets_do_not_panic() {
    let n = node("plain");
    let end = location_in_scalar(&n, SRC, 10_000);
    assert!(end.line >= 2);
    let mut moved = n.clone();
    moved.offset = None;
    assert_eq!(location_in_scalar(&moved, SRC, 4).column, n.loc.column + 4);
    moved.offset = Some(SRC.len() + 5);
    let _ = location_in_scalar(&moved, SRC, 1);
    let _ = location_in_scalar(&n, "", 3);
}
