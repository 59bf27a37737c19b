//! `filter-wrong-signal` (static): a `filter` processor placed in a pipeline of a signal it has
//! no rules for.
//!
//! **What it flags**: a filter whose settings hold rules for other signals only, e.g. only
//! `metrics:` (or `logs:`) in a traces pipeline. Traces rules are `traces:` (OTTL) or `spans:`
//! (legacy); metrics rules `metrics:`; logs rules `logs:`.
//!
//! **Why**: the collector accepts it, builds the processor for the pipeline's signal with no
//! conditions, and passes everything: the drop the author meant never happens, silently.
//!
//! **Example**: `filter/health: {metrics: {metric: ['name == "x"']}}` in `service.pipelines.traces`.
//!
//! **Fix**: write the rules under the pipeline's signal (`traces: {span: [...]}`), or move the
//! processor to a pipeline of the signal its rules are for.

use crate::config::{CollectorConfig, Signal};
use crate::diag::{codes, Diagnostic};

/// The settings keys that hold rules for `signal`.
fn rule_keys(signal: Signal) -> &'static [&'static str] {
    match signal {
        Signal::Traces => &["traces", "spans"],
        Signal::Metrics => &["metrics"],
        Signal::Logs => &["logs"],
        Signal::Profiles => &["profiles"],
    }
}

const ALL_RULE_KEYS: &[&str] = &["traces", "spans", "metrics", "logs", "profiles"];

/// One warning per (pipeline, filter) where the filter has rules, none of them for the
/// pipeline's signal; located at the filter's id in the pipeline.
pub fn check(cfg: &CollectorConfig) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for pipeline in &cfg.pipelines {
        for id_ref in &pipeline.processors {
            if id_ref.id.ty != "filter" {
                continue;
            }
            let Some(comp) = cfg.processors.iter().find(|c| c.id == id_ref.id) else {
                continue;
            };
            let present: Vec<&str> = ALL_RULE_KEYS
                .iter()
                .copied()
                .filter(|k| comp.settings.get(k).is_some())
                .collect();
            let own = rule_keys(pipeline.signal);
            if present.is_empty() || present.iter().any(|k| own.contains(k)) {
                continue;
            }
            let msg = format!(
                "`{}` has only `{}` rules, so in the {} pipeline `{}` it filters nothing",
                id_ref.id,
                present.join("`/`"),
                pipeline.signal,
                pipeline.id_text
            );
            out.push(
                Diagnostic::warning(codes::FILTER_WRONG_SIGNAL, msg)
                    .at(id_ref.loc.clone())
                    .with_help(format!(
                        "write the rules under `{}:` or move the processor to a pipeline of the signal its rules are for",
                        own[0]
                    )),
            );
        }
    }
    out
}
