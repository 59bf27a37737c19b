//! Text rendering of `otelcheck inspect`: one block per capture with its counts and the
//! services, kinds, span names and attribute keys the pipeline would see.

use crate::capture::summary::Summary;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, ContentArrangement, Table};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// `color` makes each capture's heading bold (only ever on for a terminal); tables fit
/// `width` columns (long sample values and names wrap).
pub fn render(s: &Summary, color: bool, width: u16) -> String {
    let (bold, off) = if color {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    let mut out = String::new();
    for c in &s.captures {
        let _ = writeln!(
            out,
            "{bold}{}{off}: {} (receiver `{}`), {} payload(s), {} trace(s), {} span(s)",
            c.path, c.format, c.receiver, c.payloads, c.traces, c.spans
        );
        out.push_str(&counts("service", &c.services, width));
        out.push_str(&counts("span kind", &c.span_kinds, width));
        out.push_str(&counts("service :: span name", &c.span_names, width));
        out.push_str(&keys_with_samples(
            &c.attribute_keys,
            &c.attribute_samples,
            width,
        ));
        out.push_str(&counts(
            "resource attribute key",
            &c.resource_attribute_keys,
            width,
        ));
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "total: {} payload(s), {} trace(s), {} span(s)",
        s.total_payloads, s.total_traces, s.total_spans
    );
    out
}

/// Span attribute keys with their counts and a few sample values.
fn keys_with_samples(
    keys: &BTreeMap<String, usize>,
    samples: &BTreeMap<String, Vec<String>>,
    width: u16,
) -> String {
    let mut table = fitted(width);
    table.set_header(["span attribute key", "spans", "sample values"]);
    for (k, n) in keys {
        let shown = samples.get(k).map(|v| v.join(" | ")).unwrap_or_default();
        table.add_row(vec![
            Cell::new(k),
            Cell::new(n).set_alignment(CellAlignment::Right),
            Cell::new(shown),
        ]);
    }
    format!("{table}\n")
}

fn counts(what: &str, map: &BTreeMap<String, usize>, width: u16) -> String {
    let mut table = fitted(width);
    table.set_header([what, "spans"]);
    for (k, n) in map {
        let k = if k.is_empty() { "(none)" } else { k.as_str() };
        table.add_row(vec![
            Cell::new(k),
            Cell::new(n).set_alignment(CellAlignment::Right),
        ]);
    }
    format!("{table}\n")
}

/// A table that wraps its cells to stay within `width` columns.
fn fitted(width: u16) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width);
    table
}
