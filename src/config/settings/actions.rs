//! Attribute action entries (`internal/coreinternal/attraction.ActionKeyValue`), shared by the
//! `attributes` processor (`actions:`) and the `resource` processor (`attributes:`).
//!
//! Unmarshal checks keys and types only. Everything else — the action name, which value source
//! is allowed, patterns and their named groups, `converted_type` — is checked by `NewAttrProc`
//! when the processor is created, so [`build`] runs only for signals whose pipelines use it.
//! Upstream stops at the first bad action; so do we, with the same texts.

use super::decode::{any_value, Decoder};
use crate::capture::model::AnyValue;
use crate::config::node::Node;
use crate::diag::Location;

/// The lower-cased `action` (upstream lower-cases before matching).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Insert,
    Update,
    Upsert,
    Delete,
    Hash,
    Extract,
    Convert,
}

/// `converted_type` of a `convert` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConvertedType {
    Int,
    Double,
    String,
}

#[derive(Debug, Clone)]
pub struct Action {
    /// `None` until [`build`] accepted the action name.
    pub action: Option<ActionKind>,
    pub action_text: String,
    pub key: String,
    /// `value` converted like `pcommon.Value.FromRaw`.
    pub value: Option<AnyValue>,
    pub default_value: Option<AnyValue>,
    pub pattern: String,
    /// Compiled `pattern` (delete/hash/extract), set by [`build`].
    pub regex: Option<regex::Regex>,
    pub from_attribute: String,
    pub from_context: String,
    pub converted_type_text: String,
    pub converted_type: Option<ConvertedType>,
    pub node: Node,
}

pub const KEYS: &[&str] = &[
    "key",
    "value",
    "default_value",
    "pattern",
    "from_attribute",
    "from_context",
    "converted_type",
    "action",
];

/// Decode a list of action entries under `path` (`actions` or `attributes`).
pub fn decode_list(d: &mut Decoder, node: &Node, path: &str) -> Vec<Action> {
    let items = d.seq(node, path).unwrap_or_default();
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| decode_one(d, item, &format!("{path}[{i}]")))
        .collect()
}

fn decode_one(d: &mut Decoder, node: &Node, path: &str) -> Option<Action> {
    let f = d.fields(node, path, KEYS)?;
    let s = |d: &mut Decoder, key: &str| {
        f.get(key)
            .and_then(|n| d.string(n, &f.child(key)))
            .unwrap_or_default()
    };
    Some(Action {
        action: None,
        action_text: s(d, "action").to_lowercase(),
        key: s(d, "key"),
        value: f.get("value").map(any_value),
        default_value: f.get("default_value").map(any_value),
        pattern: s(d, "pattern"),
        regex: None,
        from_attribute: s(d, "from_attribute"),
        from_context: s(d, "from_context"),
        converted_type_text: s(d, "converted_type"),
        converted_type: None,
        node: node.clone(),
    })
}

/// `NewAttrProc`: the creation-time checks. Stops at the first bad action, as upstream.
pub fn build(d: &mut Decoder, actions: &mut [Action], note: &str) -> bool {
    let mark = d.diags.len();
    for (i, a) in actions.iter_mut().enumerate() {
        if let Err((msg, help)) = check(a, i) {
            d.error(&a.node.loc, msg, help);
            break;
        }
    }
    for diag in d.diags.iter_mut().skip(mark) {
        diag.notes.push(note.to_owned());
    }
    !d.failed_since(mark)
}

type Problem = (String, String);

fn check(a: &mut Action, i: usize) -> Result<(), Problem> {
    let kind = parse_kind(&a.action_text);
    let needs_key_or_pattern = matches!(kind, Some(ActionKind::Delete | ActionKind::Hash));
    if needs_key_or_pattern && a.key.is_empty() && a.pattern.is_empty() {
        let msg = format!("error creating AttrProc due to missing required field (at least one of \"key\" and \"pattern\" have to be used) at the {i}-th action");
        return Err((msg, "add `key` or `pattern`".to_owned()));
    }
    if !needs_key_or_pattern && a.key.is_empty() {
        return Err((format!("error creating AttrProc due to missing required field \"key\" at the {i}-th action"), "add `key`".to_owned()));
    }
    let head = format!(
        "error with key {:?} ({i}-th action): error creating AttrProc",
        a.key
    );
    let sources = usize::from(a.value.is_some())
        + usize::from(!a.from_attribute.is_empty())
        + usize::from(!a.from_context.is_empty());
    let text = a.action_text.clone();
    let Some(kind) = kind else {
        let msg = format!("{head} due to unsupported action {text:?}");
        return Err((
            msg,
            "use one of: insert, update, upsert, delete, hash, extract, convert".to_owned(),
        ));
    };
    a.action = Some(kind);
    let no_converted = |a: &Action| -> Result<(), Problem> {
        if a.converted_type_text.is_empty() {
            return Ok(());
        }
        let msg = format!("{head}. Action \"{text}\" does not use the \"converted_type\" field. This must not be specified");
        Err((msg, "remove `converted_type`".to_owned()))
    };
    match kind {
        ActionKind::Insert | ActionKind::Update | ActionKind::Upsert => {
            if sources == 0 && a.default_value.is_none() {
                let msg = format!("{head}. Either field \"value\", \"from_attribute\", \"from_context\", or \"default_value\" must be specified");
                return Err((msg, "give the action a value source".to_owned()));
            }
            if sources > 1 {
                return Err((
                    format!("{head} due to multiple value sources being set"),
                    "keep only one of value, from_attribute, from_context".to_owned(),
                ));
            }
            if !a.pattern.is_empty() {
                let msg = format!("{head}. Action \"{text}\" does not use the \"pattern\" field. This must not be specified");
                return Err((msg, "remove `pattern`".to_owned()));
            }
            no_converted(a)
        }
        ActionKind::Hash | ActionKind::Delete => {
            if a.value.is_some() || !a.from_attribute.is_empty() {
                let msg = format!("{head}. Action \"{text}\" does not use \"value\" or \"from_attribute\" field. These must not be specified");
                return Err((msg, "remove `value`/`from_attribute`".to_owned()));
            }
            if !a.pattern.is_empty() {
                a.regex = Some(compile(a, &head)?);
            }
            no_converted(a)
        }
        ActionKind::Extract => check_extract(a, &head, &text, sources),
        ActionKind::Convert => check_convert(a, &head, &text, sources),
    }
}

fn check_extract(a: &mut Action, head: &str, text: &str, sources: usize) -> Result<(), Problem> {
    if sources > 0 {
        let msg = format!("{head}. Action \"{text}\" does not use a value source field. These must not be specified");
        return Err((
            msg,
            "remove `value`/`from_attribute`/`from_context`".to_owned(),
        ));
    }
    if a.pattern.is_empty() {
        let msg = format!("{head} due to missing required field \"pattern\" for action \"{text}\"");
        return Err((
            msg,
            "add a `pattern` with named groups, e.g. (?P<name>...)".to_owned(),
        ));
    }
    if !a.converted_type_text.is_empty() {
        let msg = format!("{head}. Action \"{text}\" does not use the \"converted_type\" field. This must not be specified");
        return Err((msg, "remove `converted_type`".to_owned()));
    }
    let re = compile(a, head)?;
    let names: Vec<Option<&str>> = re
        .capture_names()
        .skip(1)
        .map(|n| n.map(crate::ottl::runtime::re2::capture_name))
        .collect();
    if names.is_empty() {
        let msg = format!("{head}. Field \"pattern\" contains no named matcher groups");
        return Err((msg, "name the groups to extract: (?P<name>...)".to_owned()));
    }
    if names.iter().any(Option::is_none) {
        let msg = format!("{head}. Field \"pattern\" contains at least one unnamed matcher group");
        return Err((
            msg,
            "name every group, or make it non-capturing with (?:...)".to_owned(),
        ));
    }
    a.regex = Some(re);
    Ok(())
}

fn check_convert(a: &mut Action, head: &str, text: &str, sources: usize) -> Result<(), Problem> {
    if sources > 0 || !a.pattern.is_empty() {
        let msg = format!("{head}. Action \"{text}\" does not use value sources or \"pattern\" field. These must not be specified");
        return Err((msg, "remove the value source and `pattern`".to_owned()));
    }
    a.converted_type = match a.converted_type_text.as_str() {
        "int" => Some(ConvertedType::Int),
        "double" => Some(ConvertedType::Double),
        "string" => Some(ConvertedType::String),
        "" => {
            let msg = format!(
                "{head} due to missing required field \"converted_type\" for action \"{text}\""
            );
            return Err((msg, "add `converted_type: int|double|string`".to_owned()));
        }
        other => {
            let msg = format!("{head} due to invalid value \"{other}\" in field \"converted_type\" for action \"{text}\"");
            return Err((msg, "use int, double or string".to_owned()));
        }
    };
    Ok(())
}

fn compile(a: &Action, head: &str) -> Result<regex::Regex, Problem> {
    crate::ottl::runtime::re2::build(&a.pattern).map_err(|_| {
        let msg = format!(
            "{head}. Field \"pattern\" has invalid pattern: \"{}\"",
            a.pattern
        );
        (msg, "fix the regular expression (Go RE2 syntax)".to_owned())
    })
}

fn parse_kind(text: &str) -> Option<ActionKind> {
    Some(match text {
        "insert" => ActionKind::Insert,
        "update" => ActionKind::Update,
        "upsert" => ActionKind::Upsert,
        "delete" => ActionKind::Delete,
        "hash" => ActionKind::Hash,
        "extract" => ActionKind::Extract,
        "convert" => ActionKind::Convert,
        _ => return None,
    })
}

/// Where the action list starts, for "missing required field" errors.
pub fn list_location(node: &Node, key: &str) -> Location {
    node.get_entry(key)
        .map(|(k, _)| k.loc.clone())
        .unwrap_or_else(|| node.loc.clone())
}
