//! Collections, cases, encodings and checks: `Keys`, `Values`, `Sort`, `IsInCIDR`,
//! `IsValidLuhn`, `ConvertCase`, `ToSnakeCase`, `ToCamelCase`, `Base64Encode`, `Base64Decode`,
//! `Format`, and the `time.Time` parts (`Year` … `Nanosecond`, `Weekday`), `Unix`.
//!
//! | Converter | Parameters | Result |
//! |---|---|---|
//! | `Keys(map)` / `Values(map)` | PMapGetter | slice of the keys / values, in map order |
//! | `Sort(target, order?)` | Getter, literal `"asc"`/`"desc"` | sorted copy; mixed numbers sort as doubles, any string/bool/nil makes all compare as strings |
//! | `IsInCIDR(target, networks)` | StringGetter, list of StringGetter | the IP is in one of the networks; an unparsable IP is false, a bad network an error |
//! | `IsValidLuhn(target)` | StringLikeGetter | Luhn check over the digits (spaces removed); a non-digit is an error |
//! | `ConvertCase(target, case)` | StringGetter, literal `lower`/`upper`/`snake`/`camel` | |
//! | `Base64Encode(target, variant?)` | StringGetter, StringGetter | `base64` (default), `base64-raw`, `base64-url`, `base64-raw-url` |
//! | `Format(format, values)` | literal string, list | Go `Sprintf` for the verbs `%s %v %d %f %q %t %x %X %%` with widths and precision |

use std::borrow::Cow;
use std::net::IpAddr;

use base64::Engine as _;

use super::{arg, opt, str_like, to_int, to_map, to_str, to_time, Build, Converter, Spec};
use crate::capture::model::AnyValue;
use crate::ottl::runtime::compile::Expr;
use crate::ottl::runtime::eval::{eval_value, EvalItem};
use crate::ottl::runtime::format::{go_v, pdata_as_string, split_time};
use crate::ottl::runtime::value::Value;
use crate::ottl::strcase;

type R<T> = Result<T, String>;

fn owned(s: String) -> Value<'static> {
    Value::Str(Cow::Owned(s))
}

macro_rules! time_part {
    ($name:literal, $f:expr) => {
        Spec {
            name: $name,
            build: Build::Simple(|mut a| {
                let t = to_time(arg(&mut a, 0))?;
                let ((y, mo, d), h, mi, s, n) = split_time(t);
                let _ = (y, mo, d, h, mi, s, n);
                Ok(Value::Int($f(
                    y,
                    i64::from(mo),
                    i64::from(d),
                    h,
                    mi,
                    s,
                    n,
                    t,
                )))
            }),
        }
    };
}

/// Days since 1970-01-01 → Go `Weekday` (Sunday = 0).
fn weekday(t: i64) -> i64 {
    (t.div_euclid(86_400_000_000_000) + 4).rem_euclid(7)
}

pub const SPECS: &[Spec] = &[
    Spec {
        name: "Keys",
        build: Build::Simple(|mut a| {
            let m = to_map(arg(&mut a, 0))?;
            let keys = m.iter().map(|(k, _)| AnyValue::Str(k.into())).collect();
            Ok(Value::Slice(Cow::Owned(keys)))
        }),
    },
    Spec {
        name: "Values",
        build: Build::Simple(|mut a| {
            let m = to_map(arg(&mut a, 0))?;
            let vals = m.iter().map(|(_, v)| v.clone()).collect();
            Ok(Value::Slice(Cow::Owned(vals)))
        }),
    },
    Spec {
        name: "Sort",
        build: Build::Custom(build_sort),
    },
    Spec {
        name: "IsInCIDR",
        build: Build::Custom(build_is_in_cidr),
    },
    Spec {
        name: "IsValidLuhn",
        build: Build::Simple(|mut a| match str_like(arg(&mut a, 0))? {
            None => Err("invalid input: <nil>".into()),
            Some(s) => luhn(&s).map(Value::Bool),
        }),
    },
    Spec {
        name: "ConvertCase",
        build: Build::Custom(build_convert_case),
    },
    Spec {
        name: "ToSnakeCase",
        build: Build::Simple(|mut a| {
            let s = to_str(arg(&mut a, 0))?;
            Ok(owned(if s.is_empty() {
                String::new()
            } else {
                strcase::to_snake(&s)
            }))
        }),
    },
    Spec {
        name: "ToCamelCase",
        build: Build::Simple(|mut a| {
            let s = to_str(arg(&mut a, 0))?;
            Ok(owned(if s.is_empty() {
                String::new()
            } else {
                strcase::to_camel(&s)
            }))
        }),
    },
    Spec {
        name: "Base64Encode",
        build: Build::Simple(|mut a| {
            let s = to_str(arg(&mut a, 0))?.into_owned();
            let variant = match opt(&mut a, 1) {
                Some(v) => to_str(v)?.into_owned(),
                None => "base64".into(),
            };
            let e = &base64::engine::general_purpose::STANDARD;
            let out = match variant.as_str() {
                "base64" => e.encode(s.as_bytes()),
                "base64-raw" => {
                    base64::engine::general_purpose::STANDARD_NO_PAD.encode(s.as_bytes())
                }
                "base64-url" => base64::engine::general_purpose::URL_SAFE.encode(s.as_bytes()),
                "base64-raw-url" => {
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s.as_bytes())
                }
                other => return Err(format!("unsupported variant: {other}")),
            };
            Ok(owned(out))
        }),
    },
    Spec {
        name: "Base64Decode",
        build: Build::Simple(|mut a| {
            let s = to_str(arg(&mut a, 0))?;
            let b = base64::engine::general_purpose::STANDARD
                .decode(s.as_bytes())
                .map_err(|e| e.to_string())?;
            Ok(owned(String::from_utf8_lossy(&b).into_owned()))
        }),
    },
    Spec {
        name: "Decode",
        build: Build::Custom(build_decode),
    },
    Spec {
        name: "Format",
        build: Build::Simple(|mut a| {
            let f = to_str(arg(&mut a, 0))?.into_owned();
            let vals = match arg(&mut a, 1) {
                Value::List(items) => items,
                _ => return Err("Format needs a list of values".into()),
            };
            sprintf(&f, &vals).map(owned)
        }),
    },
    Spec {
        name: "Unix",
        build: Build::Simple(|mut a| {
            let secs = to_int(arg(&mut a, 0))?;
            let nanos = match opt(&mut a, 1) {
                Some(n) => to_int(n)?,
                None => 0,
            };
            Ok(Value::Time(
                secs.saturating_mul(1_000_000_000).saturating_add(nanos),
            ))
        }),
    },
    Spec {
        name: "SliceToMap",
        build: Build::Simple(|mut a| {
            let items: Vec<AnyValue> = match arg(&mut a, 0) {
                Value::Slice(s) => s.into_owned(),
                Value::List(l) => l.iter().map(Value::to_any).collect::<R<_>>()?,
                Value::Nil => return Err("expected pcommon.Slice but got nil".into()),
                other => {
                    return Err(format!(
                        "expected pcommon.Slice but got {}",
                        other.go_type()
                    ))
                }
            };
            let key_path = path_arg(opt(&mut a, 1))?;
            let value_path = path_arg(opt(&mut a, 2))?;
            slice_to_map(&items, key_path.as_deref(), value_path.as_deref())
                .map(|m| Value::Map(Cow::Owned(m)))
        }),
    },
    Spec {
        name: "ToKeyValueString",
        build: Build::Custom(build_to_kv),
    },
    Spec {
        name: "TruncateTime",
        build: Build::Simple(|mut a| {
            let t = to_time(arg(&mut a, 0))?;
            let d = super::to_duration(arg(&mut a, 1))?;
            Ok(Value::Time(truncate_time(t, d)))
        }),
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
    // Values that differ on every call upstream too: a dry run cannot predict them, only
    // produce values of the same shape.
    Spec {
        name: "Now",
        build: Build::Simple(|_| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
            Ok(Value::Time(now))
        }),
    },
    Spec {
        name: "UUID",
        build: Build::Simple(|_| Ok(owned(uuid::Uuid::new_v4().to_string()))),
    },
    Spec {
        name: "UUIDv7",
        build: Build::Simple(|_| Ok(owned(uuid::Uuid::now_v7().to_string()))),
    },
    time_part!("Year", |y, _mo, _d, _h, _mi, _s, _n, _t| y),
    time_part!("Month", |_y, mo, _d, _h, _mi, _s, _n, _t| mo),
    time_part!("Day", |_y, _mo, d, _h, _mi, _s, _n, _t| d),
    time_part!("Hour", |_y, _mo, _d, h, _mi, _s, _n, _t| h),
    time_part!("Minute", |_y, _mo, _d, _h, mi, _s, _n, _t| mi),
    time_part!("Second", |_y, _mo, _d, _h, _mi, s, _n, _t| s),
    time_part!("Nanosecond", |_y, _mo, _d, _h, _mi, _s, n, _t| n),
    time_part!("Weekday", |_y, _mo, _d, _h, _mi, _s, _n, t| weekday(t)),
];

/// Go `Time.Truncate`: round down to a multiple of `d` counted from the zero time (year 1),
/// not from the Unix epoch; `d <= 0` leaves the time as it is.
fn truncate_time(t: i64, d: i64) -> i64 {
    const ZERO_TO_UNIX: i128 = 62_135_596_800 * 1_000_000_000;
    if d <= 0 {
        return t;
    }
    let since_zero = i128::from(t) + ZERO_TO_UNIX;
    let cut = since_zero - since_zero.rem_euclid(i128::from(d));
    i64::try_from(cut - ZERO_TO_UNIX).unwrap_or(t)
}

/// An optional `[]string` literal list argument.
fn path_arg(v: Option<Value>) -> R<Option<Vec<String>>> {
    match v {
        None => Ok(None),
        Some(Value::List(items)) => items
            .into_iter()
            .map(|i| to_str(i).map(Cow::into_owned))
            .collect::<R<Vec<_>>>()
            .map(Some),
        Some(other) => Err(format!("expected a list but got {}", other.go_type())),
    }
}

/// `sliceToMap`: keys from `key_path` (else the index), values from `value_path` (else the
/// element).
fn slice_to_map(
    items: &[AnyValue],
    key_path: Option<&[String]>,
    value_path: Option<&[String]>,
) -> R<crate::capture::model::Attributes> {
    let mut m = crate::capture::model::Attributes::with_capacity(items.len());
    for (i, el) in items.iter().enumerate() {
        let mut key = i.to_string();
        let mut value = el.clone();
        if key_path.is_some() || value_path.is_some() {
            let AnyValue::Map(em) = el else {
                return Err(format!("slice elements must be maps when using `key_path` or `value_path`, but could not cast element of type `{}` to a map", el.type_name()));
            };
            if let Some(p) = key_path {
                let k = extract(em, p)
                    .map_err(|e| format!("could not extract key from element {i}: {e}"))?;
                let AnyValue::Str(k) = k else {
                    return Err(format!(
                        "element {i}: extracted key attribute is not of type string, got \"{}\"",
                        k.type_name()
                    ));
                };
                key = k.to_string();
            }
            if let Some(p) = value_path {
                value = extract(em, p)
                    .map_err(|e| format!("could not extract value from element {i}: {e}"))?
                    .clone();
            }
        }
        m.upsert(key.as_str(), value);
    }
    Ok(m)
}

fn extract<'m>(m: &'m crate::capture::model::Attributes, path: &[String]) -> R<&'m AnyValue> {
    let missing = || {
        format!(
            "provided object does not contain the path [{}]",
            path.join(" ")
        )
    };
    let Some((first, rest)) = path.split_first() else {
        return Err("must provide at least one path item".into());
    };
    let v = m.get(first).ok_or_else(missing)?;
    if rest.is_empty() {
        return Ok(v);
    }
    match v {
        AnyValue::Map(inner) => extract(inner, rest).map_err(|_| missing()),
        _ => Err(missing()),
    }
}

#[derive(Debug)]
struct ToKeyValueString {
    target: Expr,
    delimiter: String,
    pair_delimiter: String,
    sort: bool,
}

fn build_to_kv(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let target = take(0).ok_or("missing target")?;
    let lit = |e: Option<Expr>, default: &str, what: &str| -> R<String> {
        match e {
            None => Ok(default.to_string()),
            Some(Expr::Const(Value::Str(s))) if s.is_empty() => {
                Err(format!("{what} cannot be set to an empty string"))
            }
            Some(Expr::Const(Value::Str(s))) => Ok(s.into_owned()),
            Some(_) => Err(format!("{what} must be a string literal")),
        }
    };
    let delimiter = lit(take(1), "=", "delimiter")?;
    let pair_delimiter = lit(take(2), " ", "pair delimiter")?;
    if pair_delimiter == delimiter {
        return Err(format!(
            "pair delimiter {pair_delimiter:?} cannot be equal to delimiter {delimiter:?}"
        ));
    }
    let sort = matches!(take(3), Some(Expr::Const(Value::Bool(true))));
    Ok(Box::new(ToKeyValueString {
        target,
        delimiter,
        pair_delimiter,
        sort,
    }))
}

impl Converter for ToKeyValueString {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let m = to_map(eval_value(&self.target, item)?)?;
        let quote = |s: &str| {
            let s = s.replace('"', "\\\"");
            if s.contains(self.pair_delimiter.as_str()) || s.contains(self.delimiter.as_str()) {
                format!("\"{s}\"")
            } else {
                s
            }
        };
        let mut pairs: Vec<(&str, &AnyValue)> = m.iter().collect();
        if self.sort {
            pairs.sort_by(|a, b| a.0.cmp(b.0));
        }
        let out: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| {
                format!(
                    "{}{}{}",
                    quote(k),
                    self.delimiter,
                    quote(&pdata_as_string(v))
                )
            })
            .collect();
        Ok(owned(out.join(&self.pair_delimiter)))
    }
}

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

/// Luhn over the digits of `s` with spaces removed (`isValidLuhnFunc`).
fn luhn(s: &str) -> R<bool> {
    let digits: Vec<char> = s.chars().filter(|c| *c != ' ').collect();
    let Some((&check, rest)) = digits.split_last() else {
        return Ok(false);
    };
    let digit = |c: char| {
        c.to_digit(10)
            .ok_or_else(|| format!("strconv.Atoi: parsing {:?}: invalid syntax", c.to_string()))
    };
    let check = digit(check)?;
    let mut sum = 0;
    for (i, c) in rest.iter().rev().enumerate() {
        let mut n = digit(*c)?;
        if i % 2 == 0 {
            n *= 2;
            if n > 9 {
                n -= 9;
            }
        }
        sum += n;
    }
    Ok((10 - sum % 10) % 10 == check)
}

#[derive(Debug)]
struct ConvertCase {
    target: Expr,
    case: &'static str,
}

fn build_convert_case(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let target = take(0).ok_or("missing target")?;
    let case = match take(1) {
        Some(Expr::Const(Value::Str(c))) => c.into_owned(),
        _ => return Err("toCase must be a string literal".into()),
    };
    let case = match case.as_str() {
        "lower" => "lower",
        "upper" => "upper",
        "snake" => "snake",
        "camel" => "camel",
        other => {
            return Err(format!(
                "invalid case: {other}, allowed cases are: lower, upper, snake, camel"
            ))
        }
    };
    Ok(Box::new(ConvertCase { target, case }))
}

impl Converter for ConvertCase {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let s = to_str(eval_value(&self.target, item)?)?;
        if s.is_empty() {
            return Ok(owned(String::new()));
        }
        Ok(owned(match self.case {
            "lower" => s.to_lowercase(),
            "upper" => s.to_uppercase(),
            "snake" => strcase::to_snake(&s),
            _ => strcase::to_camel(&s),
        }))
    }
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

#[derive(Debug)]
struct Sort {
    target: Expr,
    desc: bool,
}

fn build_sort(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let target = take(0).ok_or("missing target")?;
    let desc = match take(1) {
        None => false,
        Some(Expr::Const(Value::Str(o))) if o == "asc" => false,
        Some(Expr::Const(Value::Str(o))) if o == "desc" => true,
        Some(Expr::Const(Value::Str(o))) => {
            return Err(format!(
                "invalid arguments: {o}. Order should be either \"asc\" or \"desc\""
            ))
        }
        Some(_) => return Err("order must be a string literal".into()),
    };
    Ok(Box::new(Sort { target, desc }))
}

/// The sort key `findCommonValueType` chooses for the whole slice.
#[derive(PartialEq, PartialOrd)]
enum SortKey {
    Int(i64),
    Double(f64),
    Str(String),
}

impl Converter for Sort {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let items: Vec<AnyValue> = match eval_value(&self.target, item)? {
            Value::Slice(s) => s.into_owned(),
            Value::List(l) => l.iter().map(Value::to_any).collect::<R<_>>()?,
            Value::StrList(mut l) => {
                l.sort();
                if self.desc {
                    l.reverse();
                }
                return Ok(Value::StrList(l));
            }
            other => {
                return Err(format!(
                    "sort with unsupported type: '{}'. Target is not a list",
                    other.go_type()
                ))
            }
        };
        let Some(keys) = common_keys(&items) else {
            // Maps, slices or bytes inside: upstream returns the slice unchanged.
            return Ok(Value::Slice(Cow::Owned(items)));
        };
        let mut pairs: Vec<(SortKey, AnyValue)> = keys.into_iter().zip(items).collect();
        // A stable sort, as Go's `slices.SortFunc` is not: ties may come out in another order
        // upstream, but they are equal under the key, so only equal-looking values can swap.
        pairs.sort_by(|a, b| {
            let o = a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal);
            if self.desc {
                o.reverse()
            } else {
                o
            }
        });
        Ok(Value::Slice(Cow::Owned(
            pairs.into_iter().map(|p| p.1).collect(),
        )))
    }
}

fn common_keys(items: &[AnyValue]) -> Option<Vec<SortKey>> {
    let mut want_str = false;
    let mut want_double = false;
    let first = items.first()?;
    for v in items {
        match v {
            AnyValue::Int(_) => want_double |= matches!(first, AnyValue::Double(_)),
            AnyValue::Double(_) => want_double |= matches!(first, AnyValue::Int(_)),
            AnyValue::Str(_) | AnyValue::Bool(_) | AnyValue::Empty => want_str = true,
            _ => return None,
        }
    }
    Some(
        items
            .iter()
            .map(|v| match v {
                _ if want_str => SortKey::Str(match v {
                    AnyValue::Str(s) => s.to_string(),
                    AnyValue::Empty => String::new(),
                    other => go_v(&Value::from_any(other)),
                }),
                AnyValue::Int(i) if want_double || matches!(first, AnyValue::Double(_)) => {
                    SortKey::Double(*i as f64)
                }
                AnyValue::Int(i) => SortKey::Int(*i),
                AnyValue::Double(d) => SortKey::Double(*d),
                _ => SortKey::Str(String::new()),
            })
            .collect(),
    )
}

/// Go `fmt.Sprintf` for the verbs configs use. Missing arguments print `%!v(MISSING)`, extra
/// ones `%!(EXTRA type=value)`, as Go does.
fn sprintf(f: &str, args: &[Value]) -> R<String> {
    let mut out = String::new();
    let mut chars = f.chars().peekable();
    let mut next = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&p) = chars.peek() {
            if matches!(p, '-' | '+' | '0' | ' ' | '#') {
                flags.push(p);
                chars.next();
            } else {
                break;
            }
        }
        let mut width = String::new();
        while let Some(&p) = chars.peek().filter(|p| p.is_ascii_digit()) {
            width.push(p);
            chars.next();
        }
        let mut prec = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|p| p.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            prec = Some(if p.is_empty() {
                0
            } else {
                p.parse::<usize>().unwrap_or(usize::MAX)
            });
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(v) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        let w = if width.is_empty() {
            0
        } else {
            width.parse::<usize>().unwrap_or(usize::MAX)
        };
        if w > MAX_WIDTH || prec.is_some_and(|p| p > MAX_WIDTH) {
            return Err(format!("otelcheck refuses format widths above {MAX_WIDTH}"));
        }
        let body = format_one(verb, v, prec)?;
        let pad = w.saturating_sub(body.chars().count());
        if flags.contains('-') {
            out.push_str(&body);
            out.push_str(&" ".repeat(pad));
        } else if flags.contains('0') && matches!(v, Value::Int(_) | Value::Float(_)) {
            let (sign, digits) = match body.strip_prefix('-') {
                Some(d) => ("-", d),
                None => ("", body.as_str()),
            };
            out.push_str(sign);
            out.push_str(&"0".repeat(pad));
            out.push_str(digits);
        } else {
            out.push_str(&" ".repeat(pad));
            out.push_str(&body);
        }
    }
    if next < args.len() {
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|v| format!("{}={}", v.go_type(), go_v(v)))
            .collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    Ok(out)
}

/// The widest `%Nd` / precision `Format` pads to (a huge width would exhaust memory).
const MAX_WIDTH: usize = 1 << 16;

fn format_one(verb: char, v: &Value, prec: Option<usize>) -> R<String> {
    let bad = || format!("%!{verb}({}={})", v.go_type(), go_v(v));
    Ok(match (verb, v) {
        ('v', _) => go_v(v),
        ('s', Value::Str(s)) => s.to_string(),
        ('s', Value::Nil) => "%!s(<nil>)".into(),
        ('s', other) => match other {
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => bad(),
            _ => go_v(other),
        },
        ('q', Value::Str(s)) => format!("{s:?}"),
        ('d', Value::Int(i)) => i.to_string(),
        ('t', Value::Bool(b)) => b.to_string(),
        ('f' | 'F', Value::Float(f)) => format!("{f:.*}", prec.unwrap_or(6)),
        ('x', Value::Int(i)) => format!("{i:x}"),
        ('X', Value::Int(i)) => format!("{i:X}"),
        ('x', Value::Str(s)) => hex::encode(s.as_bytes()),
        ('X', Value::Str(s)) => hex::encode_upper(s.as_bytes()),
        ('x', Value::Bytes(b)) => hex::encode(b.as_ref()),
        ('d' | 't' | 'f' | 'F' | 'q' | 'x' | 'X', _) => bad(),
        (other, _) => return Err(format!("otelcheck cannot format the verb %{other} yet")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_counts_from_the_zero_time() {
        const H: i64 = 3_600_000_000_000;
        // 2023-11-14T22:13:20Z truncated to the hour.
        assert_eq!(
            truncate_time(1_700_000_000_000_000_000, H),
            1_699_999_200_000_000_000
        );
        // Weeks are counted from 0001-01-01 (a Monday), not from 1970-01-01 (a Thursday).
        let week = 7 * 24 * H;
        let t = truncate_time(1_700_000_000_000_000_000, week);
        assert_eq!(
            (t / 1_000_000_000 / 86_400 + 4).rem_euclid(7),
            1,
            "a Monday"
        );
    }

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
    fn luhn_checks_card_numbers() {
        assert_eq!(luhn("4111 1111 1111 1111"), Ok(true));
        assert_eq!(luhn("4111111111111112"), Ok(false));
        assert!(luhn("41a1").is_err());
        assert_eq!(luhn(""), Ok(false));
    }

    #[test]
    fn sprintf_like_go() {
        let s = |x: &str| Value::Str(Cow::Owned(x.into()));
        assert_eq!(sprintf("%s-%d", &[s("a"), Value::Int(3)]).unwrap(), "a-3");
        assert_eq!(
            sprintf("%05d|%-3s|", &[Value::Int(42), s("a")]).unwrap(),
            "00042|a  |"
        );
        assert_eq!(sprintf("%.2f", &[Value::Float(1.005)]).unwrap(), "1.00");
        assert_eq!(sprintf("%s %s", &[s("a")]).unwrap(), "a %!s(MISSING)");
        assert_eq!(sprintf("%d", &[s("a")]).unwrap(), "%!d(string=a)");
        assert!(sprintf("%99999999d", &[Value::Int(1)]).is_err());
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

/// `Decode(target, encoding)`: the four base64 variants (strings and bytes), and the UTF-8
/// "encodings" that leave text as it is. Other character sets (`latin1`, `shift-jis`, ...)
/// would need upstream's `textutils` tables: otelcheck says it cannot decode them.
#[derive(Debug)]
pub struct Decode {
    target: Expr,
    encoding: Expr,
}

pub fn build_decode(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let target = take(0).ok_or("missing target")?;
    let encoding = take(1).ok_or("missing encoding")?;
    if let Expr::Const(Value::Str(e)) = &encoding {
        decoder(e)?;
    }
    Ok(Box::new(Decode { target, encoding }))
}

#[derive(Clone, Copy)]
enum Decoder {
    Base64(&'static base64::engine::GeneralPurpose),
    Utf8,
}

fn decoder(name: &str) -> R<Decoder> {
    use base64::engine::general_purpose as gp;
    Ok(match name {
        "base64" => Decoder::Base64(&gp::STANDARD),
        "base64-raw" => Decoder::Base64(&gp::STANDARD_NO_PAD),
        "base64-url" => Decoder::Base64(&gp::URL_SAFE),
        "base64-raw-url" => Decoder::Base64(&gp::URL_SAFE_NO_PAD),
        n if matches!(n.to_ascii_lowercase().as_str(), "nop" | "utf-8" | "utf8") => Decoder::Utf8,
        other => {
            return Err(format!(
                "otelcheck cannot decode the character set {other:?} yet"
            ))
        }
    })
}

impl Converter for Decode {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let d = decoder(&to_str(eval_value(&self.encoding, item)?)?)?;
        let bytes: Vec<u8> = match eval_value(&self.target, item)? {
            Value::Str(s) => s.as_bytes().to_vec(),
            Value::Bytes(b) => b.into_owned(),
            Value::Map(_) | Value::Slice(_) => {
                let v = eval_value(&self.target, item)?;
                pdata_as_string(&v.to_any()?).into_bytes()
            }
            other => {
                return Err(format!(
                    "unsupported type provided to Decode function: {}",
                    other.go_type()
                ))
            }
        };
        let out = match d {
            Decoder::Base64(engine) => engine
                .decode(&bytes)
                .map_err(|e| format!("could not decode: {e}"))?,
            Decoder::Utf8 => bytes,
        };
        Ok(owned(String::from_utf8_lossy(&out).into_owned()))
    }
}
