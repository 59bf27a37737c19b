//! The `otelcol` path context (`ctxotelcol`, beta gate `ottl.contexts.enableOTelColContext`,
//! on by default in v0.156.0): request metadata of the receiving collector, readable from
//! every context parser. Both the checker and the runtime resolve these paths here so they
//! accept exactly the same set.
//!
//! otelcheck replays recorded payloads, which carry no client address, auth data or gRPC
//! metadata; the runtime therefore reads these paths as upstream does for a request without
//! any (nil address, empty maps, nil entries).

/// One readable `otelcol.*` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OtelColField {
    /// `otelcol.client.addr`: string, or nil without a client address. Takes no keys.
    ClientAddr,
    /// `otelcol.client.auth.attributes[...]`.
    ClientAuthAttributes,
    /// `otelcol.client.metadata[...]`.
    ClientMetadata,
    /// `otelcol.grpc.metadata[...]`.
    GrpcMetadata,
}

impl OtelColField {
    /// Whether `[key]` suffixes are accepted on the field's last section.
    pub fn indexable(self) -> bool {
        self != OtelColField::ClientAddr
    }
}

/// A resolved `otelcol.*` path: the field and how many sections (after `otelcol`) it used;
/// the last used section is the one whose keys apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    pub field: OtelColField,
    pub used: usize,
}

/// Resolve the sections after `otelcol.`, given as (name, has keys). On failure, the index of
/// the section upstream names in its "segment ... is not a valid path" error. Sections after
/// the used ones are left to the caller's completeness check, as upstream does.
pub fn resolve(sections: &[(&str, bool)]) -> Result<Resolved, usize> {
    let name = |i: usize| sections.get(i).map(|s| s.0);
    let ok = |field, used| Ok(Resolved { field, used });
    match name(0) {
        Some("client") => match name(1) {
            // `addr` is a leaf without keys; upstream blames the section itself for keys.
            Some("addr") if sections.len() > 2 => Err(2),
            Some("addr") if sections.get(1).is_some_and(|s| s.1) => Err(1),
            Some("addr") => ok(OtelColField::ClientAddr, 2),
            Some("auth") => match name(2) {
                Some("attributes") => ok(OtelColField::ClientAuthAttributes, 3),
                Some(_) => Err(2),
                None => Err(1),
            },
            Some("metadata") if sections.len() > 2 => Err(2),
            Some("metadata") => ok(OtelColField::ClientMetadata, 2),
            Some(_) => Err(1),
            None => Err(0),
        },
        Some("grpc") => match name(1) {
            Some("metadata") => ok(OtelColField::GrpcMetadata, 2),
            Some(_) => Err(1),
            None => Err(0),
        },
        _ => Err(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(names: &[&'static str]) -> Vec<(&'static str, bool)> {
        names.iter().map(|n| (*n, false)).collect()
    }

    #[test]
    fn accepts_the_four_fields() {
        let f = |n: &[&'static str]| resolve(&plain(n)).map(|r| (r.field, r.used));
        assert_eq!(f(&["client", "addr"]), Ok((OtelColField::ClientAddr, 2)));
        assert_eq!(
            f(&["client", "auth", "attributes"]),
            Ok((OtelColField::ClientAuthAttributes, 3))
        );
        assert_eq!(
            f(&["client", "metadata"]),
            Ok((OtelColField::ClientMetadata, 2))
        );
        assert_eq!(
            f(&["grpc", "metadata"]),
            Ok((OtelColField::GrpcMetadata, 2))
        );
    }

    #[test]
    fn blames_the_section_upstream_names() {
        assert_eq!(resolve(&plain(&["foo"])), Err(0));
        assert_eq!(resolve(&plain(&["client"])), Err(0));
        assert_eq!(resolve(&plain(&["client", "nope"])), Err(1));
        assert_eq!(resolve(&plain(&["client", "addr", "x"])), Err(2));
        assert_eq!(resolve(&[("client", false), ("addr", true)]), Err(1));
        assert_eq!(resolve(&plain(&["client", "auth"])), Err(1));
        assert_eq!(resolve(&plain(&["client", "auth", "x"])), Err(2));
        assert_eq!(resolve(&plain(&["grpc", "x"])), Err(1));
    }
}
