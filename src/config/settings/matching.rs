//! `include`/`exclude` match properties (`internal/filter/filterconfig.MatchProperties`), shared
//! by the legacy filter `spans` block, the attributes processor and the span processor.
//!
//! Decoding only checks keys and types, like the collector's unmarshal: `match_type` is a plain
//! string there, so a missing or misspelt one is accepted by `validate` for an unused processor.
//! The real checks (`ValidateForSpans`/`Logs`/`Metrics`, unknown match type, regex compile,
//! regexp attribute values that are not strings) happen when the processor is created for a
//! signal: [`MatchProperties::build`]. Like upstream, a block reports only its first problem.

use super::decode::{any_value, Decoder, Fields};
use super::Signal;
use crate::capture::model::AnyValue;
use crate::config::node::Node;
use crate::diag::Location;

/// `match_type` values of `filterset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchType {
    Strict,
    Regexp,
}

impl MatchType {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "strict" => Some(Self::Strict),
            "regexp" => Some(Self::Regexp),
            _ => None,
        }
    }
}

/// One string of a filter set (a service name, span name, ...), compiled when `regexp`.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub text: String,
    pub node: Node,
    pub regex: Option<regex::Regex>,
}

/// `{key, value?}`: the value is typed as `pcommon.Value.FromRaw` would make it.
#[derive(Debug, Clone)]
pub struct AttributeMatch {
    pub key: String,
    pub value: Option<AnyValue>,
    pub node: Node,
    /// The compiled `value` when `match_type: regexp`.
    pub regex: Option<regex::Regex>,
}

/// `{name, version?}`: `version` omitted matches any version, `""` only the empty one.
#[derive(Debug, Clone)]
pub struct LibraryMatch {
    pub name: Pattern,
    pub version: Option<Pattern>,
}

/// `regexp: {cacheenabled, cachemaxnumentries}` — only a result cache, no semantic effect.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RegexpConfig {
    pub cache_enabled: bool,
    pub cache_max_num_entries: i64,
}

/// `log_severity_number: {min, match_undefined}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeverityNumberMatch {
    pub min: i64,
    pub match_undefined: bool,
}

#[derive(Debug, Clone)]
pub struct MatchProperties {
    /// `None` when the text is not `strict`/`regexp` (an error once the processor is built).
    pub match_type: Option<MatchType>,
    pub match_type_text: String,
    pub loc: Location,
    pub regexp: Option<RegexpConfig>,
    pub services: Vec<Pattern>,
    pub span_names: Vec<Pattern>,
    pub span_kinds: Vec<Pattern>,
    pub log_bodies: Vec<Pattern>,
    pub log_severity_texts: Vec<Pattern>,
    pub log_severity_number: Option<SeverityNumberMatch>,
    pub metric_names: Vec<Pattern>,
    pub attributes: Vec<AttributeMatch>,
    pub resources: Vec<AttributeMatch>,
    pub libraries: Vec<LibraryMatch>,
}

/// `include` and `exclude` of one processor.
#[derive(Debug, Clone, Default)]
pub struct LegacyMatch {
    pub include: Option<MatchProperties>,
    pub exclude: Option<MatchProperties>,
}

pub const KEYS: &[&str] = &[
    "match_type",
    "regexp",
    "services",
    "span_names",
    "log_bodies",
    "log_severity_texts",
    "log_severity_number",
    "metric_names",
    "attributes",
    "resources",
    "libraries",
    "span_kinds",
];

const SPAN_KINDS: &[&str] = &[
    "SPAN_KIND_CLIENT",
    "SPAN_KIND_CONSUMER",
    "SPAN_KIND_INTERNAL",
    "SPAN_KIND_PRODUCER",
    "SPAN_KIND_SERVER",
];

impl LegacyMatch {
    /// Decode `include`/`exclude` from the fields of a processor that squashes `MatchConfig`.
    pub fn decode(d: &mut Decoder, f: &Fields) -> LegacyMatch {
        let mut side = |key: &str| f.get(key).and_then(|n| decode(d, n, &f.child(key)));
        LegacyMatch {
            include: side("include"),
            exclude: side("exclude"),
        }
    }

    /// Build the skip expression for `signal` as the processor factory does (`filterspan`,
    /// `filterlog`, or `filtermetric` via `CreateMetricMatchPropertiesFromDefault`).
    pub fn build(&mut self, d: &mut Decoder, signal: Signal) {
        for mp in [&mut self.include, &mut self.exclude].into_iter().flatten() {
            if !mp.build(d, signal) {
                return;
            }
        }
    }
}

/// Decode one `MatchProperties` block (unmarshal only).
pub fn decode(d: &mut Decoder, node: &Node, path: &str) -> Option<MatchProperties> {
    let f = d.fields(node, path, KEYS)?;
    let match_type_text = f
        .get("match_type")
        .and_then(|n| d.string(n, &f.child("match_type")))
        .unwrap_or_default();
    let loc = f
        .entry("match_type")
        .map(|(_, v)| v.loc.clone())
        .unwrap_or_else(|| f.loc.clone());
    let patterns = |d: &mut Decoder, key: &str| -> Vec<Pattern> {
        let items = f
            .get(key)
            .and_then(|n| d.strings(n, &f.child(key)))
            .unwrap_or_default();
        items
            .into_iter()
            .map(|(text, node)| Pattern {
                text,
                node,
                regex: None,
            })
            .collect()
    };
    let regexp = f
        .get("regexp")
        .and_then(|n| decode_regexp_config(d, n, &f.child("regexp")));
    let log_severity_number = f.get("log_severity_number").and_then(|n| {
        let p = f.child("log_severity_number");
        let g = d.fields(n, &p, &["min", "match_undefined"])?;
        let min = g
            .get("min")
            .and_then(|m| d.int(m, &g.child("min")))
            .unwrap_or(0);
        let match_undefined = g
            .get("match_undefined")
            .and_then(|m| d.boolean(m, &g.child("match_undefined")))
            .unwrap_or(false);
        Some(SeverityNumberMatch {
            min,
            match_undefined,
        })
    });
    Some(MatchProperties {
        match_type: MatchType::parse(&match_type_text),
        match_type_text,
        loc,
        regexp,
        services: patterns(d, "services"),
        span_names: patterns(d, "span_names"),
        span_kinds: patterns(d, "span_kinds"),
        log_bodies: patterns(d, "log_bodies"),
        log_severity_texts: patterns(d, "log_severity_texts"),
        log_severity_number,
        metric_names: patterns(d, "metric_names"),
        attributes: f
            .get("attributes")
            .map(|n| decode_attributes(d, n, &f.child("attributes")))
            .unwrap_or_default(),
        resources: f
            .get("resources")
            .map(|n| decode_attributes(d, n, &f.child("resources")))
            .unwrap_or_default(),
        libraries: f
            .get("libraries")
            .map(|n| decode_libraries(d, n, &f.child("libraries")))
            .unwrap_or_default(),
    })
}

pub fn decode_regexp_config(d: &mut Decoder, node: &Node, path: &str) -> Option<RegexpConfig> {
    let f = d.fields(node, path, &["cacheenabled", "cachemaxnumentries"])?;
    let cache_enabled = f
        .get("cacheenabled")
        .and_then(|n| d.boolean(n, &f.child("cacheenabled")))
        .unwrap_or(false);
    let cache_max_num_entries = f
        .get("cachemaxnumentries")
        .and_then(|n| d.int(n, &f.child("cachemaxnumentries")))
        .unwrap_or(0);
    Some(RegexpConfig {
        cache_enabled,
        cache_max_num_entries,
    })
}

/// A list of `{key, value}` (`filterconfig.Attribute`).
pub fn decode_attributes(d: &mut Decoder, node: &Node, path: &str) -> Vec<AttributeMatch> {
    let items = d.seq(node, path).unwrap_or_default();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let Some(f) = d.fields(item, &p, &["key", "value"]) else {
            continue;
        };
        let key = f
            .get("key")
            .and_then(|n| d.string(n, &f.child("key")))
            .unwrap_or_default();
        let value = f.get("value").map(any_value);
        out.push(AttributeMatch {
            key,
            value,
            node: item.clone(),
            regex: None,
        });
    }
    out
}

fn decode_libraries(d: &mut Decoder, node: &Node, path: &str) -> Vec<LibraryMatch> {
    let items = d.seq(node, path).unwrap_or_default();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let Some(f) = d.fields(item, &p, &["name", "version"]) else {
            continue;
        };
        let name = f
            .get("name")
            .and_then(|n| d.string(n, &f.child("name")))
            .unwrap_or_default();
        // `version: ""` and `version:` (null) differ: a *string pointer is nil only for null.
        let version = f
            .get("version")
            .and_then(|n| d.string(n, &f.child("version")));
        let pat = |text: String| Pattern {
            text,
            node: item.clone(),
            regex: None,
        };
        out.push(LibraryMatch {
            name: pat(name),
            version: version.map(pat),
        });
    }
    out
}

impl MatchProperties {
    /// The creation-time checks for `signal`. Returns false (after one diagnostic) on failure.
    pub fn build(&mut self, d: &mut Decoder, signal: Signal) -> bool {
        let mark = d.diags.len();
        let ok = match signal {
            Signal::Traces => self.build_spans(d),
            Signal::Logs => self.build_logs(d),
            Signal::Metrics => self.build_metrics(d),
            Signal::Profiles => true,
        };
        for diag in d.diags.iter_mut().skip(mark) {
            diag.notes.push(format!(
                "the collector checks this when it builds the processor for a {} pipeline",
                signal_name(signal)
            ));
        }
        ok
    }

    fn build_spans(&mut self, d: &mut Decoder) -> bool {
        let misplaced = [
            (
                !self.log_bodies.is_empty(),
                "log_bodies should not be specified for trace spans",
            ),
            (
                !self.log_severity_texts.is_empty(),
                "log_severity_texts should not be specified for trace spans",
            ),
            (
                self.log_severity_number.is_some(),
                "log_severity_number should not be specified for trace spans",
            ),
            (
                !self.metric_names.is_empty(),
                "metric_names should not be specified for trace spans",
            ),
        ];
        if let Some((_, msg)) = misplaced.iter().find(|(bad, _)| *bad) {
            d.error(
                &self.loc,
                *msg,
                "remove the log/metric fields from a block used for spans",
            );
            return false;
        }
        if self.services.is_empty()
            && self.span_names.is_empty()
            && self.attributes.is_empty()
            && self.libraries.is_empty()
            && self.resources.is_empty()
            && self.span_kinds.is_empty()
        {
            let msg = r#"at least one of "attributes", "libraries",  or "resources" field must be specified"#;
            d.error(&self.loc, msg, "add services, span_names, span_kinds, attributes, resources or libraries to match on, or remove the block");
            return false;
        }
        if self.match_type_text == "strict" {
            if let Some(bad) = self
                .span_kinds
                .iter()
                .find(|k| !SPAN_KINDS.contains(&k.text.as_str()))
            {
                let msg = format!("span_kinds string must match one of the standard span kinds when match_type=strict: [     {}]", SPAN_KINDS.join(" "));
                d.error(
                    &bad.node.loc,
                    msg,
                    format!(
                        "`{}` is not a span kind; write e.g. SPAN_KIND_SERVER",
                        bad.text
                    ),
                );
                return false;
            }
        }
        self.build_common(d)
            && self.compile(d, Field::Services, "error creating service name filters")
            && self.compile(d, Field::SpanNames, "error creating span name filters")
            && self.compile(d, Field::SpanKinds, "error creating span kind filters")
    }

    fn build_logs(&mut self, d: &mut Decoder) -> bool {
        if !(self.span_names.is_empty()
            && self.services.is_empty()
            && self.span_kinds.is_empty()
            && self.metric_names.is_empty())
        {
            d.error(
                &self.loc,
                "services, span_names, span_kinds and metric_names are not valid for log records",
                "remove the span/metric fields from a block used for logs",
            );
            return false;
        }
        if self.attributes.is_empty()
            && self.libraries.is_empty()
            && self.resources.is_empty()
            && self.log_bodies.is_empty()
            && self.log_severity_texts.is_empty()
            && self.log_severity_number.is_none()
        {
            let msg = r#"at least one of "attributes", "libraries", "span_kinds", "resources", "log_bodies", "log_severity_texts" or "log_severity_number" field must be specified"#;
            d.error(
                &self.loc,
                msg,
                "add something to match on, or remove the block",
            );
            return false;
        }
        self.build_common(d)
            && self.compile(
                d,
                Field::LogBodies,
                "error creating log record body filters",
            )
            && self.compile(
                d,
                Field::LogSeverityTexts,
                "error creating log record severity text filters",
            )
    }

    fn build_metrics(&mut self, d: &mut Decoder) -> bool {
        let wrong = !self.log_bodies.is_empty()
            || !self.log_severity_texts.is_empty()
            || !self.span_names.is_empty()
            || !self.services.is_empty()
            || !self.span_kinds.is_empty()
            || !self.attributes.is_empty()
            || !self.libraries.is_empty()
            || self.log_severity_number.is_some();
        if wrong {
            let msg = r#""span_names", "span_kinds", "log_bodies", "log_severity_texts", "log_severity_number", "services", "attributes" and "libraries" are not valid for metrics"#;
            d.error(
                &self.loc,
                msg,
                "use metric_names or resources in a block used for metrics",
            );
            return false;
        }
        if self.metric_names.is_empty() && self.resources.is_empty() {
            d.error(
                &self.loc,
                r#"at least one of "metric_names" or "resources" field must be specified"#,
                "add metric_names or resources, or remove the block",
            );
            return false;
        }
        // `filtermetric` treats `match_type: expr` without expressions as "match nothing".
        self.metric_names.is_empty()
            || self.match_type_text == "expr"
            || compile_set(
                d,
                &self.match_type_text,
                &self.loc,
                &mut self.metric_names,
                None,
            )
    }

    /// `filtermatcher.NewMatcher`: libraries, then span/record attributes, then resources.
    fn build_common(&mut self, d: &mut Decoder) -> bool {
        let (text, loc) = (self.match_type_text.clone(), self.loc.clone());
        for lib in &mut self.libraries {
            if !compile_set(
                d,
                &text,
                &loc,
                std::slice::from_mut(&mut lib.name),
                Some("error creating library name filters"),
            ) {
                return false;
            }
            if let Some(v) = &mut lib.version {
                if !compile_set(
                    d,
                    &text,
                    &loc,
                    std::slice::from_mut(v),
                    Some("error creating library version filters"),
                ) {
                    return false;
                }
            }
        }
        build_attributes(
            d,
            &text,
            &loc,
            &mut self.attributes,
            Some("error creating attribute filters"),
        ) && build_attributes(
            d,
            &text,
            &loc,
            &mut self.resources,
            Some("error creating resource filters"),
        )
    }

    fn compile(&mut self, d: &mut Decoder, field: Field, wrap: &str) -> bool {
        let (text, loc) = (self.match_type_text.clone(), self.loc.clone());
        let set = match field {
            Field::Services => &mut self.services,
            Field::SpanNames => &mut self.span_names,
            Field::SpanKinds => &mut self.span_kinds,
            Field::LogBodies => &mut self.log_bodies,
            Field::LogSeverityTexts => &mut self.log_severity_texts,
        };
        set.is_empty() || compile_set(d, &text, &loc, set, Some(wrap))
    }
}

#[derive(Clone, Copy)]
enum Field {
    Services,
    SpanNames,
    SpanKinds,
    LogBodies,
    LogSeverityTexts,
}

fn signal_name(s: Signal) -> &'static str {
    match s {
        Signal::Traces => "traces",
        Signal::Metrics => "metrics",
        Signal::Logs => "logs",
        Signal::Profiles => "profiles",
    }
}

/// The text of `filterset.NewUnrecognizedMatchTypeError`.
pub fn unrecognized_match_type(text: &str) -> String {
    format!("unrecognized match_type: '{text}', valid types are: [regexp strict]")
}

fn with_wrap(wrap: Option<&str>, msg: String) -> String {
    match wrap {
        Some(w) => format!("{w}: {msg}"),
        None => msg,
    }
}

/// `filterset.CreateFilterSet`: check the match type and compile every pattern when regexp.
pub fn compile_set(
    d: &mut Decoder,
    match_type: &str,
    loc: &Location,
    set: &mut [Pattern],
    wrap: Option<&str>,
) -> bool {
    match MatchType::parse(match_type) {
        Some(MatchType::Strict) => true,
        Some(MatchType::Regexp) => {
            for p in set.iter_mut() {
                match crate::ottl::runtime::re2::build(&p.text) {
                    Ok(re) => p.regex = Some(re),
                    Err(e) => {
                        let msg = with_wrap(wrap, go_regex_error(&p.text, &e));
                        d.error(
                            &p.node.loc,
                            msg,
                            "fix the regular expression (Go RE2 syntax)",
                        );
                        return false;
                    }
                }
            }
            true
        }
        None => {
            let msg = with_wrap(wrap, unrecognized_match_type(match_type));
            d.error(
                loc,
                msg,
                "set `match_type: strict` or `match_type: regexp` on this block",
            );
            false
        }
    }
}

/// `filtermatcher.NewAttributesMatcher`.
pub fn build_attributes(
    d: &mut Decoder,
    match_type: &str,
    loc: &Location,
    attrs: &mut [AttributeMatch],
    wrap: Option<&str>,
) -> bool {
    for a in attrs.iter_mut() {
        if a.key.is_empty() {
            d.error(
                &a.node.loc,
                with_wrap(
                    wrap,
                    "can't have empty key in the list of attributes".to_owned(),
                ),
                "give every attribute entry a `key`",
            );
            return false;
        }
        let Some(value) = &a.value else { continue };
        match MatchType::parse(match_type) {
            Some(MatchType::Regexp) => {
                let AnyValue::Str(text) = value else {
                    let msg = with_wrap(
                        wrap,
                        format!(
                            "match_type=regexp for {:?} only supports Str, but found {}",
                            a.key,
                            value.type_name()
                        ),
                    );
                    d.error(
                        &a.node.loc,
                        msg,
                        "quote the value: with match_type regexp it is a pattern",
                    );
                    return false;
                };
                match crate::ottl::runtime::re2::build(text) {
                    Ok(re) => a.regex = Some(re),
                    Err(e) => {
                        d.error(
                            &a.node.loc,
                            with_wrap(wrap, go_regex_error(text, &e)),
                            "fix the regular expression (Go RE2 syntax)",
                        );
                        return false;
                    }
                }
            }
            Some(MatchType::Strict) => {}
            None => {
                d.error(
                    loc,
                    with_wrap(wrap, unrecognized_match_type(match_type)),
                    "set `match_type: strict` or `match_type: regexp` on this block",
                );
                return false;
            }
        }
    }
    true
}

/// Go's `regexp.Compile` error shape (`error parsing regexp: <reason>: `+"`pattern`"), with the
/// common reasons translated to Go's words.
pub fn go_regex_error(pattern: &str, e: &crate::ottl::runtime::re2::Re2Error) -> String {
    use crate::ottl::runtime::re2::Re2Error;
    let e = match e {
        Re2Error::Limit(detail) if detail.starts_with("invalid repeat") => {
            return format!("error parsing regexp: {detail}");
        }
        Re2Error::Limit(detail) => return format!("error parsing regexp: {detail}: `{pattern}`"),
        Re2Error::Syntax(e) => e,
    };
    let text = e.to_string();
    let reason = if text.contains("unclosed group") {
        "missing closing )".to_owned()
    } else if text.contains("unopened group") {
        "unexpected )".to_owned()
    } else if text.contains("unclosed character class") {
        "missing closing ]".to_owned()
    } else if text.contains("repetition operator missing expression") {
        "missing argument to repetition operator".to_owned()
    } else {
        text.lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("invalid pattern")
            .trim()
            .trim_start_matches("error: ")
            .to_owned()
    };
    format!("error parsing regexp: {reason}: `{pattern}`")
}
