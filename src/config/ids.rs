//! Component ids (`type[/name]`) and pipeline ids (`signal[/name]`), parsed with the rules
//! and error texts of collector core v0.156.0 (`component.ID`, `pipeline.ID`).
//!
//! Both split at the first `/` and trim both halves; an empty half is an error, the type must
//! be a short identifier and the name may hold anything but spaces, control characters and
//! symbols. Error texts match upstream so users can search for them.

use std::fmt;
use std::str::FromStr;

/// A pipeline's data type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signal {
    Traces,
    Metrics,
    Logs,
    Profiles,
}

impl Signal {
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Traces => "traces",
            Signal::Metrics => "metrics",
            Signal::Logs => "logs",
            Signal::Profiles => "profiles",
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Signal {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "traces" => Ok(Signal::Traces),
            "metrics" => Ok(Signal::Metrics),
            "logs" => Ok(Signal::Logs),
            "profiles" => Ok(Signal::Profiles),
            _ => Err(format!("unknown pipeline signal: {s:?}")),
        }
    }
}

/// `type[/name]` of a configured component.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentId {
    pub ty: String,
    pub name: Option<String>,
}

impl ComponentId {
    pub fn new(ty: impl Into<String>, name: Option<&str>) -> Self {
        Self {
            ty: ty.into(),
            name: name.map(str::to_owned),
        }
    }
}

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(f, "{}/{}", self.ty, n),
            None => f.write_str(&self.ty),
        }
    }
}

impl FromStr for ComponentId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (ty, name) = split_id(s)?;
        validate_type(ty).map_err(|e| format!("in {s:?} id: {e}"))?;
        Ok(ComponentId {
            ty: ty.to_owned(),
            name: name.map(str::to_owned),
        })
    }
}

/// Parse `signal[/name]` of a pipeline.
pub fn parse_pipeline_id(s: &str) -> Result<(Signal, Option<String>), String> {
    let (signal, name) = split_id(s)?;
    let signal = signal
        .parse::<Signal>()
        .map_err(|e| format!("in {s:?} id: {e}"))?;
    Ok((signal, name.map(str::to_owned)))
}

/// The shared half of both id kinds: split, trim, check the name.
fn split_id(s: &str) -> Result<(&str, Option<&str>), String> {
    let (first, rest) = match s.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let first = first.trim();
    if first.is_empty() {
        return Err(match rest {
            Some(_) => format!("in {s:?} id: the part before / should not be empty"),
            None => "id must not be empty".to_owned(),
        });
    }
    let Some(name) = rest else {
        return Ok((first, None));
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("in {s:?} id: the part after / should not be empty"));
    }
    validate_name(name).map_err(|e| format!("in {name:?} id: {e}"))?;
    Ok((first, Some(name)))
}

/// `^[a-zA-Z][0-9a-zA-Z_]{0,62}$`
fn validate_type(ty: &str) -> Result<(), String> {
    let mut chars = ty.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if first_ok && rest_ok && ty.len() <= 63 {
        Ok(())
    } else {
        Err(format!("invalid character(s) in type {ty:?}"))
    }
}

/// 1..=1024 bytes of anything but separators, control/format characters and symbols
/// (`[^\pZ\pC\pS]+`).
fn validate_name(name: &str) -> Result<(), String> {
    if name.len() > 1024 {
        return Err(format!(
            "name {name:?} is longer than 1024 characters ({} characters)",
            name.len()
        ));
    }
    static BAD: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let bad = BAD.get_or_init(|| regex::Regex::new(r"[\pZ\pC\pS]").ok());
    match bad {
        Some(re) if re.is_match(name) => Err(format!("invalid character(s) in name {name:?}")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_ids() {
        let id: ComponentId = " otlp / 2 ".parse().unwrap();
        assert_eq!(id, ComponentId::new("otlp", Some("2")));
        assert_eq!(id.to_string(), "otlp/2");
        let id: ComponentId = "attributes/a/b".parse().unwrap();
        assert_eq!(id.name.as_deref(), Some("a/b"));
    }

    #[test]
    fn rejects_bad_ids_with_upstream_text() {
        let err = |s: &str| s.parse::<ComponentId>().unwrap_err();
        assert_eq!(
            err("debug/"),
            r#"in "debug/" id: the part after / should not be empty"#
        );
        assert_eq!(
            err("/x"),
            r#"in "/x" id: the part before / should not be empty"#
        );
        assert_eq!(err(""), "id must not be empty");
        assert_eq!(
            err("1otlp"),
            r#"in "1otlp" id: invalid character(s) in type "1otlp""#
        );
        assert_eq!(
            err("my-proc"),
            r#"in "my-proc" id: invalid character(s) in type "my-proc""#
        );
        assert_eq!(
            err("otlp/a b"),
            r#"in "a b" id: invalid character(s) in name "a b""#
        );
        assert_eq!(
            err("otlp/a+b"),
            r#"in "a+b" id: invalid character(s) in name "a+b""#
        );
        assert!("otlp/a.b-c_d".parse::<ComponentId>().is_ok());
    }

    #[test]
    fn pipeline_ids() {
        assert_eq!(
            parse_pipeline_id("traces/in").unwrap(),
            (Signal::Traces, Some("in".into()))
        );
        assert_eq!(
            parse_pipeline_id("foo").unwrap_err(),
            r#"in "foo" id: unknown pipeline signal: "foo""#
        );
        assert_eq!(
            parse_pipeline_id("Traces").unwrap_err(),
            r#"in "Traces" id: unknown pipeline signal: "Traces""#
        );
    }
}
