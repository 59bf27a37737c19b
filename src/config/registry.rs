//! The component types a contrib v0.156.0 collector knows, by kind, with their signals.
//!
//! Why a table: `otelcol validate` rejects a type that no factory provides (`unknown type`).
//!
//! Source: what the otelcol-contrib v0.156.0 manifest builds, i.e.
//! `distributions/otelcol-contrib/manifest.yaml` of opentelemetry-collector-releases at tag
//! `v0.156.0` (commit aa158b23c8f89d795b21a05a49b3978565dfebd4): its contrib modules, the core
//! ones it pulls in (`otlp`, `nop` receivers; `debug`, `nop`, `otlp_grpc`, `otlp_http`
//! exporters; `batch`, `memory_limiter` processors; `forward` connector; `zpages`), and the
//! OBI receiver (`obi`). A module's type name is its `metadata.yaml` type; components removed
//! before v0.156.0 (`opencensus`, `sapm`, `jmx`, `loki` exporter, `routing` processor, ...)
//! are not listed, so they are `unknown type` as in the collector.
//!
//! Many types were renamed to snake_case around v0.156.0 (`otlp` exporter → `otlp_grpc`,
//! `k8sattributes` → `k8s_attributes`, `apachespark` → `apache_spark`, ...); the old spelling
//! stays accepted as a deprecated alias. Where the release of a rename could not be pinned,
//! both spellings are listed, so a real component is never reported as unknown. How a processor
//! type is replayed is not here: `engine::table` is the one place that says. Signals are
//! filled in where the upstream `metadata.yaml` was read (an empty list means "not known", and
//! no signal check is made).

use super::model::{ComponentKind, Signal};

/// One component type of the distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComponentType {
    pub kind: ComponentKind,
    pub name: &'static str,
    /// Pipeline signals the type supports; empty when not known.
    pub signals: &'static [Signal],
}

use ComponentKind::{Connector as C, Exporter as E, Extension as X, Processor as P, Receiver as R};
use Signal::{Logs as L, Metrics as M, Profiles as F, Traces as T};

const ALL: &[Signal] = &[T, M, L, F];
const TML: &[Signal] = &[T, M, L];
const NONE: &[Signal] = &[];

const fn ty(kind: ComponentKind, name: &'static str, signals: &'static [Signal]) -> ComponentType {
    ComponentType {
        kind,
        name,
        signals,
    }
}

/// Types with signals read from upstream `metadata.yaml` files, or modelled by otelcheck.
const KNOWN: &[ComponentType] = &[
    // receivers
    ty(R, "otlp", ALL),
    ty(R, "datadog", NONE),
    ty(R, "jaeger", &[T]),
    ty(R, "zipkin", &[T]),
    ty(R, "kafka", ALL),
    ty(R, "awsxray", &[T]),
    ty(R, "file_log", &[L]),
    ty(R, "prometheus", &[M]),
    ty(R, "statsd", &[M]),
    ty(R, "awscontainerinsightreceiver", &[M]),
    ty(R, "awsecscontainermetrics", &[M]),
    // processors
    ty(P, "filter", ALL),
    ty(P, "transform", NONE),
    ty(P, "attributes", TML),
    ty(P, "resource", ALL),
    ty(P, "span", &[T]),
    ty(P, "redaction", NONE),
    ty(P, "probabilistic_sampler", &[T, L]),
    ty(P, "tail_sampling", &[T]),
    ty(P, "batch", TML),
    ty(P, "memory_limiter", ALL),
    ty(P, "groupbytrace", &[T]),
    ty(P, "k8s_attributes", ALL),
    ty(P, "resource_detection", ALL),
    ty(P, "cumulativetodelta", &[M]),
    ty(P, "deltatocumulative", &[M]),
    ty(P, "deltatorate", &[M]),
    ty(P, "metrics_transform", &[M]),
    ty(P, "metricsgeneration", &[M]),
    // exporters
    ty(E, "debug", ALL),
    ty(E, "otlp_grpc", ALL),
    ty(E, "otlp_http", ALL),
    ty(E, "file", ALL),
    ty(E, "kafka", ALL),
    ty(E, "datadog", TML),
    ty(E, "load_balancing", TML),
    ty(E, "signalfx", TML),
    ty(E, "logzio", &[T, L]),
    ty(E, "awsxray", &[T]),
    ty(E, "awsemf", &[M]),
    ty(E, "awscloudwatchlogs", &[L]),
    ty(E, "prometheus", &[M]),
    ty(E, "prometheus_remote_write", &[M]),
    // connectors: the signal pairs live in `connector_supports`
    ty(C, "forward", NONE),
    // extensions
    ty(X, "zpages", NONE),
    ty(X, "health_check", NONE),
    ty(X, "pprof", NONE),
    ty(X, "sigv4auth", NONE),
    ty(X, "ecs_observer", NONE),
];

const RECEIVERS: &[&str] = &[
    "active_directory_ds",
    "aerospike",
    "apache",
    "apache_spark",
    "apachespark",
    "aws_cloudwatch",
    "aws_lambda",
    "awscloudwatch",
    "awscontainerinsightreceiver",
    "awsecscontainermetrics",
    "awsfirehose",
    "awss3",
    "awsxray",
    "azure_blob",
    "azure_event_hub",
    "azure_monitor",
    "azureblob",
    "azureeventhub",
    "azuremonitor",
    "carbon",
    "chrony",
    "cisco_os",
    "cloud_foundry",
    "cloudflare",
    "cloudfoundry",
    "collectd",
    "couchdb",
    "datadog",
    "docker_stats",
    "elasticsearch",
    "envoy_als",
    "envoyals",
    "expvar",
    "faro",
    "file_log",
    "file_stats",
    "filestats",
    "flink_metrics",
    "flinkmetrics",
    "fluent_forward",
    "fluentforward",
    "github",
    "gitlab",
    "google_cloud_spanner",
    "googlecloudmonitoring",
    "googlecloudpubsub",
    "googlecloudspanner",
    "haproxy",
    "host_metrics",
    "hostmetrics",
    "http_check",
    "httpcheck",
    "iis",
    "influxdb",
    "jaeger",
    "journald",
    "k8s_cluster",
    "k8s_events",
    "k8s_objects",
    "k8sobjects",
    "kafka",
    "kafka_metrics",
    "kafkametrics",
    "kubelet_stats",
    "kubeletstats",
    "libhoney",
    "loki",
    "macos_unified_logging",
    "memcached",
    "mongodb",
    "mongodb_atlas",
    "mongodbatlas",
    "mysql",
    "named_pipe",
    "namedpipe",
    "netflow",
    "nginx",
    "nop",
    "nsxt",
    "ntp",
    "obi",
    "oracledb",
    "otelarrow",
    "otlp_json_file",
    "otlpjsonfile",
    "podman_stats",
    "postgresql",
    "pprof",
    "prometheus",
    "prometheus_remote_write",
    "prometheus_simple",
    "pulsar",
    "purefa",
    "purefb",
    "rabbitmq",
    "receiver_creator",
    "redis",
    "riak",
    "saphana",
    "signalfx",
    "skywalking",
    "snmp",
    "snowflake",
    "solace",
    "splunk_enterprise",
    "splunk_hec",
    "splunkenterprise",
    "sqlquery",
    "sqlserver",
    "ssh_check",
    "sshcheck",
    "statsd",
    "stef",
    "syslog",
    "systemd",
    "tcp_check",
    "tcp_log",
    "tcpcheck",
    "tcplog",
    "tls_check",
    "tlscheck",
    "udp_log",
    "udplog",
    "vcenter",
    "wavefront",
    "webhook_event",
    "webhookevent",
    "windows_event_log",
    "windows_service",
    "windowseventlog",
    "windowsperfcounters",
    "yang_grpc",
    "zipkin",
    "zookeeper",
];

const PROCESSORS: &[&str] = &[
    "attributes",
    "coralogix",
    "cumulativetodelta",
    "deltatocumulative",
    "deltatorate",
    "drain",
    "filter",
    "gen_ai_normalizer",
    "geoip",
    "groupbyattrs",
    "groupbytrace",
    "interval",
    "isolationforest",
    "k8s_attributes",
    "log_dedup",
    "logdedup",
    "metric_start_time",
    "metrics_transform",
    "metricsgeneration",
    "probabilistic_sampler",
    "redaction",
    "remotetap",
    "resource",
    "resource_detection",
    "schema",
    "span",
    "sumologic",
    "tail_sampling",
    "transform",
    "unroll",
];

const EXPORTERS: &[&str] = &[
    "alibabacloud_logservice",
    "awscloudwatchlogs",
    "awsemf",
    "awskinesis",
    "awss3",
    "awsxray",
    "azure_blob",
    "azureblob",
    "azuredataexplorer",
    "azuremonitor",
    "bmc_helix",
    "bmchelix",
    "cassandra",
    "clickhouse",
    "coralogix",
    "datadog",
    "dataset",
    "doris",
    "elasticsearch",
    "faro",
    "file",
    "google_cloud_storage",
    "googlecloud",
    "googlecloudpubsub",
    "googlemanagedprometheus",
    "honeycomb_marker",
    "honeycombmarker",
    "influxdb",
    "kafka",
    "load_balancing",
    "logicmonitor",
    "logzio",
    "mezmo",
    "nop",
    "opensearch",
    "otelarrow",
    "prometheus",
    "prometheus_remote_write",
    "pulsar",
    "rabbitmq",
    "sentry",
    "signalfx",
    "splunk_hec",
    "stef",
    "sumologic",
    "syslog",
    "tencentcloud_logservice",
    "tinybird",
    "zipkin",
];

const CONNECTORS: &[&str] = &[
    "count",
    "datadog",
    "exceptions",
    "failover",
    "grafanacloud",
    "otlp_json",
    "otlpjson",
    "round_robin",
    "roundrobin",
    "routing",
    "service_graph",
    "servicegraph",
    "signal_to_metrics",
    "signaltometrics",
    "span_metrics",
    "spanmetrics",
    "sum",
];

const EXTENSIONS: &[&str] = &[
    "ack",
    "asapclient",
    "aws_logs_encoding",
    "awscloudwatchmetricstreams_encoding",
    "awsproxy",
    "azure_auth",
    "azure_encoding",
    "basicauth",
    "bearertokenauth",
    "cgroup_runtime",
    "cgroupruntime",
    "datadog",
    "db_storage",
    "docker_observer",
    "ecs_observer",
    "file_storage",
    "google_cloud_logentry_encoding",
    "googleclientauth",
    "headers_setter",
    "health_check",
    "host_observer",
    "http_forwarder",
    "jaeger_encoding",
    "jaegerremotesampling",
    "json_log_encoding",
    "k8s_leader_elector",
    "k8s_observer",
    "kafkatopics_observer",
    "oauth2client",
    "oidc",
    "opamp",
    "otlp_encoding",
    "pebble_tail_storage",
    "pprof",
    "redis_storage",
    "sigv4auth",
    "skywalking_encoding",
    "sumologic",
    "text_encoding",
    "zipkin_encoding",
];

/// Deprecated spellings upstream still accepts: (kind, old, current).
const ALIASES: &[(ComponentKind, &str, &str)] = &[
    (E, "otlp", "otlp_grpc"),
    (E, "otlphttp", "otlp_http"),
    (E, "loadbalancing", "load_balancing"),
    (E, "prometheusremotewrite", "prometheus_remote_write"),
    (P, "k8sattributes", "k8s_attributes"),
    (P, "resourcedetection", "resource_detection"),
    (P, "metricstransform", "metrics_transform"),
    (R, "filelog", "file_log"),
    (P, "metricstarttime", "metric_start_time"),
];

fn names_of(kind: ComponentKind) -> &'static [&'static str] {
    match kind {
        R => RECEIVERS,
        P => PROCESSORS,
        E => EXPORTERS,
        C => CONNECTORS,
        X => EXTENSIONS,
    }
}

/// Every type of the table, built once: the explicit entries first, then the plain names.
fn all() -> &'static [ComponentType] {
    static ALL_TYPES: std::sync::OnceLock<Vec<ComponentType>> = std::sync::OnceLock::new();
    ALL_TYPES.get_or_init(|| {
        let mut v = KNOWN.to_vec();
        for kind in [R, P, E, C, X] {
            for name in names_of(kind) {
                if !KNOWN.iter().any(|t| t.kind == kind && t.name == *name) {
                    v.push(ty(kind, name, NONE));
                }
            }
        }
        v
    })
}

/// The current name of a deprecated alias (`otlp` exporter → `otlp_grpc`).
pub fn deprecated_alias(kind: ComponentKind, ty: &str) -> Option<&'static str> {
    ALIASES
        .iter()
        .find(|(k, old, _)| *k == kind && *old == ty)
        .map(|(_, _, new)| *new)
}

/// The type `ty` of `kind`, following deprecated aliases.
pub fn lookup(kind: ComponentKind, ty: &str) -> Option<&'static ComponentType> {
    let name = deprecated_alias(kind, ty).unwrap_or(ty);
    all().iter().find(|t| t.kind == kind && t.name == name)
}

/// Types contrib once had and removed before v0.156.0, with what to use instead.
const REMOVED: &[(ComponentKind, &str, &str)] = &[
    (
        R,
        "opencensus",
        "removed in v0.134.0; send OTLP to the `otlp` receiver instead",
    ),
    (
        E,
        "opencensus",
        "removed before v0.156.0; use the `otlp_grpc` exporter",
    ),
    (
        R,
        "sapm",
        "removed before v0.156.0; send OTLP to the `otlp` receiver instead",
    ),
    (
        E,
        "sapm",
        "removed before v0.156.0; use the `otlp_http` exporter",
    ),
    (
        E,
        "loki",
        "removed before v0.156.0; Loki ingests OTLP: use the `otlp_http` exporter",
    ),
    (
        P,
        "routing",
        "removed before v0.156.0; use the `routing` connector",
    ),
    (R, "jmx", "removed before v0.156.0"),
];

/// Why a type that is not in v0.156.0 is gone, when it was a real component once.
pub fn removed(kind: ComponentKind, ty: &str) -> Option<&'static str> {
    REMOVED
        .iter()
        .find(|(k, name, _)| *k == kind && *name == ty)
        .map(|(_, _, why)| *why)
}

/// The closest known type of `kind` to a misspelled `ty`, for "did you mean".
pub fn suggest(kind: ComponentKind, ty: &str) -> Option<&'static str> {
    let aliases = ALIASES
        .iter()
        .filter(|(k, _, _)| *k == kind)
        .map(|(_, old, _)| *old);
    let names = all()
        .iter()
        .filter(|t| t.kind == kind)
        .map(|t| t.name)
        .chain(aliases);
    let lower = ty.to_ascii_lowercase();
    names
        .map(|n| (strsim::jaro_winkler(&lower, n), n))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

/// Whether a connector of type `ty` turns `from` data (its exporter side) into `to` data (its
/// receiver side). Unknown connector types accept any pair: their type is reported elsewhere.
pub fn connector_supports(ty: &str, from: Signal, to: Signal) -> bool {
    match ty {
        "forward" | "routing" | "failover" | "roundrobin" | "round_robin" => {
            from == to && from != F
        }
        "spanmetrics" | "span_metrics" | "servicegraph" | "service_graph" | "grafanacloud" => {
            from == T && to == M
        }
        "exceptions" => from == T && (to == M || to == L),
        "datadog" => from == T && (to == M || to == T),
        "count" | "sum" | "signaltometrics" | "signal_to_metrics" => to == M && from != F,
        "otlpjson" | "otlp_json" => from == L && to != F,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_spellings_resolve_to_the_current_type() {
        assert_eq!(
            lookup(P, "k8sattributes").map(|t| t.name),
            Some("k8s_attributes")
        );
        assert!(lookup(P, "geoip").is_some());
    }

    #[test]
    fn kinds_are_separate_namespaces() {
        assert!(lookup(R, "otlp").is_some());
        assert!(lookup(E, "otlp").is_some());
        assert!(lookup(P, "otlp").is_none());
        assert!(lookup(R, "nop").is_some());
        assert!(lookup(P, "nop").is_none());
        assert!(lookup(C, "forward").is_some());
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(suggest(P, "atributes"), Some("attributes"));
        assert_eq!(suggest(P, "tail_sampler"), Some("tail_sampling"));
        assert_eq!(suggest(P, "zzzzzzzz"), None);
    }
}
