//! The diff as text (a terminal) and as Markdown (a pull-request comment or job summary).
//! Both lead with what a reviewer must act on: the per-pipeline deltas, the rules that
//! changed with a unified diff of their text, and example spans HEAD newly drops; rules that
//! stayed the same are only counted. Helpers both share are here.

mod markdown;
mod text;

pub use markdown::markdown;
pub use text::text;

use std::fmt::Write as _;

use super::rules::Change;
use super::{DiffReport, PipelineChange};
use crate::report::Example;

pub(super) const BASE_REFUSED: &str =
    "\nBASE would be refused by the collector at start (see its findings), so it \
     exports nothing in reality: the changes above compare with BASE as otelcheck emulates it, \
     and none of them counts as a regression.\n";

pub(super) fn num(n: Option<usize>) -> String {
    n.map_or_else(|| "-".to_owned(), |n| n.to_string())
}

pub(super) fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "-".to_owned(), |n| n.to_string())
}

pub(super) fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.join(", ")
    }
}

pub(super) fn spans_out_delta(p: &PipelineChange, arrow: &str) -> String {
    let (b, h) = (p.spans_out.base, p.spans_out.head);
    let mut s = format!("{} {arrow} {}", num(b), num(h));
    if let (Some(b), Some(h)) = (b, h) {
        if b != h {
            let delta = h as i64 - b as i64;
            let pct = if b == 0 {
                String::new()
            } else {
                format!(", {:+.1}%", 100.0 * delta as f64 / b as f64)
            };
            let _ = write!(s, " ({delta:+}{pct})");
        }
    }
    s
}

pub(super) fn example_line(e: &Example) -> String {
    format!(
        "{} {:?} trace {} span {}",
        if e.service.is_empty() {
            "<no service>"
        } else {
            &e.service
        },
        e.name,
        e.trace_id,
        e.span_id
    )
}

/// The text document; `findings` is the rendered findings block (diag renderer).
/// Each side's own dry-run verdict: context, not the diff's exit code.
pub(super) fn own_findings(r: &DiffReport) -> String {
    let side = |rep: &crate::report::Report| {
        format!(
            "{} ({} error(s), {} warning(s))",
            rep.verdict, rep.summary.errors, rep.summary.warnings
        )
    };
    format!(
        "own dry-run findings: BASE {}, HEAD {} (`otelcheck dry-run` lists them; they do not decide this exit code)",
        side(&r.base),
        side(&r.head)
    )
}

pub(super) fn verdict(r: &DiffReport) -> String {
    let s = &r.summary;
    let regressed = r.verdict != "pass";
    let unchanged = r.changes.pipelines.iter().all(PipelineChange::is_unchanged)
        && r.changes.rules.iter().all(|c| c.change == Change::Same);
    let what = if unchanged {
        "no change: HEAD exports exactly what BASE exports"
    } else if regressed {
        "HEAD loses data BASE kept"
    } else {
        "changes, none beyond the thresholds"
    };
    format!(
        "diff {}: {what} ({} error(s), {} warning(s), {} info, {} suppressed)",
        r.verdict, s.errors, s.warnings, s.infos, s.suppressed
    )
}
