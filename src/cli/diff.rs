//! `otelcheck diff BASE HEAD CAPTURE...`: each config is read, checked and replayed exactly
//! as `dry-run` does (the same functions, one engine), with the diff's fates observer beside
//! the counts; `crate::diff` compares the two sides. Only the diff's own findings decide the
//! exit code: BASE's and HEAD's dry-run findings travel in the JSON report but a config
//! compared with itself is "no change" whatever it holds.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::args::{ConfigArgs, DiffArgs, Format};
use super::commands::{
    analyze_units, check_capture_paths, read_units, replay_unit_observed, usage, Collected,
};
use super::output::{
    append_step_summary, fatal, use_color, warn, write_file, write_stdout, Stream,
};
use super::replay_run::ReplayOpts;
use super::settings::{self, RunSettings};
use super::ExitStatus;
use crate::diag::{render_text, Diagnostic, SourceMap};
use crate::diff::{self, fates::Fates, DiffReport, Side};
use crate::processors::api::{Observer, Observers};
use crate::report::{self, Finding, Report, Summary};

/// Which files make BASE, HEAD and the captures.
struct Plan {
    base: (Vec<PathBuf>, Vec<PathBuf>),
    head: (Vec<PathBuf>, Vec<PathBuf>),
    captures: Vec<PathBuf>,
}

fn plan(a: &DiffArgs) -> Result<Plan, String> {
    let mut rest = a.files.iter().cloned();
    let mut take = |merged: &[PathBuf],
                    what: &str|
     -> Result<(Vec<PathBuf>, Vec<PathBuf>), String> {
        if merged.is_empty() {
            let one = rest.next().ok_or_else(|| {
                format!(
                    "diff needs {what}: otelcheck diff BASE HEAD CAPTURE... (or --{}-config FILE)",
                    what.to_lowercase()
                )
            })?;
            if one.is_dir() {
                return Err(format!(
                    "{what} must be one config file, not the directory {}; merge several with --{}-config FILE",
                    one.display(),
                    what.to_lowercase()
                ));
            }
            Ok((vec![one], Vec::new()))
        } else {
            Ok((Vec::new(), merged.to_vec()))
        }
    };
    let base = take(&a.base_merged, "BASE")?;
    let head = take(&a.head_merged, "HEAD")?;
    let mut captures: Vec<PathBuf> = rest.collect();
    captures.extend(a.captures.iter().cloned());
    if captures.is_empty() {
        return Err(
            "diff needs at least one capture after BASE and HEAD (or --capture FILE): it compares \
             what each config does to the same traffic"
                .to_owned(),
        );
    }
    Ok(Plan {
        base,
        head,
        captures,
    })
}

pub fn run(a: &DiffArgs) -> ExitStatus {
    let s = match settings::resolve(&a.output) {
        Ok(s) => s,
        Err(settings::SettingsError::Usage(m)) => return usage(&m),
        Err(settings::SettingsError::Project {
            finding,
            source,
            fallback,
        }) => {
            // The project file stopped the run: its finding is the diff document's.
            let side = |run| SideRun {
                run,
                fates: Fates::default(),
                pipelines: BTreeMap::new(),
                sensitive: diff::sensitive::Scan::NotAvailable,
            };
            let base = side(super::commands::project_failed_run(*finding, source));
            let sources = base.run.sources.clone();
            let head = side(Collected::default());
            let max_extra_drop = a.max_extra_drop.unwrap_or(0.0);
            return could_not_run(base, head, &sources, &fallback, max_extra_drop);
        }
    };
    let plan = match plan(a) {
        Ok(p) => p,
        Err(m) => return usage(&m),
    };
    let max_extra_drop = a.max_extra_drop.or(s.max_extra_drop).unwrap_or(0.0);
    let mut base = replay_side(&plan.base, &plan.captures, a, &s, Role::Base);
    // A capture BASE could not read would fail HEAD the same way: HEAD is then only checked.
    let role = if base.run.fatal {
        Role::HeadChecked
    } else {
        Role::Head
    };
    let head = replay_side(&plan.head, &plan.captures, a, &s, role);
    let base_name = base.run.configs.join(", ");
    let head_name = head.run.configs.join(", ");
    let mut sources = std::mem::take(&mut base.run.sources);
    sources.extend(&head.run.sources);
    if base.run.fatal || head.run.fatal {
        return could_not_run(base, head, &sources, &s, max_extra_drop);
    }
    let base = side_of(base, &s);
    let head = side_of(head, &s);
    let (changes, diags) = diff::compare(&base, &head, max_extra_drop);
    let base_refused = diff::base_refused_only(&base, &head);
    let mut kept = Vec::new();
    let mut suppressed = 0;
    for d in diags {
        if s.filter.keeps(&d, &sources) {
            kept.push(d);
        } else {
            suppressed += 1;
        }
    }
    let mut findings_report = Report::new(vec![base_name.clone(), head_name.clone()]);
    findings_report.findings = kept.iter().map(Finding::from).collect();
    let failed = findings_report.decide(s.threshold, suppressed);
    let doc = DiffReport {
        schema: report::SCHEMA_VERSION,
        kind: "diff",
        tool: report::Tool::default(),
        max_extra_drop,
        sensitive: base.sensitive.status(),
        base_refused,
        base: base.report,
        head: head.report,
        changes,
        findings: findings_report.findings.clone(),
        summary: findings_report.summary.clone(),
        verdict: findings_report.verdict,
    };
    let out = Outputs {
        doc: &doc,
        findings: &findings_report,
        diags: &kept,
        sources: &sources,
        names: (&base_name, &head_name),
        s: &s,
    };
    let status = if failed {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    };
    out.write(status)
}

/// One side's replay, as `dry-run` runs it, plus the fates observer.
struct SideRun {
    run: Collected,
    fates: Fates,
    pipelines: BTreeMap<usize, (String, crate::diag::Location)>,
    /// What the sensitive-value scanner found (see `diff::sensitive`).
    sensitive: diff::sensitive::Scan,
}

/// The observers the diff adds to a replay: the fates, and the sensitive-value scanner when
/// the build has one.
fn extra_observers<'a>(
    fates: &'a mut Fates,
    scanner: &'a mut Option<Box<dyn diff::sensitive::ExposureScanner>>,
) -> Vec<&'a mut dyn Observer> {
    let mut list: Vec<&mut dyn Observer> = vec![fates];
    if let Some(s) = scanner.as_mut() {
        list.push(s.as_mut());
    }
    list
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// BASE: also checks that the captures exist.
    Base,
    Head,
    /// HEAD when BASE could not run: read and checked, not replayed.
    HeadChecked,
}

fn replay_side(
    files: &(Vec<PathBuf>, Vec<PathBuf>),
    captures: &[PathBuf],
    a: &DiffArgs,
    s: &RunSettings,
    role: Role,
) -> SideRun {
    let mut run = Collected::default();
    let mut fates = Fates::default();
    let mut scanner = diff::sensitive::scanner();
    let mut pipelines = BTreeMap::new();
    let c = ConfigArgs {
        merged: files.1.clone(),
        sets: a.sets.clone(),
    };
    let units = read_units(&files.0, &c, &mut run);
    let analyses = analyze_units(units, &c, s, &mut run);
    if role == Role::Base {
        check_capture_paths(captures, &mut run);
    }
    if run.fatal || role == Role::HeadChecked {
        return SideRun {
            run,
            fates,
            pipelines,
            sensitive: diff::sensitive::Scan::NotAvailable,
        };
    }
    let opts = ReplayOpts {
        max_match_ratio: s.max_match_ratio.unwrap_or(1.0),
        write_output: None,
        no_progress: a.no_progress || s.quiet,
        capture_format: a.capture_format,
        // The diff compares fates and exposure kinds, never values: nothing to reveal or show.
        reveal: false,
        show_diff: false,
    };
    for (name, analysis) in &analyses {
        if replay_unit_observed(
            name,
            analysis,
            captures,
            &opts,
            s,
            &mut run,
            Some(&mut Observers(extra_observers(&mut fates, &mut scanner))),
        )
        .is_err()
        {
            run.fatal = true;
        }
        if let Some(cfg) = &analysis.config {
            for (i, p) in cfg.pipelines.iter().enumerate() {
                if run.pipelines.iter().any(|r| r.id == p.id_text) {
                    pipelines.insert(i, (p.id_text.clone(), p.loc.clone()));
                }
            }
        }
    }
    let ids = pipelines
        .iter()
        .map(|(i, (id, _))| (*i, id.clone()))
        .collect();
    let sensitive = diff::sensitive::scan(scanner.as_deref(), &ids);
    SideRun {
        run,
        fates,
        pipelines,
        sensitive,
    }
}

/// The side's dry-run report (its findings filtered as `dry-run` filters them).
fn side_of(side: SideRun, s: &RunSettings) -> Side {
    let SideRun {
        run,
        fates,
        pipelines,
        sensitive,
    } = side;
    let mut kept = Vec::new();
    let mut suppressed = 0;
    for (tag, d) in &run.diags {
        if s.filter.keeps(d, &run.sources) {
            kept.push(Finding {
                config: tag.clone(),
                ..Finding::from(d)
            });
        } else {
            suppressed += 1;
        }
    }
    let mut report = Report::new(run.configs);
    report.captures = run.captures;
    report.pipelines = run.pipelines;
    report.findings = kept;
    report.decide(s.threshold, suppressed);
    Side {
        report,
        fates,
        pipelines,
        sensitive,
    }
}

/// Either side could not be read or replayed: exit 2, and every requested document still
/// carries the error as a finding.
fn could_not_run(
    base: SideRun,
    head: SideRun,
    sources: &SourceMap,
    s: &RunSettings,
    max_extra_drop: f64,
) -> ExitStatus {
    let diags: Vec<Diagnostic> = base
        .run
        .diags
        .into_iter()
        .chain(head.run.diags)
        .map(|(_, d)| d)
        .collect();
    for d in &diags {
        eprint!(
            "{}",
            render_text(d, sources, use_color(s.color, Stream::Stderr))
        );
    }
    let mut configs = base.run.configs;
    configs.extend(head.run.configs);
    let mut findings = Report::new(configs.clone());
    findings.findings = diags.iter().map(Finding::from).collect();
    findings.decide(s.threshold, 0);
    findings.set_error();
    let doc = DiffReport {
        schema: report::SCHEMA_VERSION,
        kind: "diff",
        tool: report::Tool::default(),
        max_extra_drop,
        sensitive: "not-checked",
        base_refused: false,
        base: Report::new(Vec::new()),
        head: Report::new(Vec::new()),
        changes: diff::Changes {
            pipelines: Vec::new(),
            rules: Vec::new(),
        },
        findings: findings.findings.clone(),
        summary: Summary::default(),
        verdict: "error",
    };
    let name = configs.join(", ");
    let out = Outputs {
        doc: &doc,
        findings: &findings,
        diags: &diags,
        sources,
        names: (&name, &name),
        s,
    };
    out.write(ExitStatus::Error)
}

struct Outputs<'a> {
    doc: &'a DiffReport,
    /// The diff's findings as a plain report, for the SARIF, JUnit and GitHub renderers.
    findings: &'a Report,
    diags: &'a [Diagnostic],
    sources: &'a SourceMap,
    names: (&'a str, &'a str),
    s: &'a RunSettings,
}

impl Outputs<'_> {
    fn render(&self, format: Format, color: bool) -> String {
        match format {
            Format::Text => {
                let findings: String = self
                    .diags
                    .iter()
                    .map(|d| render_text(d, self.sources, color))
                    .collect();
                diff::render::text(self.doc, self.names.0, self.names.1, &findings)
            }
            Format::Json => {
                let mut s = serde_json::to_string_pretty(self.doc).unwrap_or_default();
                s.push('\n');
                s
            }
            Format::Markdown => diff::render::markdown(self.doc, self.names.0, self.names.1),
            Format::Sarif => report::sarif::render(self.findings),
            Format::Junit => report::junit::render(self.findings, "diff", self.s.threshold),
            Format::Github => report::github::render(self.findings),
        }
    }

    fn write(&self, mut status: ExitStatus) -> ExitStatus {
        let s = self.s;
        // A run that could not complete already said why on standard error.
        if !(status == ExitStatus::Error && s.format == Format::Text) {
            if let Err(m) = write_stdout(&self.render(s.format, use_color(s.color, Stream::Stdout)))
            {
                fatal(&m);
                status = ExitStatus::Error;
            }
        }
        for (format, path) in &s.reports {
            if let Err(m) = write_file(path, &self.render(*format, false)) {
                fatal(&m);
                status = ExitStatus::Error;
            }
        }
        if s.format == Format::Github || s.reports.iter().any(|(f, _)| *f == Format::Github) {
            let md = diff::render::markdown(self.doc, self.names.0, self.names.1);
            if let Err(e) = append_step_summary(&md) {
                warn(&format!("cannot append to $GITHUB_STEP_SUMMARY: {e}"));
            }
        }
        status
    }
}
