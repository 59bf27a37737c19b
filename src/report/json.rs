//! `--format json`: the report as one pretty-printed JSON document.

use super::Report;

pub fn render(report: &Report) -> String {
    // Serialising plain structs of strings and numbers cannot fail.
    let mut s =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
