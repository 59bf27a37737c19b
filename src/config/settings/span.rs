//! `span` processor settings: rename from/to attributes, set the status, optional
//! include/exclude. `Validate()` accepts everything; the rules below are checked when the
//! traces processor is created, so they run only when `built_for` has traces.

use super::decode::{Decoder, Fields};
use super::matching::LegacyMatch;
use super::Signal;
use crate::config::node::Node;
use crate::diag::Location;

#[derive(Debug, Clone)]
pub struct SpanSettings {
    pub matching: LegacyMatch,
    pub from_attributes: Vec<String>,
    /// Where `name.from_attributes` is (for the dry-run report's rule row).
    pub from_attributes_loc: Option<Location>,
    pub separator: String,
    pub to_attributes: Option<ToAttributes>,
    pub status: Option<Status>,
}

#[derive(Debug, Clone)]
pub struct ToAttributes {
    /// Rules with their compiled regexes (compiled when built for traces).
    pub rules: Vec<(String, Node, Option<regex::Regex>)>,
    pub break_after_match: bool,
    pub keep_original_name: bool,
}

/// `code` is kept as written: only the exact `Ok`, `Error`, `Unset` are accepted at build.
#[derive(Debug, Clone)]
pub struct Status {
    pub code: String,
    pub description: String,
    pub loc: Location,
}

const KEYS: &[&str] = &["include", "exclude", "name", "status"];

pub fn decode(d: &mut Decoder, node: &Node, built_for: &[Signal]) -> Option<SpanSettings> {
    let f = d.fields(node, "", KEYS)?;
    let matching = LegacyMatch::decode(d, &f);
    let (from_attributes, separator, to_attributes) =
        f.get("name").map(|n| decode_name(d, n)).unwrap_or_default();
    let from_attributes_loc = f
        .get("name")
        .and_then(|n| n.get_entry("from_attributes"))
        .map(|(k, _)| k.loc.clone());
    let status = f.get("status").and_then(|n| decode_status(d, n, &f));
    if d.failed_since(0) {
        return None;
    }
    let mut s = SpanSettings {
        matching,
        from_attributes,
        from_attributes_loc,
        separator,
        to_attributes,
        status,
    };
    if built_for.contains(&Signal::Traces) {
        build(d, &mut s, &f);
    }
    (!d.failed_since(0)).then_some(s)
}

fn decode_name(d: &mut Decoder, node: &Node) -> (Vec<String>, String, Option<ToAttributes>) {
    let Some(f) = d.fields(
        node,
        "name",
        &["from_attributes", "separator", "to_attributes"],
    ) else {
        return Default::default();
    };
    let from = f
        .get("from_attributes")
        .and_then(|n| d.strings(n, "name.from_attributes"))
        .unwrap_or_default();
    let sep = f
        .get("separator")
        .and_then(|n| d.string(n, "name.separator"))
        .unwrap_or_default();
    let to = f.get("to_attributes").and_then(|n| {
        let g = d.fields(
            n,
            "name.to_attributes",
            &["rules", "break_after_match", "keep_original_name"],
        )?;
        let rules = g
            .get("rules")
            .and_then(|r| d.strings(r, "name.to_attributes.rules"))
            .unwrap_or_default();
        let flag = |d: &mut Decoder, k: &str| {
            g.get(k)
                .and_then(|v| d.boolean(v, &g.child(k)))
                .unwrap_or(false)
        };
        Some(ToAttributes {
            rules: rules.into_iter().map(|(t, n)| (t, n, None)).collect(),
            break_after_match: flag(d, "break_after_match"),
            keep_original_name: flag(d, "keep_original_name"),
        })
    });
    (from.into_iter().map(|(s, _)| s).collect(), sep, to)
}

fn decode_status(d: &mut Decoder, node: &Node, _parent: &Fields) -> Option<Status> {
    let f = d.fields(node, "status", &["code", "description"])?;
    let code = f
        .get("code")
        .and_then(|n| d.string(n, "status.code"))
        .unwrap_or_default();
    let description = f
        .get("description")
        .and_then(|n| d.string(n, "status.description"))
        .unwrap_or_default();
    let loc = f
        .get("code")
        .map(|n| n.loc.clone())
        .unwrap_or_else(|| node.loc.clone());
    Some(Status {
        code,
        description,
        loc,
    })
}

/// `createTracesProcessor` + `newSpanProcessor`, in upstream's order.
fn build(d: &mut Decoder, s: &mut SpanSettings, f: &Fields) {
    let mark = d.diags.len();
    let no_rules = s.to_attributes.as_ref().is_none_or(|t| t.rules.is_empty());
    if s.from_attributes.is_empty() && no_rules && s.status.is_none() {
        let loc = f
            .entry("name")
            .map(|(k, _)| k.loc.clone())
            .unwrap_or_else(|| f.loc.clone());
        let msg = "error creating \"span\" processor: either \"from_attributes\" or \"to_attributes\" must be specified in \"name:\" or \"setStatus\" must be specified";
        d.error(
            &loc,
            msg,
            "set name.from_attributes, name.to_attributes.rules or status",
        );
    } else if let Some(st) = s
        .status
        .as_ref()
        .filter(|st| !["Ok", "Error", "Unset"].contains(&st.code.as_str()))
    {
        let msg = "error creating \"span\" processor: \"status\" must have specified \"code\" as \"Ok\" or \"Error\" or \"Unset\"";
        d.error(
            &st.loc,
            msg,
            "the code is case-sensitive: write Ok, Error or Unset",
        );
    } else if let Some(st) = s
        .status
        .as_ref()
        .filter(|st| !st.description.is_empty() && st.code != "Error")
    {
        let msg = "error creating \"span\" processor: \"description\" can be specified only for \"code\" \"Error\"";
        d.error(&st.loc, msg, "remove `description` or use `code: Error`");
    } else {
        s.matching.build(d, Signal::Traces);
        if !d.failed_since(mark) {
            compile_rules(d, s);
        }
    }
    for diag in d.diags.iter_mut().skip(mark) {
        if diag.notes.is_empty() {
            diag.notes.push(
                "the collector checks this when it builds the processor for a traces pipeline"
                    .to_owned(),
            );
        }
    }
}

fn compile_rules(d: &mut Decoder, s: &mut SpanSettings) {
    let Some(to) = &mut s.to_attributes else {
        return;
    };
    for (text, node, re) in &mut to.rules {
        match crate::ottl::runtime::re2::build(text) {
            Ok(r) => *re = Some(r),
            Err(_) => {
                d.error(
                    &node.loc,
                    format!("invalid regexp pattern {text}"),
                    "fix the regular expression (Go RE2 syntax)",
                );
                return;
            }
        }
    }
}
