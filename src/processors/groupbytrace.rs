//! The `groupbytrace` processor (contrib v0.156.0), in dry-run form. It never changes a span:
//! its effect is on requests and timing — which spans travel together, and when.
//!
//! Each request is split per resource, per scope and per trace id (first-seen order). The
//! first piece of a trace takes a slot in a ring buffer of `num_traces / num_workers` slots and
//! starts a `wait_duration` timer; later pieces join it while it holds the slot. When the timer
//! fires and the trace still holds its slot, the trace is released as one request holding one
//! resource-spans entry per piece received (not merged), and the slot is freed. A piece arriving
//! after its trace was released starts a new group (the trace goes out in parts).
//!
//! **Eviction.** The ring advances one slot per new trace; if that slot is taken, its trace is
//! evicted: upstream deletes it from storage (`traceRemoved`), so its spans are discarded, not
//! released early. A slot freed by a release stays empty until the ring comes round to it, so
//! eviction follows ring position, not the number of traces held. An evicted trace's timer
//! still runs: if the same trace id has come back meanwhile, that timer releases the new
//! group early, as upstream's does.
//!
//! **Clock.** The capture's own, as for `tail_sampling`: arrival times recorded in the sidecar
//! when there are any, else the latest span end time seen so far. Timers due at or before a
//! request's time fire before its spans are taken in, in the order they were set.
//!
//! **End of input.** Every group still held is released in timer order, as a collector that
//! keeps running releases them `wait_duration` later; on the arrival clock each reaches the
//! processors after it at its timer's due time (so a tail sampler's ticks pass in between). A
//! collector shut down at that moment would lose them instead: upstream does not flush
//! groupbytrace at shutdown.
//!
//! **Approximations.** Before the end of input, a group whose timer fired reaches the
//! processors after it at the time of the request during which the timer fired, not at its
//! due time. Upstream hands releases to the next consumer on goroutines (so their
//! order is not fixed) and, with `num_workers` above 1, assigns traces to workers with a
//! randomly seeded hash; here releases go in timer order and workers are chosen by FNV-1a of
//! the trace id, so which traces share a ring (and so evictions) can differ.
//!
//! **Memory** is bounded by the traces held (slots are stored sparsely), plus one pending
//! timer (24 bytes) per trace taken in during the last `wait_duration`, evicted ones included
//! — as upstream keeps one timer per such trace.

use crate::processors::replay_clock::ReplayClock;
use std::collections::{HashMap, VecDeque};

use super::api::{Ctx, DropLevel, Failed, Processor, RuleAction, RuleInfo};
use crate::capture::model::{Batch, ResourceSpans, ScopeSpans};
use crate::config::node::{Node, NodeKind};
use crate::diag::Location;
use crate::processors::sampling::fnv::fnv1a_64;

type TraceId = [u8; 16];
const EMPTY: TraceId = [0; 16];

/// The settings the replay uses, decoded from the processor's config node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSettings {
    pub wait_ns: u64,
    pub num_traces: u64,
    pub num_workers: u64,
}

/// Why an instance is not replayed (the collector would refuse it, or a value cannot be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotEmulated(pub String);

fn int_of(node: &Node, key: &str) -> Result<Option<i64>, NotEmulated> {
    match node.get(key).map(|n| &n.kind) {
        None | Some(NodeKind::Null) => Ok(None),
        Some(NodeKind::Int(v)) => Ok(Some(*v)),
        Some(_) => Err(NotEmulated(format!("{key} is not an integer"))),
    }
}

impl GroupSettings {
    /// Upstream's defaults: `wait_duration` 1s, `num_traces` 1,000,000, `num_workers` 1.
    pub fn decode(node: &Node) -> Result<Self, NotEmulated> {
        let wait_ns = match node.get("wait_duration").map(|n| &n.kind) {
            None | Some(NodeKind::Null) => 1_000_000_000,
            // A Go time.Duration: a string goes through time.ParseDuration, an integer is ns.
            Some(NodeKind::Str(s)) => crate::ottl::runtime::functions::time::parse_duration(s)
                .map_err(|e| NotEmulated(format!("wait_duration: {e}")))?
                .max(0) as u64,
            Some(NodeKind::Int(v)) => (*v).max(0) as u64,
            Some(_) => return Err(NotEmulated("wait_duration is not a duration".to_owned())),
        };
        let num_traces = int_of(node, "num_traces")?.unwrap_or(1_000_000);
        let num_workers = int_of(node, "num_workers")?.unwrap_or(1);
        for key in ["discard_orphans", "store_on_disk"] {
            if matches!(node.get(key).map(|n| &n.kind), Some(NodeKind::Bool(true))) {
                return Err(NotEmulated(format!(
                    "{key} is not supported in v0.156.0: the collector refuses to start"
                )));
            }
        }
        if num_workers <= 0 || num_traces / num_workers <= 0 {
            return Err(NotEmulated(format!(
                "num_traces {num_traces} / num_workers {num_workers} leaves no ring-buffer slot: the collector panics"
            )));
        }
        Ok(Self {
            wait_ns,
            num_traces: num_traces as u64,
            num_workers: num_workers as u64,
        })
    }
}

/// Upstream's ring buffer of in-flight trace ids, with sparse slots (an all-zero id is the
/// empty slot, as upstream's `IsEmpty` has it).
struct Ring {
    index: Option<u64>,
    size: u64,
    slots: HashMap<u64, TraceId>,
    id_to_index: HashMap<TraceId, u64>,
}

impl Ring {
    fn new(size: u64) -> Self {
        Self {
            index: None,
            size,
            slots: HashMap::new(),
            id_to_index: HashMap::new(),
        }
    }

    /// Take the next slot for `id`; returns the id that held it (or the empty id).
    fn put(&mut self, id: TraceId) -> TraceId {
        let index = self.index.map_or(0, |i| (i + 1) % self.size);
        self.index = Some(index);
        let evicted = self.slots.get(&index).copied().unwrap_or(EMPTY);
        if evicted != EMPTY {
            self.delete(&evicted);
        }
        self.slots.insert(index, id);
        self.id_to_index.insert(id, index);
        evicted
    }

    fn contains(&self, id: &TraceId) -> bool {
        self.id_to_index.contains_key(id)
    }

    fn delete(&mut self, id: &TraceId) {
        if let Some(index) = self.id_to_index.remove(id) {
            self.slots.remove(&index);
        }
    }
}

/// Whole-processor outcome counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupCounts {
    /// Groups released (a trace released in parts counts once per part).
    pub released: u64,
    pub evicted: u64,
    pub evicted_spans: u64,
}

pub struct GroupByTrace {
    settings: GroupSettings,
    rules: Vec<RuleInfo>,
    workers: Vec<Ring>,
    storage: HashMap<TraceId, Vec<ResourceSpans>>,
    /// (due time, trace id), in the order set; the clock never goes back, so due times rise.
    timers: VecDeque<(u64, TraceId)>,
    now_ns: u64,
    clock: ReplayClock,
    pub counts: GroupCounts,
}

/// The rule that takes the spans of evicted traces.
const RULE_EVICTED: usize = 0;

impl GroupByTrace {
    pub fn new(settings: GroupSettings, location: &Location) -> Self {
        let slots = settings.num_traces / settings.num_workers;
        let workers = (0..settings.num_workers)
            .map(|_| Ring::new(slots))
            .collect();
        let rules = vec![RuleInfo {
            text: "num_traces full: the trace in the reused ring-buffer slot is discarded"
                .to_owned(),
            location: location.clone(),
            action: RuleAction::Drop,
            read_keys: Vec::new(),
            examples_on_match: false,
            data_findings: false,
            operands: None,
        }];
        Self {
            settings,
            rules,
            workers,
            storage: HashMap::new(),
            timers: VecDeque::new(),
            now_ns: 0,
            clock: ReplayClock::default(),
            counts: GroupCounts::default(),
        }
    }

    fn worker(&self, id: &TraceId) -> usize {
        let n = self.workers.len() as u64;
        if n == 1 {
            0
        } else {
            (fnv1a_64(&[id.as_slice()]) % n) as usize
        }
    }

    /// `onTraceExpired` for every timer due by `now` (all of them when `now` is `None`); the
    /// due time of each request released goes to `times`.
    fn fire_timers(&mut self, now: Option<u64>, out: &mut Vec<Batch>, times: &mut Vec<u64>) {
        while let Some(&(due, id)) = self.timers.front() {
            if now.is_some_and(|t| due > t) {
                break;
            }
            self.timers.pop_front();
            let w = self.worker(&id);
            if !self.workers[w].contains(&id) {
                // Evicted, or released by an earlier timer of the same id.
                continue;
            }
            self.workers[w].delete(&id);
            if let Some(pieces) = self.storage.remove(&id) {
                if !pieces.is_empty() {
                    self.counts.released += 1;
                    out.push(Batch {
                        resource_spans: pieces,
                    });
                    times.push(due);
                }
            }
        }
    }

    /// `onTraceReceived` for one piece.
    fn receive(&mut self, id: TraceId, piece: ResourceSpans, ctx: &mut Ctx<'_>) {
        let w = self.worker(&id);
        if !self.workers[w].contains(&id) {
            let evicted = self.workers[w].put(id);
            if evicted != EMPTY {
                if let Some(pieces) = self.storage.remove(&evicted) {
                    self.counts.evicted += 1;
                    for rs in &pieces {
                        for ss in &rs.scope_spans {
                            for sp in &ss.spans {
                                self.counts.evicted_spans += 1;
                                ctx.observer.dropped(
                                    ctx.at.rule(RULE_EVICTED),
                                    DropLevel::Span,
                                    &rs.resource,
                                    &ss.scope,
                                    sp,
                                );
                            }
                        }
                    }
                }
            }
            self.timers
                .push_back((self.now_ns.saturating_add(self.settings.wait_ns), id));
        }
        self.storage.entry(id).or_default().push(piece);
    }
}

/// `batchpersignal.SplitTraces`: one piece per resource, scope and trace id, each with a copy
/// of its resource and scope, in first-seen order.
pub fn split_traces(batch: Batch) -> Vec<(TraceId, ResourceSpans)> {
    let mut out = Vec::new();
    for rs in batch.resource_spans {
        for ss in rs.scope_spans {
            let mut seen: HashMap<TraceId, usize> = HashMap::new();
            for span in ss.spans {
                let id = span.trace_id;
                let i = match seen.get(&id) {
                    Some(&i) => i,
                    None => {
                        seen.insert(id, out.len());
                        out.push((
                            id,
                            ResourceSpans {
                                resource: rs.resource.clone(),
                                scope_spans: vec![ScopeSpans {
                                    scope: ss.scope.clone(),
                                    spans: Vec::new(),
                                    schema_url: ss.schema_url.clone(),
                                }],
                                schema_url: rs.schema_url.clone(),
                            },
                        ));
                        out.len() - 1
                    }
                };
                out[i].1.scope_spans[0].spans.push(span);
            }
        }
    }
    out
}

impl Processor for GroupByTrace {
    fn process(
        &mut self,
        batch: Batch,
        ctx: &mut Ctx<'_>,
        out: &mut Vec<Batch>,
    ) -> Result<(), Failed> {
        let t = self.clock.time_of(&batch, self.now_ns);
        self.now_ns = self.now_ns.max(t);
        self.fire_timers(Some(self.now_ns), out, &mut Vec::new());
        for (id, piece) in split_traces(batch) {
            self.receive(id, piece, ctx);
        }
        Ok(())
    }

    fn arrival(&mut self, received_unix_nano: u64) {
        self.clock.arrival(received_unix_nano);
    }

    fn flush(&mut self, _ctx: &mut Ctx<'_>, out: &mut Vec<Batch>) {
        self.fire_timers(None, out, &mut Vec::new());
    }

    /// On the arrival clock, each held group leaves at its timer's due time, and the
    /// processors after it run on that time (a tail sampler's ticks pass in between). On the
    /// span-end clock they take their time from the spans, as for any request.
    fn flush_timed(&mut self, _ctx: &mut Ctx<'_>, out: &mut Vec<Batch>) -> Vec<u64> {
        let mut times = Vec::new();
        self.fire_timers(None, out, &mut times);
        if self.clock.uses_arrivals() {
            times
        } else {
            Vec::new()
        }
    }

    fn rules(&self) -> Vec<RuleInfo> {
        self.rules.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_evicts_by_position_not_by_count() {
        let id = |b: u8| [b; 16];
        let mut r = Ring::new(3);
        assert_eq!(r.put(id(1)), EMPTY);
        assert_eq!(r.put(id(2)), EMPTY);
        r.delete(&id(2));
        assert_eq!(r.put(id(3)), EMPTY);
        // Slot 0 comes round again and still holds trace 1, though only two are held.
        assert_eq!(r.put(id(4)), id(1));
        assert!(!r.contains(&id(1)));
        // Slot 1 was freed by the release of trace 2.
        assert_eq!(r.put(id(5)), EMPTY);
    }

    #[test]
    fn settings_follow_upstream_defaults_and_refusals() {
        let node = |yaml: &str| {
            crate::config::node::parse_yaml(&std::sync::Arc::from("t.yaml"), yaml).unwrap()
        };
        let d = GroupSettings::decode(&node("{}")).unwrap();
        assert_eq!(
            d,
            GroupSettings {
                wait_ns: 1_000_000_000,
                num_traces: 1_000_000,
                num_workers: 1
            }
        );
        let s = GroupSettings::decode(&node("{wait_duration: 250ms, num_traces: 10}")).unwrap();
        assert_eq!((s.wait_ns, s.num_traces), (250_000_000, 10));
        assert!(GroupSettings::decode(&node("{store_on_disk: true}")).is_err());
        assert!(GroupSettings::decode(&node("{num_traces: 1, num_workers: 2}")).is_err());
        assert!(GroupSettings::decode(&node("{wait_duration: soon}")).is_err());
    }
}
