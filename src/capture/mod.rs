//! Recorded traffic: one decoder per capture format, all producing [`model::Batch`]es.

pub mod model;
