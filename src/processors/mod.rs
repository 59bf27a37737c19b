//! Processor emulation: one module per emulated processor, all behind the one
//! [`api::Processor`] trait; what they did is told to an [`api::Observer`]. Which processor
//! type is emulated how is decided in one place, `engine::table`.

pub mod api;
pub mod attr_action;
pub mod attributes;
pub mod filter;
pub mod groupbytrace;
pub mod legacy_match;
pub mod probabilistic_sampler;
pub mod redaction;
pub mod replay_clock;
pub mod resource;
pub mod rule;
pub mod sampling;
pub mod span;
pub mod tail_sampling;
pub mod transform;

pub use crate::ottl::runtime::ErrorMode;
