//! `--format github`: GitHub Actions workflow commands (`::error file=…,line=…::message`), one
//! per finding, so findings show as annotations on the pull request's diff.
//!
//! GitHub shows only 10 annotations of each level per step, so each level is capped at
//! [`CAP`] and a final `::notice` says how many were left out (a silently truncated list reads
//! as "that's all"). Values are escaped the way the Actions runner unescapes them: data
//! escapes `%`, CR and LF; property values additionally `:` and `,`. This renderer only
//! returns text: writing `$GITHUB_STEP_SUMMARY` is the CLI's job.

use super::{Finding, Report};
use crate::diag::Severity;
use std::fmt::Write as _;

/// Annotations per level before the rest are only counted (GitHub shows 10 per step).
pub const CAP: usize = 10;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let mut left_out: Vec<(Severity, usize)> = Vec::new();
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let of_severity = report.findings.iter().filter(|f| f.severity == severity);
        let mut skipped = 0;
        for (i, f) in of_severity.enumerate() {
            if i < CAP {
                out.push_str(&command(f));
            } else {
                skipped += 1;
            }
        }
        if skipped > 0 {
            left_out.push((severity, skipped));
        }
    }
    if !left_out.is_empty() {
        out.push_str(&left_out_notice(&left_out));
    }
    if report.summary.suppressed > 0 {
        let text = format!(
            "otelcheck: {} suppressed (--ignore/--select, `# otelcheck: ignore[...]` comments, \
             .otelcheck.yaml)",
            finding_count(report.summary.suppressed)
        );
        out.push_str(&format!(
            "::notice title=otelcheck::{}\n",
            escape_data(&text)
        ));
    }
    out
}

fn finding_count(n: usize) -> String {
    format!("{n} finding{}", if n == 1 { "" } else { "s" })
}

/// One workflow command line for one finding.
fn command(f: &Finding) -> String {
    let mut props: Vec<String> = Vec::new();
    if let Some(loc) = &f.location {
        props.push(format!("file={}", escape_property(&loc.file)));
        if loc.has_position() {
            props.push(format!("line={}", loc.line));
            props.push(format!("col={}", loc.column));
        }
    }
    props.push(format!("title={}", escape_property(f.code)));
    let mut message = f.message.clone();
    for note in &f.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{} {}::{}\n",
        command_name(f.severity),
        props.join(","),
        escape_data(&message)
    )
}

fn command_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn left_out_notice(left_out: &[(Severity, usize)]) -> String {
    let mut text = format!("otelcheck: GitHub shows {CAP} annotations per level; left out ");
    for (i, (severity, n)) in left_out.iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        let _ = write!(text, "{n} {}", plural(*severity, *n));
    }
    text.push_str(" (run with --format text or json for the full list)");
    format!("::notice title=otelcheck::{}\n", escape_data(&text))
}

fn plural(s: Severity, n: usize) -> &'static str {
    match (s, n == 1) {
        (Severity::Error, true) => "error",
        (Severity::Error, false) => "errors",
        (Severity::Warning, true) => "warning",
        (Severity::Warning, false) => "warnings",
        (Severity::Info, true) => "notice",
        (Severity::Info, false) => "notices",
    }
}

/// Escape a command's message: the runner turns `%25`, `%0D`, `%0A` back into characters.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value: also `:` and `,`, which would end the value early.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::JsonLocation;

    fn finding(severity: Severity, message: &str, file: &str) -> Finding {
        Finding {
            config: None,
            code: "catch-all-rule",
            severity,
            message: message.into(),
            location: Some(JsonLocation {
                file: file.into(),
                line: 22,
                column: 41,
            }),
            help: None,
            notes: vec![],
        }
    }

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(escape_data("100% a\r\nb"), "100%25 a%0D%0Ab");
        assert_eq!(escape_property("C:\\x,y%"), "C%3A\\x%2Cy%25");
    }

    #[test]
    fn one_command_per_finding_with_location_and_title() {
        let mut report = Report::new(vec![]);
        report.findings = vec![
            finding(Severity::Error, "a: b, 5%\nnext", "dir,1/c.yaml"),
            finding(Severity::Info, "fyi", "c.yaml"),
        ];
        report.findings[0].help = Some("fix it".into());
        let out = render(&report);
        assert_eq!(
            out,
            "::error file=dir%2C1/c.yaml,line=22,col=41,title=catch-all-rule::a: b, 5%25%0Anext%0Ahelp: fix it\n\
             ::notice file=c.yaml,line=22,col=41,title=catch-all-rule::fyi\n"
        );
    }

    #[test]
    fn finding_without_location_has_only_a_title() {
        let mut report = Report::new(vec![]);
        let mut f = finding(Severity::Warning, "m", "c.yaml");
        f.location = None;
        report.findings = vec![f];
        assert_eq!(render(&report), "::warning title=catch-all-rule::m\n");
    }

    #[test]
    fn caps_each_severity_and_says_how_many_were_left_out() {
        let mut report = Report::new(vec![]);
        report.findings = (0..13)
            .map(|_| finding(Severity::Error, "e", "c.yaml"))
            .chain((0..11).map(|_| finding(Severity::Warning, "w", "c.yaml")))
            .chain((0..3).map(|_| finding(Severity::Info, "i", "c.yaml")))
            .collect();
        let out = render(&report);
        let count = |p: &str| out.lines().filter(|l| l.starts_with(p)).count();
        assert_eq!(count("::error "), CAP);
        assert_eq!(count("::warning "), CAP);
        // 3 info findings plus the final notice.
        assert_eq!(count("::notice "), 4);
        let last = out.lines().last().unwrap_or_default();
        assert!(
            last.contains("left out 3 errors, 1 warning ("),
            "last line: {last}"
        );
    }
}
