//! The attribute-key vocabulary of the replayed traffic, by where keys live: what "closest
//! keys that do occur" hints choose from. Whether a key occurred at all is counted exactly per
//! rule (see `counts`); the hints only need the vocabulary, so the first spans of the replay
//! are scanned as they arrive (bounded work and memory, whatever the capture's size).

use std::collections::BTreeSet;

use crate::capture::model::{Attributes, Batch};
use crate::ottl::runtime::AttrScope;

/// Spans scanned for the vocabulary.
const VOCABULARY_SAMPLE: usize = 20_000;

#[derive(Debug, Default)]
pub struct KeyCatalog {
    span: BTreeSet<String>,
    resource: BTreeSet<String>,
    scope: BTreeSet<String>,
    event: BTreeSet<String>,
    scanned: usize,
}

fn add(set: &mut BTreeSet<String>, attrs: &Attributes) {
    for (k, _) in attrs.iter() {
        if !set.contains(k) {
            set.insert(k.to_owned());
        }
    }
}

impl KeyCatalog {
    /// Take the keys of one request, until enough spans were seen.
    pub fn scan(&mut self, b: &Batch) {
        if self.scanned >= VOCABULARY_SAMPLE {
            return;
        }
        for rs in &b.resource_spans {
            add(&mut self.resource, &rs.resource.attributes);
            for ss in &rs.scope_spans {
                add(&mut self.scope, &ss.scope.attributes);
                for s in &ss.spans {
                    add(&mut self.span, &s.attributes);
                    for e in &s.events {
                        add(&mut self.event, &e.attributes);
                    }
                }
            }
        }
        self.scanned += b.span_count();
    }

    fn set(&self, scope: AttrScope) -> &BTreeSet<String> {
        match scope {
            AttrScope::Span => &self.span,
            AttrScope::Resource => &self.resource,
            AttrScope::Scope => &self.scope,
            AttrScope::Event => &self.event,
        }
    }

    /// How many distinct keys were seen at `scope` (within the vocabulary sample).
    pub fn count(&self, scope: AttrScope) -> usize {
        self.set(scope).len()
    }

    /// Up to three existing keys closest to `key` (Jaro-Winkler, plus shared last segment).
    pub fn closest(&self, scope: AttrScope, key: &str) -> Vec<String> {
        let last = key.rsplit('.').next().unwrap_or(key);
        let mut scored: Vec<(f64, &String)> = self
            .set(scope)
            .iter()
            .map(|k| {
                let bonus = if k.rsplit('.').next() == Some(last) {
                    0.2
                } else {
                    0.0
                };
                (strsim::jaro_winkler(key, k) + bonus, k)
            })
            .filter(|(s, _)| *s >= 0.75)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored.into_iter().take(3).map(|(_, k)| k.clone()).collect()
    }
}
