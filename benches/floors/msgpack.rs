//! The msgpack floor: one loop over a count of values still to read (a container adds its
//! children to the count), so no recursion and no stack; strings are checked as UTF-8, every
//! other value is skipped by its width. Markers are decoded by `rmp`, the same crate the
//! DataDog decoder reads with.

use super::{Stop, Walk};
use rmp::Marker;

/// Walk every complete top-level msgpack value (a DataDog payload) at the start of `buf`.
pub fn walk(buf: &[u8], eof: bool, walk: &mut Walk) -> Result<usize, Stop> {
    let mut pos = 0;
    while pos < buf.len() {
        match value(buf, pos, walk) {
            Ok(end) => {
                walk.units += 1;
                pos = end;
            }
            Err(Stop::Incomplete(_)) if !eof => break,
            Err(e) => return Err(e),
        }
    }
    Ok(pos)
}

/// Walk the value starting at `start` and everything inside it; return the offset after it.
fn value(buf: &[u8], start: usize, walk: &mut Walk) -> Result<usize, Stop> {
    let mut pos = start;
    let mut pending: u64 = 1;
    let cut = || Stop::Incomplete(start);
    while pending > 0 {
        pending -= 1;
        walk.values += 1;
        let marker = Marker::from_u8(*buf.get(pos).ok_or_else(cut)?);
        pos += 1;
        let skip = match marker {
            Marker::FixPos(_) | Marker::FixNeg(_) | Marker::Null | Marker::True | Marker::False => {
                0
            }
            Marker::U8 | Marker::I8 => 1,
            Marker::U16 | Marker::I16 => 2,
            Marker::U32 | Marker::I32 | Marker::F32 => 4,
            Marker::U64 | Marker::I64 | Marker::F64 => 8,
            Marker::FixStr(n) => string(buf, &mut pos, usize::from(n), walk, start)?,
            Marker::Str8 => len_then_string(buf, &mut pos, 1, walk, start)?,
            Marker::Str16 => len_then_string(buf, &mut pos, 2, walk, start)?,
            Marker::Str32 => len_then_string(buf, &mut pos, 4, walk, start)?,
            Marker::Bin8 => length(buf, &mut pos, 1, start)?,
            Marker::Bin16 => length(buf, &mut pos, 2, start)?,
            Marker::Bin32 => length(buf, &mut pos, 4, start)?,
            Marker::FixArray(n) => {
                pending += u64::from(n);
                0
            }
            Marker::Array16 => container(buf, &mut pos, 2, 1, &mut pending, start)?,
            Marker::Array32 => container(buf, &mut pos, 4, 1, &mut pending, start)?,
            Marker::FixMap(n) => {
                pending += 2 * u64::from(n);
                0
            }
            Marker::Map16 => container(buf, &mut pos, 2, 2, &mut pending, start)?,
            Marker::Map32 => container(buf, &mut pos, 4, 2, &mut pending, start)?,
            Marker::FixExt1 => 2,
            Marker::FixExt2 => 3,
            Marker::FixExt4 => 5,
            Marker::FixExt8 => 9,
            Marker::FixExt16 => 17,
            Marker::Ext8 => length(buf, &mut pos, 1, start)? + 1,
            Marker::Ext16 => length(buf, &mut pos, 2, start)? + 1,
            Marker::Ext32 => length(buf, &mut pos, 4, start)? + 1,
            Marker::Reserved => return Err(Stop::Invalid(pos - 1, "reserved marker 0xc1".into())),
        };
        pos += skip;
        if pos > buf.len() {
            return Err(cut());
        }
    }
    Ok(pos)
}

/// Read a big-endian length of `width` bytes at `pos` and move past it.
fn length(buf: &[u8], pos: &mut usize, width: usize, start: usize) -> Result<usize, Stop> {
    let bytes = buf.get(*pos..*pos + width).ok_or(Stop::Incomplete(start))?;
    *pos += width;
    Ok(bytes.iter().fold(0usize, |n, b| n << 8 | usize::from(*b)))
}

fn len_then_string(
    buf: &[u8],
    pos: &mut usize,
    width: usize,
    walk: &mut Walk,
    start: usize,
) -> Result<usize, Stop> {
    let n = length(buf, pos, width, start)?;
    string(buf, pos, n, walk, start)
}

/// Check the `n` string bytes at `pos` as UTF-8 and move past them (the returned skip is 0).
fn string(
    buf: &[u8],
    pos: &mut usize,
    n: usize,
    walk: &mut Walk,
    start: usize,
) -> Result<usize, Stop> {
    let bytes = buf.get(*pos..*pos + n).ok_or(Stop::Incomplete(start))?;
    if std::str::from_utf8(bytes).is_err() {
        return Err(Stop::Invalid(*pos, "a string is not UTF-8".into()));
    }
    walk.strings += 1;
    walk.string_bytes += n as u64;
    *pos += n;
    Ok(0)
}

/// A container with a `width`-byte count of entries, each `per_entry` values.
fn container(
    buf: &[u8],
    pos: &mut usize,
    width: usize,
    per_entry: u64,
    pending: &mut u64,
    start: usize,
) -> Result<usize, Stop> {
    *pending += per_entry * length(buf, pos, width, start)? as u64;
    Ok(0)
}
