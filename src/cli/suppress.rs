//! Which findings the user has accepted: `--ignore`/`--select`, per-file ignores from
//! `.otelcheck.yaml`, and inline `# otelcheck: ignore[CODE, ...]` comments in config files.
//!
//! Filtering happens once, after every stage ran, so each stage stays unaware of it; the
//! number filtered out is reported (`summary.suppressed`) so nothing vanishes silently.
//! Findings that stop the run (exit 2) are never suppressed: nothing was checked.

use crate::diag::{Diagnostic, SourceMap};
use std::path::{Path, PathBuf};

/// One `per-file-ignores` entry: files matching `glob` (relative to `base`) drop `codes`.
#[derive(Debug)]
pub struct PerFile {
    pub glob: globset::GlobMatcher,
    pub base: PathBuf,
    pub codes: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Filter {
    pub ignore: Vec<String>,
    /// Empty means every code.
    pub select: Vec<String>,
    pub per_file: Vec<PerFile>,
}

impl Filter {
    /// Whether `d` stays in the report.
    pub fn keeps(&self, d: &Diagnostic, sources: &SourceMap) -> bool {
        let code = d.code;
        if self.ignore.iter().any(|c| c == code) {
            return false;
        }
        if !self.select.is_empty() && !self.select.iter().any(|c| c == code) {
            return false;
        }
        let Some(loc) = &d.location else {
            return true;
        };
        if self.per_file.iter().any(|p| p.matches(&loc.file, code)) {
            return false;
        }
        !inline_ignores(sources, &loc.file, loc.line).any(|c| c == code)
    }
}

impl PerFile {
    fn matches(&self, file: &str, code: &str) -> bool {
        if !self.codes.iter().any(|c| c == code) {
            return false;
        }
        let Ok(cwd) = std::env::current_dir() else {
            return false;
        };
        let abs = normalize(&cwd.join(file));
        abs.strip_prefix(&self.base)
            .is_ok_and(|rel| self.glob.is_match(rel))
    }
}

/// `a/./b/../c` → `a/c` without touching the file system (the file may be `<stdin>`).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Codes named by `# otelcheck: ignore[...]` on `line` of `file` or on the line above it.
fn inline_ignores<'a>(
    sources: &'a SourceMap,
    file: &'a str,
    line: u32,
) -> impl Iterator<Item = &'a str> + 'a {
    let lines = [line, line.saturating_sub(1)];
    lines
        .into_iter()
        .filter(|l| *l > 0)
        .filter_map(move |l| sources.line(file, l))
        .flat_map(parse_comment)
}

/// The codes of an `otelcheck: ignore[a, b]` directive in a YAML comment on `line`.
pub fn parse_comment(line: &str) -> Vec<&str> {
    const MARK: &str = "otelcheck:";
    let Some(hash) = line.find('#') else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut rest = &line[hash..];
    while let Some(i) = rest.find(MARK) {
        rest = rest[i + MARK.len()..].trim_start();
        let Some(args) = rest.strip_prefix("ignore[") else {
            continue;
        };
        let Some(end) = args.find(']') else {
            break;
        };
        out.extend(
            args[..end]
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty()),
        );
        rest = &args[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives_in_comments_only() {
        assert_eq!(
            parse_comment("  - 'x' # otelcheck: ignore[dead-rule, catch-all-rule]"),
            ["dead-rule", "catch-all-rule"]
        );
        assert_eq!(parse_comment("# otelcheck:ignore[a]"), ["a"]);
        assert!(parse_comment("otelcheck: ignore[a]").is_empty());
        assert!(parse_comment("# otelcheck: ignore[a").is_empty());
    }

    #[test]
    fn normalizes_dot_segments() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), Path::new("/a/c"));
    }
}
