//! Processors a dry run passes data through unchanged (batch, memory_limiter, groupbytrace,
//! k8sattributes, resourcedetection). Only their top-level keys are checked, so a typo is still
//! caught; values are loosely typed because otelcheck never uses them.

use super::decode::Decoder;
use crate::config::node::Node;

const KNOWN: &[(&str, &[&str])] = &[
    (
        "batch",
        &[
            "send_batch_size",
            "timeout",
            "send_batch_max_size",
            "metadata_keys",
            "metadata_cardinality_limit",
        ],
    ),
    (
        "memory_limiter",
        &[
            "check_interval",
            "limit_mib",
            "spike_limit_mib",
            "limit_percentage",
            "spike_limit_percentage",
            "min_gc_interval_when_soft_limited",
            "min_gc_interval_when_hard_limited",
            "max_gc_interval_when_soft_limited",
            "max_gc_interval_when_hard_limited",
        ],
    ),
    (
        "groupbytrace",
        &[
            "wait_duration",
            "num_traces",
            "num_workers",
            "discard_orphans",
            "store_on_disk",
        ],
    ),
    (
        "k8sattributes",
        &[
            "auth_type",
            "context",
            "kube_config_path",
            "passthrough",
            "extract",
            "filter",
            "pod_association",
            "exclude",
            "wait_for_metadata",
            "wait_for_metadata_timeout",
        ],
    ),
    (
        "resourcedetection",
        &[
            "detectors",
            "override",
            "timeout",
            "attributes",
            "client",
            "system",
            "env",
            "docker",
            "ec2",
            "ecs",
            "eks",
            "gcp",
            "azure",
            "aks",
            "consul",
            "k8snode",
            "openshift",
            "heroku",
            "lambda",
            "elasticbeanstalk",
            "dynatrace",
            "akamai",
            "hetzner",
            "oraclecloud",
            "scaleway",
            "upcloud",
            "vultr",
            "digitalocean",
            "kubeadm",
            "http_client_config",
            "refresh_interval",
        ],
    ),
];

pub fn is_passthrough(ty: &str) -> bool {
    KNOWN.iter().any(|(t, _)| *t == ty)
}

pub fn decode(d: &mut Decoder, ty: &str, node: &Node) {
    if let Some((_, keys)) = KNOWN.iter().find(|(t, _)| *t == ty) {
        let mark = d.diags.len();
        d.fields(node, "", keys);
        // Our key lists for these two were not checked against v0.156.0: do not fail on them.
        if matches!(ty, "k8sattributes" | "resourcedetection") {
            for diag in d.diags.iter_mut().skip(mark) {
                diag.severity = crate::diag::Severity::Warning;
                diag.notes.push(format!(
                    "otelcheck's list of {ty} keys is not verified against v0.156.0"
                ));
            }
        }
    }
}
