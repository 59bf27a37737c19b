//! `attributes` processor settings: `actions` plus optional `include`/`exclude`.
//!
//! `Validate()` only demands a non-empty `actions` list; the action and matcher checks run when
//! the processor is created for a traces, logs or metrics pipeline (see [`super::actions`] and
//! [`super::matching`]).

use super::actions::{self, Action};
use super::decode::Decoder;
use super::matching::LegacyMatch;
use super::Signal;
use crate::config::node::Node;

#[derive(Debug, Clone)]
pub struct AttributesSettings {
    pub actions: Vec<Action>,
    pub matching: LegacyMatch,
}

const KEYS: &[&str] = &["include", "exclude", "actions"];

pub fn decode(d: &mut Decoder, node: &Node, built_for: &[Signal]) -> Option<AttributesSettings> {
    let f = d.fields(node, "", KEYS)?;
    let mut actions = f
        .get("actions")
        .map(|n| actions::decode_list(d, n, "actions"))
        .unwrap_or_default();
    let mut matching = LegacyMatch::decode(d, &f);
    if d.failed_since(0) {
        return None;
    }
    if actions.is_empty() {
        let loc = actions::list_location(node, "actions");
        d.error(
            &loc,
            "missing required field \"actions\"",
            "add at least one entry under `actions:`",
        );
        return None;
    }
    for &signal in built_for {
        if signal == Signal::Profiles {
            continue; // the attributes processor has no profiles support
        }
        let note =
            "the collector checks this when it builds the processor for a pipeline that uses it";
        if !actions::build(d, &mut actions, note) {
            return None;
        }
        matching.build(d, signal);
        if d.failed_since(0) {
            return None;
        }
    }
    Some(AttributesSettings { actions, matching })
}
