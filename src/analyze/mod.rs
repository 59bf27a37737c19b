//! Static analysis of a collector config — everything `validate` does — and the per-pipeline
//! processor instances `dry-run` replays through.
//!
//! Stages: load (merge + expand) → model → wiring → processor settings → OTTL parse/check/
//! compile → lints. Each stage contributes diagnostics; only unreadable input stops early.

pub mod filter_plan;
pub mod ottl_rules;
pub mod tail_plan;

use crate::config::model::{CollectorConfig, ComponentId, Signal};
use crate::config::settings::{decode_processor, ProcessorSettings};
use crate::config::{build_model, check_wiring, load_configs, LoadOptions, LoadedConfig};
use crate::diag::{self, Diagnostic};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub struct AnalyzedProcessor {
    pub id: ComponentId,
    pub location: diag::Location,
    pub settings: Option<ProcessorSettings>,
    pub filter: Option<filter_plan::FilterPlan>,
    /// The OTTL of a tail_sampling instance's `ottl_condition` policies.
    pub tail_ottl: Option<tail_plan::TailOttlPlan>,
    /// The compiled `trace_statements` of a transform processor whose config is valid.
    pub transform: Option<crate::processors::transform::TransformPlan>,
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
            let mut tail_ottl = None;
            let filter = match &settings {
                Some(ProcessorSettings::Filter(f)) => {
                    Some(filter_plan::plan(f, &loaded.sources, &mut d))
                }
                Some(ProcessorSettings::Transform(t)) => {
                    filter_plan::check_transform(t, &loaded.sources, &mut d);
                    None
                }
                Some(ProcessorSettings::Attributes(a)) if built_for.contains(&Signal::Traces) => {
                    d.extend(crate::processors::attr_action::context_warnings(&a.actions));
                    d.extend(crate::processors::attr_action::catch_all_lints(&a.actions));
                    None
                }
                Some(ProcessorSettings::Redaction(r)) if built_for.contains(&Signal::Traces) => {
                    d.extend(crate::processors::redaction::not_emulated(r, &comp.key_loc));
                    d.extend(crate::processors::redaction::catch_all_lints(
                        r,
                        &comp.key_loc,
                    ));
                    None
                }
                Some(ProcessorSettings::Resource(r)) if built_for.contains(&Signal::Traces) => {
                    d.extend(crate::processors::attr_action::context_warnings(&r.actions));
                    d.extend(crate::processors::attr_action::catch_all_lints(&r.actions));
                    None
                }
                Some(ProcessorSettings::TailSampling(t)) => {
                    let plan = tail_plan::plan(t, &loaded.sources, &mut d);
                    d.extend(crate::processors::tail_sampling::not_emulated_diagnostic(
                        t,
                        &|p| plan.compile(&p.loc),
                        &comp.id.to_string(),
                        &comp.key_loc,
                    ));
                    tail_ottl = Some(plan);
                    None
                }
                _ => None,
            };
            let transform = match &settings {
                // A catch-all finding is about meaning: the collector runs the statement.
                Some(ProcessorSettings::Transform(t))
                    if !d.iter().any(|x| {
                        x.severity == diag::Severity::Error && x.code != diag::codes::CATCH_ALL_RULE
                    }) =>
                {
                    transform_plan(t, &loaded.sources, &mut d)
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
                    tail_ottl,
                    transform,
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

/// Compile a valid transform config for the replay. A statement only compilation rejects the
/// way upstream does (`set_semconv_span_name("1.99.0")`) is an `invalid-ottl` error here.
fn transform_plan(
    t: &crate::config::settings::transform::TransformSettings,
    sources: &diag::SourceMap,
    d: &mut Vec<Diagnostic>,
) -> Option<crate::processors::transform::TransformPlan> {
    match crate::processors::transform::plan(t, sources) {
        Ok(p) => Some(p),
        Err(e) if e.upstream_rejects() => {
            let mut diag = Diagnostic::error(diag::codes::INVALID_OTTL, e.message.clone())
                .with_help("fix the statement; the collector refuses to start with it");
            if let Some(loc) = e.location {
                diag = diag.at(loc);
            }
            d.push(diag);
            None
        }
        Err(_) => None,
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

/// `text` with every expanded environment value (3 characters or more) replaced by the
/// reference it came from: a value a config inserts from `${env:...}` may be a secret.
pub fn mask_expanded_text(text: &str, values: &[(String, String)]) -> String {
    let mut values: Vec<&(String, String)> = values.iter().filter(|(_, v)| v.len() >= 3).collect();
    values.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    let mut out = text.to_owned();
    for (reference, value) in values {
        if out.contains(value.as_str()) {
            out = out.replace(value.as_str(), reference);
        }
    }
    out
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
