//! Commands that print documentation: `rule CODE`, `rules`, `completions SHELL`, `man`.
//! Everything comes from the code table (`diag::codes::TABLE`) or the clap definition, so the
//! printed text cannot drift from what the tool does.

use super::args::{Cli, RuleArgs, RulesArgs, RulesFormat};
use super::output::{fatal, write_stdout};
use super::ExitStatus;
use crate::diag::codes::{self, CodeDoc};
use clap::CommandFactory;
use std::fmt::Write as _;

pub fn rule(a: &RuleArgs) -> ExitStatus {
    let Some(doc) = codes::lookup(&a.code) else {
        let hint = codes::closest(&a.code)
            .map(|c| format!("did you mean `{c}`? "))
            .unwrap_or_default();
        fatal(&format!(
            "unknown finding code `{}`; {hint}`otelcheck rules` lists every code",
            a.code
        ));
        return ExitStatus::Error;
    };
    print(&rule_text(doc))
}

pub fn rules(a: &RulesArgs) -> ExitStatus {
    let text = match a.format {
        RulesFormat::Text => rules_text(),
        RulesFormat::Json => rules_json(),
        RulesFormat::Markdown => rules_markdown(),
    };
    print(&text)
}

pub fn completions(shell: clap_complete::Shell) -> ExitStatus {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "otelcheck", &mut buf);
    print(&String::from_utf8_lossy(&buf))
}

pub fn man() -> ExitStatus {
    let mut buf = Vec::new();
    if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut buf) {
        fatal(&format!("cannot render the manual page: {e}"));
        return ExitStatus::Error;
    }
    print(&String::from_utf8_lossy(&buf))
}

fn print(text: &str) -> ExitStatus {
    match write_stdout(text) {
        Ok(()) => ExitStatus::Clean,
        Err(e) => {
            fatal(&e);
            ExitStatus::Error
        }
    }
}

/// The full documentation of one code, as `otelcheck rule CODE` prints it.
pub fn rule_text(d: &CodeDoc) -> String {
    let mut out = format!(
        "{} ({})\n\n{}.\n\n{}\n\nExample:\n",
        d.code,
        d.severity,
        capital(d.summary),
        d.why
    );
    for line in d.example.lines() {
        let _ = writeln!(out, "    {line}");
    }
    let _ = writeln!(out, "\nFix: {}", d.fix);
    let _ = writeln!(
        out,
        "\nAccept a deliberate finding with `# otelcheck: ignore[{}]` on the line (or the line above), \
         or `--ignore {}`.",
        d.code, d.code
    );
    out
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn rules_text() -> String {
    let width = codes::TABLE.iter().map(|d| d.code.len()).max().unwrap_or(0);
    let mut out = String::new();
    for d in codes::TABLE {
        let _ = writeln!(
            out,
            "{:width$}  {:7}  {}",
            d.code,
            d.severity.as_str(),
            d.summary
        );
    }
    out.push_str("\n`otelcheck rule CODE` explains one code.\n");
    out
}

fn rules_json() -> String {
    let rows: Vec<serde_json::Value> = codes::TABLE
        .iter()
        .map(|d| {
            serde_json::json!({
                "code": d.code, "severity": d.severity, "summary": d.summary,
                "why": d.why, "example": d.example, "fix": d.fix,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "schema": crate::report::SCHEMA_VERSION,
        "kind": "rules",
        "rules": rows,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The README's code list (a test keeps the README equal to this).
pub fn rules_markdown() -> String {
    let mut out = String::from("| code | severity | what it flags |\n|---|---|---|\n");
    for d in codes::TABLE {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            d.code,
            d.severity,
            d.summary.replace('|', "\\|")
        );
    }
    out
}
