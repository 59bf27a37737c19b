//! Static findings about a redaction config: the parts otelcheck does not emulate, and
//! settings that remove or mask every attribute (`catch-all-rule`).

use crate::config::settings::redaction::RedactionSettings;
use crate::diag::Location;

/// Why a redaction config is not emulated (one warning per unemulated part), empty when it is.
pub fn not_emulated(s: &RedactionSettings, loc: &Location) -> Vec<crate::diag::Diagnostic> {
    use crate::diag::{codes, Diagnostic};
    let mut parts: Vec<&str> = Vec::new();
    if s.url_sanitizer.as_ref().is_some_and(|u| u.enabled) {
        parts.push("url_sanitizer");
    }
    if s.db_sanitizer.iter().any(|(_, d)| d.enabled) {
        parts.push("db_sanitizer");
    }
    if !s.skip_conditions.is_empty() {
        parts.push("skip_conditions");
    }
    parts
        .into_iter()
        .map(|p| {
            let at = s.key_locs.get(p).cloned().unwrap_or_else(|| loc.clone());
            Diagnostic::warning(
                codes::UNSUPPORTED_COMPONENT,
                format!("otelcheck does not emulate the redaction processor's `{p}`: the dry run passes spans through this processor unchanged, so its counts and --write-output do not show what it redacts"),
            )
            .at(at)
            .with_help("check this processor's effect in a staging collector; without the sanitizers and skip_conditions the rest of it is emulated")
        })
        .collect()
}

/// `catch-all-rule` for redaction settings that remove or mask every attribute: no allow-list
/// without `allow_all_keys` (fail closed: every key is deleted), or a blocked key pattern or
/// blocked value that matches the empty string (it matches every key or every value).
pub fn catch_all_lints(s: &RedactionSettings, loc: &Location) -> Vec<crate::diag::Diagnostic> {
    use crate::diag::{codes, Diagnostic};
    let mut out = Vec::new();
    if !s.allow_all_keys && s.allowed_keys.is_empty() {
        out.push(
            Diagnostic::error(
                codes::CATCH_ALL_RULE,
                "redaction has no `allowed_keys` and `allow_all_keys` is false: it deletes every attribute of every resource, scope, span and event (only its own redaction.* summary keys survive)",
            )
            .at(s.key_locs.get("allowed_keys").cloned().unwrap_or_else(|| loc.clone()))
            .with_help("list the keys to keep under `allowed_keys`, or set `allow_all_keys: true` and mask with `blocked_values`/`blocked_key_patterns`"),
        );
    }
    let lists = [
        (
            "blocked_key_patterns",
            &s.blocked_key_patterns,
            "every key, so every value is masked",
        ),
        (
            "blocked_values",
            &s.blocked_values,
            "every value, so every attribute is masked",
        ),
    ];
    for (key, regexes, what) in lists {
        let items = s.written.get(key).cloned().unwrap_or_default();
        for (i, re) in regexes.iter().enumerate() {
            if !re.is_match("") {
                continue;
            }
            let (text, at) = items
                .get(i)
                .cloned()
                .unwrap_or_else(|| (re.as_str().to_owned(), loc.clone()));
            out.push(
                Diagnostic::error(
                    codes::CATCH_ALL_RULE,
                    format!("`{key}: {text}` is a catch-all: it matches the empty string, so (unanchored) it matches {what}"),
                )
                .at(at)
                .with_help("match only what must be hidden, e.g. a card-number or e-mail pattern"),
            );
        }
    }
    out
}
