//! Config arguments → the independent collectors to check.
//!
//! Positional configs are independent (each is one collector, as a linter checks files); a
//! directory stands for every `*.yaml`/`*.yml` file under it, in name order; `-` is standard
//! input. `--config FILE` (repeatable) files merge, in order, into one more collector, as
//! `otelcol --config a --config b` does. Files are read here, so a file that cannot be read
//! becomes a diagnostic about that file (no made-up line and column).

use crate::diag::{codes, Diagnostic, Location};
use std::path::{Path, PathBuf};

/// The name standard input gets in locations and reports.
pub const STDIN_NAME: &str = "<stdin>";

/// One collector to check: its display name and its documents (name, text), merged in order.
#[derive(Debug, Clone)]
pub struct ConfigUnit {
    pub name: String,
    pub docs: Vec<(String, String)>,
}

/// What reading the config arguments gave: the units, and the files that could not be read.
#[derive(Debug, Default)]
pub struct Inputs {
    pub units: Vec<ConfigUnit>,
    pub errors: Vec<Diagnostic>,
}

/// Resolve positional (independent) and `--config` (merged) arguments.
pub fn read_configs(positional: &[PathBuf], merged: &[PathBuf]) -> Inputs {
    let mut inputs = Inputs::default();
    let mut stdin_used = false;
    for arg in positional {
        for path in expand(arg, &mut inputs.errors) {
            if let Some(doc) = read_one(&path, &mut stdin_used, &mut inputs.errors) {
                inputs.units.push(ConfigUnit {
                    name: doc.0.clone(),
                    docs: vec![doc],
                });
            }
        }
    }
    if !merged.is_empty() {
        let mut docs = Vec::new();
        for arg in merged {
            for path in expand(arg, &mut inputs.errors) {
                docs.extend(read_one(&path, &mut stdin_used, &mut inputs.errors));
            }
        }
        if !docs.is_empty() {
            let name = docs
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(" + ");
            inputs.units.push(ConfigUnit { name, docs });
        }
    }
    inputs
}

/// Whether `p` names a config rather than a capture (by extension, `-`, or a directory).
pub fn looks_like_config(p: &Path) -> bool {
    p.as_os_str() == "-" || p.is_dir() || has_yaml_extension(p)
}

fn has_yaml_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// A directory becomes its YAML files (recursively, sorted); anything else stays itself.
fn expand(arg: &Path, errors: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    if !arg.is_dir() {
        return vec![arg.to_path_buf()];
    }
    let mut found = Vec::new();
    walk(arg, &mut found);
    found.sort();
    if found.is_empty() {
        errors.push(
            Diagnostic::error(
                codes::INVALID_CONFIG,
                format!("directory {} holds no *.yaml or *.yml file", arg.display()),
            )
            .at(Location::file(arg.display().to_string()))
            .with_help("pass the config files themselves, or a directory that contains them"),
        );
    }
    found
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // Hidden entries (.git, .otelcheck.yaml) are tooling, not collector configs.
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, out);
        } else if has_yaml_extension(&path) {
            out.push(path);
        }
    }
}

fn read_one(
    path: &Path,
    stdin_used: &mut bool,
    errors: &mut Vec<Diagnostic>,
) -> Option<(String, String)> {
    if path.as_os_str() == "-" {
        if std::mem::replace(stdin_used, true) {
            errors.push(
                Diagnostic::error(codes::INVALID_CONFIG, "`-` (standard input) is given twice")
                    .with_help("standard input can be read once; pass `-` at most once"),
            );
            return None;
        }
        return match crate::config::load::read_bounded(std::io::stdin()) {
            Ok(text) => Some((STDIN_NAME.to_owned(), text)),
            Err(e) => {
                errors.push(unreadable(STDIN_NAME, &e));
                None
            }
        };
    }
    let name = path.display().to_string();
    match crate::config::load::read_config_file(path) {
        Ok(text) => Some((name, text)),
        Err(e) => {
            errors.push(unreadable(&name, &e));
            None
        }
    }
}

fn unreadable(name: &str, e: &std::io::Error) -> Diagnostic {
    let help = match e.kind() {
        std::io::ErrorKind::NotFound => "check the path (it is relative to the current directory)",
        std::io::ErrorKind::InvalidData => "a collector config is UTF-8 YAML text",
        _ => "check that the file is readable",
    };
    Diagnostic::error(
        codes::INVALID_CONFIG,
        format!("cannot read config file {name}: {}", io_reason(e)),
    )
    .at(Location::file(name))
    .with_help(help)
}

/// The OS reason without Rust's `(os error N)` suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}
