//! The filter processor's deprecated metric and log include/exclude blocks
//! (`filterconfig.MetricMatchProperties`, `filterprocessor.LogMatchProperties`).
//!
//! `severity_number.min` is checked by `Validate()` (every instance); the matchers are built —
//! and their match types and regexes checked — only when a metrics or logs processor is created.
//! `match_type: expr` expressions are kept as text: otelcheck does not compile expr-lang.

use super::decode::Decoder;
use super::filter::{empty_match, patterns};
use super::matching::{
    self, AttributeMatch, MatchProperties, Pattern, RegexpConfig, SeverityNumberMatch,
};
use crate::config::node::Node;
use crate::diag::Location;

#[derive(Debug, Clone)]
pub struct MetricMatchProperties {
    /// `strict`, `regexp` or `expr`, as written.
    pub match_type: String,
    pub loc: Location,
    pub regexp: Option<RegexpConfig>,
    pub metric_names: Vec<Pattern>,
    pub expressions: Vec<(String, Node)>,
    pub resource_attributes: Vec<AttributeMatch>,
}

#[derive(Debug, Clone)]
pub struct LogMatchProperties {
    pub match_type: String,
    pub loc: Location,
    pub resource_attributes: Vec<AttributeMatch>,
    pub record_attributes: Vec<AttributeMatch>,
    pub severity_texts: Vec<Pattern>,
    pub severity_number: Option<SeverityMin>,
    pub bodies: Vec<Pattern>,
}

/// `severity_number: {min, match_undefined}`; `min` is a severity name or number as text.
#[derive(Debug, Clone)]
pub struct SeverityMin {
    pub min: String,
    /// The severity number `min` names (0 when empty or invalid).
    pub number: i64,
    pub match_undefined: bool,
    pub loc: Location,
}

const METRIC_KEYS: &[&str] = &[
    "match_type",
    "regexp",
    "metric_names",
    "expressions",
    "resource_attributes",
];
const LOG_KEYS: &[&str] = &[
    "match_type",
    "resource_attributes",
    "record_attributes",
    "severity_texts",
    "severity_number",
    "bodies",
];

fn match_type(d: &mut Decoder, node: &Node, path: &str) -> (String, Location) {
    let text = node
        .get("match_type")
        .filter(|n| !n.is_null())
        .and_then(|n| d.string(n, &format!("{path}.match_type")))
        .unwrap_or_default();
    let loc = node
        .get("match_type")
        .map(|n| n.loc.clone())
        .unwrap_or_else(|| node.loc.clone());
    (text, loc)
}

pub fn decode_metric(d: &mut Decoder, node: &Node, path: &str) -> Option<MetricMatchProperties> {
    let f = d.fields(node, path, METRIC_KEYS)?;
    let (match_type, loc) = match_type(d, node, path);
    let strings = |d: &mut Decoder, k: &str| {
        f.get(k)
            .and_then(|n| d.strings(n, &f.child(k)))
            .unwrap_or_default()
    };
    Some(MetricMatchProperties {
        match_type,
        loc,
        regexp: f
            .get("regexp")
            .and_then(|n| matching::decode_regexp_config(d, n, &f.child("regexp"))),
        metric_names: patterns(strings(d, "metric_names")),
        expressions: strings(d, "expressions"),
        resource_attributes: f
            .get("resource_attributes")
            .map(|n| matching::decode_attributes(d, n, &f.child("resource_attributes")))
            .unwrap_or_default(),
    })
}

pub fn decode_log(d: &mut Decoder, node: &Node, path: &str) -> Option<LogMatchProperties> {
    let f = d.fields(node, path, LOG_KEYS)?;
    let (match_type, loc) = match_type(d, node, path);
    let strings = |d: &mut Decoder, k: &str| {
        f.get(k)
            .and_then(|n| d.strings(n, &f.child(k)))
            .unwrap_or_default()
    };
    let attrs = |d: &mut Decoder, k: &str| {
        f.get(k)
            .map(|n| matching::decode_attributes(d, n, &f.child(k)))
            .unwrap_or_default()
    };
    let severity_number = f.get("severity_number").and_then(|n| {
        let p = f.child("severity_number");
        let g = d.fields(n, &p, &["min", "match_undefined"])?;
        let min = g
            .get("min")
            .and_then(|m| d.string(m, &g.child("min")))
            .unwrap_or_default();
        let match_undefined = g
            .get("match_undefined")
            .and_then(|m| d.boolean(m, &g.child("match_undefined")))
            .unwrap_or(false);
        let loc = g
            .get("min")
            .map(|m| m.loc.clone())
            .unwrap_or_else(|| n.loc.clone());
        Some(SeverityMin {
            number: severity_number(&min).unwrap_or(0),
            min,
            match_undefined,
            loc,
        })
    });
    Some(LogMatchProperties {
        match_type,
        loc,
        resource_attributes: attrs(d, "resource_attributes"),
        record_attributes: attrs(d, "record_attributes"),
        severity_texts: patterns(strings(d, "severity_texts")),
        severity_number,
        bodies: patterns(strings(d, "bodies")),
    })
}

/// `severityToNumber`: `1`..`24` or TRACE..FATAL4, case-insensitive.
pub fn severity_number(text: &str) -> Option<i64> {
    const NAMES: [&str; 6] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
    let upper = text.to_uppercase();
    if let Ok(n) = upper.parse::<i64>() {
        return (1..=24)
            .contains(&n)
            .then_some(n)
            .filter(|_| !upper.starts_with('+') && !upper.starts_with('0'));
    }
    NAMES.iter().enumerate().find_map(|(i, name)| {
        let rest = upper.strip_prefix(name)?;
        let step = match rest {
            "" => 0,
            "2" => 1,
            "3" => 2,
            "4" => 3,
            _ => return None,
        };
        i64::try_from(i * 4 + step + 1).ok()
    })
}

impl LogMatchProperties {
    /// `LogMatchProperties.validate` (part of `Config.Validate`).
    pub fn validate(&self, d: &mut Decoder) {
        let Some(sev) = &self.severity_number else {
            return;
        };
        if !sev.min.is_empty() && severity_number(&sev.min).is_none() {
            let msg = format!(
                "'{}' is not a valid severity: not a valid severity",
                sev.min
            );
            d.error(
                &sev.loc,
                msg,
                "use a severity name (TRACE..FATAL4, e.g. INFO or WARN2) or a number from 1 to 24",
            );
        }
    }

    /// `matchProperties()`, or `None` when the block matches on nothing (`isEmpty`).
    pub fn match_properties(&self) -> Option<MatchProperties> {
        let empty = self.resource_attributes.is_empty()
            && self.record_attributes.is_empty()
            && self.severity_texts.is_empty()
            && self.bodies.is_empty()
            && self.severity_number.is_none();
        if empty {
            return None;
        }
        let mut mp = empty_match(
            self.loc.clone(),
            &self.match_type,
            self.resource_attributes.clone(),
        );
        mp.attributes = self.record_attributes.clone();
        mp.log_severity_texts = self.severity_texts.clone();
        mp.log_bodies = self.bodies.clone();
        mp.log_severity_number = self.severity_number.as_ref().map(|s| SeverityNumberMatch {
            min: s.number,
            match_undefined: s.match_undefined,
        });
        Some(mp)
    }
}

impl MetricMatchProperties {
    /// `newResExpr`: the resource attribute matcher.
    pub fn build_resources(&mut self, d: &mut Decoder) -> bool {
        matching::build_attributes(
            d,
            &self.match_type,
            &self.loc,
            &mut self.resource_attributes,
            None,
        )
    }

    /// `filtermetric.newExpr`: expressions (kept as text) or the metric name filter set.
    pub fn build_names(&mut self, d: &mut Decoder) -> bool {
        if self.match_type == "expr" || self.metric_names.is_empty() {
            return true;
        }
        matching::compile_set(d, &self.match_type, &self.loc, &mut self.metric_names, None)
    }
}

#[cfg(test)]
mod tests {
    use super::severity_number;

    #[test]
    fn severity_names_and_numbers() {
        assert_eq!(severity_number("info"), Some(9));
        assert_eq!(severity_number("FATAL4"), Some(24));
        assert_eq!(severity_number("13"), Some(13));
        assert_eq!(severity_number("25"), None);
        assert_eq!(severity_number("INVALID_SEVERITY"), None);
    }
}
