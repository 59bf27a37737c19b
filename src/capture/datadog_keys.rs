//! DataDog tag key → OpenTelemetry attribute key, as the contrib datadog receiver renames them
//! (`internal/translator/tags.go`, semconv 1.38–1.40 names).
//!
//! The fixed table is looked up with the key lower-cased; the two header prefixes are matched
//! case-sensitively on the original key (that asymmetry is upstream's). Unknown keys pass
//! through unchanged, `_dd.*` included.

use crate::capture::model::Key;

/// (DataDog key, OTel key); the DataDog side is lower case.
const KNOWN: &[(&str, &str)] = &[
    ("env", "deployment.environment.name"),
    ("service", "service.name"),
    ("version", "service.version"),
    ("container_id", "container.id"),
    ("container_name", "container.name"),
    ("image_name", "container.image.name"),
    ("image_tag", "container.image.tags"),
    ("runtime", "container.runtime.name"),
    ("cloud_provider", "cloud.provider"),
    ("region", "cloud.region"),
    ("zone", "cloud.availability_zone"),
    ("task_family", "aws.ecs.task.family"),
    ("task_arn", "aws.ecs.task.arn"),
    ("ecs_cluster_name", "aws.ecs.cluster.arn"),
    ("task_version", "aws.ecs.task.revision"),
    ("ecs_container_name", "aws.ecs.container.arn"),
    ("kube_container_name", "k8s.container.name"),
    ("kube_cluster_name", "k8s.cluster.name"),
    ("kube_deployment", "k8s.deployment.name"),
    ("kube_replica_set", "k8s.replicaset.name"),
    ("kube_stateful_set", "k8s.statefulset.name"),
    ("kube_daemon_set", "k8s.daemonset.name"),
    ("kube_job", "k8s.job.name"),
    ("kube_cronjob", "k8s.cronjob.name"),
    ("kube_namespace", "k8s.namespace.name"),
    ("pod_name", "k8s.pod.name"),
    ("http.client_ip", "client.address"),
    ("http.response.content_length", "http.response.body.size"),
    ("http.status_code", "http.response.status_code"),
    ("http.request.content_length", "http.request.body.size"),
    ("http.referer", "http.request.header.referer"),
    ("http.method", "http.request.method"),
    ("http.route", "http.route"),
    ("http.version", "network.protocol.version"),
    ("http.server_name", "server.address"),
    ("http.url", "url.full"),
    ("http.useragent", "user_agent.original"),
    ("aws.s3.bucket_name", "aws.s3.bucket"),
    ("aws.response.request_id", "aws.request_id"),
    ("aws.service", "rpc.service"),
    ("aws.operation", "rpc.method"),
    ("db.type", "db.system.name"),
    ("db.operation", "db.operation.name"),
    ("db.instance", "db.namespace"),
    ("db.sql.table", "db.collection.name"),
    ("db.pool.name", "db.client.connection.pool.name"),
    ("db.statement", "db.query.text"),
    ("process_id", "process.pid"),
    ("error.stacktrace", "exception.stacktrace"),
    ("error.msg", "exception.message"),
];

/// The OTel attribute key the receiver writes for DataDog key `key`.
pub fn translate_key(key: &str) -> String {
    // Case-insensitive like Go's strings.ToLower + lookup. The table is ASCII, so an ASCII key
    // needs no lowered copy; other keys (e.g. with a Kelvin sign, which lowers to `k`) take the
    // Unicode-aware path.
    let known = if key.is_ascii() {
        KNOWN.iter().find(|(dd, _)| dd.eq_ignore_ascii_case(key))
    } else {
        let lower = key.to_lowercase();
        KNOWN.iter().find(|(dd, _)| *dd == lower)
    };
    if let Some((_, otel)) = known {
        return (*otel).to_string();
    }
    if let Some(h) = key.strip_prefix("http.response.headers.") {
        return format!("http.response.header.{h}");
    }
    if let Some(h) = key.strip_prefix("http.request.headers.") {
        return format!("http.request.header.{h}");
    }
    key.to_string()
}

/// [`translate_key`] for an interned key: an unchanged key is returned as it is. Each distinct
/// key is translated once per thread and remembered by its pointer (a capture repeats a few
/// hundred keys millions of times; the memo is bounded by the key interner's own bound).
pub fn translate_interned(key: Key) -> Key {
    thread_local! {
        static TRANSLATED: std::cell::RefCell<rustc_hash::FxHashMap<Key, Key>> =
            std::cell::RefCell::new(rustc_hash::FxHashMap::default());
    }
    TRANSLATED.with(|memo| {
        if let Some(&k) = memo.borrow().get(&key) {
            return k;
        }
        let translated = if needs_rename(&key) {
            Key::of(&translate_key(&key))
        } else {
            key
        };
        memo.borrow_mut().insert(key, translated);
        translated
    })
}

/// The rename table by its (lower-case) DataDog key, built once.
fn known_index() -> &'static rustc_hash::FxHashMap<&'static str, &'static str> {
    static INDEX: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, &'static str>> =
        std::sync::OnceLock::new();
    INDEX.get_or_init(|| KNOWN.iter().copied().collect())
}

fn needs_rename(key: &str) -> bool {
    if !key.is_ascii() || key.bytes().any(|b| b.is_ascii_uppercase()) {
        return true; // rare: let translate_key lower-case it
    }
    known_index().contains_key(key)
        || key.starts_with("http.response.headers.")
        || key.starts_with("http.request.headers.")
}

#[cfg(test)]
mod tests {
    use super::translate_key;

    #[test]
    fn renames_case_insensitively_but_header_prefixes_exactly() {
        assert_eq!(translate_key("HTTP.Method"), "http.request.method");
        // U+212A KELVIN SIGN lowers to `k` in Go and in Rust.
        assert_eq!(translate_key("\u{212A}ube_namespace"), "k8s.namespace.name");
        assert_eq!(
            translate_key("http.status_code"),
            "http.response.status_code"
        );
        assert_eq!(
            translate_key("http.request.headers.x-id"),
            "http.request.header.x-id"
        );
        assert_eq!(
            translate_key("HTTP.request.headers.x-id"),
            "HTTP.request.headers.x-id"
        );
        assert_eq!(translate_key("_dd.p.tid"), "_dd.p.tid");
        assert_eq!(translate_key("error.message"), "error.message");
    }
}
