//! The dry run: every capture's requests go through the traces pipelines they would reach, each
//! pipeline runs its processors in order on its own copy, and we count what each processor
//! and rule did. Captures are decoded once; rules are compiled once per pipeline instance (the
//! collector also instantiates a processor per pipeline).

mod findings;
pub mod route;

use crate::analyze::Analysis;
use crate::capture::model::{service_name, Batch};
use crate::capture::Capture;
use crate::diag::{codes, Diagnostic, Location};
use crate::processors::{BatchOutcome, Emulation};
use crate::report::PipelineReport;
use std::collections::BTreeMap;

pub struct ReplayOptions {
    pub max_match_ratio: f64,
    /// Called after each request with (done, total), for a progress bar.
    pub progress: Option<Box<dyn Fn(u64, u64)>>,
}

/// One processor instance inside one pipeline.
pub struct ProcRun {
    pub id: String,
    pub ty: String,
    pub location: Location,
    pub emulation: Emulation,
    /// Faithfully emulated (pass-through processors such as `batch` count as emulated).
    pub emulated: bool,
    pub spans_in: usize,
    pub spans_out: usize,
    pub failed_batches: u64,
}

/// One traces pipeline during and after the replay.
pub struct PipelineRun {
    pub index: usize,
    pub id: String,
    pub location: Location,
    pub processors: Vec<ProcRun>,
    pub exporters: Vec<String>,
    pub spans_in: usize,
    pub spans_out: usize,
    pub services_in: BTreeMap<String, usize>,
    pub services_out: BTreeMap<String, usize>,
    pub requests: u64,
    pub output: Vec<Batch>,
}

pub struct ReplayResult {
    pub pipelines: Vec<PipelineRun>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Replay `captures` (consumed: every request is moved into the pipelines, not copied, unless
/// a receiver fans it out to several).
pub fn replay(analysis: &Analysis, captures: Vec<Capture>, opts: &ReplayOptions) -> ReplayResult {
    let Some(cfg) = analysis.config.as_ref() else {
        return ReplayResult {
            pipelines: Vec::new(),
            diagnostics: Vec::new(),
        };
    };
    let keys = findings::KeyCatalog::new(&captures);
    let mut runs: BTreeMap<usize, PipelineRun> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    let total: u64 = captures.iter().map(|c| c.payloads.len() as u64).sum();
    let mut done = 0u64;
    for capture in captures {
        let routing = route::route(cfg, capture.format.receiver_kind());
        if routing.unrouted {
            diagnostics.push(unrouted_warning(&capture, cfg));
        }
        for route in &routing.order {
            runs.entry(route.pipeline)
                .or_insert_with(|| analysis.instantiate_pipeline(route.pipeline));
        }
        for batch in capture.payloads {
            replay_request(&routing, batch, &mut runs);
            done += 1;
            if let Some(p) = &opts.progress {
                p(done, total);
            }
        }
    }
    let pipelines: Vec<PipelineRun> = runs.into_values().collect();
    diagnostics.extend(findings::collect(&pipelines, &keys, opts.max_match_ratio));
    ReplayResult {
        pipelines,
        diagnostics,
    }
}

fn replay_request(routing: &route::Routing, batch: Batch, runs: &mut BTreeMap<usize, PipelineRun>) {
    let mut outputs: BTreeMap<usize, Vec<Batch>> = BTreeMap::new();
    let entries = routing.order.iter().filter(|r| r.entry).count();
    let mut original = Some(batch);
    let mut entered = 0;
    for route in &routing.order {
        let mut inputs: Vec<Batch> = Vec::new();
        if route.entry {
            entered += 1;
            // The last pipeline the request fans out to gets the original; the others a copy.
            let b = if entered == entries {
                original.take()
            } else {
                original.clone()
            };
            inputs.extend(b);
        }
        for f in &route.fed_by {
            inputs.extend(outputs.get(f).cloned().unwrap_or_default());
        }
        let Some(run) = runs.get_mut(&route.pipeline) else {
            continue;
        };
        let mut out = Vec::new();
        for input in inputs {
            if let Some(b) = run.process(input) {
                out.push(b);
            }
        }
        outputs.insert(route.pipeline, out);
    }
    // What the exporters receive is kept (moved, not copied): for --write-output, and so the
    // caller decides when — or whether, in a process about to exit — to free it.
    for (pipeline, out) in outputs {
        if let Some(run) = runs.get_mut(&pipeline) {
            run.output.extend(out);
        }
    }
}

impl PipelineRun {
    /// Run one request through the processors; `None` when it was dropped entirely.
    fn process(&mut self, mut batch: Batch) -> Option<Batch> {
        self.requests += 1;
        // Counted once per processor boundary: one processor's output is the next one's input.
        let mut n = batch.span_count();
        self.spans_in += n;
        count_services(&batch, &mut self.services_in);
        for proc in &mut self.processors {
            proc.spans_in += n;
            if n == 0 {
                // The collector stops processing a request that became empty.
                return None;
            }
            if proc.emulation.process(&mut batch) == BatchOutcome::Failed {
                proc.failed_batches += 1;
                return None;
            }
            n = batch.span_count();
            proc.spans_out += n;
        }
        if n == 0 {
            return None;
        }
        self.spans_out += n;
        count_services(&batch, &mut self.services_out);
        Some(batch)
    }

    pub fn report(&self) -> PipelineReport {
        PipelineReport {
            id: self.id.clone(),
            spans_in: self.spans_in,
            spans_out: self.spans_out,
            services_in: self.services_in.keys().cloned().collect(),
            services_out: self.services_out.keys().cloned().collect(),
            processors: self
                .processors
                .iter()
                .map(findings::processor_report)
                .collect(),
            exporters: self.exporters.clone(),
        }
    }
}

fn count_services(batch: &Batch, into: &mut BTreeMap<String, usize>) {
    for rs in &batch.resource_spans {
        let name = service_name(&rs.resource).unwrap_or_else(|| "<nil-service-name>".to_owned());
        let n: usize = rs.scope_spans.iter().map(|s| s.spans.len()).sum();
        *into.entry(name).or_default() += n;
    }
}

fn unrouted_warning(capture: &Capture, cfg: &crate::config::model::CollectorConfig) -> Diagnostic {
    let (wanted, article) = match capture.format.receiver_kind() {
        crate::capture::ReceiverKind::Datadog => ("datadog", "a"),
        crate::capture::ReceiverKind::Otlp => ("otlp", "an"),
    };
    let loc = cfg.pipelines.first().map(|p| p.loc.clone());
    Diagnostic::warning(
        codes::UNROUTED_CAPTURE,
        format!(
            "no traces pipeline has {article} `{wanted}` receiver, so the collector would never see {}; replaying it through every traces pipeline instead",
            capture.path
        ),
    )
    .at_opt(loc)
    .with_help(unrouted_help(cfg, wanted, article))
}

/// When a receiver of the right type exists (e.g. only in a metrics pipeline), say so instead
/// of suggesting to add one.
fn unrouted_help(
    cfg: &crate::config::model::CollectorConfig,
    wanted: &str,
    article: &str,
) -> String {
    let Some(rcv) = cfg.receivers.iter().find(|r| r.id.ty == wanted) else {
        return format!(
            "add {article} `{wanted}` receiver to the pipeline that should take this traffic"
        );
    };
    let id = rcv.id.to_string();
    let users: Vec<&str> = cfg
        .pipelines
        .iter()
        .filter(|p| p.receivers.iter().any(|r| r.id.to_string() == id))
        .map(|p| p.id_text.as_str())
        .collect();
    let used = if users.is_empty() {
        String::from("defined but in no pipeline")
    } else {
        format!("used only by {}", users.join(", "))
    };
    format!("the `{id}` receiver is {used}: list it under `receivers` of the traces pipeline that should take this traffic")
}
