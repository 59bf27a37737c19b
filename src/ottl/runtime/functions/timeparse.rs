//! `Time(time, format, location?, locale?)`: parse a string with a strptime-style format the
//! way upstream's `timeutils.StrptimeParser` does in v0.156.0.
//!
//! The format is validated like `ctimefmt.Validate`, then tried directive by directive
//! (`ctimefmt.Parse`): each directive becomes one or more Go layout elements (`%m` is tried
//! as `1`, so a one-digit month parses; `%z` as `Z0700`, `Z07:00`, `Z07`; `%D` with a four-
//! then a two-digit year), and when Go's parser fails on a numeric element whose value starts
//! with white space, that space is put into the layout and the parse retried. The layout is
//! read by an emulation of Go's `time.ParseInLocation` (errors included: `parsing time "x" as
//! "%Y": cannot parse "x" as "%Y"`), then a zone abbreviation with offset zero is looked up
//! in the time zone database and the value re-read there (`MST` → UTC−7), as
//! `timeutils.ParseGotime` does; a year of 0 becomes this year or the last.
//!
//! Where otelcheck differs: the collector's `time.Local` is taken to be UTC (a format without
//! `location` reads wall-clock times as UTC), and the result is an instant — later `Hour`,
//! `FormatTime` ... read it in UTC where upstream keeps the parsed zone. Locales other than
//! English are not emulated (upstream translates month and day names with CLDR data): such a
//! call does not compile and its processor is reported as not emulated.

use std::str::FromStr;

use chrono::{Offset, TimeZone};
use chrono_tz::{OffsetName, Tz};

use super::timefmt::{next_token, substitute, to_layout, Tok};
use super::{to_str, Build, Converter, Spec};
use crate::ottl::runtime::compile::Expr;
use crate::ottl::runtime::eval::{eval_value, EvalItem};
use crate::ottl::runtime::value::Value;

type R<T> = Result<T, String>;

pub const SPECS: &[Spec] = &[Spec {
    name: "Time",
    build: Build::Custom(build_time),
}];

/// A `time.Location`: UTC (also standing in for `Local`) or a zone of the tz database.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Loc {
    Utc,
    Zone(Tz),
}

impl Loc {
    /// Go `LoadLocation` (`""` and `UTC` are UTC; `Local` is taken as UTC).
    fn load(name: &str) -> R<Loc> {
        match name {
            "" | "UTC" | "Local" => Ok(Loc::Utc),
            _ => Tz::from_str(name)
                .map(Loc::Zone)
                .map_err(|_| format!("unknown time zone {name}")),
        }
    }

    /// Offset (seconds east of UTC) and abbreviation in effect at the Unix second `unix`.
    fn lookup(self, unix: i64) -> (i32, String) {
        match self {
            Loc::Utc => (0, "UTC".into()),
            Loc::Zone(tz) => {
                let Some(utc) = chrono::DateTime::from_timestamp(unix, 0) else {
                    return (0, "UTC".into());
                };
                let off = tz.offset_from_utc_datetime(&utc.naive_utc());
                let name = off.abbreviation().unwrap_or_default().to_string();
                (off.fix().local_minus_utc(), name)
            }
        }
    }

    /// Go `Location.lookupName`: the offset of a zone called `name` in this location,
    /// preferring one in effect around `unix` (a wall-clock time read as UTC).
    fn lookup_name(self, name: &str, unix: i64) -> Option<i32> {
        if self == Loc::Utc {
            return (name == "UTC").then_some(0);
        }
        // The zones this location used around that time: now, and half a year either side
        // (standard and daylight time).
        let candidates: Vec<(i32, String)> = [0, -182, 182]
            .iter()
            .map(|d| self.lookup(unix + d * 86_400))
            .collect();
        for (off, n) in &candidates {
            if n == name && self.lookup(unix - i64::from(*off)).1 == *n {
                return Some(*off);
            }
        }
        candidates
            .into_iter()
            .find(|(_, n)| n == name)
            .map(|(o, _)| o)
    }

    /// Go `Date(...)` in this location: the offset of the wall-clock time `unix` (read as UTC).
    fn offset_of_wall(self, unix: i64) -> i32 {
        let (off, _) = self.lookup(unix);
        if off == 0 {
            return 0;
        }
        self.lookup(unix - i64::from(off)).0
    }
}

/// A Go `time.ParseError` (the fields `ctimefmt` reads and rewrites).
#[derive(Debug, Clone)]
pub struct ParseError {
    layout: String,
    value: String,
    layout_elem: String,
    value_elem: String,
    message: String,
}

impl ParseError {
    fn render(&self) -> String {
        if self.message.is_empty() {
            format!(
                "parsing time {} as {}: cannot parse {} as {}",
                go_quote(&self.value),
                go_quote(&self.layout),
                go_quote(&self.value_elem),
                go_quote(&self.layout_elem)
            )
        } else {
            format!("parsing time {}{}", go_quote(&self.value), self.message)
        }
    }
}

/// Go `strconv.Quote` for the printable text a parse error shows.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What one layout parse gives: an instant, or Go's error (plus the zone it was read in, for
/// the abbreviation fix-up).
struct Parsed {
    unix_nanos: i128,
    zone: String,
    offset: i32,
    year: i64,
}

const SHORT_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const SHORT_DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// Go `lookup`: the first name that prefixes `val`, ASCII case-insensitively.
fn lookup<'v>(tab: &[&str], val: &'v str) -> Option<(usize, &'v str)> {
    tab.iter().enumerate().find_map(|(i, name)| {
        let n = name.len();
        (val.len() >= n && val.is_char_boundary(n) && val[..n].eq_ignore_ascii_case(name))
            .then(|| (i, &val[n..]))
    })
}

fn digit(s: &str, i: usize) -> bool {
    s.as_bytes().get(i).is_some_and(u8::is_ascii_digit)
}

/// Go `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(s: &str, fixed: bool) -> Option<(i64, &str)> {
    if !digit(s, 0) {
        return None;
    }
    let b = s.as_bytes();
    if !digit(s, 1) {
        if fixed {
            return None;
        }
        return Some((i64::from(b[0] - b'0'), &s[1..]));
    }
    Some((
        i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0'),
        &s[2..],
    ))
}

/// Go `getnum3`: one to three digits (exactly three when `fixed`).
fn getnum3(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let n = s.bytes().take(3).take_while(u8::is_ascii_digit).count();
    if n == 0 || (fixed && n != 3) {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// Go `atoi`: an optional sign and decimal digits, nothing else.
fn atoi(s: &str) -> Option<i64> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// Go `parseNanoseconds` over the first `n` bytes (`.` or `,` then digits).
fn nanoseconds(value: &str, n: usize) -> Option<i64> {
    if !matches!(value.as_bytes().first(), Some(b'.' | b',')) {
        return None;
    }
    let n = n.min(10);
    let ns = atoi(value.get(1..n)?)?;
    if ns < 0 {
        return None;
    }
    Some(ns * 10_i64.pow(10 - n as u32))
}

/// Go `skip`: consume the literal `prefix`; a space in it matches any run of spaces.
fn skip<'v>(mut value: &'v str, mut prefix: &str) -> Result<&'v str, &'v str> {
    while let Some(p) = prefix.chars().next() {
        if p == ' ' {
            if !value.is_empty() && !value.starts_with(' ') {
                return Err(value);
            }
            prefix = prefix.trim_start_matches(' ');
            value = value.trim_start_matches(' ');
            continue;
        }
        if !value.starts_with(p) {
            return Err(value);
        }
        prefix = &prefix[p.len_utf8()..];
        value = &value[p.len_utf8()..];
    }
    Ok(value)
}

/// Go `parseTimeZone`: how long the zone abbreviation at the start of `value` is.
fn zone_len(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    if b.len() < 3 {
        return None;
    }
    if value.starts_with("ChST") || value.starts_with("MeST") {
        return Some(4);
    }
    if let Some(rest) = value.strip_prefix("GMT") {
        return Some(3 + signed_offset_len(rest));
    }
    if b[0] == b'+' || b[0] == b'-' {
        let n = signed_offset_len(value);
        return (n > 0).then_some(n);
    }
    let upper = b
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    match upper {
        5 if b[4] == b'T' => Some(5),
        4 if b[3] == b'T' || value.starts_with("WITA") => Some(4),
        3 => Some(3),
        _ => None,
    }
}

/// Go `parseSignedOffset`: a sign and an hour of at most 12 (0 when there is none).
fn signed_offset_len(value: &str) -> usize {
    let b = value.as_bytes();
    if !matches!(b.first(), Some(b'+' | b'-')) {
        return 0;
    }
    let n = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return 0;
    }
    match value[1..1 + n].parse::<i64>() {
        Ok(x) if x <= 12 => 1 + n,
        _ => 0,
    }
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Go `time.ParseInLocation(layout, value, loc)`.
fn go_parse(layout: &str, value_all: &str, loc: Loc) -> Result<Parsed, ParseError> {
    let err = |layout_elem: &str, value_elem: &str, message: String| ParseError {
        layout: layout.to_string(),
        value: value_all.to_string(),
        layout_elem: layout_elem.to_string(),
        value_elem: value_elem.to_string(),
        message,
    };
    let (mut year, mut month, mut day, mut yday) = (0_i64, -1_i64, -1_i64, -1_i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0_i64, 0_i64, 0_i64, 0_i64);
    let (mut pm_set, mut am_set) = (false, false);
    let mut utc_zone = false;
    let mut zone_offset: Option<i64> = None;
    let mut zone_name = String::new();
    let mut value = value_all;
    let mut rest = layout;
    loop {
        // The literal prefix up to the next element.
        let mut i = 0;
        let mut found = None;
        while i < rest.len() {
            let (tok, len) = next_token(&rest[i..]);
            if !matches!(tok, Tok::Lit) {
                found = Some((tok, len));
                break;
            }
            i += rest[i..].chars().next().map_or(1, char::len_utf8);
        }
        let prefix = &rest[..i];
        value = skip(value, prefix).map_err(|v| err(prefix, v, String::new()))?;
        let Some((tok, len)) = found else {
            if !value.is_empty() {
                return Err(err("", value, format!(": extra text: {}", go_quote(value))));
            }
            break;
        };
        let elem = &rest[i..i + len];
        rest = &rest[i + len..];
        let hold = value;
        let mut range: Option<&str> = None;
        let bad = || err(elem, hold, String::new());
        match tok {
            Tok::Lit => {}
            Tok::Year => {
                if value.len() < 2 {
                    return Err(bad());
                }
                let (p, r) = value.split_at_checked(2).ok_or_else(bad)?;
                let y = atoi(p).ok_or_else(bad)?;
                year = if y >= 69 { y + 1900 } else { y + 2000 };
                value = r;
            }
            Tok::LongYear => {
                if value.len() < 4 || !digit(value, 0) {
                    return Err(bad());
                }
                let (p, r) = value.split_at_checked(4).ok_or_else(bad)?;
                year = atoi(p).ok_or_else(bad)?;
                value = r;
            }
            Tok::Month => {
                let (m, r) = lookup(&SHORT_MONTHS, value).ok_or_else(bad)?;
                month = m as i64 + 1;
                value = r;
            }
            Tok::LongMonth => {
                let (m, r) = lookup(&super::timefmt::MONTHS, value).ok_or_else(bad)?;
                month = m as i64 + 1;
                value = r;
            }
            Tok::NumMonth | Tok::ZeroMonth => {
                let (m, r) = getnum(value, matches!(tok, Tok::ZeroMonth)).ok_or_else(bad)?;
                month = m;
                value = r;
                if !(1..=12).contains(&month) {
                    range = Some("month");
                }
            }
            Tok::WeekDay => value = lookup(&SHORT_DAYS, value).ok_or_else(bad)?.1,
            Tok::LongWeekDay => value = lookup(&super::timefmt::DAYS, value).ok_or_else(bad)?.1,
            Tok::Day | Tok::UnderDay | Tok::ZeroDay => {
                if matches!(tok, Tok::UnderDay) && value.starts_with(' ') {
                    value = &value[1..];
                }
                let (d, r) = getnum(value, matches!(tok, Tok::ZeroDay)).ok_or_else(bad)?;
                day = d;
                value = r;
            }
            Tok::UnderYearDay | Tok::ZeroYearDay => {
                for _ in 0..2 {
                    if matches!(tok, Tok::UnderYearDay) && value.starts_with(' ') {
                        value = &value[1..];
                    }
                }
                let (d, r) = getnum3(value, matches!(tok, Tok::ZeroYearDay)).ok_or_else(bad)?;
                yday = d;
                value = r;
                if !(1..=366).contains(&yday) {
                    range = Some("day-of-year");
                }
            }
            Tok::Hour => {
                let (h, r) = getnum(value, false).ok_or_else(bad)?;
                hour = h;
                value = r;
                if !(0..24).contains(&hour) {
                    range = Some("hour");
                }
            }
            Tok::Hour12 | Tok::ZeroHour12 => {
                let (h, r) = getnum(value, matches!(tok, Tok::ZeroHour12)).ok_or_else(bad)?;
                hour = h;
                value = r;
                if !(0..=12).contains(&hour) {
                    range = Some("hour");
                }
            }
            Tok::Minute | Tok::ZeroMinute => {
                let (m, r) = getnum(value, matches!(tok, Tok::ZeroMinute)).ok_or_else(bad)?;
                min = m;
                value = r;
                if !(0..60).contains(&min) {
                    range = Some("minute");
                }
            }
            Tok::Second | Tok::ZeroSecond => {
                let (s, r) = getnum(value, matches!(tok, Tok::ZeroSecond)).ok_or_else(bad)?;
                sec = s;
                value = r;
                if !(0..60).contains(&sec) {
                    range = Some("second");
                } else if matches!(value.as_bytes().first(), Some(b'.' | b',')) && digit(value, 1) {
                    // A fraction the layout does not ask for, unless its next element is one.
                    let next_is_frac = {
                        let mut j = 0;
                        let mut frac = false;
                        while j < rest.len() {
                            let (t, _) = next_token(&rest[j..]);
                            if !matches!(t, Tok::Lit) {
                                frac = matches!(t, Tok::Frac { .. });
                                break;
                            }
                            j += rest[j..].chars().next().map_or(1, char::len_utf8);
                        }
                        frac
                    };
                    if !next_is_frac {
                        let n = 2 + value[2..].bytes().take_while(u8::is_ascii_digit).count();
                        match nanoseconds(value, n) {
                            Some(ns) => nsec = ns,
                            None => return Err(err(elem, value, String::new())),
                        }
                        value = &value[n..];
                    }
                }
            }
            Tok::Pm | Tok::PmLower => {
                let p = value.get(..2).ok_or_else(bad)?;
                let (pm, am) = if matches!(tok, Tok::Pm) {
                    ("PM", "AM")
                } else {
                    ("pm", "am")
                };
                if p == pm {
                    pm_set = true;
                } else if p == am {
                    am_set = true;
                } else {
                    return Err(bad());
                }
                value = &value[2..];
            }
            Tok::IsoTz | Tok::NumTz(_) => {
                if matches!(tok, Tok::IsoTz) && value.starts_with('Z') {
                    value = &value[1..];
                    utc_zone = true;
                } else {
                    let b = value.as_bytes();
                    // The element's shape: `-07`, `-0700`, `-07:00`, `-070000`, `-07:00:00`.
                    let shape = elem.trim_start_matches(['Z', '-']);
                    let (hh, mm, ss, used) = match shape {
                        "07:00" if b.len() >= 6 && b[3] == b':' => {
                            (&value[1..3], &value[4..6], "00", 6)
                        }
                        "07" if b.len() >= 3 => (&value[1..3], "00", "00", 3),
                        "07:00:00" if b.len() >= 9 && b[3] == b':' && b[6] == b':' => {
                            (&value[1..3], &value[4..6], &value[7..9], 9)
                        }
                        "070000" if b.len() >= 7 => (&value[1..3], &value[3..5], &value[5..7], 7),
                        "0700" if b.len() >= 5 => (&value[1..3], &value[3..5], "00", 5),
                        _ => return Err(bad()),
                    };
                    let num = |s: &str| getnum(s, true).map(|(n, _)| n);
                    let (Some(h), Some(m), Some(s)) = (num(hh), num(mm), num(ss)) else {
                        return Err(bad());
                    };
                    if h > 24 {
                        range = Some("time zone offset hour");
                    }
                    if m > 60 {
                        range = Some("time zone offset minute");
                    }
                    if s > 60 {
                        range = Some("time zone offset second");
                    }
                    let off = (h * 60 + m) * 60 + s;
                    zone_offset = Some(match b[0] {
                        b'+' => off,
                        b'-' => -off,
                        _ => return Err(bad()),
                    });
                    value = &value[used..];
                }
            }
            Tok::Tz => {
                if value.starts_with("UTC") {
                    utc_zone = true;
                    value = &value[3..];
                } else {
                    let n = zone_len(value).ok_or_else(bad)?;
                    zone_name = value[..n].to_string();
                    value = &value[n..];
                }
            }
            Tok::Frac { digits, trim, .. } => {
                if trim {
                    if value.len() >= 2
                        && matches!(value.as_bytes()[0], b'.' | b',')
                        && digit(value, 1)
                    {
                        let n = 1 + value[1..].bytes().take_while(u8::is_ascii_digit).count();
                        nsec = nanoseconds(value, n).ok_or_else(bad)?;
                        value = &value[n..];
                    }
                } else {
                    let n = 1 + digits;
                    if value.len() < n {
                        return Err(bad());
                    }
                    nsec = nanoseconds(value, n).ok_or_else(bad)?;
                    value = &value[n..];
                }
            }
        }
        if let Some(what) = range {
            return Err(err(elem, value, format!(": {what} out of range")));
        }
    }
    if pm_set && hour < 12 {
        hour += 12;
    } else if am_set && hour == 12 {
        hour = 0;
    }
    if yday >= 0 {
        let mut yd = yday;
        let (mut m, mut d) = (0, 0);
        if is_leap(year) {
            if yd == 31 + 29 {
                (m, d) = (2, 29);
            } else if yd > 31 + 29 {
                yd -= 1;
            }
        }
        if !(1..=365).contains(&yd) {
            return Err(err("", value, ": day-of-year out of range".into()));
        }
        if m == 0 {
            const BEFORE: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
            m = (yd - 1) / 31 + 1;
            if BEFORE[m as usize] < yd {
                m += 1;
            }
            d = yd - BEFORE[m as usize - 1];
        }
        if month >= 0 && month != m {
            return Err(err("", value, ": day-of-year does not match month".into()));
        }
        month = m;
        if day >= 0 && day != d {
            return Err(err("", value, ": day-of-year does not match day".into()));
        }
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }
    if day < 1 || day > days_in(month, year) {
        return Err(err("", value, ": day out of range".into()));
    }
    let wall = days_from_civil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec;
    let at = |off: i64| i128::from(wall - off) * 1_000_000_000 + i128::from(nsec);
    if utc_zone {
        return Ok(Parsed {
            unix_nanos: at(0),
            zone: "UTC".into(),
            offset: 0,
            year,
        });
    }
    if let Some(off) = zone_offset {
        // Go keeps the location's own zone when its offset matches, else a fixed zone.
        let (loc_off, loc_name) = loc.lookup(wall - off);
        let zone = if i64::from(loc_off) == off && (zone_name.is_empty() || loc_name == zone_name) {
            loc_name
        } else {
            zone_name
        };
        return Ok(Parsed {
            unix_nanos: at(off),
            zone,
            offset: off as i32,
            year,
        });
    }
    if !zone_name.is_empty() {
        if let Some(off) = loc.lookup_name(&zone_name, wall) {
            return Ok(Parsed {
                unix_nanos: at(i64::from(off)),
                zone: zone_name,
                offset: off,
                year,
            });
        }
        // A fake zone with an unknown offset (GMT±h carries its hours).
        let off = zone_name
            .get(3..)
            .filter(|_| zone_name.len() > 3 && zone_name.starts_with("GMT"))
            .and_then(atoi)
            .map_or(0, |h| h * 3600);
        return Ok(Parsed {
            unix_nanos: at(off),
            zone: zone_name,
            offset: off as i32,
            year,
        });
    }
    let off = loc.offset_of_wall(wall);
    let zone = loc.lookup(wall - i64::from(off)).1;
    Ok(Parsed {
        unix_nanos: at(i64::from(off)),
        zone,
        offset: off,
        year,
    })
}

/// `timeutils.parseGotime`: a zone abbreviation read with offset zero (and not the
/// location's own) is looked up in the tz database and the value re-read there.
fn parse_gotime(layout: &str, value: &str, loc: Loc) -> Result<Parsed, TimeError> {
    let first = go_parse(layout, value, loc).map_err(TimeError::Parse)?;
    let loc_zone = loc
        .lookup(i64::try_from(first.unix_nanos.div_euclid(1_000_000_000)).unwrap_or(0))
        .1;
    if first.offset != 0 || first.zone == "UTC" || first.zone == loc_zone {
        return Ok(first);
    }
    let zone_loc = match Tz::from_str(&first.zone) {
        Ok(tz) => Loc::Zone(tz),
        Err(_) => {
            return Err(TimeError::Other(format!(
                "failed to load location {}: unknown time zone {}",
                first.zone, first.zone
            )))
        }
    };
    Ok(go_parse(layout, value, zone_loc).unwrap_or(first))
}

#[derive(Debug)]
enum TimeError {
    Parse(ParseError),
    Other(String),
}

/// `ctimefmt.Parse`: try the format's directives as Go layout elements, left to right.
fn strptime(format: &str, value: &str, loc: Loc) -> R<Parsed> {
    let directives: Vec<(usize, usize)> = {
        let b = format.as_bytes();
        let mut v = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 1 < b.len() {
                let n = format[i + 1..].chars().next().map_or(1, char::len_utf8);
                v.push((i, i + 1 + n));
                i += 1 + n;
            } else {
                i += 1;
            }
        }
        v
    };
    match iterative(String::new(), format, 0, &directives, value, loc) {
        Ok(p) => Ok(p),
        Err(TimeError::Parse(mut e)) => {
            e.layout = format.to_string();
            Err(e.render())
        }
        Err(TimeError::Other(m)) => Err(m),
    }
}

fn parse_elements(elems: &[&str]) -> Vec<String> {
    elems.iter().map(|s| (*s).to_string()).collect()
}

/// `ctimefmt.iterativeParse`.
fn iterative(
    partial: String,
    format: &str,
    start: usize,
    directives: &[(usize, usize)],
    value: &str,
    loc: Loc,
) -> Result<Parsed, TimeError> {
    let Some(&(ds, de)) = directives.first() else {
        let layout = format!("{partial}{}", &format[start..]);
        return parse_gotime(&layout, value, loc);
    };
    let partial = format!("{partial}{}", &format[start..ds]);
    let directive = &format[ds..de];
    let rest = &directives[1..];
    // One attempt with these elements: the result, and which element failed (with the
    // value left there) when Go's error names one of them.
    let attempt = |elements: &[String]| -> (Result<Parsed, TimeError>, Option<(usize, String)>) {
        let layout = format!("{partial}{}", elements.concat());
        let mut out = iterative(layout, format, de, rest, value, loc);
        let mut failed = None;
        if let Err(TimeError::Parse(e)) = &mut out {
            if let Some(i) = elements.iter().position(|x| *x == e.layout_elem) {
                e.layout_elem = directive.to_string();
                failed = Some((i, e.value_elem.clone()));
            }
        }
        (out, failed)
    };
    // Retry with the value's leading white space put before a failing numeric element.
    let try_elements = |mut elements: Vec<String>| -> (Result<Parsed, TimeError>, bool) {
        loop {
            let (out, failed) = attempt(&elements);
            let Some((i, remainder)) = failed else {
                return (out, false);
            };
            let numeric = elements[i]
                .bytes()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == b'Z');
            let space: String = remainder
                .chars()
                .take_while(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c'))
                .collect();
            if numeric && !space.is_empty() {
                elements.insert(i, space);
                continue;
            }
            return (out, true);
        }
    };
    if directive == "%z" {
        let mut last = None;
        for e in ["Z0700", "Z07:00", "Z07"] {
            let (out, failed) = try_elements(parse_elements(&[e]));
            if !failed {
                return out;
            }
            last = Some(out);
        }
        return last.unwrap_or_else(|| Err(TimeError::Other("unreachable".into())));
    }
    let flexible: Option<&[&[&str]]> = match directive {
        "%m" | "%o" | "%q" => Some(&[&["1"]]),
        "%d" | "%e" | "%g" => Some(&[&["2"]]),
        "%I" => Some(&[&["3"]]),
        "%M" => Some(&[&["4"]]),
        "%S" => Some(&[&["5"]]),
        "%D" | "%x" => Some(&[&["1", "/", "2", "/", "2006"], &["1", "/", "2", "/", "06"]]),
        "%F" => Some(&[&["2006", "-", "1", "-", "2"]]),
        "%T" | "%X" => Some(&[&["15", ":", "4", ":", "5"]]),
        "%r" => Some(&[&["3", ":", "4", ":", "5", " ", "pm"]]),
        "%R" => Some(&[&["15", ":", "4"]]),
        "%c" => Some(&[&[
            "Mon", " ", "Jan", " ", "2", " ", "15", ":", "4", ":", "5", " ", "2006",
        ]]),
        _ => None,
    };
    if let Some(alternatives) = flexible {
        let mut last = None;
        for alt in alternatives {
            let (out, failed) = try_elements(parse_elements(alt));
            if !failed {
                return out;
            }
            last = Some(out);
        }
        return last.unwrap_or_else(|| Err(TimeError::Other("unreachable".into())));
    }
    match substitute(directive) {
        Some(s) => try_elements(vec![String::new(), s.to_string()]).0,
        None => Err(TimeError::Other(format!(
            "unsupported ctimefmt.FlexibleParse() directive: {directive}"
        ))),
    }
}

/// `timeutils.SetTimestampYear`: a time without a year (year 0) gets the current year, or
/// the last one when that would put it more than a week in the future.
fn set_year(p: Parsed, now_nanos: i64) -> i128 {
    if p.year > 0 {
        return p.unix_nanos;
    }
    const DAY: i128 = 86_400 * 1_000_000_000;
    let now = i128::from(now_nanos);
    let now_year = crate::ottl::runtime::format::split_time(now_nanos).0 .0;
    // Shift by whole years of the civil calendar: re-date the wall clock.
    let wall_secs = p.unix_nanos.div_euclid(1_000_000_000) + i128::from(p.offset);
    let nanos = p.unix_nanos.rem_euclid(1_000_000_000);
    let days = i64::try_from(wall_secs.div_euclid(86_400)).unwrap_or(0);
    let sod = wall_secs.rem_euclid(86_400);
    let (_, m, d) = civil(days);
    let redate = |y: i64| {
        // Go's Date normalises 29 February of a common year to 1 March.
        let days = days_from_civil(y, m, 1) + d - 1;
        (i128::from(days) * 86_400 + sod - i128::from(p.offset)) * 1_000_000_000 + nanos
    };
    let this = redate(now_year);
    if this > now + 7 * DAY {
        redate(now_year - 1)
    } else {
        this
    }
}

/// Civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm), any year.
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[derive(Debug)]
struct TimeConv {
    time: Expr,
    format: String,
    loc: Loc,
}

/// Whether `locale` is an English BCP 47 tag (whose names need no translation).
fn english(locale: &str) -> bool {
    let lang = locale.split(['-', '_']).next().unwrap_or_default();
    lang.eq_ignore_ascii_case("en")
}

fn build_time(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let time = take(0).ok_or("missing time")?;
    let lit = |e: Option<Expr>| match e {
        Some(Expr::Const(Value::Str(s))) => Ok(Some(s.into_owned())),
        None => Ok(None),
        Some(_) => Err("must be a string literal".to_string()),
    };
    let format = lit(take(1))?.unwrap_or_default();
    let location = lit(take(2))?;
    let locale = lit(take(3))?;
    if format.is_empty() {
        return Err("format cannot be nil".into());
    }
    let loc = match location.as_deref() {
        Some(l) if !l.is_empty() => {
            Loc::load(l).map_err(|e| format!("failed to load location {l}: {e}"))?
        }
        // Without a location: UTC when the format ends in `Z`, else `time.Local` (UTC here).
        _ => Loc::Utc,
    };
    if let Some(l) = locale {
        if !english(&l) {
            return Err(format!(
                "otelcheck cannot parse times in the locale '{l}' yet (upstream translates \
                 month and day names with CLDR data); only English locales are emulated"
            ));
        }
    }
    to_layout(&format)?;
    Ok(Box::new(TimeConv { time, format, loc }))
}

impl Converter for TimeConv {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let t = to_str(eval_value(&self.time, item)?)?;
        if t.is_empty() {
            return Err("time cannot be nil".into());
        }
        parse(&self.format, &t, self.loc, now()).map(Value::Time)
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// Parse `value` with the strptime `format` in `loc`; Unix nanoseconds.
fn parse(format: &str, value: &str, loc: Loc, now_nanos: i64) -> R<i64> {
    let p = strptime(format, value, loc)?;
    let nanos = set_year(p, now_nanos);
    i64::try_from(nanos).map_err(|_| {
        format!("otelcheck cannot represent the time {value:?}: it is outside the years 1678–2262")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix nanoseconds of a UTC wall-clock time minus `offset_secs`.
    fn at(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, offset_secs: i64) -> i64 {
        (days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset_secs) * 1_000_000_000
    }

    fn utc(format: &str, value: &str) -> R<i64> {
        parse(format, value, Loc::Utc, 0)
    }

    /// Upstream `Test_Time`, `time.Local` being UTC.
    #[test]
    fn upstream_rows() {
        let rows: &[(&str, &str, i64)] = &[
            ("2023-04-12", "%Y-%m-%d", at(2023, 4, 12, 0, 0, 0, 0)),
            ("11/11/11", "%d/%m/%y", at(2011, 11, 11, 0, 0, 0, 0)),
            ("02/04/2023", "%m/%d/%Y", at(2023, 2, 4, 0, 0, 0, 0)),
            ("July 31, 1993", "%B %d, %Y", at(1993, 7, 31, 0, 0, 0, 0)),
            (
                "Mar 14 2023 17:02:59",
                "%b %d %Y %H:%M:%S",
                at(2023, 3, 14, 17, 2, 59, 0),
            ),
            (
                "Monday, May 01, 2023",
                "%A, %B %d, %Y",
                at(2023, 5, 1, 0, 0, 0, 0),
            ),
            (
                "Sat, May 20, 2023",
                "%a, %b %d, %Y",
                at(2023, 5, 20, 0, 0, 0, 0),
            ),
            ("Feb 15, 2023", "%b %d, %Y", at(2023, 2, 15, 0, 0, 0, 0)),
            (
                "2023-05-26 12:34:56 HST",
                "%Y-%m-%d %H:%M:%S %Z",
                at(2023, 5, 26, 12, 34, 56, -10 * 3600),
            ),
            (
                "2023-05-26T12:34:56 GMT",
                "%Y-%m-%dT%H:%M:%S %Z",
                at(2023, 5, 26, 12, 34, 56, 0),
            ),
            (
                "2012-11-01T22:08:41+0000 EST",
                "%Y-%m-%dT%H:%M:%S%z %Z",
                at(2012, 11, 1, 22, 8, 41, 0),
            ),
            (
                "1986-10-01T00:17:33 MST",
                "%Y-%m-%dT%H:%M:%S %Z",
                at(1986, 10, 1, 0, 17, 33, -7 * 3600),
            ),
            ("2022/01/01", "%Y/%m/%d", at(2022, 1, 1, 0, 0, 0, 0)),
        ];
        for (value, format, want) in rows {
            assert_eq!(utc(format, value), Ok(*want), "{value} as {format}");
        }
    }

    #[test]
    fn upstream_location_rows() {
        let ny = Loc::load("America/New_York").unwrap();
        let sh = Loc::load("Asia/Shanghai").unwrap();
        let f = "%Y-%m-%d %H:%M:%S";
        assert_eq!(
            parse(f, "2023-05-26 12:34:56", ny, 0),
            Ok(at(2023, 5, 26, 12, 34, 56, -4 * 3600))
        );
        assert_eq!(
            parse(f, "2023-05-26 12:34:56", sh, 0),
            Ok(at(2023, 5, 26, 12, 34, 56, 8 * 3600))
        );
        // The zone in the value wins over the default location.
        assert_eq!(
            parse("%Y-%m-%dT%H:%M:%S %Z", "1986-10-01T00:17:33 MST", sh, 0),
            Ok(at(1986, 10, 1, 0, 17, 33, -7 * 3600))
        );
        assert_eq!(
            Loc::load("Jupiter/Ganymede").unwrap_err(),
            "unknown time zone Jupiter/Ganymede"
        );
    }

    /// Upstream `Test_TimeError`.
    #[test]
    fn upstream_error_rows() {
        assert_eq!(
            utc("%Y/%m/%d", "11/11/11").unwrap_err(),
            r#"parsing time "11/11/11" as "%Y/%m/%d": cannot parse "11/11/11" as "%Y""#
        );
    }

    #[test]
    fn flexible_directives() {
        // One-digit fields, leading spaces before numbers, offsets in three shapes.
        assert_eq!(
            utc("%m/%d/%Y %H:%M", "1/2/2023  3:04"),
            Ok(at(2023, 1, 2, 3, 4, 0, 0))
        );
        assert_eq!(
            utc("%Y-%m-%dT%H:%M:%S%z", "2023-01-02T03:04:05+05:30"),
            Ok(at(2023, 1, 2, 3, 4, 5, 5 * 3600 + 1800))
        );
        assert_eq!(
            utc("%Y-%m-%dT%H:%M:%S%z", "2023-01-02T03:04:05Z"),
            Ok(at(2023, 1, 2, 3, 4, 5, 0))
        );
        assert_eq!(
            utc("%Y-%m-%dT%H:%M:%S.%f", "2023-01-02T03:04:05.123456"),
            Ok(at(2023, 1, 2, 3, 4, 5, 0) + 123_456_000)
        );
        assert_eq!(utc("%D", "1/2/23"), Ok(at(2023, 1, 2, 0, 0, 0, 0)));
        assert_eq!(
            utc("%Y-%m-%d %r", "2023-01-02 02:03:04 pm"),
            Ok(at(2023, 1, 2, 14, 3, 4, 0))
        );
    }

    #[test]
    fn range_and_extra_text_errors() {
        assert_eq!(
            utc("%Y-%m-%d", "2023-13-01").unwrap_err(),
            r#"parsing time "2023-13-01": month out of range"#
        );
        assert_eq!(
            utc("%Y-%m-%d", "2023-02-30").unwrap_err(),
            r#"parsing time "2023-02-30": day out of range"#
        );
        assert_eq!(
            utc("%Y-%m-%d", "2023-01-01 junk").unwrap_err(),
            r#"parsing time "2023-01-01 junk": extra text: " junk""#
        );
    }

    #[test]
    fn a_missing_year_is_this_year_or_the_last() {
        let now = at(2024, 1, 3, 0, 0, 0, 0);
        assert_eq!(
            parse("%b %d %H:%M:%S", "Jan 02 10:00:00", Loc::Utc, now),
            Ok(at(2024, 1, 2, 10, 0, 0, 0))
        );
        assert_eq!(
            parse("%b %d %H:%M:%S", "Dec 30 10:00:00", Loc::Utc, now),
            Ok(at(2023, 12, 30, 10, 0, 0, 0))
        );
    }

    #[test]
    fn compile_errors() {
        let s = |v: &str| Some(Expr::Const(Value::Str(v.to_string().into())));
        let build = |f: &str, loc: Option<&str>, locale: Option<&str>| {
            build_time(vec![s("x"), s(f), loc.and_then(s), locale.and_then(s)]).map(drop)
        };
        assert_eq!(build("", None, None).unwrap_err(), "format cannot be nil");
        assert!(build("%Y", Some("Jupiter/Ganymede"), None)
            .unwrap_err()
            .contains("unknown time zone Jupiter/Ganymede"));
        assert!(build("%Y", None, Some("es-ES"))
            .unwrap_err()
            .starts_with("otelcheck cannot parse times in the locale 'es-ES'"));
        assert!(build("%Y", None, Some("en-US")).is_ok());
        assert!(build("%Q", None, None)
            .unwrap_err()
            .contains("unsupported ctimefmt.toNative() directive: %Q"));
    }
}
