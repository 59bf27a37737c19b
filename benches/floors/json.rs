//! The JSON floor: every line tokenised and validated by serde_json into `IgnoredAny`, which
//! checks syntax and escapes and keeps nothing. serde_json's ignore path does not check UTF-8
//! on byte input, so the lines are checked with `str::from_utf8` first, and the walk then runs
//! over the `&str` (what a decoder reading into `String`s must do too).

use super::{Stop, Walk};
use serde::de::IgnoredAny;

/// Walk every complete line at the start of `buf` (all of it when `eof`).
pub fn walk(buf: &[u8], eof: bool, walk: &mut Walk) -> Result<usize, Stop> {
    let end = if eof {
        buf.len()
    } else {
        match buf.iter().rposition(|&b| b == b'\n') {
            Some(newline) => newline + 1,
            None => return Ok(0),
        }
    };
    let text = std::str::from_utf8(&buf[..end])
        .map_err(|e| Stop::Invalid(e.valid_up_to(), "not UTF-8".into()))?;
    // One object per line; the stream deserializer reads them back to back, as the decoder does.
    let mut objects = serde_json::Deserializer::from_str(text).into_iter::<IgnoredAny>();
    for object in objects.by_ref() {
        object.map_err(|e| Stop::Invalid(end, format!("line {}: {e}", e.line())))?;
        walk.units += 1;
    }
    walk.values += walk.units;
    walk.string_bytes += end as u64;
    Ok(end)
}
