//! Collector configuration: YAML with positions, merging, `${env:...}` expansion, the typed
//! model and the wiring checks `otelcol validate` does.

pub mod node;
pub mod settings;
