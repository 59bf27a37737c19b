//! The `span` processor (contrib v0.156.0) for traces: per selected span, in this order,
//! rename from attributes, extract attributes from the name (`to_attributes` rules), set the
//! status — as `spanProcessor.processTraces` does.
//!
//! One upstream failure is emulated as such: when a `to_attributes` rule matches with a group
//! that takes no part in the match, or with a group nested in an earlier one, upstream slices
//! the name with a bad range and panics; the request fails and its data is lost. The processor
//! then fails the request (the engine drops it) and records the panic as the rule's error.
//!
//! Rules, in this processor's numbering: `from_attributes` (when set), each `to_attributes`
//! rule, `status` (when set), then the include/exclude selection (when set).

use super::api::{Ctx, DropLevel, Edit, Failed, Processor, Recorded, RuleAction, RuleInfo};
use super::attributes::selection_info;
use super::legacy_match::matches_span;
use crate::capture::model::{status_code, AnyValue, Attributes, Batch, Key, Resource, Scope, Span};
use crate::config::settings::matching::LegacyMatch;
use crate::config::settings::span::SpanSettings;
use crate::diag::Location;
use crate::ottl::runtime::EvalItem;

/// The message recorded when upstream would panic on a `to_attributes` rule.
pub const PANIC: &str = "the collector's span processor panics on this rule (a capture group that takes no part in the match, or one nested in another, gives a bad slice range): the whole request fails and its spans are lost";

struct NameRule {
    text: String,
    location: Location,
    re: regex::Regex,
    /// Group names as written (unnamed groups: ""), index 0 unused.
    names: Vec<String>,
}

pub struct SpanProcessor {
    from_attributes: Vec<String>,
    from_loc: Option<Location>,
    separator: String,
    rules: Vec<NameRule>,
    break_after_match: bool,
    keep_original_name: bool,
    /// (code, message, location, text)
    status: Option<(i64, String, Location, String)>,
    matching: LegacyMatch,
    /// Location of the processor, for rules without their own.
    loc: Location,
}

impl SpanProcessor {
    /// `None` when a rule has no compiled regex (settings built for another signal only).
    pub fn new(s: &SpanSettings, loc: Location) -> Option<Self> {
        let mut rules = Vec::new();
        let (mut brk, mut keep) = (false, false);
        if let Some(to) = &s.to_attributes {
            brk = to.break_after_match;
            keep = to.keep_original_name;
            for (text, node, re) in &to.rules {
                let re = re.clone()?;
                let names = re
                    .capture_names()
                    .map(|n| {
                        n.map_or("", crate::ottl::runtime::re2::capture_name)
                            .to_owned()
                    })
                    .collect();
                rules.push(NameRule {
                    text: node.written.clone().unwrap_or_else(|| text.clone()),
                    location: node.loc.clone(),
                    re,
                    names,
                });
            }
        }
        let status = s.status.as_ref().map(|st| {
            let (code, msg) = match st.code.as_str() {
                "Ok" => (status_code::OK, String::new()),
                "Error" => (status_code::ERROR, st.description.clone()),
                _ => (status_code::UNSET, String::new()),
            };
            let text = if st.description.is_empty() {
                format!("status: {{code: {}}}", st.code)
            } else {
                format!(
                    "status: {{code: {}, description: {:?}}}",
                    st.code, st.description
                )
            };
            (code, msg, st.loc.clone(), text)
        });
        Some(Self {
            from_attributes: s.from_attributes.clone(),
            from_loc: s.from_attributes_loc.clone(),
            separator: s.separator.clone(),
            rules,
            break_after_match: brk,
            keep_original_name: keep,
            status,
            matching: s.matching.clone(),
            loc,
        })
    }

    fn n_from(&self) -> usize {
        usize::from(!self.from_attributes.is_empty())
    }

    fn status_rule(&self) -> usize {
        self.n_from() + self.rules.len()
    }

    fn selection_rule(&self) -> usize {
        self.status_rule() + usize::from(self.status.is_some())
    }

    fn selected(&self, resource: &Resource, scope: &Scope, span: &Span) -> bool {
        self.matching
            .include
            .as_ref()
            .is_none_or(|p| matches_span(p, resource, scope, span))
            && !self
                .matching
                .exclude
                .as_ref()
                .is_some_and(|p| matches_span(p, resource, scope, span))
    }
}

/// What one rule did to one span: changes, or the upstream panic.
struct Outcome {
    edits: Vec<(usize, Edit)>,
    /// Per rule: evaluated on this span, and whether it changed it.
    verdicts: Vec<(usize, bool)>,
    panicked: Option<usize>,
}

impl Processor for SpanProcessor {
    fn process(
        &mut self,
        mut batch: Batch,
        ctx: &mut Ctx<'_>,
        out: &mut Vec<Batch>,
    ) -> Result<(), Failed> {
        let has_selection = self.matching.include.is_some() || self.matching.exclude.is_some();
        let mut failed = false;
        'request: for rs in &mut batch.resource_spans {
            let resource = &rs.resource;
            for ss in &mut rs.scope_spans {
                let scope = &ss.scope;
                for span in &mut ss.spans {
                    if has_selection {
                        let sel = self.selected(resource, scope, span);
                        let item = EvalItem {
                            resource,
                            scope,
                            span: Some(span),
                            event: None,
                        };
                        ctx.observer
                            .evaluated(ctx.at.rule(self.selection_rule()), &item, Ok(sel));
                        if !sel {
                            continue;
                        }
                    }
                    let o = self.process_span(span, ctx.reveal);
                    let item = EvalItem {
                        resource,
                        scope,
                        span: Some(span),
                        event: None,
                    };
                    for (rule, changed) in &o.verdicts {
                        ctx.observer
                            .evaluated(ctx.at.rule(*rule), &item, Ok(*changed));
                    }
                    for (rule, edit) in &o.edits {
                        ctx.observer
                            .edited(ctx.at.rule(*rule), resource, scope, Some(span), edit);
                    }
                    if let Some(rule) = o.panicked {
                        ctx.observer.error_hit(ctx.at.rule(rule), PANIC);
                        failed = true;
                        break 'request;
                    }
                }
            }
        }
        if failed {
            return Err(Failed);
        }
        out.push(batch);
        Ok(())
    }

    fn rules(&self) -> Vec<RuleInfo> {
        let info = |text: String, location: Location, action| RuleInfo {
            text,
            location,
            action,
            read_keys: Vec::new(),
            examples_on_match: true,
            data_findings: false,
            operands: None,
        };
        let mut out = Vec::new();
        if !self.from_attributes.is_empty() {
            let sep = if self.separator.is_empty() {
                String::new()
            } else {
                format!(", separator: {:?}", self.separator)
            };
            let mut from = info(
                format!(
                    "name.from_attributes: [{}]{sep}",
                    self.from_attributes.join(", ")
                ),
                self.from_loc.clone().unwrap_or_else(|| self.loc.clone()),
                RuleAction::Rename,
            );
            from.read_keys = self
                .from_attributes
                .iter()
                .map(|k| crate::ottl::runtime::ReadKey {
                    scope: crate::ottl::runtime::AttrScope::Span,
                    key: k.clone(),
                })
                .collect();
            out.push(from);
        }
        for r in &self.rules {
            out.push(info(
                format!("name.to_attributes: {}", r.text),
                r.location.clone(),
                RuleAction::Rename,
            ));
        }
        if let Some((_, _, loc, text)) = &self.status {
            out.push(info(text.clone(), loc.clone(), RuleAction::Set));
        }
        out.extend(selection_info(&self.matching));
        out
    }
}

impl SpanProcessor {
    fn process_span(&self, span: &mut Span, reveal: bool) -> Outcome {
        let mut o = Outcome {
            edits: Vec::new(),
            verdicts: Vec::new(),
            panicked: None,
        };
        if !self.from_attributes.is_empty() {
            let new = self.name_from_attributes(&span.attributes);
            let changed = new.as_ref().is_some_and(|n| *n != span.name);
            if let Some(n) = new.filter(|_| changed) {
                o.edits.push((0, name_edit(&span.name, &n)));
                span.name = n;
            }
            o.verdicts.push((0, changed));
        }
        self.to_attributes(span, reveal, &mut o);
        if o.panicked.is_some() {
            return o;
        }
        if let Some((code, msg, _, _)) = &self.status {
            let rule = self.status_rule();
            let mut changed = false;
            if span.status.code != *code {
                o.edits.push((
                    rule,
                    plain_edit(
                        "status.code",
                        AnyValue::Int(span.status.code),
                        AnyValue::Int(*code),
                    ),
                ));
                changed = true;
            }
            if span.status.message != *msg {
                o.edits.push((
                    rule,
                    plain_edit(
                        "status.message",
                        AnyValue::Str(span.status.message.as_str().into()),
                        AnyValue::Str(msg.as_str().into()),
                    ),
                ));
                changed = true;
            }
            span.status.code = *code;
            span.status.message.clone_from(msg);
            o.verdicts.push((rule, changed));
        }
        o
    }

    /// `processFromAttributes`: `None` when the span has no attributes or lacks a key.
    fn name_from_attributes(&self, attrs: &Attributes) -> Option<String> {
        if attrs.is_empty() {
            return None;
        }
        let mut name = String::new();
        for (i, key) in self.from_attributes.iter().enumerate() {
            let v = attrs.get(key)?;
            if i > 0 {
                name.push_str(&self.separator);
            }
            match v {
                AnyValue::Str(s) => name.push_str(s),
                AnyValue::Bool(b) => name.push_str(&b.to_string()),
                // Go FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent.
                AnyValue::Double(d) => name.push_str(&format_f(*d)),
                AnyValue::Int(n) => name.push_str(&n.to_string()),
                _ => name.push_str("<unknown-attribute-type>"),
            }
        }
        Some(name)
    }

    /// `processToAttributes`, rule by rule on the name the previous rule left.
    fn to_attributes(&self, span: &mut Span, reveal: bool, o: &mut Outcome) {
        let first = self.n_from();
        for (idx, rule) in self.rules.iter().enumerate() {
            let rule_no = first + idx;
            if span.name.is_empty() {
                // Upstream returns before any rule when the name is empty.
                return;
            }
            let old = span.name.clone();
            let Some(caps) = rule.re.captures(&old) else {
                o.verdicts.push((rule_no, false));
                continue;
            };
            let mut new = String::new();
            let mut at = 0usize;
            for i in 1..caps.len() {
                let name = rule.names.get(i).map_or("", String::as_str);
                let m = caps.get(i);
                let (start, end) = match m {
                    Some(m) if m.start() >= at => (m.start(), m.end()),
                    // Go slices name[at:-1] or name[at:start] with start < at: a panic.
                    _ => {
                        o.verdicts.push((rule_no, true));
                        o.panicked = Some(rule_no);
                        return;
                    }
                };
                let value = AnyValue::Str(old[start..end].into());
                let before = span.attributes.get(name).cloned();
                o.edits.push((
                    rule_no,
                    Edit {
                        level: DropLevel::Span,
                        field: super::attr_action::field_name(name),
                        before: Recorded::protected(before.as_ref(), reveal),
                        after: Recorded::Shown(value.clone()),
                    },
                ));
                span.attributes.upsert(Key::of(name), value);
                new.push_str(&old[at..start]);
                new.push('{');
                new.push_str(name);
                new.push('}');
                at = end;
            }
            new.push_str(&old[at..]);
            if !self.keep_original_name && new != old {
                o.edits.push((rule_no, name_edit(&old, &new)));
                span.name = new;
            }
            o.verdicts.push((rule_no, true));
            if self.break_after_match {
                break;
            }
        }
    }
}

fn name_edit(before: &str, after: &str) -> Edit {
    plain_edit(
        "name",
        AnyValue::Str(before.into()),
        AnyValue::Str(after.into()),
    )
}

fn plain_edit(field: &str, before: AnyValue, after: AnyValue) -> Edit {
    Edit {
        level: DropLevel::Span,
        field: field.to_owned(),
        before: Recorded::Shown(before),
        after: Recorded::Shown(after),
    }
}

/// Go `strconv.FormatFloat(d, 'f', -1, 64)`: Rust's `Display` is the same shortest plain form;
/// only the special values are spelled differently.
fn format_f(d: f64) -> String {
    if d.is_nan() {
        "NaN".into()
    } else if d.is_infinite() {
        if d > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{d}")
    }
}
