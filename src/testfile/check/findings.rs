//! `findings:` and `no_findings:`: what the config's run reported (static and data findings).

use super::super::model::Expect;
use super::show::list;
use super::{Ctx, Failures};

pub(super) fn findings(e: &Expect, ctx: &Ctx<'_>, out: &mut Failures) {
    let reported = || {
        let lines: Vec<String> = ctx
            .findings
            .iter()
            .map(|d| {
                let at = d
                    .location
                    .as_ref()
                    .map(|l| format!("{l}: "))
                    .unwrap_or_default();
                format!("{at}{}[{}] {}", d.severity.as_str(), d.code, d.message)
            })
            .collect();
        if lines.is_empty() {
            " none".to_owned()
        } else {
            list(&lines, lines.len())
        }
    };
    for f in &e.findings {
        let hit = ctx.findings.iter().any(|d| {
            d.code == f.code
                && f.message
                    .as_ref()
                    .is_none_or(|m| d.message.contains(m.as_str()))
        });
        if !hit {
            let with = f
                .message
                .as_ref()
                .map(|m| format!(", message containing {m:?}"))
                .unwrap_or_default();
            out.push((
                format!("findings: [{{code: {}{with}}}]", f.code),
                format!("no such finding; the run reported:{}", reported()),
            ));
        }
    }
    for code in &e.no_findings {
        let hits: Vec<String> = ctx
            .findings
            .iter()
            .filter(|d| d.code == code.as_str())
            .map(|d| {
                let at = d
                    .location
                    .as_ref()
                    .map(|l| format!("{l}: "))
                    .unwrap_or_default();
                format!("{at}{}", d.message)
            })
            .collect();
        if !hits.is_empty() {
            out.push((
                format!("no_findings: [{code}]"),
                format!(
                    "the run reported it {} time(s):{}",
                    hits.len(),
                    list(&hits, hits.len())
                ),
            ));
        }
    }
}
