//! The integration tests, one binary: each file of this directory is a module. One binary
//! links the library once instead of once per file, which keeps `cargo test` within the
//! disk and time of a small CI machine.

mod capture_datadog;
mod capture_hostile;
mod capture_otlp;
mod cli_conventions;
mod cli_dry_run;
mod cli_findings;
mod cli_fix;
mod cli_formats;
mod cli_messages;
mod cli_record;
mod cli_reports;
mod cli_routing;
mod cli_streaming;
mod cli_suppress;
mod cli_validate;
mod common;
mod config_expand;
mod config_load;
mod config_strpos;
mod config_wiring;
mod fidelity_config;
mod fidelity_lint;
mod fidelity_ottl;
mod fidelity_proptest;
mod hostile_config;
mod hostile_env;
mod hostile_ottl;
mod ottl_eval;
mod ottl_eval_text;
mod ottl_front;
mod ottl_statements;
mod settings_build;
mod settings_snapshots;
mod settings_upstream;
mod transform_edits;
mod transform_replay;
mod upstream_validate;
