//! Every dropped span is accounted for by a row. A filter drops spans two ways: a rule
//! matches (the rule's row counts it), or, with `error_mode: propagate`, a rule's evaluation
//! error fails the whole request and the collector drops every span in it. The second kind
//! has no rule row of its own, so the processor's drop count would exceed the sum of its
//! rows; this adds the row that says where the rest went.

use super::{PipelineReport, RuleReport};

/// The text of the added row (not OTTL: parenthesised so no one mistakes it for a rule).
pub const PROPAGATED_ROW: &str = "(whole requests failed by error_mode: propagate)";

pub fn account_unattributed_drops(p: &mut PipelineReport) {
    for proc in p
        .processors
        .iter_mut()
        .filter(|proc| proc.emulated && proc.ty == "filter")
    {
        let dropped = proc.spans_in.saturating_sub(proc.spans_out) as u64;
        let by_rules: u64 = proc.rules.iter().map(|r| r.dropped).sum();
        if dropped > by_rules {
            proc.rules.push(RuleReport {
                text: PROPAGATED_ROW.to_owned(),
                location: proc.location.clone(),
                action: "drop",
                evaluated: 0,
                matched: 0,
                dropped: dropped - by_rules,
                errors: 0,
                examples: Vec::new(),
                edits: 0,
                spans_changed: 0,
                fields: std::collections::BTreeMap::new(),
                policy: None,
                ..RuleReport::default()
            });
        }
    }
}
