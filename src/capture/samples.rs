//! Sample values for `otelcheck inspect`: a few distinct values per attribute key, so a user
//! writing a rule sees what the collector would compare against. Values that look like
//! credentials, card numbers or e-mail addresses — or whose key names a secret — are masked
//! here, where they are recorded, so no report ever holds them.

use std::sync::OnceLock;

use super::model::AnyValue;

/// Distinct sample values kept per key.
pub const PER_KEY: usize = 3;
/// Characters of a sample shown before it is cut.
const MAX_CHARS: usize = 48;

fn secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "authorization",
        "cookie",
        "token",
        "secret",
        "password",
        "passwd",
        "api_key",
        "apikey",
        "api-key",
        "credential",
        "session",
        "email",
        "card",
    ]
    .iter()
    .any(|w| k.contains(w))
}

fn secret_value(v: &str) -> bool {
    static RE: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"(?i)\b(bearer|basic)\s+\S|[^@\s/?=&]+@[^@\s/?=&]+\.[a-z]{2,}|\d(?:[ -]?\d){12,18}",
        )
        .ok()
    });
    re.as_ref().is_none_or(|re| re.is_match(v))
}

/// The text shown for `value` of attribute `key`.
pub fn sample(key: &str, value: &AnyValue) -> String {
    let text = match value {
        AnyValue::Str(s) => s.to_string(),
        AnyValue::Bool(b) => b.to_string(),
        AnyValue::Int(i) => i.to_string(),
        AnyValue::Double(d) => d.to_string(),
        other => return format!("<{}>", other.type_name()),
    };
    if secret_key(key) || secret_value(&text) {
        return format!("<masked, {} chars>", text.chars().count());
    }
    if text.chars().count() > MAX_CHARS {
        let cut: String = text.chars().take(MAX_CHARS).collect();
        return format!("{cut}…");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::sample;
    use crate::capture::model::AnyValue;

    fn s(v: &str) -> AnyValue {
        AnyValue::Str(v.into())
    }

    #[test]
    fn secrets_are_masked_and_ordinary_values_shown() {
        assert_eq!(sample("http.route", &s("/orders/<id>")), "/orders/<id>");
        assert!(
            sample("http.request.header.authorization", &s("Bearer abc")).starts_with("<masked")
        );
        assert!(sample("url.full", &s("http://x/pay?card=4111111111111111")).starts_with("<masked"));
        assert!(sample("url.full", &s("http://x/?to=a.b@example.com")).starts_with("<masked"));
        assert_eq!(sample("http.status_code", &AnyValue::Int(200)), "200");
    }
}
