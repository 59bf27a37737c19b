//! Enum symbols per context (`ctxspan`, `ctxlog`, `ctxmetric`, `ctxdatapoint` symbol tables of
//! v0.156.0), resolved at parse time to int64 as upstream does.

use super::contexts::Context;

const SPAN: &[(&str, i64)] = &[
    ("SPAN_KIND_UNSPECIFIED", 0),
    ("SPAN_KIND_INTERNAL", 1),
    ("SPAN_KIND_SERVER", 2),
    ("SPAN_KIND_CLIENT", 3),
    ("SPAN_KIND_PRODUCER", 4),
    ("SPAN_KIND_CONSUMER", 5),
    ("STATUS_CODE_UNSET", 0),
    ("STATUS_CODE_OK", 1),
    ("STATUS_CODE_ERROR", 2),
];

const METRIC: &[(&str, i64)] = &[
    ("AGGREGATION_TEMPORALITY_UNSPECIFIED", 0),
    ("AGGREGATION_TEMPORALITY_DELTA", 1),
    ("AGGREGATION_TEMPORALITY_CUMULATIVE", 2),
    ("METRIC_DATA_TYPE_NONE", 0),
    ("METRIC_DATA_TYPE_GAUGE", 1),
    ("METRIC_DATA_TYPE_SUM", 2),
    ("METRIC_DATA_TYPE_HISTOGRAM", 3),
    ("METRIC_DATA_TYPE_EXPONENTIAL_HISTOGRAM", 4),
    ("METRIC_DATA_TYPE_SUMMARY", 5),
];

const DATAPOINT_FLAGS: &[(&str, i64)] = &[("FLAG_NONE", 0), ("FLAG_NO_RECORDED_VALUE", 1)];

/// `SEVERITY_NUMBER_UNSPECIFIED` = 0, then TRACE..FATAL4 = 1..24 in groups of four.
fn severity(name: &str) -> Option<i64> {
    let rest = name.strip_prefix("SEVERITY_NUMBER_")?;
    if rest == "UNSPECIFIED" {
        return Some(0);
    }
    let levels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
    let (level, step) = match rest.char_indices().last() {
        Some((i, d @ '2'..='4')) => (&rest[..i], i64::from(d as u8 - b'1')),
        _ => (rest, 0),
    };
    let pos = levels.iter().position(|l| *l == level)?;
    Some(i64::try_from(pos).ok()? * 4 + 1 + step)
}

fn find(table: &[(&str, i64)], name: &str) -> Option<i64> {
    table.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// The value of an enum symbol in a context, if that context knows it.
pub fn resolve_enum(name: &str, ctx: Context) -> Option<i64> {
    match ctx {
        Context::Span | Context::SpanEvent => find(SPAN, name),
        Context::Log => severity(name),
        Context::Metric => find(METRIC, name),
        Context::DataPoint => find(METRIC, name).or_else(|| find(DATAPOINT_FLAGS, name)),
        Context::Resource | Context::Scope | Context::Profile => None,
    }
}

/// Upstream's error for an unknown symbol in `ctx`.
pub fn enum_error(name: &str, ctx: Context) -> String {
    match ctx {
        Context::Resource => "resource context does not provide Enum support".to_string(),
        Context::Scope => "instrumentation scope context does not provide Enum support".to_string(),
        _ => format!("enum symbol, {name}, not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_resolve_per_context() {
        assert_eq!(resolve_enum("SPAN_KIND_SERVER", Context::Span), Some(2));
        assert_eq!(
            resolve_enum("STATUS_CODE_ERROR", Context::SpanEvent),
            Some(2)
        );
        assert_eq!(resolve_enum("SEVERITY_NUMBER_INFO", Context::Span), None);
        assert_eq!(resolve_enum("SEVERITY_NUMBER_INFO", Context::Log), Some(9));
        assert_eq!(resolve_enum("SEVERITY_NUMBER_TRACE", Context::Log), Some(1));
        assert_eq!(
            resolve_enum("SEVERITY_NUMBER_FATAL4", Context::Log),
            Some(24)
        );
        assert_eq!(
            resolve_enum("SEVERITY_NUMBER_WARN2", Context::Log),
            Some(14)
        );
        assert_eq!(
            resolve_enum("FLAG_NO_RECORDED_VALUE", Context::DataPoint),
            Some(1)
        );
        assert_eq!(resolve_enum("SPAN_KIND_SERVER", Context::Resource), None);
    }
}
