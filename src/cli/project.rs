//! `.otelcheck.yaml`: a project's defaults for flags and its per-file ignores, found in the
//! current directory or the nearest parent, stopping at the repository root (a directory with
//! `.git`). Command-line flags win over it; `--no-config-file` skips it.
//!
//! ```yaml
//! fail-on: warning
//! ignore: [unused-component]
//! max-match-ratio: 0.95
//! per-file-ignores:
//!   "otel/legacy/*.yaml": [dead-rule]
//! ```

use crate::diag::{codes, Diagnostic, Location};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".otelcheck.yaml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProjectFile {
    pub fail_on: Option<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub select: Vec<String>,
    pub max_match_ratio: Option<f64>,
    /// `diff`'s --max-extra-drop default.
    pub max_extra_drop: Option<f64>,
    pub format: Option<String>,
    pub color: Option<String>,
    /// Glob (relative to this file's directory) → codes ignored in matching config files.
    #[serde(default)]
    pub per_file_ignores: BTreeMap<String, Vec<String>>,
}

/// A project file and the directory it was found in.
#[derive(Debug)]
pub struct Found {
    /// The path as reports show it: relative to the current directory (`.otelcheck.yaml`,
    /// `../../.otelcheck.yaml`).
    pub name: String,
    pub dir: PathBuf,
    pub text: String,
    pub file: ProjectFile,
}

impl Found {
    /// Where a top-level `key:` of the file is (its value, or the key when the value is on
    /// the next lines); the file itself when the key is not found.
    pub fn key_location(&self, key: &str) -> Location {
        self.locate(|line| {
            line.strip_prefix(key)
                .and_then(|rest| rest.strip_prefix(':'))
                .map(|rest| {
                    let value = rest.trim_start();
                    if value.is_empty() || value.starts_with('#') {
                        0
                    } else {
                        line.len() - value.len()
                    }
                })
        })
    }

    /// Where `text` first occurs in the file (a per-file-ignores pattern or code).
    pub fn text_location(&self, text: &str) -> Location {
        self.locate(|line| line.find(text))
    }

    fn locate(&self, find: impl Fn(&str) -> Option<usize>) -> Location {
        for (i, line) in self.text.lines().enumerate() {
            if let Some(col) = find(line) {
                let col = line[..col].chars().count() + 1;
                return Location::new(self.name.as_str(), i as u32 + 1, col as u32);
            }
        }
        Location::file(self.name.as_str())
    }

    /// A finding about this file (exit 2: the run does not start).
    pub fn error(&self, at: Location, message: String) -> Diagnostic {
        project_error(at, message)
    }
}

fn project_error(at: Location, message: String) -> Diagnostic {
    Diagnostic::error(codes::INVALID_PROJECT_FILE, message)
        .at(at)
        .with_help(
            "it takes fail-on, ignore, select, max-match-ratio, max-extra-drop, format, color \
             and per-file-ignores (see `otelcheck rule invalid-project-file`); pass \
             --no-config-file to skip it",
        )
}

/// A project file that stops the run: the finding about it, and its name and text when it
/// could be read (for the snippet).
pub type Broken = (Box<Diagnostic>, Option<(String, String)>);

/// Find and read the project file; `Err` is a finding about it (exit 2).
pub fn discover() -> Result<Option<Found>, Broken> {
    let Ok(cwd) = std::env::current_dir() else {
        return Ok(None);
    };
    let Some((path, up)) = find_from(&cwd) else {
        return Ok(None);
    };
    let name = format!("{}{FILE_NAME}", "../".repeat(up));
    let text = std::fs::read_to_string(&path).map_err(|e| {
        let d = project_error(
            Location::file(name.as_str()),
            format!(
                "cannot read the project file {name}: {}",
                super::inputs::io_reason(&e)
            ),
        );
        (Box::new(d), None)
    })?;
    let file = match parse(&text) {
        Ok(f) => f,
        Err((line, column, what)) => {
            let at = if line > 0 {
                Location::new(name.as_str(), line, column.max(1))
            } else {
                Location::file(name.as_str())
            };
            let d = project_error(at, format!("invalid project file {name}: {what}"));
            return Err((Box::new(d), Some((name, text))));
        }
    };
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(Some(Found {
        name,
        dir,
        text,
        file,
    }))
}

/// Parse the file; `Err` is the line and column (0 when unknown) and what is wrong.
pub fn parse(text: &str) -> Result<ProjectFile, (u32, u32, String)> {
    if text.trim().is_empty() {
        return Ok(ProjectFile::default());
    }
    serde_saphyr::from_str(text).map_err(|e| {
        let message = e.to_string();
        let first = message.lines().next().unwrap_or_default();
        let first = first.strip_prefix("error: ").unwrap_or(first);
        match split_position(first) {
            Some((line, column, what)) => (line, column, readable(what)),
            None => (0, 0, readable(first)),
        }
    })
}

/// serde's "unknown field `x`, expected one of a, b" → "unknown key `x`" (the help lists
/// the keys once).
fn readable(what: &str) -> String {
    let what = what.split(", expected").next().unwrap_or(what);
    what.replace("unknown field", "unknown key")
}

fn split_position(s: &str) -> Option<(u32, u32, &str)> {
    let rest = s.strip_prefix("line ")?;
    let (line, rest) = rest.split_once(" column ")?;
    let (col, what) = rest.split_once(": ")?;
    Some((line.trim().parse().ok()?, col.trim().parse().ok()?, what))
}

/// The nearest project file from `start` up to the repository root, and how many
/// directories up it is.
fn find_from(start: &Path) -> Option<(PathBuf, usize)> {
    let mut dir = Some(start);
    let mut up = 0;
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some((candidate, up));
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
        up += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_flags_and_per_file_ignores() {
        let p =
            parse("fail-on: warning\nignore: [dead-rule]\nper-file-ignores:\n  'a/*.yaml': [x]\n")
                .unwrap_or_default();
        assert_eq!(p.fail_on.as_deref(), Some("warning"));
        assert_eq!(p.ignore, ["dead-rule"]);
        assert_eq!(p.per_file_ignores["a/*.yaml"], ["x"]);
    }

    #[test]
    fn rejects_unknown_keys() {
        let e = parse("fail_on: warning\n").err().unwrap_or_default();
        assert_eq!((e.0, e.1), (1, 1));
        assert_eq!(e.2, "unknown key `fail_on`");
    }
}
