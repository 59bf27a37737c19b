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
    files: HashMap<Arc<str>, Source>,
}

/// One file's text and where each of its lines starts, so finding a line for a snippet does
/// not scan the file again (a config with 50,000 rules has as many diagnostics).
#[derive(Debug, Clone)]
struct Source {
    text: Arc<str>,
    line_starts: Arc<[usize]>,
}

impl Source {
    fn new(text: Arc<str>) -> Self {
        let line_starts = std::iter::once(0)
            .chain(
                text.bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Self { text, line_starts }
    }

    /// Line `index` (0-based) as `str::lines` gives it: without its `\n` or `\r\n`.
    fn line(&self, index: usize) -> Option<&str> {
        let start = *self.line_starts.get(index)?;
        if start >= self.text.len() {
            return None;
        }
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next - 1);
        let line = &self.text[start..end];
        if end < self.text.len() {
            Some(line.strip_suffix('\r').unwrap_or(line))
        } else {
            Some(line)
        }
    }
}

impl SourceMap {
    pub fn insert(&mut self, name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) {
        self.files.insert(name.into(), Source::new(text.into()));
    }

    /// Add every file of `other` (files of independent configs have distinct names).
    pub fn extend(&mut self, other: &SourceMap) {
        for (k, v) in &other.files {
            self.files.insert(k.clone(), v.clone());
        }
    }

    /// The whole text of `file`.
    pub fn text(&self, file: &str) -> Option<&str> {
        self.files.get(file).map(|s| &*s.text)
    }

    pub fn line(&self, file: &str, line: u32) -> Option<&str> {
        self.files.get(file)?.line(line.checked_sub(1)? as usize)
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
    // Every continuation line (`|`, `=`) aligns with the gutter of the line number shown.
    let gutter_width = diag
        .location
        .as_ref()
        .map_or(2, |l| l.line.to_string().len().max(2));
    let pad = " ".repeat(gutter_width);
    if let Some(loc) = diag.location.as_ref().filter(|l| l.has_position()) {
        if let Some(src) = sources.line(&loc.file, loc.line) {
            snippet(&mut out, loc, src, gutter_width, (sev_on, dim, off));
        }
    }
    for label in &diag.labels {
        let _ = writeln!(
            out,
            "{pad} {dim}= note:{off} {}: {}",
            label.location, label.message
        );
    }
    for note in &diag.notes {
        let _ = writeln!(out, "{pad} {dim}= note:{off} {note}");
    }
    if let Some(help) = &diag.help {
        let _ = writeln!(out, "{pad} {dim}= help:{off} {help}");
    }
    out
}

fn snippet(
    out: &mut String,
    loc: &super::Location,
    src: &str,
    gutter_width: usize,
    (sev, dim, off): (&str, &str, &str),
) {
    let pad = " ".repeat(gutter_width);
    let shown = src.trim_end();
    let _ = writeln!(out, "{dim}{pad} |{off}");
    let _ = writeln!(out, "{dim}{:>gutter_width$} |{off} {shown}", loc.line);
    // Columns are 1-based character positions; tabs are kept so the caret lines up.
    let start = loc.column.saturating_sub(1) as usize;
    let lead: String = shown
        .chars()
        .take(start)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let carets = "^".repeat(token_len(shown, start));
    let _ = writeln!(out, "{dim}{pad} |{off} {lead}{sev}{carets}{off}");
}

/// How many characters from `start` form the token a location points at: a quoted string up
/// to its closing quote, an operator, or a run of word characters (a key, a path, a call's
/// name). At least one, so the caret is never missing.
fn token_len(line: &str, start: usize) -> usize {
    let rest: Vec<char> = line.chars().skip(start).collect();
    let Some(&first) = rest.first() else {
        return 1;
    };
    let len = match first {
        '"' | '\'' => {
            let mut escaped = false;
            rest.iter()
                .enumerate()
                .skip(1)
                .find(|&(_, &c)| {
                    let end = c == first && !escaped;
                    escaped = c == '\\' && !escaped;
                    end
                })
                .map_or(1, |(i, _)| i + 1)
        }
        c if is_word(c) => rest
            .iter()
            .take_while(|&&c| is_word(c) || c == '.' || c == '/')
            .count(),
        _ => rest
            .iter()
            .take_while(|&&c| "=!~<>".contains(c))
            .count()
            .max(1),
    };
    len.max(1)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{codes, Diagnostic, Location};

    #[test]
    fn lines_are_found_as_str_lines_finds_them() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\r\nb\r\n",
            "a\n\nb",
            "a\r",
            "a\rb\n\r\n\n",
            "é\n日本\r\nz",
        ] {
            let mut sources = SourceMap::default();
            sources.insert("f", text);
            let want: Vec<&str> = text.lines().collect();
            let got: Vec<&str> = (1..=want.len() as u32 + 2)
                .map_while(|n| sources.line("f", n))
                .collect();
            assert_eq!(got, want, "{text:?}");
            assert_eq!(sources.line("f", 0), None);
            assert_eq!(sources.line("f", want.len() as u32 + 1), None, "{text:?}");
        }
    }

    #[test]
    fn underlines_the_token_and_aligns_the_gutter() {
        let mut sources = SourceMap::default();
        sources.insert("c.yaml", "a:\n  - 'x =~ \"/.*\"'\n");
        let d = Diagnostic::error(codes::NON_UPSTREAM_SYNTAX, "m")
            .at(Location::new("c.yaml", 2, 8))
            .with_help("h");
        let text = render_text(&d, &sources, false);
        assert_eq!(
            text,
            "c.yaml:2:8: error[non-upstream-syntax] m\n   |\n 2 |   - 'x =~ \"/.*\"'\n   |        ^^\n   = help: h\n"
        );
        assert_eq!(token_len("\"/.*\" x", 0), 5);
        assert_eq!(token_len("filter/health:", 0), 13);
    }

    #[test]
    fn a_file_level_location_has_no_position_or_snippet() {
        let d =
            Diagnostic::error(codes::INVALID_CONFIG, "cannot read").at(Location::file("x.yaml"));
        assert_eq!(
            render_text(&d, &SourceMap::default(), false),
            "x.yaml: error[invalid-config] cannot read\n"
        );
    }
}
