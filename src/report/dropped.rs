//! Which spans each rule dropped, by span name and by service: the text table's "dropped N:
//! e.g. ..." line names the most frequent of all the spans a rule dropped, not only of the
//! few examples the counts keep.

use super::DroppedValue;
use crate::capture::model::{service_name, AnyValue, Resource, Scope, Span};
use crate::processors::api::{DropLevel, Observer, RuleRef};
use std::collections::HashMap;

/// Distinct values counted per rule and kind; beyond it, spans are counted as "other
/// values" (a span name that embeds an id must not grow the tally without bound).
const MAX_DISTINCT: usize = 1000;
/// Values kept in the report per rule and kind, most frequent first.
const TOP: usize = 5;

#[derive(Default)]
struct Tally {
    counts: HashMap<String, u64>,
    other: u64,
}

impl Tally {
    fn add(&mut self, value: &str) {
        if let Some(n) = self.counts.get_mut(value) {
            *n += 1;
        } else if self.counts.len() < MAX_DISTINCT {
            self.counts.insert(value.to_owned(), 1);
        } else {
            self.other += 1;
        }
    }

    /// The most frequent values, ties in name order (stable across runs).
    fn top(&self) -> Vec<DroppedValue> {
        let mut all: Vec<(&String, &u64)> = self.counts.iter().collect();
        all.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        all.into_iter()
            .take(TOP)
            .map(|(value, spans)| DroppedValue {
                value: value.clone(),
                spans: *spans,
            })
            .collect()
    }
}

/// An observer of drops: per rule, the names and services of the spans it removed.
#[derive(Default)]
pub struct DropTally {
    rules: HashMap<RuleRef, (Tally, Tally)>,
}

impl DropTally {
    /// The top span names and services `rule` dropped (empty when it dropped none).
    pub fn top(&self, rule: RuleRef) -> (Vec<DroppedValue>, Vec<DroppedValue>) {
        self.rules
            .get(&rule)
            .map(|(names, services)| (names.top(), services.top()))
            .unwrap_or_default()
    }
}

impl Observer for DropTally {
    fn dropped(
        &mut self,
        rule: RuleRef,
        level: DropLevel,
        resource: &Resource,
        _scope: &Scope,
        span: &Span,
    ) {
        // An event removed from a span leaves the span in place.
        if level == DropLevel::SpanEvent {
            return;
        }
        let (names, services) = self.rules.entry(rule).or_default();
        names.add(&span.name);
        // The usual string service name is read in place; other kinds are rendered.
        match resource.attributes.get("service.name") {
            Some(AnyValue::Str(s)) => services.add(s),
            _ => services.add(
                service_name(resource)
                    .as_deref()
                    .unwrap_or("<nil-service-name>"),
            ),
        }
    }
}
