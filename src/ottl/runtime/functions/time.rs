//! Durations, times and IDs: `Duration`, `Hours`…`Nanoseconds`, `UnixSeconds`…`UnixNano`,
//! `TraceID`, `SpanID`, `ProfileID`.
//!
//! | Converter | Parameter | Result |
//! |---|---|---|
//! | `Duration(s)` | StringGetter | time.Duration parsed as Go's `time.ParseDuration` (`"5ms"`, `"1h2m"`, `"1.5s"`) |
//! | `Hours/Minutes/Seconds(d)` | DurationGetter | float64 |
//! | `Milliseconds/Microseconds/Nanoseconds(d)` | DurationGetter | int64 (truncated) |
//! | `UnixSeconds/UnixMilli/UnixMicro/UnixNano(t)` | TimeGetter | int64 |
//! | `TraceID(b)` / `SpanID(b)` / `ProfileID(b)` | ByteSliceLikeGetter | ID from 16/8 raw bytes or 32/16 hex characters |

use super::{arg, bytes_like, to_duration, to_str, to_time, Build, Spec};
use crate::ottl::runtime::value::Value;

type R<T> = Result<T, String>;

const HOUR: i64 = 3_600_000_000_000;
const MINUTE: i64 = 60_000_000_000;
const SECOND: i64 = 1_000_000_000;

/// Go's `Duration.Hours()` etc.: whole units plus the fractional remainder.
fn units(d: i64, unit: i64) -> f64 {
    (d / unit) as f64 + (d % unit) as f64 / unit as f64
}

macro_rules! dur_fn {
    ($name:literal, $body:expr) => {
        Spec {
            name: $name,
            build: Build::Simple(|mut a| Ok($body(to_duration(arg(&mut a, 0))?))),
        }
    };
}

macro_rules! time_fn {
    ($name:literal, $div:expr) => {
        Spec {
            name: $name,
            build: Build::Simple(|mut a| Ok(Value::Int(to_time(arg(&mut a, 0))?.div_euclid($div)))),
        }
    };
}

pub const SPECS: &[Spec] = &[
    Spec {
        name: "Duration",
        build: Build::Simple(|mut a| parse_duration(&to_str(arg(&mut a, 0))?).map(Value::Duration)),
    },
    dur_fn!("Hours", |d| Value::Float(units(d, HOUR))),
    dur_fn!("Minutes", |d| Value::Float(units(d, MINUTE))),
    dur_fn!("Seconds", |d| Value::Float(units(d, SECOND))),
    dur_fn!("Milliseconds", |d: i64| Value::Int(d / 1_000_000)),
    dur_fn!("Microseconds", |d: i64| Value::Int(d / 1_000)),
    dur_fn!("Nanoseconds", Value::Int),
    time_fn!("UnixSeconds", SECOND),
    time_fn!("UnixMilli", 1_000_000),
    time_fn!("UnixMicro", 1_000),
    time_fn!("UnixNano", 1),
    Spec {
        name: "TraceID",
        build: Build::Simple(|mut a| {
            let b = bytes_like(arg(&mut a, 0))?.unwrap_or_default();
            id::<16>("TraceID", &b).map(Value::TraceId)
        }),
    },
    Spec {
        name: "SpanID",
        build: Build::Simple(|mut a| {
            let b = bytes_like(arg(&mut a, 0))?.unwrap_or_default();
            id::<8>("SpanID", &b).map(Value::SpanId)
        }),
    },
    Spec {
        name: "ProfileID",
        build: Build::Simple(|mut a| {
            let b = bytes_like(arg(&mut a, 0))?.unwrap_or_default();
            id::<16>("ProfileID", &b).map(Value::ProfileId)
        }),
    },
];

fn id<const N: usize>(func: &str, b: &[u8]) -> R<[u8; N]> {
    let mut out = [0u8; N];
    if b.len() == N {
        out.copy_from_slice(b);
        return Ok(out);
    }
    if b.len() == 2 * N {
        return hex::decode_to_slice(b, &mut out)
            .map(|()| out)
            .map_err(|e| format!("{func}: could not decode ID: invalid hex: {e}"));
    }
    Err(format!(
        "{func}: could not decode ID: invalid length: expected {N} or {} bytes, got {}",
        2 * N,
        b.len()
    ))
}

/// Go `time.ParseDuration`.
pub fn parse_duration(s: &str) -> R<i64> {
    let bad = || format!("time: invalid duration {s:?}");
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, tail) = rest.split_at(num_end);
        if num.is_empty() || num == "." {
            return Err(bad());
        }
        let unit_end = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_end);
        let scale: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 6e10,
            "h" => 3.6e12,
            "" => return Err(format!("time: missing unit in duration {s:?}")),
            _ => return Err(format!("time: unknown unit {unit:?} in duration {s:?}")),
        };
        total += num.parse::<f64>().map_err(|_| bad())? * scale;
        rest = tail;
    }
    if total > i64::MAX as f64 {
        return Err(bad());
    }
    let n = total.round() as i64;
    Ok(if neg { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_go() {
        assert_eq!(parse_duration("5ms"), Ok(5_000_000));
        assert_eq!(parse_duration("1h2m"), Ok(3_720_000_000_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_duration("-1s"), Ok(-1_000_000_000));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn ids_accept_raw_bytes_or_hex() {
        assert_eq!(id::<2>("X", &[1, 2]), Ok([1, 2]));
        assert_eq!(id::<2>("X", b"0a0b"), Ok([10, 11]));
        assert!(id::<2>("X", b"abc").is_err());
    }
}
