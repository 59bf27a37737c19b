//! The `tail_sampling` processor (contrib v0.156.0, `sampling_strategy: trace-complete`), in
//! dry-run form.
//!
//! Spans are grouped by trace id across every request of every capture and held back. A
//! trace is decided by the id batcher's ticks (one per second of the replay clock), between
//! `decision_wait` and one second more after its first span arrived; what is still pending at
//! the end of input is decided at shutdown, as upstream's `Shutdown` does (unless
//! `drop_pending_traces_on_shutdown`). A sampled trace is released whole; later spans of a
//! decided trace follow its decision at once (upstream keeps decided traces in its map until
//! `num_traces` pushes them out, or in the decision caches). When `num_traces` traces are held,
//! the oldest one is evicted, decided or not: an undecided one loses its spans.
//!
//! **Clock.** The replay clock is the capture's own: the arrival times `otelcheck record`
//! wrote into the sidecar when there are any, else the latest span end time seen so far.
//! Rate limits and composite budgets run on it, so which traces pass them is an
//! approximation; within one tick upstream decides in Go map order (random), here in arrival
//! order.
//!
//! **Memory** is bounded by the traces in flight: at most `num_traces` entries, and only
//! undecided ones hold spans.

pub mod batcher;
pub mod cache;
pub mod limiter;
pub mod policy;
pub mod proto_size;
pub mod w3c_sdk;

use crate::processors::replay_clock::ReplayClock;
use std::collections::{HashMap, VecDeque};

use super::api::{
    Ctx, DropLevel, Failed, Processor, RuleAction, RuleInfo, TraceDecision, TracePolicy,
};
use crate::capture::model::{Batch, ResourceSpans, ScopeSpans};
use crate::config::settings::tail_sampling::Settings;
use crate::diag::{codes, Diagnostic, Location};
use crate::ottl::runtime::EvalItem;
use batcher::{Batcher, TraceId};
use cache::DecisionCache;
use policy::{Evaluator, NotEmulated, OttlLookup, TraceView, Verdict};

const SECOND_NS: u64 = 1_000_000_000;
const SPAN_INGEST: &str = "span-ingest";

struct TopPolicy {
    is_drop: bool,
    /// Index in config order (= the policy's rule number).
    rule: usize,
    evaluator: Evaluator,
}

/// Per policy, how its evaluations went and how many kept traces it decided.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyCounts {
    pub sampled: u64,
    pub not_sampled: u64,
    pub dropped: u64,
    /// Evaluation errors (the policy was left out of those decisions).
    pub errors: u64,
    /// Traces kept because this was the first policy to sample them.
    pub decided: u64,
}

/// Whole-processor outcome counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TailCounts {
    pub traces_sampled: u64,
    pub traces_not_sampled: u64,
    pub traces_dropped: u64,
    pub traces_evicted: u64,
    /// Traces over `maximum_trace_size_bytes`, not sampled as soon as they grew past it.
    pub traces_oversize: u64,
    /// Traces with spans that arrived after their trace was decided.
    pub traces_split: u64,
    pub late_spans: u64,
    pub policies: Vec<PolicyCounts>,
}

struct Entry {
    pieces: Vec<ResourceSpans>,
    span_count: i64,
    /// Protobuf bytes received so far (counted only with `maximum_trace_size_bytes`).
    size_bytes: u64,
    decision: Option<Verdict>,
    batch: u64,
    seq: u64,
    split: bool,
}

/// A top-level policy as configured, for findings.
struct PolicyMeta {
    name: String,
    ty: String,
    loc: Location,
    /// The probabilistic policy's share, for the keep-ratio check.
    probability: Option<f64>,
}

/// Fewer traces than this is too little evidence for a keep-all / keep-none verdict.
const MIN_EVIDENCE: u64 = 10;
/// Policy types meant to keep a volume rather than select traces: keeping everything or
/// nothing is their nature, not a mistake.
const VOLUME_TYPES: &[&str] = &[
    "always_sample",
    "probabilistic",
    "rate_limiting",
    "bytes_limiting",
    "composite",
];

pub struct TailSampler {
    policies: Vec<TopPolicy>,
    meta: Vec<PolicyMeta>,
    rules: Vec<RuleInfo>,
    location: Location,
    sample_on_first_match: bool,
    num_traces: u64,
    max_trace_size: u64,
    /// `sampling_strategy: span-ingest`: decide on each arriving piece; undecided traces are
    /// not sampled at their tick.
    span_ingest: bool,
    after_root_batches: Option<u64>,
    drop_pending_on_shutdown: bool,
    batcher: Batcher,
    traces: HashMap<TraceId, Entry>,
    delete_queue: VecDeque<(TraceId, u64)>,
    seq: u64,
    sampled_cache: DecisionCache,
    non_sampled_cache: DecisionCache,
    /// Replay clock (ns) and the next tick; ticks start one second after the first request.
    now_ns: u64,
    next_tick_ns: Option<u64>,
    /// Where the replay clock's time comes from (arrival times or span ends).
    clock: ReplayClock,
    decision_wait: String,
    pub counts: TailCounts,
}

/// Rule numbers after the policies (which come first, in config order).
fn rule_none_sampled(n: usize) -> usize {
    n
}
fn rule_evicted(n: usize) -> usize {
    n + 1
}
/// Present only when `maximum_trace_size_bytes` is set.
fn rule_oversize(n: usize) -> usize {
    n + 2
}

/// What keeps a tail_sampling instance from being replayed, if anything.
pub fn not_emulated(s: &Settings, ottl: &OttlLookup<'_>) -> Option<NotEmulated> {
    if s.block_on_overflow {
        return Some(NotEmulated(
            "block_on_overflow makes the receiver wait for decisions; the replay has no such back-pressure"
                .to_owned(),
        ));
    }
    for p in &s.policies {
        let e = match Evaluator::compile(p, ottl) {
            Ok(e) => e,
            Err(why) => return Some(why),
        };
        if s.sampling_strategy == SPAN_INGEST && e.is_stateful() {
            return Some(NotEmulated(format!(
                "sampling_strategy \"span-ingest\" requires all policies to be stateless, but policy {:?} is stateful: the collector refuses to start",
                p.name
            )));
        }
    }
    None
}

/// The reason an instance is not replayed, as a warning at its config key.
pub fn not_emulated_diagnostic(
    s: &Settings,
    ottl: &OttlLookup<'_>,
    id: &str,
    at: &Location,
) -> Option<Diagnostic> {
    let why = not_emulated(s, ottl)?;
    Some(
        Diagnostic::warning(
            codes::UNSUPPORTED_COMPONENT,
            format!(
                "otelcheck cannot replay {id}: {}; in a dry run its spans pass through unsampled",
                why.0
            ),
        )
        .at(at.clone())
        .with_help(
            "the dry run's counts and --write-output after this processor are an upper bound",
        ),
    )
}

fn seconds(text: &str) -> Option<f64> {
    crate::ottl::runtime::functions::time::parse_duration(text)
        .ok()
        .map(|ns| ns as f64 / 1e9)
}

impl TailSampler {
    /// `None` when some setting or policy cannot be replayed (see [`not_emulated`]).
    pub fn new(s: &Settings, location: &Location, ottl: &OttlLookup<'_>) -> Option<Self> {
        if not_emulated(s, ottl).is_some() {
            return None;
        }
        let mut policies = Vec::new();
        let mut rules = Vec::new();
        let mut meta = Vec::new();
        for (i, p) in s.policies.iter().enumerate() {
            let is_drop = p.policy_type == "drop";
            let evaluator = Evaluator::compile(p, ottl).ok()?;
            meta.push(PolicyMeta {
                name: p.name.clone(),
                ty: p.policy_type.clone(),
                loc: p.loc.clone(),
                probability: evaluator.sampling_probability(),
            });
            policies.push(TopPolicy {
                is_drop,
                rule: i,
                evaluator,
            });
            rules.push(RuleInfo {
                text: format!("policy {:?} ({})", p.name, p.policy_type),
                location: p.loc.clone(),
                action: if is_drop {
                    RuleAction::Drop
                } else {
                    RuleAction::Sample
                },
                read_keys: Vec::new(),
                examples_on_match: false,
                data_findings: false,
                operands: None,
            });
        }
        // Drop policies are evaluated first, then the rest, each group in config order.
        policies.sort_by_key(|p| !p.is_drop);
        let extra = |text: &str| RuleInfo {
            text: text.to_owned(),
            location: location.clone(),
            action: RuleAction::Drop,
            read_keys: Vec::new(),
            examples_on_match: false,
            data_findings: false,
            operands: None,
        };
        rules.push(extra("no policy sampled the trace"));
        rules.push(extra(
            "num_traces full: the oldest trace was evicted before its decision",
        ));
        if s.maximum_trace_size_bytes > 0 {
            rules.push(extra(&format!(
                "maximum_trace_size_bytes {}: larger traces are not sampled",
                s.maximum_trace_size_bytes
            )));
        }
        // Go: uint64(math.Max(1, DecisionWait.Seconds())).
        let wait = seconds(&s.decision_wait).unwrap_or(30.0);
        let after_root = seconds(&s.decision_wait_after_root_received).unwrap_or(0.0);
        let n = s.policies.len();
        Some(Self {
            policies,
            meta,
            rules,
            location: location.clone(),
            sample_on_first_match: s.sample_on_first_match,
            num_traces: s.num_traces,
            max_trace_size: s.maximum_trace_size_bytes,
            span_ingest: s.sampling_strategy == SPAN_INGEST,
            after_root_batches: (after_root > 0.0).then_some(after_root as u64),
            drop_pending_on_shutdown: s.drop_pending_traces_on_shutdown,
            batcher: Batcher::new(wait.max(1.0) as u64),
            traces: HashMap::new(),
            delete_queue: VecDeque::new(),
            seq: 0,
            sampled_cache: DecisionCache::new(s.sampled_cache_size),
            non_sampled_cache: DecisionCache::new(s.non_sampled_cache_size),
            now_ns: 0,
            next_tick_ns: None,
            clock: ReplayClock::default(),
            decision_wait: s.decision_wait.clone(),
            counts: TailCounts {
                policies: vec![PolicyCounts::default(); n],
                ..TailCounts::default()
            },
        })
    }

    /// Advance the clock to `t` (never backwards), running every tick due on the way.
    fn advance(&mut self, t: u64, ctx: &mut Ctx<'_>, out: &mut Vec<Batch>) {
        self.now_ns = self.now_ns.max(t);
        let Some(mut next) = self.next_tick_ns else {
            self.next_tick_ns = Some(self.now_ns + SECOND_NS);
            return;
        };
        while next <= self.now_ns {
            if self.batcher.is_empty() {
                // Idle seconds: jump over them.
                let idle = (self.now_ns - next) / SECOND_NS + 1;
                self.batcher.skip(idle);
                next += idle * SECOND_NS;
                break;
            }
            let (due, _) = self.batcher.tick();
            self.decide_all(due, next, ctx, out);
            next += SECOND_NS;
        }
        self.next_tick_ns = Some(next);
    }

    fn decide_all(&mut self, due: Vec<TraceId>, at: u64, ctx: &mut Ctx<'_>, out: &mut Vec<Batch>) {
        for id in due {
            self.decide(id, at, ctx, out);
        }
    }

    /// `samplingPolicyOnTick` for one trace id, then its release.
    fn decide(&mut self, id: TraceId, at: u64, ctx: &mut Ctx<'_>, out: &mut Vec<Batch>) {
        let Some(entry) = self.traces.get_mut(&id) else {
            return;
        };
        if entry.decision.is_some() {
            return;
        }
        if self.span_ingest {
            // Nothing sampled it on arrival: not sampled now, and forgotten.
            let pieces = std::mem::take(&mut entry.pieces);
            let spans = pieces.iter().map(span_count).sum();
            self.counts.traces_not_sampled += 1;
            ctx.observer
                .decided(ctx.at, &id, TraceDecision::NotSampled, None, spans);
            report_dropped(ctx, rule_none_sampled(self.policies.len()), &pieces);
            self.non_sampled_cache.put(&id);
            self.forget(&id);
            return;
        }
        if entry.pieces.is_empty() {
            return;
        }
        let pieces = std::mem::take(&mut entry.pieces);
        let view = TraceView {
            id,
            batches: &pieces,
            span_count: entry.span_count,
            now_ns: at,
        };
        let (verdict, by) = make_decision(
            &mut self.policies,
            self.sample_on_first_match,
            &view,
            &mut self.counts.policies,
            ctx,
        );
        entry.decision = Some(verdict);
        let spans: usize = pieces.iter().map(span_count).sum();
        let decision = match verdict {
            Verdict::Sampled => TraceDecision::Sampled,
            Verdict::NotSampled | Verdict::Error => TraceDecision::NotSampled,
            Verdict::Dropped => TraceDecision::Dropped,
        };
        let rule = by.map(|r| ctx.at.rule(r));
        ctx.observer.decided(ctx.at, &id, decision, rule, spans);
        match verdict {
            Verdict::Sampled => {
                self.counts.traces_sampled += 1;
                if let Some(r) = by {
                    self.counts.policies[r].decided += 1;
                }
                out.push(Batch {
                    resource_spans: pieces,
                });
                self.sampled_cache.put(&id);
                if self.sampled_cache.get(&id) {
                    self.forget(&id);
                }
            }
            _ => {
                let rule = match verdict {
                    Verdict::Dropped => by.unwrap_or(rule_none_sampled(self.policies.len())),
                    _ => {
                        self.counts.traces_not_sampled += 1;
                        rule_none_sampled(self.policies.len())
                    }
                };
                if verdict == Verdict::Dropped {
                    self.counts.traces_dropped += 1;
                }
                report_dropped(ctx, rule, &pieces);
                self.non_sampled_cache.put(&id);
                if self.non_sampled_cache.get(&id) {
                    self.forget(&id);
                }
            }
        }
    }

    /// `dropTrace`: the entry leaves the map (its queue slot is skipped later).
    fn forget(&mut self, id: &TraceId) -> Option<Entry> {
        self.traces.remove(id)
    }

    /// `processTrace` for the spans of one trace from one resource of one request.
    fn accept(
        &mut self,
        id: TraceId,
        piece: ResourceSpans,
        ctx: &mut Ctx<'_>,
        out: &mut Vec<Batch>,
    ) {
        let n = span_count(&piece);
        // processCachedTrace
        if self.sampled_cache.get(&id) {
            if !self.span_ingest {
                self.note_late(n);
            }
            out.push(Batch {
                resource_spans: vec![piece],
            });
            return;
        }
        if self.non_sampled_cache.get(&id) {
            if !self.span_ingest {
                self.note_late(n);
            }
            report_dropped(ctx, rule_none_sampled(self.policies.len()), &[piece]);
            return;
        }
        if !self.traces.contains_key(&id) && self.traces.len() as u64 >= self.num_traces {
            self.evict_oldest(ctx);
        }
        let has_root = piece
            .scope_spans
            .iter()
            .flat_map(|ss| ss.spans.iter())
            .any(|s| s.is_root());
        if let Some(e) = self.traces.get_mut(&id) {
            e.span_count += n as i64;
        } else {
            self.seq += 1;
            let batch = self.batcher.add_to_current(id);
            self.delete_queue.push_back((id, self.seq));
            self.compact_delete_queue();
            self.traces.insert(
                id,
                Entry {
                    pieces: Vec::new(),
                    span_count: n as i64,
                    size_bytes: 0,
                    decision: None,
                    batch,
                    seq: self.seq,
                    split: false,
                },
            );
        }
        let Some(entry) = self.traces.get_mut(&id) else {
            return;
        };
        if let (true, Some(from_now)) = (has_root, self.after_root_batches) {
            entry.batch = self.batcher.move_earlier(id, entry.batch, from_now);
        }
        if self.max_trace_size > 0 {
            entry.size_bytes += proto_size::resource_spans_size(&piece);
            if entry.decision.is_none() && entry.size_bytes > self.max_trace_size {
                // Not sampled at once, with what was held so far.
                entry.decision = Some(Verdict::NotSampled);
                self.batcher.remove(id, entry.batch);
                let mut held = std::mem::take(&mut entry.pieces);
                held.push(piece);
                let spans = held.iter().map(span_count).sum();
                self.counts.traces_oversize += 1;
                ctx.observer
                    .decided(ctx.at, &id, TraceDecision::NotSampled, None, spans);
                report_dropped(ctx, rule_oversize(self.policies.len()), &held);
                self.non_sampled_cache.put(&id);
                if self.non_sampled_cache.get(&id) {
                    self.forget(&id);
                }
                return;
            }
        }
        if entry.decision.is_none() && self.span_ingest {
            let view = TraceView {
                id,
                batches: std::slice::from_ref(&piece),
                span_count: entry.span_count,
                now_ns: self.now_ns,
            };
            let decided =
                decide_on_ingest(&mut self.policies, &view, &mut self.counts.policies, ctx);
            let Some((verdict, rule)) = decided else {
                entry.pieces.push(piece);
                return;
            };
            entry.decision = Some(verdict);
            let mut pieces = std::mem::take(&mut entry.pieces);
            pieces.push(piece);
            let spans = pieces.iter().map(span_count).sum();
            if verdict == Verdict::Sampled {
                self.counts.traces_sampled += 1;
                self.counts.policies[rule].decided += 1;
                ctx.observer.decided(
                    ctx.at,
                    &id,
                    TraceDecision::Sampled,
                    Some(ctx.at.rule(rule)),
                    spans,
                );
                out.push(Batch {
                    resource_spans: pieces,
                });
                self.sampled_cache.put(&id);
                if self.sampled_cache.get(&id) {
                    self.forget(&id);
                }
            } else {
                self.counts.traces_dropped += 1;
                ctx.observer.decided(
                    ctx.at,
                    &id,
                    TraceDecision::Dropped,
                    Some(ctx.at.rule(rule)),
                    spans,
                );
                report_dropped(ctx, rule, &pieces);
                self.non_sampled_cache.put(&id);
                if self.non_sampled_cache.get(&id) {
                    self.forget(&id);
                }
            }
            return;
        }
        match entry.decision {
            None => entry.pieces.push(piece),
            Some(verdict) => {
                // A late span: it follows the decision taken on part of its trace. (With
                // span-ingest, deciding on part of a trace is the strategy, not a split.)
                if !self.span_ingest {
                    let first = !entry.split;
                    entry.split = true;
                    self.counts.late_spans += n as u64;
                    self.counts.traces_split += u64::from(first);
                }
                if verdict == Verdict::Sampled {
                    out.push(Batch {
                        resource_spans: vec![piece],
                    });
                } else {
                    report_dropped(ctx, rule_none_sampled(self.policies.len()), &[piece]);
                }
            }
        }
    }

    /// Traces forgotten through a decision cache leave stale queue slots; drop them before
    /// they outnumber the live ones, so memory stays bounded by the traces in flight.
    fn compact_delete_queue(&mut self) {
        if self.delete_queue.len() > 2 * self.traces.len() + 1024 {
            let traces = &self.traces;
            self.delete_queue
                .retain(|(id, seq)| traces.get(id).is_some_and(|e| e.seq == *seq));
        }
    }

    fn note_late(&mut self, spans: usize) {
        self.counts.late_spans += spans as u64;
        self.counts.traces_split += 1;
    }

    /// `waitForSpace` without blocking: the oldest trace goes, decided or not.
    fn evict_oldest(&mut self, ctx: &mut Ctx<'_>) {
        while let Some((id, seq)) = self.delete_queue.pop_front() {
            if self.traces.get(&id).is_some_and(|e| e.seq == seq) {
                if let Some(e) = self.forget(&id) {
                    self.batcher.remove(id, e.batch);
                    if e.decision.is_none() {
                        self.counts.traces_evicted += 1;
                        let spans = e.pieces.iter().map(span_count).sum();
                        ctx.observer
                            .decided(ctx.at, &id, TraceDecision::Evicted, None, spans);
                        report_dropped(ctx, rule_evicted(self.policies.len()), &e.pieces);
                    }
                }
                return;
            }
        }
    }
}

fn span_count(rs: &ResourceSpans) -> usize {
    rs.scope_spans.iter().map(|ss| ss.spans.len()).sum()
}

fn report_dropped(ctx: &mut Ctx<'_>, rule: usize, pieces: &[ResourceSpans]) {
    let at = ctx.at;
    for rs in pieces {
        for ss in &rs.scope_spans {
            for sp in &ss.spans {
                ctx.observer
                    .dropped(at.rule(rule), DropLevel::Span, &rs.resource, &ss.scope, sp);
            }
        }
    }
}

/// `makeDecision`: drop policies first; stop at a Dropped, or at a Sampled with
/// `sample_on_first_match`; then Dropped beats Sampled beats NotSampled. Returns the final
/// verdict and the rule of the policy that decided it (None for "nothing sampled").
fn make_decision(
    policies: &mut [TopPolicy],
    first_match: bool,
    view: &TraceView<'_>,
    counts: &mut [PolicyCounts],
    ctx: &mut Ctx<'_>,
) -> (Verdict, Option<usize>) {
    let mut first_sampled = None;
    let mut first_dropped = None;
    // Per policy the report counts traces: "evaluated" on the trace's first span, "matched"
    // when the policy sampled (or, for a drop policy, dropped) it.
    let first = view.batches.iter().find_map(|rs| {
        rs.scope_spans
            .iter()
            .find_map(|ss| ss.spans.first().map(|sp| (&rs.resource, &ss.scope, sp)))
    });
    for p in policies.iter_mut() {
        let v = p.evaluator.evaluate(view);
        if let Some((resource, scope, span)) = first {
            let item = EvalItem {
                resource,
                scope,
                span: Some(span),
                event: None,
            };
            ctx.observer.evaluated(
                ctx.at.rule(p.rule),
                &item,
                Ok(matches!(v, Verdict::Sampled | Verdict::Dropped)),
            );
        }
        let c = &mut counts[p.rule];
        match v {
            Verdict::Sampled => {
                c.sampled += 1;
                first_sampled = first_sampled.or(Some(p.rule));
                if first_match {
                    break;
                }
            }
            Verdict::NotSampled => c.not_sampled += 1,
            Verdict::Error => {
                c.errors += 1;
                ctx.observer
                    .error_hit(ctx.at.rule(p.rule), "policy evaluation error (error_mode: propagate): the policy is left out of the decision");
            }
            Verdict::Dropped => {
                c.dropped += 1;
                first_dropped = Some(p.rule);
                break;
            }
        }
    }
    match (first_dropped, first_sampled) {
        (Some(r), _) => (Verdict::Dropped, Some(r)),
        (None, Some(r)) => (Verdict::Sampled, Some(r)),
        (None, None) => (Verdict::NotSampled, None),
    }
}

/// `makeDecisionOnSpanIngest`, on the piece that just arrived: a `Dropped` decides at once;
/// a `Sampled` decides only while no drop policy is pending (any drop policy that did not drop
/// stops the evaluation, so with drop policies nothing is ever sampled on ingest); otherwise
/// the trace stays pending (`None`).
fn decide_on_ingest(
    policies: &mut [TopPolicy],
    view: &TraceView<'_>,
    counts: &mut [PolicyCounts],
    ctx: &mut Ctx<'_>,
) -> Option<(Verdict, usize)> {
    let first = view.batches.iter().find_map(|rs| {
        rs.scope_spans
            .iter()
            .find_map(|ss| ss.spans.first().map(|sp| (&rs.resource, &ss.scope, sp)))
    });
    let mut drop_pending = false;
    for p in policies.iter_mut() {
        if !p.is_drop && drop_pending {
            break;
        }
        let v = p.evaluator.evaluate(view);
        if let Some((resource, scope, span)) = first {
            let item = EvalItem {
                resource,
                scope,
                span: Some(span),
                event: None,
            };
            let hit = matches!(v, Verdict::Sampled | Verdict::Dropped);
            ctx.observer.evaluated(ctx.at.rule(p.rule), &item, Ok(hit));
        }
        let c = &mut counts[p.rule];
        match v {
            Verdict::Error => {
                c.errors += 1;
                ctx.observer
                    .error_hit(ctx.at.rule(p.rule), "policy evaluation error (error_mode: propagate): the policy is left out of the decision");
                continue;
            }
            Verdict::Sampled => c.sampled += 1,
            Verdict::NotSampled => c.not_sampled += 1,
            Verdict::Dropped => {
                c.dropped += 1;
                return Some((Verdict::Dropped, p.rule));
            }
        }
        if p.is_drop {
            drop_pending = true;
            continue;
        }
        if v == Verdict::Sampled {
            return Some((Verdict::Sampled, p.rule));
        }
    }
    None
}

/// Split one request into (trace id, resource piece) in upstream's grouping: per resource,
/// the spans of each trace with copies of their scopes, in first-seen order.
fn group_by_trace(batch: Batch) -> Vec<(TraceId, ResourceSpans)> {
    let mut out = Vec::new();
    for rs in batch.resource_spans {
        let mut pieces: Vec<(TraceId, ResourceSpans)> = Vec::new();
        for ss in rs.scope_spans {
            for span in ss.spans {
                let id = span.trace_id;
                let idx = match pieces.iter().position(|(t, _)| *t == id) {
                    Some(i) => i,
                    None => {
                        pieces.push((
                            id,
                            ResourceSpans {
                                resource: rs.resource.clone(),
                                scope_spans: Vec::new(),
                                schema_url: rs.schema_url.clone(),
                            },
                        ));
                        pieces.len() - 1
                    }
                };
                let piece = &mut pieces[idx].1;
                let same_scope = piece
                    .scope_spans
                    .last()
                    .is_some_and(|last| last.scope == ss.scope && last.schema_url == ss.schema_url);
                if !same_scope {
                    piece.scope_spans.push(ScopeSpans {
                        scope: ss.scope.clone(),
                        spans: Vec::new(),
                        schema_url: ss.schema_url.clone(),
                    });
                }
                if let Some(last) = piece.scope_spans.last_mut() {
                    last.spans.push(span);
                }
            }
        }
        out.extend(pieces);
    }
    out
}

impl Processor for TailSampler {
    fn process(
        &mut self,
        batch: Batch,
        ctx: &mut Ctx<'_>,
        out: &mut Vec<Batch>,
    ) -> Result<(), Failed> {
        let t = self.clock.time_of(&batch, self.now_ns);
        self.advance(t, ctx, out);
        for (id, piece) in group_by_trace(batch) {
            self.accept(id, piece, ctx, out);
        }
        Ok(())
    }

    fn arrival(&mut self, received_unix_nano: u64) {
        self.clock.arrival(received_unix_nano);
    }

    fn flush(&mut self, ctx: &mut Ctx<'_>, out: &mut Vec<Batch>) {
        self.batcher.stop();
        loop {
            let (due, more) = self.batcher.tick();
            if self.drop_pending_on_shutdown {
                for id in due {
                    if let Some(e) = self.forget(&id) {
                        if e.decision.is_none() {
                            self.counts.traces_evicted += 1;
                            let spans = e.pieces.iter().map(span_count).sum();
                            ctx.observer
                                .decided(ctx.at, &id, TraceDecision::Evicted, None, spans);
                            report_dropped(ctx, rule_evicted(self.policies.len()), &e.pieces);
                        }
                    }
                }
            } else {
                let at = self.now_ns;
                self.decide_all(due, at, ctx, out);
            }
            if !more {
                break;
            }
        }
    }

    fn rules(&self) -> Vec<RuleInfo> {
        self.rules.clone()
    }

    fn trace_policies(&self) -> Vec<TracePolicy> {
        let mut out: Vec<TracePolicy> = self
            .policies
            .iter()
            .map(|p| TracePolicy {
                rule: p.rule,
                drop: p.is_drop,
                inverts: p.evaluator.inverts(),
            })
            .collect();
        out.sort_by_key(|p| p.rule);
        out
    }

    fn findings(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if self.counts.traces_split > 0 {
            out.push(
                Diagnostic::warning(
                    codes::TRACE_SPLIT,
                    format!(
                        "{} trace(s) had {} span(s) arrive after the trace was decided (decision_wait {}): the collector decides on part of such a trace and the late spans follow that decision. Replay clock: {}",
                        self.counts.traces_split,
                        self.counts.late_spans,
                        self.decision_wait,
                        if self.clock.uses_arrivals() {
                            "arrival times recorded in the capture's sidecar"
                        } else {
                            "span end times (the capture recorded no arrival times)"
                        }
                    ),
                )
                .at(self.location.clone())
                .with_help("raise decision_wait above the spread of a trace's spans, or use decision_wait_after_root_received"),
            );
        }
        for (m, c) in self.meta.iter().zip(&self.counts.policies) {
            out.extend(policy_finding(m, c));
        }
        out
    }
}

/// A policy that keeps (or drops) every trace it saw, or none; a probabilistic policy whose
/// share is off by more than chance.
fn policy_finding(m: &PolicyMeta, c: &PolicyCounts) -> Option<Diagnostic> {
    let seen = c.sampled + c.not_sampled + c.dropped;
    let what = format!("tail_sampling policy {:?} ({})", m.name, m.ty);
    if let Some(p) = m.probability {
        let z = crate::processors::sampling::binomial_z(seen, c.sampled, p)?;
        if z.abs() <= crate::processors::sampling::SKEW_SIGMAS {
            return None;
        }
        return Some(
            Diagnostic::warning(
                codes::SAMPLING_RATIO_SKEW,
                format!(
                    "{what} sampled {} of the {seen} traces it evaluated ({:.1}%), configured {:.2}%: {z:+.1} standard deviations from what random trace ids give",
                    c.sampled,
                    100.0 * c.sampled as f64 / seen as f64,
                    100.0 * p
                ),
            )
            .at(m.loc.clone())
            .with_help("the trace ids in this capture are not random enough for hash sampling; check how they are generated"),
        );
    }
    if seen < MIN_EVIDENCE || VOLUME_TYPES.contains(&m.ty.as_str()) {
        return None;
    }
    let (hits, verb) = if m.ty == "drop" {
        (c.dropped, "dropped")
    } else {
        (c.sampled, "sampled")
    };
    if hits == seen {
        Some(
            Diagnostic::error(
                codes::CATCH_ALL_RULE,
                format!("{what} {verb} every trace it evaluated ({hits} of {seen}): it selects nothing"),
            )
            .at(m.loc.clone())
            .with_help("narrow the policy to the traces you mean; a policy that matches everything is `always_sample` (or, for drop, an empty pipeline)"),
        )
    } else if hits == 0 {
        Some(
            Diagnostic::warning(
                codes::DEAD_RULE,
                format!("{what} {verb} none of the {seen} traces it evaluated"),
            )
            .at(m.loc.clone())
            .with_help("check the key, values and thresholds against what the capture's spans carry (the datadog receiver renames tags)"),
        )
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
