//! The `redaction` processor for traces, from the contrib source of a version near v0.156.0
//! (`processor/redactionprocessor/processor.go`; not checked against v0.156.0 behaviour).
//!
//! Per ResourceSpans: the resource's attributes, then per scope the scope's attributes, then per
//! span its attributes and each event's attributes — each map in one pass (`processAttrs`):
//! ignored keys pass; keys outside the allow-list (unless `allow_all_keys`) are scheduled for
//! deletion; a value matching `allowed_values` passes; a key matching `blocked_key_patterns` is
//! masked whole; otherwise each `blocked_values` regex, in list order, masks what it matches.
//! Masking writes `****` or the lowercase hex digest of the matched text (`hash_function`).
//! Non-string values are read as `""` unless `redact_all_types` (then `AsString()`), and become
//! strings when masked. Deletions happen after the pass (pdata `Remove`), then the `redaction.*`
//! summary attributes are written (`summary: info|debug`).
//!
//! Not emulated: `url_sanitizer`, `db_sanitizer` (attribute and span-name sanitizing) and
//! `skip_conditions`; a config using them is reported as not emulated as a whole.

use std::collections::{BTreeMap, HashSet};

use hmac::{Hmac, Mac};
use md5::Md5;
use regex::Regex;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use sha3::Sha3_256;

use super::api::{Ctx, DropLevel, Edit, Failed, Processor, Recorded, RuleAction, RuleInfo};
use super::attr_action::{as_string, field_name};
use crate::capture::model::{AnyValue, Attributes, Batch, Key};
use crate::config::settings::redaction::{HashFunction, RedactionSettings};
use crate::diag::Location;
use crate::ottl::runtime::EvalItem;

mod lints;

pub use lints::{catch_all_lints, not_emulated};

/// The summary attributes, always allowed (`makeAllowList`).
const SUMMARY_KEYS: [&str; 14] = [
    "redaction.redacted.keys",
    "redaction.redacted.count",
    "redaction.masked.keys",
    "redaction.masked.count",
    "redaction.allowed.keys",
    "redaction.allowed.count",
    "redaction.ignored.count",
    "redaction.body.redacted.keys",
    "redaction.body.redacted.count",
    "redaction.body.masked.keys",
    "redaction.body.masked.count",
    "redaction.body.allowed.keys",
    "redaction.body.allowed.count",
    "redaction.body.ignored.count",
];

/// Which rule of this processor did something; numbered in [`RedactionProcessor::rules`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    AllowList,
    BlockedKey(usize),
    BlockedValue(usize),
    AllowedValues,
    Ignored,
    Summary,
}

pub struct RedactionProcessor {
    allow_all_keys: bool,
    allowed: HashSet<String>,
    ignored: HashSet<String>,
    ignored_patterns: Vec<Regex>,
    blocked_keys: Vec<Regex>,
    blocked_values: Vec<Regex>,
    allowed_values: Vec<Regex>,
    hash: HashFunction,
    hmac_key: Vec<u8>,
    redact_all_types: bool,
    debug: bool,
    info: bool,
    /// (role, text as written, place, action), in rule-number order.
    infos: Vec<(Role, String, Location, RuleAction)>,
}

/// What one attribute map's pass did: per role, the edits it made.
struct Pass {
    edits: Vec<(Role, Edit)>,
    hits: Vec<Role>,
}

/// `.*`, the whole-value mask of blocked keys.
fn mask_all() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| Regex::new(".*").expect("static regex"))
}

impl RedactionProcessor {
    /// `None` when the config uses parts otelcheck does not emulate (sanitizers, skip
    /// conditions): the table then reports the processor as not emulated.
    pub fn new(s: &RedactionSettings, loc: &Location) -> Option<Self> {
        let sanitizing = s.url_sanitizer.as_ref().is_some_and(|u| u.enabled)
            || s.db_sanitizer.iter().any(|(_, d)| d.enabled);
        if sanitizing || !s.skip_conditions.is_empty() {
            return None;
        }
        let mut allowed: HashSet<String> = s.allowed_keys.iter().cloned().collect();
        allowed.extend(SUMMARY_KEYS.iter().map(|k| (*k).to_owned()));
        let mask_action = if s.hash_function == HashFunction::None {
            RuleAction::Redact
        } else {
            RuleAction::Hash
        };
        let key_loc = |k: &str| s.key_locs.get(k).cloned().unwrap_or_else(|| loc.clone());
        let items = |k: &str| s.written.get(k).cloned().unwrap_or_default();
        let list = |k: &str| {
            let texts: Vec<String> = items(k).into_iter().map(|(t, _)| t).collect();
            format!("{k}: [{}]", texts.join(", "))
        };
        let mut infos = Vec::new();
        if !s.allow_all_keys {
            infos.push((
                Role::AllowList,
                list("allowed_keys"),
                key_loc("allowed_keys"),
                RuleAction::Delete,
            ));
        }
        for (i, (text, at)) in items("blocked_key_patterns").into_iter().enumerate() {
            let t = format!("blocked_key_patterns: {text}");
            infos.push((Role::BlockedKey(i), t, at, mask_action));
        }
        for (i, (text, at)) in items("blocked_values").into_iter().enumerate() {
            let t = format!("blocked_values: {text}");
            infos.push((Role::BlockedValue(i), t, at, mask_action));
        }
        if !s.allowed_values.is_empty() {
            let t = list("allowed_values");
            infos.push((
                Role::AllowedValues,
                t,
                key_loc("allowed_values"),
                RuleAction::Pass,
            ));
        }
        if !s.ignored_keys.is_empty() || !s.ignored_key_patterns.is_empty() {
            let t = format!("{}; {}", list("ignored_keys"), list("ignored_key_patterns"));
            let at = s
                .key_locs
                .get("ignored_keys")
                .or_else(|| s.key_locs.get("ignored_key_patterns"))
                .cloned()
                .unwrap_or_else(|| loc.clone());
            infos.push((Role::Ignored, t, at, RuleAction::Pass));
        }
        let summary = s.summary.as_str();
        if matches!(summary, "info" | "debug") {
            let t = format!("summary: {summary}");
            infos.push((Role::Summary, t, key_loc("summary"), RuleAction::Set));
        }
        Some(Self {
            allow_all_keys: s.allow_all_keys,
            allowed,
            ignored: s.ignored_keys.iter().cloned().collect(),
            ignored_patterns: s.ignored_key_patterns.clone(),
            blocked_keys: s.blocked_key_patterns.clone(),
            blocked_values: s.blocked_values.clone(),
            allowed_values: s.allowed_values.clone(),
            hash: s.hash_function,
            hmac_key: s.hmac_key.as_bytes().to_vec(),
            redact_all_types: s.redact_all_types,
            debug: summary == "debug",
            info: summary == "info",
            infos,
        })
    }

    fn rule_of(&self, role: Role) -> usize {
        self.infos
            .iter()
            .position(|(r, ..)| *r == role)
            .unwrap_or(0)
    }

    /// `maskValue`: every match of `re` replaced by `****` or the digest of the matched text.
    fn mask(&self, text: &str, re: &Regex) -> String {
        re.replace_all(text, |c: &regex::Captures<'_>| self.digest(&c[0]))
            .into_owned()
    }

    fn digest(&self, m: &str) -> String {
        let b = m.as_bytes();
        match self.hash {
            HashFunction::None => "****".to_owned(),
            HashFunction::Md5 => hex::encode(Md5::digest(b)),
            HashFunction::Sha1 => hex::encode(Sha1::digest(b)),
            HashFunction::Sha3 => hex::encode(Sha3_256::digest(b)),
            HashFunction::HmacSha256 => {
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.hmac_key)
                    .expect("HMAC takes a key of any length");
                mac.update(b);
                hex::encode(mac.finalize().into_bytes())
            }
            HashFunction::HmacSha512 => {
                let mut mac = <Hmac<Sha512> as Mac>::new_from_slice(&self.hmac_key)
                    .expect("HMAC takes a key of any length");
                mac.update(b);
                hex::encode(mac.finalize().into_bytes())
            }
        }
    }

    fn ignored(&self, k: &str) -> bool {
        self.ignored.contains(k) || self.ignored_patterns.iter().any(|re| re.is_match(k))
    }

    /// `processAttrs` on one map; `prefix` names where the map is (`resource.`, `events[..].`).
    fn process_attrs(
        &self,
        attrs: &mut Attributes,
        level: DropLevel,
        prefix: &str,
        reveal: bool,
    ) -> Pass {
        let mut pass = Pass {
            edits: Vec::new(),
            hits: Vec::new(),
        };
        let (mut redacted, mut masked, mut allowed, mut ignored) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let field = |k: &str| format!("{prefix}{}", field_name(k));
        let mut entries: Vec<(Key, AnyValue)> = attrs.entries().to_vec();
        for (k, value) in &mut entries {
            let k = k.as_str();
            if self.ignored(k) {
                ignored.push(k.to_owned());
                pass.hits.push(Role::Ignored);
                continue;
            }
            if !self.allow_all_keys && !self.allowed.contains(k) {
                redacted.push(k.to_owned());
                continue;
            }
            let text = match (&*value, self.redact_all_types) {
                (_, true) => as_string(value),
                (AnyValue::Str(s), false) => s.to_string(),
                // pcommon `Str()` on another type.
                _ => String::new(),
            };
            if self.allowed_values.iter().any(|re| re.is_match(&text)) {
                allowed.push(k.to_owned());
                pass.hits.push(Role::AllowedValues);
                continue;
            }
            let before = Recorded::protected(Some(value), reveal);
            if let Some(i) = self.blocked_keys.iter().position(|re| re.is_match(k)) {
                masked.push(k.to_owned());
                *value = AnyValue::Str(self.mask(&text, mask_all()).into());
                let edit = Edit {
                    level,
                    field: field(k),
                    before,
                    after: Recorded::Shown(value.clone()),
                };
                pass.edits.push((Role::BlockedKey(i), edit));
                continue;
            }
            let mut current = text.clone();
            let mut by: Option<usize> = None;
            for (i, re) in self.blocked_values.iter().enumerate() {
                if re.is_match(&current) {
                    current = self.mask(&current, re);
                    by.get_or_insert(i);
                }
            }
            if current != text {
                masked.push(k.to_owned());
                *value = AnyValue::Str(current.into());
                let edit = Edit {
                    level,
                    field: field(k),
                    before,
                    after: Recorded::Shown(value.clone()),
                };
                // Attributed to the first regex that changed the value.
                pass.edits.push((Role::BlockedValue(by.unwrap_or(0)), edit));
            }
        }
        *attrs = Attributes::from_pairs(entries);
        for k in &redacted {
            if let Some(old) = remove_swap(attrs, k) {
                let edit = Edit {
                    level,
                    field: field(k),
                    before: Recorded::protected(Some(&old), reveal),
                    after: Recorded::Absent,
                };
                pass.edits.push((Role::AllowList, edit));
            }
        }
        let mut summary = |keys: Vec<String>, values: &str, count: &str| {
            for e in self.add_meta(keys, attrs, values, count, level, prefix) {
                pass.edits.push((Role::Summary, e));
            }
        };
        summary(
            redacted,
            "redaction.redacted.keys",
            "redaction.redacted.count",
        );
        summary(masked, "redaction.masked.keys", "redaction.masked.count");
        summary(allowed, "redaction.allowed.keys", "redaction.allowed.count");
        summary(ignored, "", "redaction.ignored.count");
        pass
    }

    /// `addMetaAttrs`: the sorted key list (debug, merged with an existing list) and the count
    /// (info or debug, added to an existing Int count).
    fn add_meta(
        &self,
        mut keys: Vec<String>,
        attrs: &mut Attributes,
        values_attr: &str,
        count_attr: &str,
        level: DropLevel,
        prefix: &str,
    ) -> Vec<Edit> {
        let mut edits = Vec::new();
        if keys.is_empty() {
            return edits;
        }
        let mut count = keys.len() as i64;
        let mut put = |attrs: &mut Attributes, k: &str, v: AnyValue| {
            let before = Recorded::of(attrs.get(k));
            edits.push(Edit {
                level,
                field: format!("{prefix}{}", field_name(k)),
                before,
                after: Recorded::Shown(v.clone()),
            });
            attrs.upsert(Key::of(k), v);
        };
        if self.debug && !values_attr.is_empty() {
            if let Some(AnyValue::Str(existing)) = attrs.get(values_attr) {
                if !existing.is_empty() {
                    keys.extend(existing.split(',').map(str::to_owned));
                }
            }
            keys.sort();
            put(attrs, values_attr, AnyValue::Str(keys.join(",").into()));
        }
        if self.info || self.debug {
            if let Some(AnyValue::Int(n)) = attrs.get(count_attr) {
                count += n;
            }
            put(attrs, count_attr, AnyValue::Int(count));
        }
        edits
    }
}

/// pdata `Map.Remove`: the last entry takes the removed one's place.
fn remove_swap(attrs: &mut Attributes, key: &str) -> Option<AnyValue> {
    let idx = attrs
        .entries()
        .iter()
        .position(|(k, _)| k.as_str() == key)?;
    let mut pairs = attrs.entries().to_vec();
    let (_, old) = pairs.swap_remove(idx);
    *attrs = Attributes::from_pairs(pairs);
    Some(old)
}

impl Processor for RedactionProcessor {
    fn process(
        &mut self,
        mut batch: Batch,
        ctx: &mut Ctx<'_>,
        out: &mut Vec<Batch>,
    ) -> Result<(), Failed> {
        let empty = crate::capture::model::Scope::default();
        for rs in &mut batch.resource_spans {
            let res = self.process_attrs(
                &mut rs.resource.attributes,
                DropLevel::Resource,
                "resource.",
                ctx.reveal,
            );
            for (role, e) in &res.edits {
                ctx.observer.edited(
                    ctx.at.rule(self.rule_of(*role)),
                    &rs.resource,
                    &empty,
                    None,
                    e,
                );
            }
            for ss in &mut rs.scope_spans {
                let sc = self.process_attrs(
                    &mut ss.scope.attributes,
                    DropLevel::Scope,
                    "scope.",
                    ctx.reveal,
                );
                for (role, e) in &sc.edits {
                    ctx.observer.edited(
                        ctx.at.rule(self.rule_of(*role)),
                        &rs.resource,
                        &ss.scope,
                        None,
                        e,
                    );
                }
                for span in &mut ss.spans {
                    let mut passes = vec![self.process_attrs(
                        &mut span.attributes,
                        DropLevel::Span,
                        "",
                        ctx.reveal,
                    )];
                    for ev in &mut span.events {
                        let prefix =
                            format!("events[{}].", serde_json::Value::String(ev.name.clone()));
                        passes.push(self.process_attrs(
                            &mut ev.attributes,
                            DropLevel::SpanEvent,
                            &prefix,
                            ctx.reveal,
                        ));
                    }
                    let item = EvalItem {
                        resource: &rs.resource,
                        scope: &ss.scope,
                        span: Some(span),
                        event: None,
                    };
                    let mut per_rule: BTreeMap<usize, bool> =
                        (0..self.infos.len()).map(|i| (i, false)).collect();
                    for p in &passes {
                        for (role, _) in &p.edits {
                            per_rule.insert(self.rule_of(*role), true);
                        }
                        for role in &p.hits {
                            per_rule.insert(self.rule_of(*role), true);
                        }
                    }
                    for (rule, hit) in per_rule {
                        ctx.observer.evaluated(ctx.at.rule(rule), &item, Ok(hit));
                    }
                    for p in &passes {
                        for (role, e) in &p.edits {
                            ctx.observer.edited(
                                ctx.at.rule(self.rule_of(*role)),
                                &rs.resource,
                                &ss.scope,
                                Some(span),
                                e,
                            );
                        }
                    }
                }
            }
        }
        out.push(batch);
        Ok(())
    }

    fn rules(&self) -> Vec<RuleInfo> {
        self.infos
            .iter()
            .map(|(_, text, location, action)| RuleInfo {
                text: text.clone(),
                location: location.clone(),
                action: *action,
                read_keys: Vec::new(),
                examples_on_match: true,
                data_findings: false,
                operands: None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_value_mask_replaces_once_like_go() {
        // Go: "Empty matches abutting a preceding match are ignored": `.*` on "abc" is one match.
        assert_eq!(mask_all().replace_all("abc", "****"), "****");
        assert_eq!(mask_all().replace_all("", "****"), "****");
        // Go's ReplaceAllString("baaac", "a*" → "****") gives "****b****c****".
        let re = Regex::new("a*").unwrap();
        assert_eq!(re.replace_all("baaac", "****"), "****b****c****");
    }

    #[test]
    fn digests_are_lowercase_hex() {
        assert_eq!(
            hex::encode(Md5::digest(b"abc")),
            "900150983cd24fb0d6963f7d28e17f72"
        );
        assert_eq!(
            hex::encode(Sha1::digest(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex::encode(Sha3_256::digest(b"abc")),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"
        );
    }
}
