//! Field tables of the log, metric, datapoint and profile contexts (`contexts/internal/ctxlog`,
//! `ctxmetric`, `ctxdatapoint`, `ctxprofile` of v0.156.0). otelcheck only replays traces, so
//! these resolve to the field's name; they exist so that valid configs for other signals are
//! never reported as errors.

use super::contexts::Context;
use super::error::OttlError;
use super::paths::{keyed, sub, Cursor, PathTarget};

/// How one field is addressed.
enum Shape {
    Plain,
    /// A map (or map-like) value: any keys.
    Keyed,
    /// Optional `.sub` sections.
    Subs(&'static [&'static str]),
    /// Optional `.sub` sections, or keys.
    SubsOrKeyed(&'static [&'static str]),
}

type Table = &'static [(&'static str, Shape)];

const LOG: Table = &[
    ("time_unix_nano", Shape::Plain),
    ("observed_time_unix_nano", Shape::Plain),
    ("time", Shape::Plain),
    ("observed_time", Shape::Plain),
    ("severity_number", Shape::Plain),
    ("severity_text", Shape::Plain),
    ("body", Shape::SubsOrKeyed(&["string"])),
    ("attributes", Shape::Keyed),
    ("dropped_attributes_count", Shape::Plain),
    ("flags", Shape::Plain),
    ("trace_id", Shape::Subs(&["string"])),
    ("span_id", Shape::Subs(&["string"])),
    ("event_name", Shape::Plain),
];

const METRIC: Table = &[
    ("name", Shape::Plain),
    ("description", Shape::Plain),
    ("unit", Shape::Plain),
    ("type", Shape::Plain),
    ("aggregation_temporality", Shape::Plain),
    ("is_monotonic", Shape::Plain),
    ("data_points", Shape::Plain),
    ("metadata", Shape::Keyed),
];

const DATAPOINT: Table = &[
    ("attributes", Shape::Keyed),
    ("start_time_unix_nano", Shape::Plain),
    ("time_unix_nano", Shape::Plain),
    ("start_time", Shape::Plain),
    ("time", Shape::Plain),
    ("value_double", Shape::Plain),
    ("value_int", Shape::Plain),
    ("exemplars", Shape::Plain),
    ("flags", Shape::Plain),
    ("count", Shape::Plain),
    ("sum", Shape::Plain),
    ("bucket_counts", Shape::Plain),
    ("explicit_bounds", Shape::Plain),
    ("scale", Shape::Plain),
    ("zero_count", Shape::Plain),
    ("positive", Shape::Subs(&["offset", "bucket_counts"])),
    ("negative", Shape::Subs(&["offset", "bucket_counts"])),
    ("quantile_values", Shape::Plain),
];

const PROFILE: Table = &[
    ("sample_type", Shape::Subs(&["type", "unit"])),
    ("sample", Shape::Plain),
    ("time_unix_nano", Shape::Plain),
    ("time", Shape::Plain),
    ("duration_unix_nano", Shape::Plain),
    ("duration", Shape::Plain),
    ("period_type", Shape::Subs(&["type", "unit"])),
    ("period", Shape::Plain),
    ("profile_id", Shape::Subs(&["string"])),
    ("attribute_indices", Shape::Plain),
    ("dropped_attributes_count", Shape::Plain),
    ("original_payload_format", Shape::Plain),
    ("original_payload", Shape::Plain),
    ("attributes", Shape::Keyed),
];

fn resolve(cur: &mut Cursor<'_>, ctx: Context, table: Table) -> Result<PathTarget, OttlError> {
    let name = cur.name(0).unwrap_or_default();
    let Some((field, shape)) = table.iter().find(|(n, _)| *n == name) else {
        return Err(cur.segment_error(0, ctx.as_str()));
    };
    match shape {
        Shape::Plain => cur.take(0, false),
        Shape::Keyed => keyed(cur),
        Shape::Subs(subs) => {
            sub(cur, subs, ctx.as_str())?;
        }
        Shape::SubsOrKeyed(subs) => {
            if sub(cur, subs, ctx.as_str())?.is_none() {
                keyed(cur);
            }
        }
    }
    Ok(PathTarget::Other(ctx, field))
}

pub(crate) fn log(cur: &mut Cursor<'_>) -> Result<PathTarget, OttlError> {
    resolve(cur, Context::Log, LOG)
}

pub(crate) fn metric(cur: &mut Cursor<'_>) -> Result<PathTarget, OttlError> {
    resolve(cur, Context::Metric, METRIC)
}

pub(crate) fn datapoint(cur: &mut Cursor<'_>) -> Result<PathTarget, OttlError> {
    resolve(cur, Context::DataPoint, DATAPOINT)
}

pub(crate) fn profile(cur: &mut Cursor<'_>) -> Result<PathTarget, OttlError> {
    resolve(cur, Context::Profile, PROFILE)
}
