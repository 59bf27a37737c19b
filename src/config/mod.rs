//! Collector configuration: YAML with positions, merging, `${env:...}` expansion, the typed
//! model and the wiring checks `otelcol validate` does.
//!
//! Flow: [`load_configs`] (read, merge, expand) → [`build_model`] (typed components and
//! pipelines, section checks) → [`check_wiring`] (the pipeline graph).

mod connectors;
pub mod expand;
pub mod ids;
pub mod load;
pub mod model;
pub mod node;
pub mod registry;
pub mod scalar;
mod service;
pub mod settings;
pub mod strpos;
mod telemetry;
pub mod wiring;

pub use load::{load_config_str, load_config_strs, load_configs, LoadOptions, LoadedConfig};
pub use model::{
    build_model, CollectorConfig, Component, ComponentId, ComponentKind, IdRef, Pipeline, Signal,
};
pub use wiring::check_wiring;
