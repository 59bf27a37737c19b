//! Processor emulation: one module per emulated processor, all behind the one
//! [`api::Processor`] trait; what they did is told to an [`api::Observer`]. Which processor
//! type is emulated how is decided in one place, `engine::table`.

pub mod api;
pub mod filter;
pub mod legacy_match;
pub mod rule;
pub mod transform;

pub use crate::ottl::runtime::ErrorMode;
