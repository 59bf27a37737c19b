//! Raw floors: the least work any decoder of these formats must do. Each walker reads every value
//! of its input (checking the UTF-8 of every string) and builds nothing, so a decoder's time over
//! the floor's time on the same bytes is what decoding, translating and allocating cost on top.
//!
//! Shared by the criterion bench (`benches/decode.rs`, over bytes in memory) and the
//! `floor` example (`examples/floor.rs`, over a file read in chunks, as a streaming decoder
//! would read it). Every walker has one signature, [`Walker`]: walk the complete units at the
//! start of `buf` (a msgpack value, a length-prefixed protobuf message, a JSON line) and return
//! how many bytes they took; a unit cut off by the end of `buf` is left for the next call
//! unless `eof` says no more bytes will come.

// Each includer uses a different subset (the bench walks slices, the example walks files).
#![allow(dead_code)]

pub mod chunked;
pub mod json;
pub mod msgpack;
pub mod protobuf;

/// What a walk saw; returned so the work cannot be optimised away, and printed by the example.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Walk {
    /// Top-level units: msgpack values (DataDog payloads), protobuf messages, JSON lines.
    pub units: u64,
    /// Every scalar, string and container seen (JSON counts units only: serde does the walk).
    pub values: u64,
    /// Strings whose UTF-8 was checked, and their bytes.
    pub strings: u64,
    pub string_bytes: u64,
}

/// Why a walk stopped before the end of its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The unit starting at this offset runs past the end of the buffer.
    Incomplete(usize),
    /// Malformed input at this offset.
    Invalid(usize, String),
}

/// Walk the complete units at the start of `buf`; `Ok(n)`: the first `n` bytes were walked.
pub type Walker = fn(buf: &[u8], eof: bool, walk: &mut Walk) -> Result<usize, Stop>;

/// The walker for a format name as the example and `scripts/compare.sh` spell it.
pub fn walker(format: &str) -> Option<Walker> {
    match format {
        "msgpack" => Some(msgpack::walk),
        "protobuf" => Some(protobuf::walk),
        "json" => Some(json::walk),
        _ => None,
    }
}

/// Walk a whole in-memory input; any bytes left over are an error.
pub fn walk_all(walker: Walker, buf: &[u8]) -> Result<Walk, Stop> {
    let mut walk = Walk::default();
    let used = walker(buf, true, &mut walk)?;
    if used == buf.len() {
        Ok(walk)
    } else {
        Err(Stop::Incomplete(used))
    }
}
