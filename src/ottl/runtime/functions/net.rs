//! Network converters: `IsInCIDR`, `CommunityID`.
//!
//! | Converter | Parameters | Result |
//! |---|---|---|
//! | `IsInCIDR(target, networks)` | StringGetter, list of StringGetter | the IP is in one of the networks; an unparsable IP is false, a bad network an error |
//! | `CommunityID(src_ip, src_port, dst_ip, dst_port, protocol?, seed?)` | | Community ID v1 (`1:` + base64 SHA-1 of the ordered flow tuple) |

use std::net::IpAddr;

use base64::Engine as _;

use super::{arg, opt, owned, to_int, to_str, Build, Converter, Spec};
use crate::ottl::runtime::compile::Expr;
use crate::ottl::runtime::eval::{eval_value, EvalItem};
use crate::ottl::runtime::value::Value;

type R<T> = Result<T, String>;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "IsInCIDR",
        build: Build::Custom(build_is_in_cidr),
    },
    Spec {
        name: "CommunityID",
        build: Build::Simple(|mut a| {
            let src = endpoint(arg(&mut a, 0), arg(&mut a, 1), "source")?;
            let dst = endpoint(arg(&mut a, 2), arg(&mut a, 3), "destination")?;
            let protocol = match opt(&mut a, 4) {
                None => 6,
                Some(p) => {
                    let p = to_str(p).map_err(|e| format!("failed to get protocol: {e}"))?;
                    protocol_number(&p).ok_or_else(|| format!("unsupported protocol: {p}"))?
                }
            };
            let seed = match opt(&mut a, 5) {
                None => 0,
                Some(v) => {
                    let s = to_int(v).map_err(|e| format!("failed to get seed: {e}"))?;
                    u16::try_from(s)
                        .map_err(|_| format!("seed must be between 0 and 65535, got {s}"))?
                }
            };
            Ok(owned(community_id(src, dst, protocol, seed)))
        }),
    },
];

/// An endpoint of `CommunityID`: the address bytes (4 for IPv4, also when written
/// IPv4-mapped, else 16) and the port.
fn endpoint(ip: Value, port: Value, name: &str) -> R<(Vec<u8>, u16)> {
    let ip = to_str(ip).map_err(|e| format!("failed to get {name} IP: {e}"))?;
    let port = to_int(port).map_err(|e| format!("failed to get {name} port: {e}"))?;
    let port = u16::try_from(port)
        .map_err(|_| format!("{name} port must be between 0 and 65535, got {port}"))?;
    let addr: IpAddr = ip.parse().map_err(|_| format!("invalid {name} IP: {ip}"))?;
    let bytes = match addr {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.octets().to_vec(),
            None => v6.octets().to_vec(),
        },
    };
    Ok((bytes, port))
}

fn protocol_number(name: &str) -> Option<u8> {
    Some(match name {
        "ICMP" => 1,
        "TCP" => 6,
        "UDP" => 17,
        "RSVP" => 46,
        "ICMP6" => 58,
        "SCTP" => 132,
        _ => return None,
    })
}

/// Community ID v1: SHA-1 over seed, the ordered endpoints, protocol and ports, base64.
fn community_id(a: (Vec<u8>, u16), b: (Vec<u8>, u16), protocol: u8, seed: u16) -> String {
    use sha1::Digest as _;
    let swap = if a.0.len() == b.0.len() {
        a.0 > b.0 || (a.0 == b.0 && a.1 > b.1)
    } else {
        a.0.len() > b.0.len()
    };
    let (src, dst) = if swap { (b, a) } else { (a, b) };
    let mut tuple = seed.to_be_bytes().to_vec();
    tuple.extend_from_slice(&src.0);
    tuple.extend_from_slice(&dst.0);
    tuple.extend_from_slice(&[protocol, 0]);
    tuple.extend_from_slice(&src.1.to_be_bytes());
    tuple.extend_from_slice(&dst.1.to_be_bytes());
    let digest = sha1::Sha1::digest(&tuple);
    format!(
        "1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[derive(Debug)]
struct IsInCidr {
    target: Expr,
    /// Literal networks parsed once; `None` when any network is dynamic.
    fixed: Option<Vec<ipnet::IpNet>>,
    networks: Vec<Expr>,
}

/// `net.ParseCIDR`: `invalid CIDR address: x`.
fn parse_cidr(s: &str) -> R<ipnet::IpNet> {
    s.parse::<ipnet::IpNet>()
        .map_err(|_| format!("invalid CIDR address: {s}"))
}

fn build_is_in_cidr(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let target = take(0).ok_or("missing target")?;
    let networks: Vec<Expr> = match take(1) {
        Some(Expr::List(items)) => items,
        Some(Expr::Const(Value::List(items))) => items.into_iter().map(Expr::Const).collect(),
        _ => return Err("networks must be a list".into()),
    };
    let fixed = networks
        .iter()
        .map(|n| match n {
            Expr::Const(Value::Str(s)) => Some(parse_cidr(s)),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .map(|nets| nets.into_iter().collect::<R<Vec<_>>>())
        .transpose()?;
    Ok(Box::new(IsInCidr {
        target,
        fixed,
        networks,
    }))
}

impl Converter for IsInCidr {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let s = to_str(eval_value(&self.target, item)?)?;
        let Ok(ip) = s.parse::<IpAddr>() else {
            return Ok(Value::Bool(false));
        };
        if let Some(nets) = &self.fixed {
            return Ok(Value::Bool(nets.iter().any(|n| contains(n, ip))));
        }
        for n in &self.networks {
            let net = parse_cidr(&to_str(eval_value(n, item)?)?)?;
            if contains(&net, ip) {
                return Ok(Value::Bool(true));
            }
        }
        Ok(Value::Bool(false))
    }
}

/// Go compares an IPv4 address with an IPv4 network also when the address is written as
/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`).
fn contains(net: &ipnet::IpNet, ip: IpAddr) -> bool {
    match (net, ip) {
        (ipnet::IpNet::V4(n), IpAddr::V6(v6)) => {
            v6.to_ipv4_mapped().is_some_and(|v4| n.contains(&v4))
        }
        _ => net.contains(&ip),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn community_id_matches_the_spec_baseline() {
        // The Community ID spec's TCP example (seed 0).
        let ep = |ip: &str, port| {
            endpoint(Value::Str(Cow::Owned(ip.into())), Value::Int(port), "x").unwrap()
        };
        let id = community_id(ep("128.232.110.120", 34855), ep("66.35.250.204", 80), 6, 0);
        assert_eq!(id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
        // Direction does not matter.
        let back = community_id(ep("66.35.250.204", 80), ep("128.232.110.120", 34855), 6, 0);
        assert_eq!(back, id);
    }

    #[test]
    fn cidr_membership() {
        let net = parse_cidr("10.0.0.0/8").unwrap();
        assert!(contains(&net, "10.1.2.3".parse().unwrap()));
        assert!(contains(&net, "::ffff:10.1.2.3".parse().unwrap()));
        assert!(!contains(&net, "11.0.0.1".parse().unwrap()));
        assert!(parse_cidr("10.0.0.0")
            .unwrap_err()
            .contains("invalid CIDR address"));
    }
}
