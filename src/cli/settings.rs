//! Output flags + `.otelcheck.yaml` → the settings a run uses. Command-line flags win over
//! the project file, which wins over the built-in defaults.

use super::args::{ColorChoice, FailOn, Format, OutputArgs};
use super::project::{self, Found};
use super::suppress::{Filter, PerFile};
use crate::diag::{codes, Diagnostic, Location, Severity};
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

/// Why the settings could not be resolved.
pub enum SettingsError {
    /// A flag is wrong: a one-paragraph usage message (exit 2).
    Usage(String),
    /// The project file is wrong: a finding about it (exit 2), its name and text when it
    /// could be read (for the snippet), and the settings from the flags alone, so the
    /// requested reports still carry the finding.
    Project {
        finding: Box<Diagnostic>,
        source: Option<(String, String)>,
        fallback: Box<RunSettings>,
    },
}

/// A problem while resolving: in a flag, or in the project file.
enum Fail {
    Usage(String),
    Project(Box<Diagnostic>),
}

/// Resolve the settings from the flags and the project file.
pub fn resolve(o: &OutputArgs) -> Result<RunSettings, SettingsError> {
    let found = if o.no_config_file {
        None
    } else {
        match project::discover() {
            Ok(f) => f,
            Err((finding, source)) => return Err(project_failed(o, finding, source)),
        }
    };
    match resolve_with(o, found.as_ref()) {
        Ok(s) => Ok(s),
        Err(Fail::Usage(m)) => Err(SettingsError::Usage(m)),
        Err(Fail::Project(finding)) => {
            let source = found.map(|f| (f.name, f.text));
            Err(project_failed(o, finding, source))
        }
    }
}

fn project_failed(
    o: &OutputArgs,
    finding: Box<Diagnostic>,
    source: Option<(String, String)>,
) -> SettingsError {
    match resolve_with(o, None) {
        Ok(fallback) => SettingsError::Project {
            finding,
            source,
            fallback: Box::new(fallback),
        },
        Err(Fail::Usage(m)) => SettingsError::Usage(m),
        Err(Fail::Project(finding)) => SettingsError::Usage(finding.message),
    }
}

fn resolve_with(o: &OutputArgs, found: Option<&Found>) -> Result<RunSettings, Fail> {
    let file = found.map(|f| &f.file);
    let format = match (o.format, file.and_then(|f| f.format.as_ref())) {
        (Some(f), _) => f,
        (None, Some(s)) => parse_enum::<Format>(s, "format", found)?,
        (None, None) => Format::Text,
    };
    let fail_on = match (o.fail_on, file.and_then(|f| f.fail_on.as_ref())) {
        (Some(f), _) => f,
        (None, Some(s)) => parse_enum::<FailOn>(s, "fail-on", found)?,
        (None, None) => FailOn::Error,
    };
    let color = match (o.color, file.and_then(|f| f.color.as_ref())) {
        (Some(c), _) => c,
        (None, Some(s)) => parse_enum::<ColorChoice>(s, "color", found)?,
        (None, None) => ColorChoice::Auto,
    };
    let filter = filter(o, found)?;
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

fn parse_enum<T: clap::ValueEnum>(s: &str, key: &str, found: Option<&Found>) -> Result<T, Fail> {
    T::from_str(s, true).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_owned()))
            .collect();
        let message = format!("`{key}: {s}` is not one of {}", names.join(", "));
        match found {
            Some(f) => Fail::Project(Box::new(f.error(f.key_location(key), message))),
            None => Fail::Usage(message),
        }
    })
}

fn filter(o: &OutputArgs, found: Option<&Found>) -> Result<Filter, Fail> {
    let mut ignore = o.ignore.clone();
    let mut select = o.select.clone();
    let mut per_file = Vec::new();
    if let Some(f) = found {
        let in_file = |message: String, at: Location| Fail::Project(Box::new(f.error(at, message)));
        for (key, list) in [("ignore", &f.file.ignore), ("select", &f.file.select)] {
            check_codes(list, key).map_err(|(m, code)| in_file(m, f.text_location(code)))?;
        }
        // Flags win: a --select on the command line replaces the file's selection.
        if select.is_empty() {
            select.clone_from(&f.file.select);
        }
        ignore.extend(f.file.ignore.iter().cloned());
        for (pattern, codes) in &f.file.per_file_ignores {
            check_codes(codes, "per-file-ignores")
                .map_err(|(m, code)| in_file(m, f.text_location(code)))?;
            let glob = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| in_file(format!("per-file-ignores: {e}"), f.text_location(pattern)))?
                .compile_matcher();
            per_file.push(PerFile {
                glob,
                base: f.dir.clone(),
                codes: codes.clone(),
            });
        }
    }
    check_codes(&o.ignore, "--ignore").map_err(|(m, _)| Fail::Usage(m))?;
    check_codes(&o.select, "--select").map_err(|(m, _)| Fail::Usage(m))?;
    Ok(Filter {
        ignore,
        select,
        per_file,
    })
}

/// Every code must exist: a typo in an ignore list would otherwise silently ignore nothing.
/// `Err` is the message and the unknown code.
fn check_codes<'a>(list: &'a [String], whence: &str) -> Result<(), (String, &'a str)> {
    for code in list {
        if codes::lookup(code).is_none() {
            let hint = codes::closest(code)
                .map(|c| format!("did you mean `{c}`? "))
                .unwrap_or_default();
            return Err((
                format!(
                    "{whence}: unknown finding code `{code}`; {hint}`otelcheck rules` lists every code"
                ),
                code,
            ));
        }
    }
    Ok(())
}
