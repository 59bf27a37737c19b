//! `resource` processor settings: a required, non-empty `attributes` list of action entries
//! (the same entries as the attributes processor), no include/exclude.

use super::actions::{self, Action};
use super::decode::Decoder;
use super::Signal;
use crate::config::node::Node;

#[derive(Debug, Clone)]
pub struct ResourceSettings {
    pub actions: Vec<Action>,
}

pub fn decode(d: &mut Decoder, node: &Node, built_for: &[Signal]) -> Option<ResourceSettings> {
    let f = d.fields(node, "", &["attributes"])?;
    let mut list = f
        .get("attributes")
        .map(|n| actions::decode_list(d, n, "attributes"))
        .unwrap_or_default();
    if d.failed_since(0) {
        return None;
    }
    if list.is_empty() {
        let loc = actions::list_location(node, "attributes");
        d.error(
            &loc,
            "missing required field \"attributes\"",
            "add at least one action entry under `attributes:`",
        );
        return None;
    }
    // Every signal builds the same `AttrProc`, so checking once is enough.
    if !built_for.is_empty() {
        let note =
            "the collector checks this when it builds the processor for a pipeline that uses it";
        if !actions::build(d, &mut list, note) {
            return None;
        }
    }
    Some(ResourceSettings { actions: list })
}
