//! Clock and time parts: `Now`, `Unix`, `TruncateTime`, `Year` … `Nanosecond`, `Weekday`, and
//! the identifiers that are fresh on every call, `UUID` and `UUIDv7`. Times are UTC.

use super::{arg, opt, owned, to_int, to_time, Build, Spec};
use crate::ottl::runtime::format::split_time;
use crate::ottl::runtime::value::Value;

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
        name: "TruncateTime",
        build: Build::Simple(|mut a| {
            let t = to_time(arg(&mut a, 0))?;
            let d = super::to_duration(arg(&mut a, 1))?;
            Ok(Value::Time(truncate_time(t, d)))
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
}
