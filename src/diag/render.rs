//! Plain-text rendering of diagnostics:
//!
//! ```text
//! config.yaml:15:11: error[catch-all-rule] regex "/.*" matches every URL path
//!    |
//! 15 |         - 'attributes["http.target"] =~ "/.*"'
//!    |           ^
//!    = help: anchor the pattern ...
//! ```
//!
//! The first line is the contract CI greps for; the snippet is for humans.

use super::{Diagnostic, Severity};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

/// File contents by name, so snippets can be shown next to a diagnostic.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: HashMap<Arc<str>, Arc<str>>,
}

impl SourceMap {
    pub fn insert(&mut self, name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) {
        self.files.insert(name.into(), text.into());
    }

    /// Add every file of `other` (files of independent configs have distinct names).
    pub fn extend(&mut self, other: &SourceMap) {
        for (k, v) in &other.files {
            self.files.insert(k.clone(), v.clone());
        }
    }

    /// The whole text of `file`.
    pub fn text(&self, file: &str) -> Option<&str> {
        self.files.get(file).map(|t| &**t)
    }

    pub fn line(&self, file: &str, line: u32) -> Option<&str> {
        let text = self.files.get(file)?;
        text.lines().nth(line.checked_sub(1)? as usize)
    }
}

/// Render one diagnostic. `color` switches ANSI styling (only ever on for a terminal).
pub fn render_text(diag: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let mut out = String::new();
    let (sev_on, bold, dim, off) = if color {
        let sev = match diag.severity {
            Severity::Error => "\x1b[1;31m",
            Severity::Warning => "\x1b[1;33m",
            Severity::Info => "\x1b[1;36m",
        };
        (sev, "\x1b[1m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    if let Some(loc) = &diag.location {
        let _ = write!(out, "{bold}{loc}:{off} ");
    }
    let _ = writeln!(
        out,
        "{sev_on}{}[{}]{off} {bold}{}{off}",
        diag.severity, diag.code, diag.message
    );
    if let Some(loc) = &diag.location {
        if let Some(src) = sources.line(&loc.file, loc.line) {
            snippet(&mut out, loc.line, loc.column, src, (sev_on, dim, off));
        }
    }
    for label in &diag.labels {
        let _ = writeln!(
            out,
            "   {dim}= note:{off} {}: {}",
            label.location, label.message
        );
    }
    for note in &diag.notes {
        let _ = writeln!(out, "   {dim}= note:{off} {note}");
    }
    if let Some(help) = &diag.help {
        let _ = writeln!(out, "   {dim}= help:{off} {help}");
    }
    out
}

fn snippet(
    out: &mut String,
    line: u32,
    column: u32,
    src: &str,
    (sev, dim, off): (&str, &str, &str),
) {
    let gutter = line.to_string();
    let pad = " ".repeat(gutter.len());
    let shown = src.trim_end();
    let _ = writeln!(out, "{dim}{pad} |{off}");
    let _ = writeln!(out, "{dim}{gutter} |{off} {shown}");
    // Columns are 1-based character positions; tabs are kept so the caret lines up.
    let lead: String = shown
        .chars()
        .take(column.saturating_sub(1) as usize)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let _ = writeln!(out, "{dim}{pad} |{off} {lead}{sev}^{off}");
}
