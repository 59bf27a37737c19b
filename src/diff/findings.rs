//! The diff's own findings, the ones that decide its exit code: HEAD refused by the
//! collector where BASE is not (`config-refused`), and per pipeline present on both sides a
//! lost service (`service-lost`) or more spans dropped than allowed (`more-spans-dropped`).

use crate::diag::{codes, Diagnostic, Location, Severity};
use crate::report::Finding;

use super::rules::{self, RuleChange};
use super::{PipelineChange, Side};

/// Error codes for what the collector refuses at start (`otelcol validate` fails): a config
/// holding one of them never runs, whatever its rules would do.
const REFUSED_AT_START: &[&str] = &[
    codes::INVALID_OTTL,
    codes::NON_UPSTREAM_SYNTAX,
    codes::INVALID_CONFIG,
    codes::INVALID_SETTING,
    codes::INVALID_PIPELINE,
    codes::UNKNOWN_COMPONENT,
    codes::UNDEFINED_COMPONENT,
];

/// The first finding that makes the collector refuse this side's config, if any.
fn refused(side: &Side) -> Option<&Finding> {
    side.report
        .findings
        .iter()
        .find(|f| f.severity == Severity::Error && REFUSED_AT_START.contains(&f.code))
}

/// `config-refused`: HEAD would not start where BASE does. The replay still shows what HEAD's
/// rules would do as otelcheck reads them; this says that deploying it exports nothing.
pub(super) fn refusal(base: &Side, head: &Side) -> Option<Diagnostic> {
    if refused(base).is_some() {
        return None;
    }
    let f = refused(head)?;
    let n = head
        .report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && REFUSED_AT_START.contains(&f.code))
        .count();
    let at = f
        .location
        .as_ref()
        .map(|l| Location::new(l.file.as_str(), l.line, l.column));
    let exported: usize = base.report.pipelines.iter().map(|p| p.spans_out).sum();
    Some(
        Diagnostic::error(
            codes::CONFIG_REFUSED,
            format!(
                "the collector would refuse HEAD's config at start ({n} error(s), first: {} {}), \
                 so it would export none of the {exported} spans BASE exports",
                f.code, f.message
            ),
        )
        .at_opt(at)
        .with_help("fix HEAD's errors first: `otelcheck validate HEAD` lists them"),
    )
}

/// Whether the collector would refuse BASE's config but not HEAD's: BASE then exports
/// nothing in reality, so nothing HEAD does can lose data BASE kept, and the data
/// regressions are not raised (the changes are still shown, as otelcheck emulates BASE).
pub fn base_refused_only(base: &Side, head: &Side) -> bool {
    refused(base).is_some() && refused(head).is_none()
}

/// `service-lost` and `more-spans-dropped` for a pipeline present on both sides.
pub(super) fn regressions(
    c: &PipelineChange,
    pipeline_at: Option<Location>,
    rules: &[RuleChange],
    max_extra_drop: f64,
) -> Vec<Diagnostic> {
    // The rule that newly drops the most is where a reader should look first.
    let culprit = rules
        .iter()
        .filter(|r| r.pipeline == c.id && r.extra_dropped() > 0)
        .max_by_key(|r| r.extra_dropped());
    let at = culprit
        .and_then(|r| r.location.as_ref())
        .map(|l| Location::new(l.file.as_str(), l.line, l.column))
        .or(pipeline_at);
    let mut out = Vec::new();
    for service in &c.services_lost {
        out.push(
            Diagnostic::error(
                codes::SERVICE_LOST,
                format!(
                    "pipeline {}: service `{service}` had spans exported by BASE and none by HEAD",
                    c.id
                ),
            )
            .at_opt(at.clone())
            .with_help("find the changed rule below that matches this service's spans"),
        );
    }
    let (base, head) = (c.spans_out.base.unwrap_or(0), c.spans_out.head.unwrap_or(0));
    if head < base {
        let pct = 100.0 * (base - head) as f64 / base as f64;
        if pct > max_extra_drop {
            let mut d = Diagnostic::error(
                codes::MORE_SPANS_DROPPED,
                format!(
                    "pipeline {}: HEAD exports {head} spans where BASE exported {base} \
                     (-{pct:.1}%, beyond --max-extra-drop {max_extra_drop}%); {} span(s) newly dropped",
                    c.id, c.spans_newly_dropped
                ),
            )
            .at_opt(at)
            .with_help(
                "check the rules listed as changed; if the extra drop is intended, raise --max-extra-drop",
            );
            for r in rules
                .iter()
                .filter(|r| r.pipeline == c.id && r.extra_dropped() > 0)
            {
                d = d.with_note(format!(
                    "{} rule `{}` ({}) drops {} span(s) in HEAD; BASE's rule {} dropped {}",
                    r.processor,
                    r.text,
                    r.change.as_str(),
                    r.dropped.head.unwrap_or(0),
                    if r.change == rules::Change::Added {
                        "(none: added)"
                    } else {
                        "there"
                    },
                    r.dropped.base.unwrap_or(0),
                ));
            }
            out.push(d);
        }
    }
    out
}
