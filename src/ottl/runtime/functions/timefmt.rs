//! `FormatTime(time, format)`: the strptime-style `format` (`%Y-%m-%dT%H:%M:%S.%L`) is
//! validated and turned into a Go layout exactly as `ctimefmt` does, then formatted the way
//! Go's `Time.Format` reads that layout — including Go layout words that happen to appear in
//! the literal text (`Month` contains `Mon`). Times are UTC, as span timestamps are.
//!
//! `Time(...)` (parsing) lives in `timeparse.rs` and reads layouts with the same tokenizer.

use std::borrow::Cow;

use super::{to_time, Build, Converter, Spec};
use crate::ottl::runtime::compile::Expr;
use crate::ottl::runtime::eval::{eval_value, EvalItem};
use crate::ottl::runtime::format::split_time;
use crate::ottl::runtime::value::Value;

type R<T> = Result<T, String>;

pub const SPECS: &[Spec] = &[Spec {
    name: "FormatTime",
    build: Build::Custom(build_format_time),
}];

/// `ctimeSubstitutes`.
pub(super) fn substitute(d: &str) -> Option<&'static str> {
    Some(match d {
        "%Y" => "2006",
        "%y" => "06",
        "%m" => "01",
        "%o" => "_1",
        "%q" => "1",
        "%b" | "%h" => "Jan",
        "%B" => "January",
        "%d" => "02",
        "%e" => "_2",
        "%g" => "2",
        "%a" => "Mon",
        "%A" => "Monday",
        "%H" => "15",
        "%l" => "3",
        "%I" => "03",
        "%p" => "PM",
        "%P" => "pm",
        "%M" => "04",
        "%S" => "05",
        "%L" => "999",
        "%f" => "999999",
        "%s" => "999999999",
        "%Z" => "MST",
        "%z" => "Z0700",
        "%w" => "-070000",
        "%i" => "-07",
        "%j" => "-07:00",
        "%k" => "-07:00:00",
        "%D" | "%x" => "01/02/2006",
        "%F" => "2006-01-02",
        "%T" | "%X" => "15:04:05",
        "%r" => "03:04:05 pm",
        "%R" => "15:04",
        "%n" => "\n",
        "%t" => "\t",
        "%%" => "%",
        "%c" => "Mon Jan 02 15:04:05 2006",
        _ => return None,
    })
}

/// `ctimefmt.Validate` then `toNative`: no digits, fractional directives after `.`/`,`, only
/// known directives.
pub(super) fn to_layout(format: &str) -> R<String> {
    if format.is_empty() {
        return Err("format cannot be nil".into());
    }
    if format.bytes().any(|b| b.is_ascii_digit()) {
        return Err("format string should not contain decimals".into());
    }
    let b = format.as_bytes();
    for i in 1..b.len().saturating_sub(1) {
        if b[i] == b'%'
            && matches!(b[i + 1], b'L' | b'f' | b's')
            && !matches!(b[i - 1], b'.' | b',')
        {
            let m = &format[i - 1..i + 2];
            return Err(format!(
                "invalid fractional seconds directive: '{m}'. must be preceded with '.' or ','"
            ));
        }
    }
    let mut out = String::new();
    let mut bad = Vec::new();
    let mut chars = format.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some((_, d)) = chars.next() else {
            out.push('%');
            break;
        };
        let directive = &format[i..i + 1 + d.len_utf8()];
        match substitute(directive) {
            Some(s) => out.push_str(s),
            None => bad.push(format!(
                "unsupported ctimefmt.toNative() directive: {directive}"
            )),
        }
    }
    if !bad.is_empty() {
        return Err(format!("invalid strptime format: [{}]", bad.join(" ")));
    }
    Ok(out)
}

#[derive(Debug)]
struct FormatTime {
    time: Expr,
    layout: String,
}

fn build_format_time(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let time = take(0).ok_or("missing time")?;
    let layout = match take(1) {
        Some(Expr::Const(Value::Str(f))) => to_layout(&f)?,
        _ => return Err("format must be a string literal".into()),
    };
    Ok(Box::new(FormatTime { time, layout }))
}

impl Converter for FormatTime {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let t = to_time(eval_value(&self.time, item)?)?;
        Ok(Value::Str(Cow::Owned(go_format(&self.layout, t))))
    }
}

/// Go's month and weekday names (`time.Month.String`, `time.Weekday.String`), shared with
/// the parser in `timeparse.rs`.
pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(super) const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Go `Time.Format(layout)` for a UTC time given as Unix nanoseconds.
pub fn go_format(layout: &str, t: i64) -> String {
    let ((year, month, day), hour, min, sec, nanos) = split_time(t);
    let weekday = (t.div_euclid(86_400_000_000_000) + 4).rem_euclid(7) as usize;
    let yday = year_day(year, month, day);
    let mname = MONTHS[(month as usize).saturating_sub(1) % 12];
    let mut out = String::new();
    let mut rest = layout;
    while !rest.is_empty() {
        let (tok, len) = next_token(rest);
        match tok {
            Tok::Lit => {
                let ch = rest.chars().next().unwrap_or(' ');
                out.push(ch);
                rest = &rest[ch.len_utf8()..];
                continue;
            }
            Tok::LongMonth => out.push_str(mname),
            Tok::Month => out.push_str(&mname[..3]),
            Tok::LongWeekDay => out.push_str(DAYS[weekday]),
            Tok::WeekDay => out.push_str(&DAYS[weekday][..3]),
            Tok::Tz => out.push_str("UTC"),
            Tok::NumMonth => out.push_str(&month.to_string()),
            Tok::ZeroMonth => out.push_str(&format!("{month:02}")),
            Tok::Day => out.push_str(&day.to_string()),
            Tok::UnderDay => out.push_str(&format!("{day:>2}")),
            Tok::ZeroDay => out.push_str(&format!("{day:02}")),
            Tok::UnderYearDay => out.push_str(&format!("{yday:>3}")),
            Tok::ZeroYearDay => out.push_str(&format!("{yday:03}")),
            Tok::Hour => out.push_str(&format!("{hour:02}")),
            Tok::Hour12 => out.push_str(&hour12(hour).to_string()),
            Tok::ZeroHour12 => out.push_str(&format!("{:02}", hour12(hour))),
            Tok::Minute => out.push_str(&min.to_string()),
            Tok::ZeroMinute => out.push_str(&format!("{min:02}")),
            Tok::Second => out.push_str(&sec.to_string()),
            Tok::ZeroSecond => out.push_str(&format!("{sec:02}")),
            Tok::LongYear => out.push_str(&format!("{year:04}")),
            Tok::Year => out.push_str(&format!("{:02}", year.rem_euclid(100))),
            Tok::Pm => out.push_str(if hour >= 12 { "PM" } else { "AM" }),
            Tok::PmLower => out.push_str(if hour >= 12 { "pm" } else { "am" }),
            Tok::NumTz(s) => out.push_str(s),
            Tok::IsoTz => out.push('Z'),
            Tok::Frac { sep, digits, trim } => {
                let all = format!("{nanos:09}");
                let mut f = all[..digits.min(9)].to_string();
                if trim {
                    while f.ends_with('0') {
                        f.pop();
                    }
                }
                if !f.is_empty() {
                    out.push(sep);
                    out.push_str(&f);
                }
            }
        }
        rest = &rest[len..];
    }
    out
}

fn hour12(h: i64) -> i64 {
    match h % 12 {
        0 => 12,
        x => x,
    }
}

fn year_day(year: i64, month: u32, day: u32) -> u32 {
    const CUM: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let extra = u32::from(leap && month > 2);
    CUM[(month as usize).saturating_sub(1) % 12] + day + extra
}

pub(super) enum Tok {
    Lit,
    LongMonth,
    Month,
    LongWeekDay,
    WeekDay,
    Tz,
    NumMonth,
    ZeroMonth,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    Pm,
    PmLower,
    /// UTC spelled as the numeric zone layout asks (`+0000`, `+00:00`, ...).
    NumTz(&'static str),
    IsoTz,
    Frac {
        sep: char,
        digits: usize,
        trim: bool,
    },
}

/// Go's `nextStdChunk`, one token at the start of `s` and its length (`Lit` = one character).
pub(super) fn next_token(s: &str) -> (Tok, usize) {
    let starts = |p: &str| s.starts_with(p);
    let b = s.as_bytes();
    match b[0] {
        b'J' if starts("January") => (Tok::LongMonth, 7),
        b'J' if starts("Jan") => (Tok::Month, 3),
        b'M' if starts("Monday") => (Tok::LongWeekDay, 6),
        b'M' if starts("Mon") => (Tok::WeekDay, 3),
        b'M' if starts("MST") => (Tok::Tz, 3),
        b'0' if starts("002") => (Tok::ZeroYearDay, 3),
        b'0' if b.len() > 1 && (b'1'..=b'6').contains(&b[1]) => (
            match b[1] {
                b'1' => Tok::ZeroMonth,
                b'2' => Tok::ZeroDay,
                b'3' => Tok::ZeroHour12,
                b'4' => Tok::ZeroMinute,
                b'5' => Tok::ZeroSecond,
                _ => Tok::Year,
            },
            2,
        ),
        b'1' if starts("15") => (Tok::Hour, 2),
        b'1' => (Tok::NumMonth, 1),
        b'2' if starts("2006") => (Tok::LongYear, 4),
        b'2' => (Tok::Day, 1),
        b'_' if starts("_2006") => (Tok::Lit, 1),
        b'_' if starts("__2") => (Tok::UnderYearDay, 3),
        b'_' if starts("_2") => (Tok::UnderDay, 2),
        b'3' => (Tok::Hour12, 1),
        b'4' => (Tok::Minute, 1),
        b'5' => (Tok::Second, 1),
        b'P' if starts("PM") => (Tok::Pm, 2),
        b'p' if starts("pm") => (Tok::PmLower, 2),
        b'-' if starts("-070000") => (Tok::NumTz("+000000"), 7),
        b'-' if starts("-07:00:00") => (Tok::NumTz("+00:00:00"), 9),
        b'-' if starts("-0700") => (Tok::NumTz("+0000"), 5),
        b'-' if starts("-07:00") => (Tok::NumTz("+00:00"), 6),
        b'-' if starts("-07") => (Tok::NumTz("+00"), 3),
        b'Z' if starts("Z070000") => (Tok::IsoTz, 7),
        b'Z' if starts("Z07:00:00") => (Tok::IsoTz, 9),
        b'Z' if starts("Z0700") => (Tok::IsoTz, 5),
        b'Z' if starts("Z07:00") => (Tok::IsoTz, 6),
        b'Z' if starts("Z07") => (Tok::IsoTz, 3),
        sep @ (b'.' | b',') if b.len() > 1 && (b[1] == b'0' || b[1] == b'9') => {
            let run = b[1..].iter().take_while(|c| **c == b[1]).count();
            // Only a run not followed by another digit is a fraction.
            if b.get(1 + run).is_some_and(u8::is_ascii_digit) {
                return (Tok::Lit, 1);
            }
            (
                Tok::Frac {
                    sep: char::from(sep),
                    digits: run,
                    trim: b[1] == b'9',
                },
                1 + run,
            )
        }
        _ => (Tok::Lit, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_700_000_000_123_400_000; // 2023-11-14T22:13:20.1234Z, a Tuesday

    fn fmt(f: &str) -> String {
        go_format(&to_layout(f).unwrap(), T)
    }

    #[test]
    fn directives() {
        assert_eq!(fmt("%Y-%m-%dT%H:%M:%S.%L%z"), "2023-11-14T22:13:20.123Z");
        assert_eq!(fmt("%a %b %e %l:%M %p"), "Tue Nov 14 10:13 PM");
        assert_eq!(
            fmt("%A, %B %d %Y %Z %j"),
            "Tuesday, November 14 2023 UTC +00:00"
        );
        // Go reads a fraction only after `.` or `,`: a bare `%s` prints the layout digits.
        assert_eq!(fmt("%s"), "999999999");
        assert_eq!(fmt("%H.%s"), "22.1234");
        assert_eq!(fmt("%o"), "_11");
    }

    #[test]
    fn go_layout_words_in_literal_text_are_layout_words() {
        // "Mon" inside "Month" is Go's weekday token.
        assert_eq!(fmt("Month %m"), "Tueth 11");
    }

    #[test]
    fn validation_like_ctimefmt() {
        assert!(to_layout("%Y1")
            .unwrap_err()
            .contains("should not contain decimals"));
        assert!(to_layout("%H:%L")
            .unwrap_err()
            .contains("invalid fractional seconds directive: ':%L'"));
        assert!(to_layout("%Q")
            .unwrap_err()
            .contains("unsupported ctimefmt.toNative() directive: %Q"));
    }
}
