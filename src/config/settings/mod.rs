//! Typed settings of the processors otelcheck emulates, decoded and validated the way
//! collector-contrib v0.156.0 does it.
//!
//! The collector checks a processor's settings in three steps, and `otelcol validate` reports
//! them differently: unmarshal (unknown keys, types) and `Validate()` run for every configured
//! instance, used or not; the checks a factory does when it *creates* the processor
//! (include/exclude matchers, regex compiles, attribute actions, span rules) run only for the
//! pipelines that use it. [`decode_processor`] takes the signals of those pipelines
//! (`built_for`) and runs the creation checks only for them. Problems found only when the
//! collector *starts* (tail sampling policies) are warnings.
//!
//! OTTL text is not parsed here: every condition/statement is handed on as an [`OttlSource`]
//! with its node, so the OTTL stage can point into the file.

pub mod actions;
pub mod attributes;
pub mod decode;
pub mod filter;
pub mod filter_legacy;
pub mod matching;
pub mod passthrough;
pub mod probabilistic_sampler;
pub mod redaction;
pub mod resource;
pub mod span;
pub mod tail_sampling;
pub mod transform;

mod groups;

use crate::config::node::Node;
use crate::diag::{Diagnostic, Location};
use decode::Decoder;

pub use groups::{ConditionGroup, StatementGroup};

pub use crate::config::ids::Signal;

/// How an OTTL processor reacts to an evaluation error (`ottl.ErrorMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorMode {
    Ignore,
    Silent,
    Propagate,
}

impl ErrorMode {
    /// Upstream lower-cases the text before matching it.
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_lowercase().as_str() {
            "ignore" => Some(Self::Ignore),
            "silent" => Some(Self::Silent),
            "propagate" => Some(Self::Propagate),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ignore => "ignore",
            Self::Silent => "silent",
            Self::Propagate => "propagate",
        }
    }
}

/// One OTTL condition or statement string from the config, with where it is. The OTTL is NOT
/// parsed here — another stage does.
#[derive(Debug, Clone, PartialEq)]
pub struct OttlSource {
    pub text: String,
    /// The string node (for its Location/offset).
    pub node: Node,
}

/// A `context:` value of a condition/statement group, already checked against the names the
/// processor allows for that signal.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextName {
    /// Lower-cased, as upstream stores it.
    pub name: String,
    pub loc: Location,
}

impl ContextName {
    /// The OTTL context this name selects (`None` for `exemplar`, which otelcheck does not model).
    pub fn context(&self) -> Option<crate::ottl::contexts::Context> {
        use crate::ottl::contexts::Context as C;
        [
            C::Resource,
            C::Scope,
            C::Span,
            C::SpanEvent,
            C::Log,
            C::Metric,
            C::DataPoint,
            C::Profile,
        ]
        .into_iter()
        .find(|c| c.as_str() == self.name)
    }
}

/// The decoded settings of one processor.
// One value per configured processor, built once: boxing the large filter variant would only
// change the agreed shape of this enum.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum ProcessorSettings {
    Filter(filter::FilterSettings),
    Transform(transform::TransformSettings),
    Attributes(attributes::AttributesSettings),
    Resource(resource::ResourceSettings),
    Span(span::SpanSettings),
    Redaction(redaction::RedactionSettings),
    ProbabilisticSampler(probabilistic_sampler::Settings),
    TailSampling(tail_sampling::Settings),
    PassThrough,
}

/// Decode one processor's settings like the collector's unmarshal + Validate(). `built_for` lists
/// the signals of the pipelines that use this processor: checks the collector only does when it
/// *creates* the processor (include/exclude validation, regex compile, attribute action checks,
/// span name rules, legacy metric/log matcher building) run only for those signals, as upstream.
///
/// `ty` is the component type (`filter`, not `filter/mine`). Unknown types give `(None, [])`:
/// reporting them is the config loader's job. The settings are `None` when an error was found.
pub fn decode_processor(
    ty: &str,
    settings: &Node,
    built_for: &[Signal],
) -> (Option<ProcessorSettings>, Vec<Diagnostic>) {
    let mut d = Decoder::new();
    let decoded = match ty {
        "filter" => filter::decode(&mut d, settings, built_for).map(ProcessorSettings::Filter),
        "transform" => transform::decode(&mut d, settings).map(ProcessorSettings::Transform),
        "attributes" => {
            attributes::decode(&mut d, settings, built_for).map(ProcessorSettings::Attributes)
        }
        "resource" => {
            resource::decode(&mut d, settings, built_for).map(ProcessorSettings::Resource)
        }
        "span" => span::decode(&mut d, settings, built_for).map(ProcessorSettings::Span),
        "redaction" => redaction::decode(&mut d, settings).map(ProcessorSettings::Redaction),
        "probabilistic_sampler" => probabilistic_sampler::decode(&mut d, settings)
            .map(ProcessorSettings::ProbabilisticSampler),
        "tail_sampling" => {
            tail_sampling::decode(&mut d, settings).map(ProcessorSettings::TailSampling)
        }
        other if passthrough::is_passthrough(other) => {
            passthrough::decode(&mut d, other, settings);
            Some(ProcessorSettings::PassThrough)
        }
        _ => None,
    };
    let failed = d.failed_since(0);
    let mut diags = d.diags;
    crate::diag::sort(&mut diags);
    (if failed { None } else { decoded }, diags)
}

/// Decode an `error_mode` value; `unknown error mode x` as upstream's unmarshal says it.
pub(crate) fn decode_error_mode(d: &mut Decoder, node: &Node, path: &str) -> Option<ErrorMode> {
    let text = d.string(node, path)?;
    if text.is_empty() {
        return None;
    }
    let mode = ErrorMode::parse(&text);
    if mode.is_none() {
        let msg = format!("'{path}' unknown error mode {}", text.to_lowercase());
        d.error(&node.loc, msg, "use one of: ignore, silent, propagate");
    }
    mode
}
