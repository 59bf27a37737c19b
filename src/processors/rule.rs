//! One compiled drop condition plus the counters the dry-run reports for it.

use crate::capture::model::{Resource, Scope, Span};
use crate::diag::Location;
use crate::ottl::runtime::{CompiledCondition, EvalItem};
use crate::ottl::Context;
use crate::report::Example;

/// How many example spans a rule keeps for the report.
const MAX_EXAMPLES: usize = 3;

/// Per-rule counters, filled during replay.
#[derive(Debug, Clone, Default)]
pub struct RuleStats {
    /// Items the rule was evaluated on.
    pub evaluated: u64,
    /// Items for which the rule alone was true.
    pub matched: u64,
    /// Spans this rule was the first to drop (spans inside a dropped resource/scope count).
    pub dropped: u64,
    /// Evaluation errors the collector would have hit (in its short-circuit order).
    pub errors: u64,
    pub first_error: Option<String>,
    /// Items carrying every attribute the rule reads, and how many of those it matched.
    pub carriers: u64,
    pub carriers_matched: u64,
    /// Per read key (same order as `Rule::read_keys`): items on which that key was present.
    pub key_seen: Vec<u64>,
    pub examples: Vec<Example>,
}

/// A drop condition of a filter processor.
pub struct Rule {
    pub text: String,
    pub location: Location,
    pub context: Context,
    pub condition: CompiledCondition,
    pub stats: RuleStats,
    /// Attribute keys the rule reads (for "every span carrying the attributes it tests").
    read_keys: Vec<crate::ottl::runtime::ReadKey>,
}

impl Rule {
    pub fn new(
        text: String,
        location: Location,
        context: Context,
        condition: CompiledCondition,
    ) -> Self {
        let read_keys = condition.attribute_keys_read();
        let stats = RuleStats {
            key_seen: vec![0; read_keys.len()],
            ..RuleStats::default()
        };
        Self {
            text,
            location,
            context,
            condition,
            stats,
            read_keys,
        }
    }

    pub fn read_keys(&self) -> &[crate::ottl::runtime::ReadKey] {
        &self.read_keys
    }

    /// Evaluate and count. Returns `Ok(true)` when the rule matched.
    pub fn eval(&mut self, item: &EvalItem<'_>) -> Result<bool, String> {
        self.stats.evaluated += 1;
        let carrier = self.carries_all_keys(item);
        if carrier {
            self.stats.carriers += 1;
        }
        match self.condition.eval(item) {
            Ok(true) => {
                self.stats.matched += 1;
                if carrier {
                    self.stats.carriers_matched += 1;
                }
                if self.stats.examples.len() < MAX_EXAMPLES {
                    if let Some(span) = item.span {
                        self.stats
                            .examples
                            .push(example(item.resource, item.scope, span));
                    }
                }
                Ok(true)
            }
            Ok(false) => Ok(false),
            Err(e) => Err(e.message),
        }
    }

    pub fn record_error(&mut self, message: &str) {
        self.stats.errors += 1;
        if self.stats.first_error.is_none() {
            self.stats.first_error = Some(message.to_owned());
        }
    }

    /// Whether the item carries every attribute the rule reads; counts each key's presence on
    /// the way (the dead-rule finding names the keys that never occurred).
    fn carries_all_keys(&mut self, item: &EvalItem<'_>) -> bool {
        use crate::ottl::runtime::AttrScope;
        let mut all = true;
        for (k, seen) in self.read_keys.iter().zip(self.stats.key_seen.iter_mut()) {
            let attrs = match k.scope {
                AttrScope::Span => item.span.map(|s| &s.attributes),
                AttrScope::Resource => Some(&item.resource.attributes),
                AttrScope::Scope => Some(&item.scope.attributes),
                AttrScope::Event => item.event.map(|(e, _)| &e.attributes),
            };
            let present = attrs.is_some_and(|a| {
                a.get(&k.key)
                    .is_some_and(|v| !matches!(v, crate::capture::model::AnyValue::Empty))
            });
            *seen += u64::from(present);
            all &= present;
        }
        all
    }
}

pub fn example(resource: &Resource, _scope: &Scope, span: &Span) -> Example {
    Example {
        trace_id: hex::encode(span.trace_id),
        span_id: hex::encode(span.span_id),
        service: crate::capture::model::service_name(resource).unwrap_or_default(),
        name: span.name.clone(),
    }
}
