//! Output flags + `.otelcheck.yaml` → the settings a run uses. Command-line flags win over
//! the project file, which wins over the built-in defaults.

use super::args::{ColorChoice, FailOn, Format, OutputArgs};
use super::project::{self, Found};
use super::suppress::{Filter, PerFile};
use crate::diag::{codes, Severity};
use std::path::PathBuf;

/// Everything about reporting a run: where each format goes, what fails, what is filtered.
#[derive(Debug)]
pub struct RunSettings {
    pub format: Format,
    pub reports: Vec<(Format, PathBuf)>,
    pub threshold: Severity,
    pub color: ColorChoice,
    pub filter: Filter,
    pub quiet: bool,
    pub verbose: bool,
    pub max_match_ratio: Option<f64>,
    /// `diff`: the project file's `max-extra-drop` (the flag wins).
    pub max_extra_drop: Option<f64>,
}

/// Resolve the settings; `Err` is a one-paragraph usage message (exit 2).
pub fn resolve(o: &OutputArgs) -> Result<RunSettings, String> {
    let found = if o.no_config_file {
        None
    } else {
        project::discover()?
    };
    let file = found.as_ref().map(|f| &f.file);
    let format = match (o.format, file.and_then(|f| f.format.as_ref())) {
        (Some(f), _) => f,
        (None, Some(s)) => parse_enum::<Format>(s, "format", found.as_ref())?,
        (None, None) => Format::Text,
    };
    let fail_on = match (o.fail_on, file.and_then(|f| f.fail_on.as_ref())) {
        (Some(f), _) => f,
        (None, Some(s)) => parse_enum::<FailOn>(s, "fail-on", found.as_ref())?,
        (None, None) => FailOn::Error,
    };
    let color = match (o.color, file.and_then(|f| f.color.as_ref())) {
        (Some(c), _) => c,
        (None, Some(s)) => parse_enum::<ColorChoice>(s, "color", found.as_ref())?,
        (None, None) => ColorChoice::Auto,
    };
    let filter = filter(o, found.as_ref())?;
    Ok(RunSettings {
        format,
        reports: o.reports.clone(),
        threshold: match fail_on {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
        },
        color,
        filter,
        quiet: o.quiet,
        verbose: o.verbose,
        max_match_ratio: file.and_then(|f| f.max_match_ratio),
        max_extra_drop: file.and_then(|f| f.max_extra_drop),
    })
}

fn parse_enum<T: clap::ValueEnum>(s: &str, key: &str, found: Option<&Found>) -> Result<T, String> {
    T::from_str(s, true).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_owned()))
            .collect();
        format!(
            "{}: `{key}: {s}` is not one of {}",
            found
                .map(|f| f.path.display().to_string())
                .unwrap_or_default(),
            names.join(", ")
        )
    })
}

fn filter(o: &OutputArgs, found: Option<&Found>) -> Result<Filter, String> {
    let mut ignore = o.ignore.clone();
    let mut select = o.select.clone();
    let mut per_file = Vec::new();
    if let Some(f) = found {
        // Flags win: a --select on the command line replaces the file's selection.
        if select.is_empty() {
            select.clone_from(&f.file.select);
        }
        ignore.extend(f.file.ignore.iter().cloned());
        for (pattern, codes) in &f.file.per_file_ignores {
            check_codes(codes, &format!("{} per-file-ignores", f.path.display()))?;
            let glob = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("{}: per-file-ignores: {e}", f.path.display()))?
                .compile_matcher();
            per_file.push(PerFile {
                glob,
                base: f.dir.clone(),
                codes: codes.clone(),
            });
        }
    }
    check_codes(&ignore, "--ignore")?;
    check_codes(&select, "--select")?;
    Ok(Filter {
        ignore,
        select,
        per_file,
    })
}

/// Every code must exist: a typo in an ignore list would otherwise silently ignore nothing.
fn check_codes(list: &[String], whence: &str) -> Result<(), String> {
    for code in list {
        if codes::lookup(code).is_none() {
            let hint = codes::closest(code)
                .map(|c| format!("did you mean `{c}`? "))
                .unwrap_or_default();
            return Err(format!(
                "{whence}: unknown finding code `{code}`; {hint}`otelcheck rules` lists every code"
            ));
        }
    }
    Ok(())
}
