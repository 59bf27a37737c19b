//! The replay engine: requests enter the traces pipelines their receiver kind reaches (with
//! fan-out, and `forward` connectors chaining pipelines), each pipeline runs its processors in
//! order on its own copy, and everything that happens is told to an [`Observer`]. The engine
//! keeps no counts and never imports the report: the dry-run's counts ([`counts`]),
//! `--write-output` ([`output`]) and later commands are observers.
//!
//! Which processor types are emulated, and how, is decided in one place: [`table`].

pub mod counts;
pub mod keys;
pub mod output;
pub mod replay;
pub mod route;
pub mod table;

use std::collections::BTreeMap;

use crate::analyze::Analysis;
use crate::capture::model::Batch;
use crate::capture::ReceiverKind;
use crate::diag::Location;
use crate::processors::api::{Ctx, Observer, ProcRef, Processor, RuleInfo, TracePolicy};
use route::Routing;

/// One processor instance inside one pipeline, with the facts reports need.
pub struct ProcSlot {
    pub id: String,
    pub ty: String,
    pub location: Location,
    /// Faithfully emulated (pass-through processors such as `batch` count as emulated).
    pub emulated: bool,
    /// The instance's rules, in its own numbering.
    pub rules: Vec<RuleInfo>,
    /// A tail sampler's top-level policies (empty for other processors).
    pub policies: Vec<TracePolicy>,
    instance: Box<dyn Processor>,
}

impl ProcSlot {
    /// Findings the instance itself reports after the replay.
    pub fn findings(&self) -> Vec<crate::diag::Diagnostic> {
        self.instance.findings()
    }
}

/// One traces pipeline, instantiated (the collector also builds a processor per pipeline).
pub struct PipelineRt {
    /// Index into the config's pipelines.
    pub index: usize,
    pub id: String,
    pub location: Location,
    pub exporters: Vec<String>,
    pub processors: Vec<ProcSlot>,
}

pub struct Engine {
    pipelines: BTreeMap<usize, PipelineRt>,
    /// Routing per receiver kind (DataDog, OTLP).
    routes: [Routing; 2],
    /// `--reveal`: processors record protected values unmasked.
    reveal: bool,
    /// When the request being pushed arrived, if its capture recorded it (sidecar).
    arrival: Option<u64>,
}

fn kind_index(kind: ReceiverKind) -> usize {
    match kind {
        ReceiverKind::Datadog => 0,
        ReceiverKind::Otlp => 1,
    }
}

impl Engine {
    /// Instantiate every traces pipeline of the analysed config (none when it has no model).
    pub fn new(analysis: &Analysis) -> Self {
        let Some(cfg) = analysis.config.as_ref() else {
            return Self {
                pipelines: BTreeMap::new(),
                routes: [Routing::default(), Routing::default()],
                reveal: false,
                arrival: None,
            };
        };
        let routes = [
            route::route(cfg, ReceiverKind::Datadog),
            route::route(cfg, ReceiverKind::Otlp),
        ];
        let pipelines = routes[0]
            .order
            .iter()
            .map(|r| {
                (
                    r.pipeline,
                    table::instantiate_pipeline(analysis, cfg, r.pipeline),
                )
            })
            .collect();
        Self {
            pipelines,
            routes,
            reveal: false,
            arrival: None,
        }
    }

    /// Record values that rules protect as they are (`--reveal`) instead of masked.
    pub fn set_reveal(&mut self, reveal: bool) {
        self.reveal = reveal;
    }

    /// The arrival time (Unix ns) of the next request pushed, when its capture recorded one;
    /// processors that keep time (tail sampling) run on it.
    pub fn set_arrival(&mut self, received_unix_nano: Option<u64>) {
        self.arrival = received_unix_nano;
    }

    /// The instantiated pipelines, in config order.
    pub fn pipelines(&self) -> impl Iterator<Item = &PipelineRt> {
        self.pipelines.values()
    }

    /// How requests of `kind` are routed.
    pub fn routing(&self, kind: ReceiverKind) -> &Routing {
        &self.routes[kind_index(kind)]
    }

    /// Whether no traces pipeline has a receiver of `kind` (so requests enter all of them).
    pub fn is_unrouted(&self, kind: ReceiverKind) -> bool {
        self.routes[kind_index(kind)].unrouted
    }

    /// Replay one request that arrived at receivers of `kind`.
    pub fn push(&mut self, kind: ReceiverKind, batch: Batch, obs: &mut dyn Observer) {
        let routing = &self.routes[kind_index(kind)];
        let entries = routing.order.iter().filter(|r| r.entry).count();
        let mut original = Some(batch);
        let mut entered = 0;
        let mut outputs: BTreeMap<usize, Vec<Batch>> = BTreeMap::new();
        for route in &routing.order {
            let mut inputs: Vec<Batch> = Vec::new();
            if route.entry {
                entered += 1;
                // The last pipeline the request fans out to gets the original; the others a copy.
                inputs.extend(if entered == entries {
                    original.take()
                } else {
                    original.clone()
                });
            }
            for f in &route.fed_by {
                inputs.extend(outputs.get(f).into_iter().flatten().cloned());
            }
            let Some(p) = self.pipelines.get_mut(&route.pipeline) else {
                continue;
            };
            if let Some(t) = self.arrival {
                for slot in &mut p.processors {
                    slot.instance.arrival(t);
                }
            }
            for b in &inputs {
                obs.entered(p.index, b);
            }
            let out = run_chain(p, 0, inputs, obs, self.reveal);
            outputs.insert(route.pipeline, out);
        }
        export(outputs, obs);
    }

    /// End of input: flush every processor, feeding what it releases through the rest of its
    /// pipeline and on to the pipelines it feeds.
    pub fn finish(&mut self, obs: &mut dyn Observer) {
        let order: Vec<route::Route> = self.routes[0].order.clone();
        let mut outputs: BTreeMap<usize, Vec<Batch>> = BTreeMap::new();
        for route in &order {
            let fed: Vec<Batch> = route
                .fed_by
                .iter()
                .flat_map(|f| outputs.get(f).into_iter().flatten().cloned())
                .collect();
            let Some(p) = self.pipelines.get_mut(&route.pipeline) else {
                continue;
            };
            for b in &fed {
                obs.entered(p.index, b);
            }
            let mut out = run_chain(p, 0, fed, obs, self.reveal);
            for i in 0..p.processors.len() {
                let mut released = Vec::new();
                let at = ProcRef {
                    pipeline: p.index,
                    processor: i,
                };
                let mut ctx = Ctx {
                    at,
                    observer: obs,
                    reveal: self.reveal,
                };
                let times = p.processors[i]
                    .instance
                    .flush_timed(&mut ctx, &mut released);
                // What a processor releases at the end (a sampler's held traces) is its output.
                let n: usize = released.iter().map(Batch::span_count).sum();
                if n > 0 {
                    obs.processed(at, 0, n);
                }
                for b in &released {
                    obs.released(at, b);
                }
                if times.len() == released.len() {
                    // Each request reaches the processors after it at its own release time.
                    for (b, t) in released.into_iter().zip(times) {
                        for slot in &mut p.processors[i + 1..] {
                            slot.instance.arrival(t);
                        }
                        out.extend(run_chain(p, i + 1, vec![b], obs, self.reveal));
                    }
                } else {
                    out.extend(run_chain(p, i + 1, released, obs, self.reveal));
                }
            }
            outputs.insert(route.pipeline, out);
        }
        export(outputs, obs);
    }
}

/// What each pipeline's exporters receive, told to the observer and then freed.
fn export(outputs: BTreeMap<usize, Vec<Batch>>, obs: &mut dyn Observer) {
    for (pipeline, out) in outputs {
        for b in &out {
            obs.exported(pipeline, b);
        }
    }
}

/// Run `batches` through the processors of `p` from position `start` on.
fn run_chain(
    p: &mut PipelineRt,
    start: usize,
    batches: Vec<Batch>,
    obs: &mut dyn Observer,
    reveal: bool,
) -> Vec<Batch> {
    let mut cur = batches;
    for (i, slot) in p.processors.iter_mut().enumerate().skip(start) {
        let at = ProcRef {
            pipeline: p.index,
            processor: i,
        };
        let mut next = Vec::with_capacity(cur.len());
        for b in cur {
            let n = b.span_count();
            if n == 0 {
                // The collector stops processing a request that became empty.
                continue;
            }
            let before = next.len();
            obs.handed(at, &b);
            let mut ctx = Ctx {
                at,
                observer: obs,
                reveal,
            };
            match slot.instance.process(b, &mut ctx, &mut next) {
                Ok(()) => {
                    let out = next[before..].iter().map(Batch::span_count).sum();
                    obs.processed(at, n, out);
                    for b in &next[before..] {
                        obs.released(at, b);
                    }
                }
                Err(_) => {
                    next.truncate(before);
                    obs.processed(at, n, 0);
                    obs.request_failed(at, n);
                }
            }
        }
        cur = next;
    }
    cur.retain(|b| b.span_count() > 0);
    cur
}
