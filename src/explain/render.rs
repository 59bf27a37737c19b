//! `explain` as text (for a terminal) and as the spec's JSON document.

use std::fmt::Write as _;

use super::model::{Change, Outcome, RuleResult, SpanStory};
use crate::report::{Tool, SCHEMA_VERSION};

/// The JSON document (`"kind": "explain"`).
pub fn json(trace_id: &str, spans: &[SpanStory]) -> String {
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        schema: u32,
        kind: &'static str,
        tool: Tool,
        trace_id: &'a str,
        spans: &'a [SpanStory],
    }
    let doc = Doc {
        schema: SCHEMA_VERSION,
        kind: "explain",
        tool: Tool::default(),
        trace_id,
        spans,
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The journey as indented text.
pub fn text(trace_id: &str, spans: &[SpanStory]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "trace {trace_id}: {} span(s)", spans.len());
    for s in spans {
        let service = if s.service.is_empty() {
            String::new()
        } else {
            format!(" (service {})", s.service)
        };
        let _ = writeln!(out, "\nspan {} {:?}{service}", s.span_id, s.name);
        let mut pipeline: Option<&str> = None;
        for step in &s.journey {
            if pipeline != Some(step.pipeline.as_str()) {
                let _ = writeln!(out, "  pipeline {}", step.pipeline);
                pipeline = Some(step.pipeline.as_str());
            }
            let outcome = match (step.outcome, &step.dropped_by) {
                (Outcome::Dropped | Outcome::SampledOut, Some(rule)) => {
                    format!("{} by `{rule}`", step.outcome.as_str())
                }
                (o, _) if !step.emulated => format!(
                    "{} (not emulated: otelcheck passes spans through it unchanged)",
                    o.as_str()
                ),
                (o, _) => o.as_str().to_owned(),
            };
            let _ = writeln!(out, "    {} [{}]: {outcome}", step.processor, step.ty);
            for r in &step.rules {
                let on_event = r
                    .span_event
                    .as_ref()
                    .map(|(i, name)| format!(" on event #{i} {name:?}"))
                    .unwrap_or_default();
                let error = match (&r.result, &r.error) {
                    (RuleResult::Error, Some(e)) => format!(": {e}"),
                    _ => String::new(),
                };
                let at = r
                    .location
                    .as_ref()
                    .map(|l| format!("{}:{}:{}  ", l.file, l.line, l.column))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "      {at}`{}` {} ({}){on_event}{error}",
                    r.text,
                    result_text(&step.ty, r.result),
                    r.action
                );
                for o in &r.operands {
                    let _ = writeln!(out, "        {} = {}", o.expr, operand_text(&o.value));
                }
                for c in &r.changes {
                    let _ = writeln!(out, "        {}", change_line(c));
                }
            }
        }
        if s.exported_by.is_empty() {
            let _ = writeln!(out, "  exported by: none");
        } else {
            let _ = writeln!(out, "  exported by: {}", s.exported_by.join(", "));
        }
    }
    out
}

/// A probabilistic sampler's rule "matches" the spans it drops: say kept / sampled out.
fn result_text(ty: &str, result: RuleResult) -> &'static str {
    match (ty, result) {
        ("probabilistic_sampler", RuleResult::Matched) => "sampled out",
        ("probabilistic_sampler", RuleResult::NotMatched) => "kept",
        (_, r) => r.as_str(),
    }
}

fn change_line(c: &Change) -> String {
    format!("{}: {} -> {}", c.field, shown(&c.before), shown(&c.after))
}

fn shown(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "(absent)".to_owned(),
        serde_json::Value::String(s) if s.starts_with("<masked") => s.clone(),
        other => other.to_string(),
    }
}

/// An operand's value in text: `nil` for Go's nil, the error text after `error:`.
fn operand_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "nil".to_owned(),
        serde_json::Value::String(s) if s.starts_with("<masked") => s.clone(),
        serde_json::Value::Object(o) if o.len() == 1 && o.contains_key("error") => {
            format!("error: {}", o["error"].as_str().unwrap_or_default())
        }
        other => other.to_string(),
    }
}
