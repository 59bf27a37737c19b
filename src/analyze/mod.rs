//! Static analysis of a collector config — everything `validate` does — and the per-pipeline
//! processor instances `dry-run` replays through.
//!
//! Stages: load (merge + expand) → model → wiring → processor settings → OTTL parse/check/
//! compile → lints. Each stage contributes diagnostics; only unreadable input stops early.

mod filter_plan;
pub mod ottl_rules;

use crate::config::model::{CollectorConfig, ComponentId, ComponentKind, Signal};
use crate::config::registry::{self, Support};
use crate::config::settings::{decode_processor, ProcessorSettings};
use crate::config::{build_model, check_wiring, load_configs, LoadOptions, LoadedConfig};
use crate::diag::{self, Diagnostic};
use crate::processors::Emulation;
use crate::replay::{PipelineRun, ProcRun};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub struct AnalyzedProcessor {
    pub id: ComponentId,
    pub location: diag::Location,
    pub settings: Option<ProcessorSettings>,
    pub filter: Option<filter_plan::FilterPlan>,
}

pub struct Analysis {
    pub loaded: LoadedConfig,
    pub config: Option<CollectorConfig>,
    pub processors: BTreeMap<String, AnalyzedProcessor>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Load and check `paths`. `Err` means the config could not be read at all (exit 2).
pub fn analyze(paths: &[PathBuf], opts: &LoadOptions) -> Result<Analysis, Vec<Diagnostic>> {
    let loaded = load_configs(paths, opts)?;
    Ok(analyze_loaded(loaded))
}

pub fn analyze_loaded(loaded: LoadedConfig) -> Analysis {
    let mut diagnostics = loaded.warnings.clone();
    let (config, model_diags) = build_model(&loaded);
    diagnostics.extend(model_diags);
    let mut processors = BTreeMap::new();
    if let Some(cfg) = &config {
        diagnostics.extend(check_wiring(cfg));
        diagnostics.extend(crate::lint::lint_config(cfg));
        for comp in &cfg.processors {
            let built_for = signals_using(cfg, &comp.id);
            let (settings, mut d) = decode_processor(&comp.id.ty, &comp.settings, &built_for);
            let filter = match &settings {
                Some(ProcessorSettings::Filter(f)) => {
                    Some(filter_plan::plan(f, &loaded.sources, &mut d))
                }
                Some(ProcessorSettings::Transform(t)) => {
                    filter_plan::check_transform(t, &loaded.sources, &mut d);
                    None
                }
                _ => None,
            };
            diagnostics.extend(d);
            processors.insert(
                comp.id.to_string(),
                AnalyzedProcessor {
                    id: comp.id.clone(),
                    location: comp.key_loc.clone(),
                    settings,
                    filter,
                },
            );
        }
    }
    mask_expanded_values(&mut diagnostics, &loaded.expanded_values);
    diag::sort(&mut diagnostics);
    diagnostics.dedup();
    Analysis {
        loaded,
        config,
        processors,
        diagnostics,
    }
}

/// No environment value reaches a report: wherever a message quotes a value a `${env:NAME}`
/// reference expanded to (an `invalid-setting` echoing a bad value, an OTTL error quoting a
/// token), the reference is shown instead. Values under 3 characters are left alone: masking
/// `1` or `a` everywhere would garble every message and hide nothing worth hiding.
fn mask_expanded_values(diagnostics: &mut [Diagnostic], values: &[(String, String)]) {
    let mut values: Vec<&(String, String)> = values.iter().filter(|(_, v)| v.len() >= 3).collect();
    // Longest first, so a value containing another is masked whole.
    values.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    let mask = |text: &mut String| {
        for (reference, value) in &values {
            if text.contains(value.as_str()) {
                *text = text.replace(value.as_str(), reference);
            }
        }
    };
    for d in diagnostics {
        mask(&mut d.message);
        if let Some(help) = &mut d.help {
            mask(help);
        }
        d.notes.iter_mut().for_each(&mask);
        d.labels.iter_mut().for_each(|l| mask(&mut l.message));
    }
}

/// Signals of the pipelines that use processor `id` (the collector builds it once per use).
fn signals_using(cfg: &CollectorConfig, id: &ComponentId) -> Vec<Signal> {
    let mut out: Vec<Signal> = Vec::new();
    for p in &cfg.pipelines {
        if p.processors.iter().any(|r| &r.id == id) && !out.contains(&p.signal) {
            out.push(p.signal);
        }
    }
    out
}

impl Analysis {
    /// Fresh processor instances for pipeline `index` (counters start at zero).
    pub fn instantiate_pipeline(&self, index: usize) -> PipelineRun {
        let cfg = self.config.as_ref().expect("replay only runs with a model");
        let p = &cfg.pipelines[index];
        let processors = p
            .processors
            .iter()
            .map(|r| self.instantiate_processor(&r.id, &r.loc))
            .collect();
        PipelineRun {
            index,
            id: p.id_text.clone(),
            location: p.loc.clone(),
            processors,
            exporters: p.exporters.iter().map(|e| e.id.to_string()).collect(),
            spans_in: 0,
            spans_out: 0,
            services_in: BTreeMap::new(),
            services_out: BTreeMap::new(),
            requests: 0,
            output: Vec::new(),
        }
    }

    fn instantiate_processor(&self, id: &ComponentId, reference: &diag::Location) -> ProcRun {
        let analyzed = self.processors.get(&id.to_string());
        let location = analyzed.map_or_else(|| reference.clone(), |a| a.location.clone());
        let support = registry::lookup(ComponentKind::Processor, &id.ty).map(|t| &t.support);
        let (emulation, emulated) = match (analyzed.and_then(|a| a.filter.as_ref()), support) {
            (Some(plan), _) => (Emulation::Filter(Box::new(plan.instantiate())), true),
            (None, Some(Support::PassThrough)) => (
                Emulation::PassThrough {
                    emulated_by_nature: true,
                },
                is_exact_pass_through(&id.ty),
            ),
            _ => (
                Emulation::PassThrough {
                    emulated_by_nature: false,
                },
                false,
            ),
        };
        ProcRun {
            id: id.to_string(),
            ty: id.ty.clone(),
            location,
            emulation,
            emulated,
            spans_in: 0,
            spans_out: 0,
            failed_batches: 0,
        }
    }
}

/// Pass-through processors whose effect on span content is nil (batching, memory limits,
/// regrouping). `k8sattributes` / `resourcedetection` add attributes we cannot know offline.
fn is_exact_pass_through(ty: &str) -> bool {
    matches!(ty, "batch" | "memory_limiter" | "groupbytrace")
}
