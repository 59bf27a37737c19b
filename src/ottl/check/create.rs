//! Checks that upstream's function factories do when a function is created (still parse time):
//! literal regexes must compile, some literal parameters take only certain values.

use super::super::ast::{Call, Node, Span, Value};
use super::super::error::OttlError;
use super::super::signatures::Signature;

/// The literal argument for parameter `index` (positional or named), if any.
fn arg_for<'c>(call: &'c Call, sig: &Signature, index: usize) -> Option<&'c Node<Value>> {
    call.args.iter().enumerate().find_map(|(i, a)| {
        let target = match &a.node.name {
            None => i,
            Some(n) => sig.param_named(&n.node)?.0,
        };
        (target == index).then_some(&a.node.value)
    })
}

/// Creation-time errors, already prefixed with `couldn't create function: `.
pub(super) fn creation_errors(call: &Call, sig: &Signature) -> Vec<OttlError> {
    let mut errors = Vec::new();
    let string_at = |i| match arg_for(call, sig, i).map(|v| (&v.node, v.span)) {
        Some((Value::String(s), span)) => Some((s.as_str(), span)),
        _ => None,
    };
    let int_at = |i| match arg_for(call, sig, i).map(|v| &v.node) {
        Some(Value::Int(n)) => Some(*n),
        _ => None,
    };
    let regex_param = match sig.name {
        "IsMatch"
        | "delete_matching_keys"
        | "keep_matching_keys"
        | "replace_pattern"
        | "ExtractPatterns" => Some(1),
        "replace_all_patterns" => Some(2),
        _ => None,
    };
    if let Some((pattern, span)) = regex_param.and_then(string_at) {
        errors.extend(regex_error(sig.name, pattern, span));
    }
    if matches!(sig.name, "replace_match" | "replace_all_matches") {
        if let Some((pattern, span)) = string_at(1) {
            errors.extend(super::glob::glob_error(pattern).map(|detail| {
                let msg = format!(
                    "the regex pattern supplied to {} '{pattern:?}' is not a valid pattern: {detail}",
                    sig.name
                );
                OttlError::invalid(msg, span)
            }));
        }
    }
    let one_of = |i: usize, allowed: &[&str], msg: &dyn Fn(&str) -> String| {
        string_at(i)
            .filter(|(s, _)| !allowed.contains(s))
            .map(|(s, span)| OttlError::invalid(msg(s), span))
    };
    errors.extend(match sig.name {
        "replace_all_patterns" => one_of(1, &["key", "value"], &|m| {
            format!("invalid mode {m}, must be either 'key' or 'value'")
        }),
        "ConvertCase" => one_of(1, &["lower", "upper", "snake", "camel"], &|c| {
            format!("invalid case: {c}, allowed cases are: lower, upper, snake, camel")
        }),
        "merge_maps" => one_of(2, &["insert", "update", "upsert"], &|s| {
            format!("invalid value for strategy, {s}, must be 'insert', 'update' or 'upsert'")
        }),
        "Sort" => one_of(1, &["asc", "desc"], &|o| {
            format!("invalid arguments: {o}. Order should be either \"asc\" or \"desc\"")
        }),
        "limit" => limit_error(call, sig, int_at(1)),
        "flatten" => int_at(2).filter(|d| *d <= 0).map(|d| {
            let msg = format!("invalid depth '{d}' for flatten function, must be greater than 0");
            OttlError::invalid(msg, call_span(call))
        }),
        _ => None,
    });
    errors
        .into_iter()
        .map(|e| e.prefixed("couldn't create function: "))
        .collect()
}

fn call_span(call: &Call) -> Span {
    match (call.args.first(), call.args.last()) {
        (Some(a), Some(b)) => Span::new(a.span.start, b.span.end),
        _ => call.name.span,
    }
}

fn limit_error(call: &Call, sig: &Signature, limit: Option<i64>) -> Option<OttlError> {
    let limit = limit?;
    let priority = match arg_for(call, sig, 2).map(|v| &v.node) {
        Some(Value::List(items)) => items.len(),
        _ => 0,
    };
    let priority_i64 = i64::try_from(priority).unwrap_or(i64::MAX);
    (limit < priority_i64).then(|| {
        let msg = format!(
            "invalid limit for limit function, {limit} cannot be less than number of priority attributes {priority}"
        );
        OttlError::invalid(msg, call_span(call))
    })
}

/// A literal pattern that RE2 would reject: the runtime's RE2 translation and Go's limits
/// (repeat counts, program size), so check and run agree on what compiles.
pub(super) fn regex_error(func: &str, pattern: &str, span: Span) -> Option<OttlError> {
    let err = crate::ottl::runtime::re2::compile(pattern).err()?;
    let detail = err.strip_prefix("error parsing regexp: ").unwrap_or(&err);
    let detail = detail
        .strip_suffix(&format!(": `{pattern}`"))
        .unwrap_or(detail)
        .strip_prefix("error: ")
        .unwrap_or(detail);
    let msg = format!(
        "the regex pattern supplied to {func} '{:?}' is not a valid pattern: error parsing regexp: {detail}",
        pattern
    );
    Some(OttlError::invalid(msg, span))
}
