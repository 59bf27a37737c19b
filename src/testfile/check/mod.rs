//! Expectations against what one replay did. Each check returns its failures as
//! (expectation, message) pairs: the expectation as written (in YAML flow style), and what
//! happened, with the spans involved.
//!
//! Span matchers select among the spans that *entered* the pipeline for `dropped`/`kept`
//! (the input is what the author describes), and among the *exported* spans for
//! `attributes` (the values after the pipeline are what is checked). `dropped` and `kept`
//! hold when at least one span matches and every matching span had that fate.

mod findings;
mod select;
mod show;

use crate::capture::model::{service_name, Resource, Span};
use crate::diag::Diagnostic;
use crate::engine::Engine;

use super::model::{AttributeCheck, Count, Expect, Matcher};
use super::observe::Journey;
use findings::findings;
use select::{lookup, matches, spans, value_eq};
use show::{describe, describe_matcher, list, show_value, shown};

pub struct Ctx<'a> {
    pub engine: &'a Engine,
    pub journey: &'a Journey,
    pub findings: &'a [Diagnostic],
    pub reveal: bool,
}

pub type Failures = Vec<(String, String)>;

/// Every expectation of one `expect:` entry.
pub fn check(e: &Expect, ctx: &Ctx<'_>) -> Failures {
    let mut out = Failures::new();
    let wants_pipeline = !e.dropped.is_empty()
        || !e.kept.is_empty()
        || e.spans_out.is_some()
        || e.exports_nothing.is_some()
        || !e.attributes.is_empty();
    if !wants_pipeline {
        findings(e, ctx, &mut out);
        return out;
    }
    let (index, id) = match pipeline(e.pipeline.as_deref(), ctx.engine) {
        Ok(p) => p,
        Err(m) => {
            let what = e.pipeline.as_ref().map_or_else(
                || "pipeline: (not given)".to_owned(),
                |p| format!("pipeline: {p}"),
            );
            out.push((what, m));
            findings(e, ctx, &mut out);
            return out;
        }
    };
    let exported_keys = spans(ctx.journey.exported.get(&index))
        .iter()
        .map(|(_, s)| (s.trace_id, s.span_id))
        .collect();
    let p = Pipe {
        index,
        id: &id,
        ctx,
        exported_keys,
    };
    for m in &e.dropped {
        fate(&p, m, false, &mut out);
    }
    for m in &e.kept {
        fate(&p, m, true, &mut out);
    }
    if let Some(c) = e.spans_out {
        spans_out(&p, c, &mut out);
    }
    if let Some(nothing) = e.exports_nothing {
        exports_nothing(&p, nothing, &mut out);
    }
    for a in &e.attributes {
        attributes(&p, a, &mut out);
    }
    findings(e, ctx, &mut out);
    out
}

/// The pipeline an expectation is about: the named one, or the only traces pipeline.
fn pipeline(name: Option<&str>, engine: &Engine) -> Result<(usize, String), String> {
    let all: Vec<(usize, String)> = engine
        .pipelines()
        .map(|p| (p.index, p.id.clone()))
        .collect();
    let ids = || {
        all.iter()
            .map(|(_, id)| id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(n) => {
            all.iter().find(|(_, id)| id == n).cloned().ok_or_else(|| {
                format!("the config has no traces pipeline `{n}`; it has: {}", ids())
            })
        }
        None if all.len() == 1 => Ok(all[0].clone()),
        None if all.is_empty() => Err("the config has no traces pipeline to check".to_owned()),
        None => Err(format!(
            "the config has {} traces pipelines ({}): name one with `pipeline:`",
            all.len(),
            ids()
        )),
    }
}

struct Pipe<'a> {
    index: usize,
    id: &'a str,
    ctx: &'a Ctx<'a>,
    /// Identities of the exported spans, for fate lookups.
    exported_keys: std::collections::HashSet<super::observe::SpanKey>,
}

impl Pipe<'_> {
    fn entered(&self) -> Vec<(&Resource, &Span)> {
        spans(self.ctx.journey.entered.get(&self.index))
    }
    fn exported(&self) -> Vec<(&Resource, &Span)> {
        spans(self.ctx.journey.exported.get(&self.index))
    }
    fn is_exported(&self, s: &Span) -> bool {
        self.exported_keys.contains(&(s.trace_id, s.span_id))
    }
    /// Why a span is gone: the rule that dropped it, with its location.
    fn why_dropped(&self, s: &Span) -> String {
        let Some(r) = self
            .ctx
            .journey
            .dropped_by
            .get(&(self.index, (s.trace_id, s.span_id)))
        else {
            return self.why_lost();
        };
        let p = self.ctx.engine.pipelines().find(|p| p.index == r.pipeline);
        let slot = p.and_then(|p| p.processors.get(r.processor));
        match slot.and_then(|s| s.rules.get(r.rule).map(|rule| (s, rule))) {
            Some((slot, rule)) => format!(
                "dropped by {} rule `{}` at {}",
                slot.id, rule.text, rule.location
            ),
            None => "dropped".to_owned(),
        }
    }
}

impl Pipe<'_> {
    /// A span no rule dropped yet not exported: a processor failed its request.
    fn why_lost(&self) -> String {
        let failed: Vec<String> = self
            .ctx
            .journey
            .failed
            .iter()
            .filter(|(at, _)| at.pipeline == self.index)
            .filter_map(|(at, n)| {
                let p = self
                    .ctx
                    .engine
                    .pipelines()
                    .find(|p| p.index == at.pipeline)?;
                let slot = p.processors.get(at.processor)?;
                Some(format!("{} failed {n} request(s)", slot.id))
            })
            .collect();
        if failed.is_empty() {
            "not exported".to_owned()
        } else {
            format!(
                "not exported: {} (error_mode: propagate), and the collector drops a failed request whole",
                failed.join(", ")
            )
        }
    }
}

/// `dropped:` (keep = false) or `kept:` (keep = true) for one matcher.
fn fate(p: &Pipe<'_>, m: &Matcher, keep: bool, out: &mut Failures) {
    let what = format!(
        "{}: [{}]",
        if keep { "kept" } else { "dropped" },
        describe_matcher(m)
    );
    let entered = p.entered();
    let selected: Vec<_> = entered.iter().filter(|(r, s)| matches(m, r, s)).collect();
    if selected.is_empty() {
        let mut names: Vec<String> = entered
            .iter()
            .map(|(r, s)| format!("{} {:?}", service_name(r).unwrap_or_default(), s.name))
            .collect();
        names.sort();
        names.dedup();
        out.push((
            what,
            format!(
                "no span that entered pipeline {} matches {}; {} span(s) entered, e.g.:{}",
                p.id,
                describe_matcher(m),
                entered.len(),
                list(&names, names.len())
            ),
        ));
        return;
    }
    let wrong: Vec<String> = selected
        .iter()
        .filter(|(_, s)| p.is_exported(s) != keep)
        .map(|(r, s)| {
            if keep {
                format!("{}: {}", describe(r, s), p.why_dropped(s))
            } else {
                format!("{}: exported", describe(r, s))
            }
        })
        .collect();
    if !wrong.is_empty() {
        out.push((
            what,
            format!(
                "expected every span matching {} to be {} by pipeline {}; {} of {} {}:{}",
                describe_matcher(m),
                if keep { "exported" } else { "dropped" },
                p.id,
                wrong.len(),
                selected.len(),
                if keep {
                    "were dropped"
                } else {
                    "were exported"
                },
                list(&wrong, wrong.len())
            ),
        ));
    }
}

fn spans_out(p: &Pipe<'_>, c: Count, out: &mut Failures) {
    let n = p.exported().len();
    let (ok, want) = match c {
        Count::Exactly(k) => (n == k, format!("{k}")),
        Count::Range { min, max } => (
            min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m),
            format!(
                "{{min: {}, max: {}}}",
                min.map_or("-".to_owned(), |m| m.to_string()),
                max.map_or("-".to_owned(), |m| m.to_string())
            ),
        ),
    };
    if !ok {
        out.push((
            format!("spans_out: {want}"),
            format!(
                "pipeline {} exported {n} of the {} span(s) that entered it",
                p.id,
                p.entered().len()
            ),
        ));
    }
}

fn exports_nothing(p: &Pipe<'_>, nothing: bool, out: &mut Failures) {
    let exported = p.exported();
    if nothing && !exported.is_empty() {
        let lines: Vec<String> = exported.iter().map(|(r, s)| describe(r, s)).collect();
        out.push((
            "exports_nothing: true".to_owned(),
            format!(
                "pipeline {} exported {} span(s):{}",
                p.id,
                exported.len(),
                list(&lines, lines.len())
            ),
        ));
    } else if !nothing && exported.is_empty() {
        let entered = p.entered();
        let lines: Vec<String> = entered
            .iter()
            .map(|(r, s)| format!("{}: {}", describe(r, s), p.why_dropped(s)))
            .collect();
        out.push((
            "exports_nothing: false".to_owned(),
            format!(
                "pipeline {} exported nothing of the {} span(s) that entered it:{}",
                p.id,
                entered.len(),
                list(&lines, lines.len())
            ),
        ));
    }
}

fn attributes(p: &Pipe<'_>, a: &AttributeCheck, out: &mut Failures) {
    let what = format!("attributes: [{{span: {}}}]", describe_matcher(&a.span));
    let exported = p.exported();
    let selected: Vec<_> = exported
        .iter()
        .filter(|(r, s)| matches(&a.span, r, s))
        .collect();
    if selected.is_empty() {
        out.push((
            what,
            format!(
                "no span exported by pipeline {} matches {} ({} exported)",
                p.id,
                describe_matcher(&a.span),
                exported.len()
            ),
        ));
        return;
    }
    let mut wrong = Vec::new();
    for (r, s) in &selected {
        for key in &a.absent {
            if let Some(v) = lookup(key, r, s) {
                wrong.push(format!(
                    "{}: `{key}` should be absent; it is {}",
                    describe(r, s),
                    shown(key, v, p.ctx)
                ));
            }
        }
        for (key, want) in &a.equals {
            match lookup(key, r, s) {
                Some(got) if value_eq(want, got) => {}
                Some(got) => wrong.push(format!(
                    "{}: expected `{key}` = {}, actual {}",
                    describe(r, s),
                    show_value(want),
                    shown(key, got, p.ctx)
                )),
                None => wrong.push(format!(
                    "{}: expected `{key}` = {}, but it is absent",
                    describe(r, s),
                    show_value(want)
                )),
            }
        }
    }
    if !wrong.is_empty() {
        out.push((
            what,
            format!(
                "{} problem(s) on the {} exported span(s) selected:{}",
                wrong.len(),
                selected.len(),
                list(&wrong, wrong.len())
            ),
        ));
    }
}
