//! Walk a file in fixed-size chunks, as a streaming decoder reads it: memory stays at one chunk
//! (grown only if a single unit is larger), and the read system calls are part of the cost.

use super::{Stop, Walk, Walker};
use std::fs::File;
use std::io::Read;
use std::path::Path;

const CHUNK: usize = 4 << 20;

/// Walk every unit of the file at `path`.
pub fn walk_file(walker: Walker, path: &Path) -> Result<Walk, String> {
    let mut file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut walk = Walk::default();
    let mut buf = vec![0u8; CHUNK];
    let (mut filled, mut offset) = (0usize, 0u64);
    loop {
        let read = file.read(&mut buf[filled..]).map_err(|e| e.to_string())?;
        filled += read;
        let eof = read == 0;
        let used = walker(&buf[..filled], eof, &mut walk).map_err(|stop| match stop {
            Stop::Incomplete(at) => format!("byte {}: truncated", offset + at as u64),
            Stop::Invalid(at, why) => format!("byte {}: {why}", offset + at as u64),
        })?;
        if eof {
            return Ok(walk);
        }
        buf.copy_within(used..filled, 0);
        filled -= used;
        offset += used as u64;
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
    }
}
