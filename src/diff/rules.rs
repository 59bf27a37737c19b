//! Rules across the two configs. Within one pipeline and processor id, a rule whose canonical
//! text (whitespace outside quotes collapsed) appears on both sides is `same`; of the rest,
//! rules at the same position are `changed` (with a unified diff of their text); what is
//! left is `added` (HEAD only) or `removed` (BASE only). Text first means inserting a rule
//! does not turn every rule after it into a "change"; position second means an edited rule
//! reads as one change rather than a removal plus an addition.

use serde::Serialize;
use similar::{DiffOp, TextDiff};

use crate::report::{ConfigPipeline, JsonLocation, ProcessorReport, RuleReport};

/// A count on each side (`null` on the side a rule does not exist on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sides<T> {
    pub base: T,
    pub head: T,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Changed,
    Same,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
            Change::Same => "same",
        }
    }
}

/// One rule's fate across the configs (the spec's `changes.rules[]`).
#[derive(Debug, Clone, Serialize)]
pub struct RuleChange {
    pub pipeline: String,
    pub processor: String,
    /// HEAD's text (BASE's for a removed rule), as written in the config.
    pub text: String,
    pub change: Change,
    pub matched: Sides<Option<u64>>,
    pub dropped: Sides<Option<u64>>,
    /// BASE's text of a changed rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_diff: Option<String>,
    /// Where the rule is written: in HEAD, or in BASE for a removed rule.
    pub location: Option<JsonLocation>,
}

impl RuleChange {
    /// Spans HEAD's rule drops beyond what BASE's dropped (0 when fewer or absent in HEAD).
    pub fn extra_dropped(&self) -> u64 {
        let head = self.dropped.head.unwrap_or(0);
        head.saturating_sub(self.dropped.base.unwrap_or(0))
    }
}

/// Whitespace runs outside quoted strings become one space; leading and trailing go. Two
/// rules that differ only in layout are the same rule.
pub fn canonical(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut pending_space = false;
    for c in text.trim().chars() {
        if let Some(q) = quote {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
        }
        out.push(c);
    }
    out
}

/// Every rule of every pipeline on either side, HEAD's pipeline order first.
pub fn compare(base: &[ConfigPipeline], head: &[ConfigPipeline]) -> Vec<RuleChange> {
    let mut ids: Vec<&str> = head.iter().map(|p| p.id.as_str()).collect();
    for p in base {
        if !ids.contains(&p.id.as_str()) {
            ids.push(&p.id);
        }
    }
    let mut out = Vec::new();
    for id in ids {
        let b = base.iter().find(|p| p.id == id).map(|p| &p.processors[..]);
        let h = head.iter().find(|p| p.id == id).map(|p| &p.processors[..]);
        compare_pipeline(id, b.unwrap_or(&[]), h.unwrap_or(&[]), &mut out);
    }
    out
}

fn compare_pipeline(
    pipeline: &str,
    base: &[ProcessorReport],
    head: &[ProcessorReport],
    out: &mut Vec<RuleChange>,
) {
    let mut ids: Vec<&str> = head.iter().map(|p| p.id.as_str()).collect();
    for p in base {
        if !ids.contains(&p.id.as_str()) {
            ids.push(&p.id);
        }
    }
    for id in ids {
        let rules = |side: &[ProcessorReport]| {
            side.iter()
                .find(|p| p.id == id)
                .map(|p| p.rules.clone())
                .unwrap_or_default()
        };
        for (b, h, change) in pair_rules(&rules(base), &rules(head)) {
            out.push(rule_change(pipeline, id, b, h, change));
        }
    }
}

type Pair<'a> = (Option<&'a RuleReport>, Option<&'a RuleReport>, Change);

/// Pair BASE's and HEAD's rules of one processor (see the module comment): a Myers diff of
/// the canonical texts aligns equal rules; a replaced run pairs its rules by position.
fn pair_rules<'a>(base: &'a [RuleReport], head: &'a [RuleReport]) -> Vec<Pair<'a>> {
    let b: Vec<String> = base.iter().map(|r| canonical(&r.text)).collect();
    let h: Vec<String> = head.iter().map(|r| canonical(&r.text)).collect();
    let mut out = Vec::new();
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &b, &h) {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for i in 0..len {
                    out.push((
                        Some(&base[old_index + i]),
                        Some(&head[new_index + i]),
                        Change::Same,
                    ));
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => out.extend(base[old_index..old_index + old_len].iter().map(removed)),
            DiffOp::Insert {
                new_index, new_len, ..
            } => out.extend(head[new_index..new_index + new_len].iter().map(added)),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let paired = old_len.min(new_len);
                for i in 0..paired {
                    out.push((
                        Some(&base[old_index + i]),
                        Some(&head[new_index + i]),
                        Change::Changed,
                    ));
                }
                out.extend(
                    base[old_index + paired..old_index + old_len]
                        .iter()
                        .map(removed),
                );
                out.extend(
                    head[new_index + paired..new_index + new_len]
                        .iter()
                        .map(added),
                );
            }
        }
    }
    out
}

fn removed(r: &RuleReport) -> Pair<'_> {
    (Some(r), None, Change::Removed)
}

fn added(r: &RuleReport) -> Pair<'_> {
    (None, Some(r), Change::Added)
}

fn rule_change(
    pipeline: &str,
    processor: &str,
    base: Option<&RuleReport>,
    head: Option<&RuleReport>,
    change: Change,
) -> RuleChange {
    let shown = head.or(base);
    let (text_diff, base_text) = match (change, base, head) {
        (Change::Changed, Some(b), Some(h)) => (Some(text_diff(b, h)), Some(b.text.clone())),
        _ => (None, None),
    };
    RuleChange {
        pipeline: pipeline.to_owned(),
        processor: processor.to_owned(),
        text: shown.map(|r| r.text.clone()).unwrap_or_default(),
        change,
        matched: Sides {
            base: base.map(|r| r.matched),
            head: head.map(|r| r.matched),
        },
        dropped: Sides {
            base: base.map(|r| r.dropped),
            head: head.map(|r| r.dropped),
        },
        base_text,
        text_diff,
        location: shown.and_then(|r| r.location.clone()),
    }
}

/// A unified diff of one rule's text, headed by where each side writes it.
fn text_diff(base: &RuleReport, head: &RuleReport) -> String {
    let at = |r: &RuleReport, side: &str| {
        r.location
            .as_ref()
            .map_or_else(|| side.to_owned(), |l| format!("{side} {l}"))
    };
    let (b, h) = (format!("{}\n", base.text), format!("{}\n", head.text));
    TextDiff::from_lines(&b, &h)
        .unified_diff()
        .context_radius(1)
        .header(&at(base, "BASE"), &at(head, "HEAD"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str, matched: u64) -> RuleReport {
        RuleReport {
            text: text.to_owned(),
            location: None,
            action: "drop",
            evaluated: 10,
            matched,
            dropped: matched,
            errors: 0,
            examples: Vec::new(),
            edits: 0,
            spans_changed: 0,
            fields: Default::default(),
            policy: None,
            ..RuleReport::default()
        }
    }

    #[test]
    fn layout_does_not_make_a_change_but_quoted_text_does() {
        assert_eq!(canonical("  a  ==\t\"x  y\" "), "a == \"x  y\"");
        assert_ne!(canonical("a == \"x y\""), canonical("a == \"x  y\""));
    }

    #[test]
    fn insertion_keeps_the_rest_same_and_an_edit_is_one_change() {
        let base = [rule("a == 1", 1), rule("b == 2", 2)];
        let head = [rule("z == 0", 5), rule("a ==  1", 1), rule("b == 3", 4)];
        let changes: Vec<Change> = pair_rules(&base, &head).iter().map(|p| p.2).collect();
        // `z` is inserted before `a` (found by text), and `b == 3` replaces `b == 2`.
        assert_eq!(changes, [Change::Added, Change::Same, Change::Changed]);
        let edited = [rule("a == 1", 1), rule("b == 3", 4)];
        let changes: Vec<Change> = pair_rules(&base, &edited).iter().map(|p| p.2).collect();
        assert_eq!(changes, [Change::Same, Change::Changed]);
    }

    #[test]
    fn a_changed_rule_carries_a_unified_diff() {
        let c = rule_change(
            "traces",
            "filter/x",
            Some(&rule("a == 1", 1)),
            Some(&rule("a == 2", 9)),
            Change::Changed,
        );
        let d = c.text_diff.clone().unwrap_or_default();
        assert!(d.contains("-a == 1\n+a == 2\n"), "{d}");
        assert_eq!(c.extra_dropped(), 8);
    }
}
