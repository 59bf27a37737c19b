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
    pub path: PathBuf,
    pub dir: PathBuf,
    pub file: ProjectFile,
}

/// Find and read the project file; `Err` is a one-paragraph message (exit 2).
pub fn discover() -> Result<Option<Found>, String> {
    let Ok(cwd) = std::env::current_dir() else {
        return Ok(None);
    };
    let Some(path) = find_from(&cwd) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file = parse(&text).map_err(|e| {
        format!(
            "{}: {e}; it takes fail-on, ignore, select, max-match-ratio, max-extra-drop, format, \
             color and per-file-ignores (or pass --no-config-file)",
            path.display()
        )
    })?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(Some(Found { path, dir, file }))
}

pub fn parse(text: &str) -> Result<ProjectFile, String> {
    if text.trim().is_empty() {
        return Ok(ProjectFile::default());
    }
    serde_saphyr::from_str(text).map_err(|e| first_line(&e.to_string()))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_owned()
}

fn find_from(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
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
        assert!(parse("fail_on: warning\n").is_err());
    }
}
