//! The legacy `include`/`exclude` span matcher (`internal/filter/filterspan` + `filtermatcher`
//! + `filterset` of contrib v0.156.0, native path; the OTTL bridge gate is off by default).
//!
//! One block matches when every category it sets matches (AND), checked in upstream's order
//! services → span_names → span_kinds → libraries → resources → attributes. Inside a
//! category: any entry for names/kinds/services, every entry for attributes/resources/
//! libraries. `regexp` is RE2 `MatchString`: unanchored.

use crate::capture::model::{
    service_name, span_kind, AnyValue, Attributes, Batch, Resource, Scope, Span,
};
use crate::config::settings::matching::{
    AttributeMatch, LegacyMatch, MatchProperties, MatchType, Pattern,
};
use crate::ottl::runtime::EvalItem;
use crate::processors::api::{Ctx, DropLevel, RuleAction, RuleInfo};

/// `spans: {include, exclude}` of the filter processor: a span is dropped when it fails
/// `include` or matches `exclude`.
pub struct LegacySpanFilter {
    pub include: Option<MatchProperties>,
    pub exclude: Option<MatchProperties>,
}

impl LegacySpanFilter {
    pub fn new(m: &LegacyMatch) -> Self {
        Self {
            include: m.include.clone(),
            exclude: m.exclude.clone(),
        }
    }

    /// Rule numbers of the blocks, after the processor's `first` other rules.
    fn numbers(&self, first: usize) -> (usize, usize) {
        let inc = first;
        let exc = first + usize::from(self.include.is_some());
        (inc, exc)
    }

    /// Drop what upstream skips; rules are numbered from `first` (include, then exclude).
    pub fn process(&self, batch: &mut Batch, first: usize, ctx: &mut Ctx<'_>) {
        let (inc_no, exc_no) = self.numbers(first);
        for rs in &mut batch.resource_spans {
            let resource = &rs.resource;
            for ss in &mut rs.scope_spans {
                let scope = &ss.scope;
                ss.spans.retain(|span| {
                    let item = EvalItem {
                        resource,
                        scope,
                        span: Some(span),
                        event: None,
                    };
                    // Upstream's "skip" expression: not(include) or exclude; include first.
                    if let Some(inc) = &self.include {
                        let m = matches_span(inc, resource, scope, span);
                        let rule = ctx.at.rule(inc_no);
                        ctx.observer.evaluated(rule, &item, Ok(m));
                        if !m {
                            ctx.observer
                                .dropped(rule, DropLevel::Span, resource, scope, span);
                            return false;
                        }
                    }
                    if let Some(exc) = &self.exclude {
                        let m = matches_span(exc, resource, scope, span);
                        let rule = ctx.at.rule(exc_no);
                        ctx.observer.evaluated(rule, &item, Ok(m));
                        if m {
                            ctx.observer
                                .dropped(rule, DropLevel::Span, resource, scope, span);
                            return false;
                        }
                    }
                    true
                });
            }
        }
        batch.prune_empty();
    }

    /// The blocks as rules, include first.
    pub fn rules(&self) -> Vec<RuleInfo> {
        let block = |what: &str, p: &MatchProperties, action| RuleInfo {
            text: format!("{what} ({})", describe(p)),
            location: p.loc.clone(),
            action,
            read_keys: Vec::new(),
            examples_on_match: false,
            data_findings: false,
            operands: None,
        };
        let mut out = Vec::new();
        if let Some(p) = &self.include {
            out.push(block("spans.include", p, RuleAction::Keep));
        }
        if let Some(p) = &self.exclude {
            out.push(block("spans.exclude", p, RuleAction::Drop));
        }
        out
    }
}

/// Whether one match block matches a span (all set categories must match).
pub fn matches_span(p: &MatchProperties, resource: &Resource, scope: &Scope, span: &Span) -> bool {
    let regexp = p.match_type == Some(MatchType::Regexp);
    if !p.services.is_empty() {
        let svc = service_name(resource).unwrap_or_else(|| "<nil-service-name>".to_owned());
        if !any_matches(&p.services, &svc, regexp) {
            return false;
        }
    }
    if !p.span_names.is_empty() && !any_matches(&p.span_names, &span.name, regexp) {
        return false;
    }
    if !p.span_kinds.is_empty() {
        let kind = span_kind::proto_name(span.kind).unwrap_or("");
        if !any_matches(&p.span_kinds, kind, regexp) {
            return false;
        }
    }
    if !p.libraries.is_empty() {
        let all = p.libraries.iter().all(|lib| {
            pattern_matches(&lib.name, &scope.name, regexp)
                && lib
                    .version
                    .as_ref()
                    .is_none_or(|v| pattern_matches(v, &scope.version, regexp))
        });
        if !all {
            return false;
        }
    }
    if !p.resources.is_empty() && !attributes_match(&p.resources, &resource.attributes, regexp) {
        return false;
    }
    if !p.attributes.is_empty() && !attributes_match(&p.attributes, &span.attributes, regexp) {
        return false;
    }
    true
}

fn any_matches(set: &[Pattern], value: &str, regexp: bool) -> bool {
    set.iter().any(|p| pattern_matches(p, value, regexp))
}

fn pattern_matches(p: &Pattern, value: &str, regexp: bool) -> bool {
    match (&p.regex, regexp) {
        (Some(re), true) => re.is_match(value),
        _ => p.text == value,
    }
}

/// Every entry must match; a map without attributes matches nothing.
fn attributes_match(entries: &[AttributeMatch], attrs: &Attributes, regexp: bool) -> bool {
    if attrs.is_empty() {
        return false;
    }
    entries.iter().all(|e| {
        let Some(actual) = attrs.get(&e.key) else {
            return false;
        };
        match (&e.value, regexp) {
            (None, _) => true,
            (Some(_), true) => match (&e.regex, regexp_text(actual)) {
                (Some(re), Some(text)) => re.is_match(&text),
                _ => false,
            },
            (Some(expected), false) => strict_equal(expected, actual),
        }
    })
}

/// Type and value must both be equal (`200` does not match `"200"` nor `200.0`).
fn strict_equal(expected: &AnyValue, actual: &AnyValue) -> bool {
    std::mem::discriminant(expected) == std::mem::discriminant(actual) && expected == actual
}

/// The text a `regexp` attribute entry is matched against; other types never match.
fn regexp_text(v: &AnyValue) -> Option<String> {
    match v {
        AnyValue::Str(s) => Some(s.to_string()),
        AnyValue::Bool(b) => Some(b.to_string()),
        AnyValue::Int(i) => Some(i.to_string()),
        // Go strconv.FormatFloat(v, 'f', -1, 64): shortest decimal without exponent.
        AnyValue::Double(d) => Some(format!("{d}")),
        _ => None,
    }
}

fn describe(p: &MatchProperties) -> String {
    let mut parts = vec![p.match_type_text.clone()];
    let list = |name: &str, v: &[Pattern]| {
        (!v.is_empty()).then(|| {
            format!(
                "{name}: [{}]",
                v.iter()
                    .map(|p| p.text.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    };
    parts.extend(list("services", &p.services));
    parts.extend(list("span_names", &p.span_names));
    parts.extend(list("span_kinds", &p.span_kinds));
    if !p.attributes.is_empty() {
        parts.push(format!(
            "attributes: [{}]",
            p.attributes
                .iter()
                .map(|a| a.key.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !p.resources.is_empty() {
        parts.push(format!(
            "resources: [{}]",
            p.resources
                .iter()
                .map(|a| a.key.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !p.libraries.is_empty() {
        parts.push(format!(
            "libraries: [{}]",
            p.libraries
                .iter()
                .map(|l| l.name.text.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    parts.join("; ")
}
