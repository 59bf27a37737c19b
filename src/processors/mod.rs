//! Processor emulation for the dry-run: one module per emulated processor, plus the
//! pass-through used for everything otelcheck does not emulate (never silently: the caller
//! reports `unsupported-component`).

pub mod filter;
pub mod legacy_match;
pub mod rule;

pub use crate::ottl::runtime::ErrorMode;

/// What happened to one request in one processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOutcome {
    Ok,
    /// The processor returned an error (`error_mode: propagate`): the collector drops the
    /// whole request from this pipeline.
    Failed,
}

/// A processor instance inside one pipeline.
pub enum Emulation {
    Filter(Box<filter::FilterEmulator>),
    /// Spans pass unchanged. `why` says why (pass-through by nature, or not emulated yet).
    PassThrough {
        emulated_by_nature: bool,
    },
}

impl Emulation {
    pub fn process(&mut self, batch: &mut crate::capture::model::Batch) -> BatchOutcome {
        match self {
            Emulation::Filter(f) => f.process(batch),
            Emulation::PassThrough { .. } => BatchOutcome::Ok,
        }
    }
}
