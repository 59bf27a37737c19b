//! A borrowed-bytes msgpack cursor with the DataDog agent's lenient integer/string rules.
//!
//! Why not `rmp-serde`: the agent accepts every integer family for every integer field,
//! `bin` for strings, `nil` for zero values, and repairs invalid UTF-8; serde's strict typing
//! would reject real tracer payloads. We classify markers with `rmp::Marker` and read the
//! bytes ourselves, so every error knows its byte offset. Every declared length is checked
//! against the bytes left before anything is allocated: a hostile header cannot make us
//! reserve gigabytes.

use rmp::Marker;

/// A decode failure at a byte offset within the buffer being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub offset: u64,
    pub message: String,
    /// The data ended before the value did. A streaming reader with more input to come reads
    /// more and tries again; at the end of the input it is an ordinary error.
    pub truncated: bool,
}

pub type Result<T> = std::result::Result<T, DecodeError>;

/// An integer as it was on the wire (msgpack keeps signed and unsigned families apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireInt {
    Signed(i64),
    Unsigned(u64),
}

pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn is_at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// An error at the current position.
    pub fn error(&self, message: impl Into<String>) -> DecodeError {
        self.error_at(self.pos, message)
    }

    pub fn error_at(&self, pos: usize, message: impl Into<String>) -> DecodeError {
        DecodeError {
            offset: pos as u64,
            message: message.into(),
            truncated: false,
        }
    }

    fn peek_byte(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    fn peek_marker(&self) -> Result<Marker> {
        match self.peek_byte() {
            Some(b) => Ok(Marker::from_u8(b)),
            None => Err(DecodeError {
                truncated: true,
                ..self.error("unexpected end of data (payload truncated?)")
            }),
        }
    }

    pub fn peek_is_nil(&self) -> bool {
        self.peek_byte() == Some(0xc0)
    }

    pub fn peek_is_string(&self) -> bool {
        matches!(
            self.peek_marker(),
            Ok(Marker::FixStr(_)
                | Marker::Str8
                | Marker::Str16
                | Marker::Str32
                | Marker::Bin8
                | Marker::Bin16
                | Marker::Bin32)
        )
    }

    pub fn peek_is_map(&self) -> bool {
        matches!(
            self.peek_marker(),
            Ok(Marker::FixMap(_) | Marker::Map16 | Marker::Map32)
        )
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        match end {
            Some(end) => {
                let out = &self.buf[self.pos..end];
                self.pos = end;
                Ok(out)
            }
            None => Err(DecodeError {
                truncated: true,
                ..self.error(format!(
                    "unexpected end of data: needed {n} more bytes, {} left (payload truncated?)",
                    self.remaining()
                ))
            }),
        }
    }

    fn be_uint(&mut self, n: usize) -> Result<u64> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    /// Consume a `nil` if one is next.
    pub fn eat_nil(&mut self) -> bool {
        if self.peek_is_nil() {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Read one marker byte, returning it with its offset.
    fn marker(&mut self) -> Result<(usize, Marker)> {
        let at = self.pos;
        let m = self.peek_marker()?;
        self.pos += 1;
        Ok((at, m))
    }

    /// A container length: refuse counts the remaining bytes cannot hold (each element takes
    /// at least one byte, each map entry two), and counts above the agent's 25,000,000 cap.
    fn checked_count(&self, at: usize, what: &str, n: u64, per_item: u64) -> Result<u32> {
        if n > 25_000_000 {
            return Err(self.error_at(
                at,
                format!("{what} declares {n} elements; the agent rejects headers above 25000000"),
            ));
        }
        if n.saturating_mul(per_item) > self.remaining() as u64 {
            return Err(DecodeError {
                truncated: true,
                ..self.error_at(
                    at,
                    format!("{what} declares {n} elements but only {} bytes are left (truncated or corrupt)", self.remaining()),
                )
            });
        }
        Ok(n as u32)
    }

    pub fn array_len(&mut self) -> Result<u32> {
        let (at, m) = self.marker()?;
        let n = match m {
            Marker::FixArray(n) => u64::from(n),
            Marker::Array16 => self.be_uint(2)?,
            Marker::Array32 => self.be_uint(4)?,
            other => {
                return Err(
                    self.error_at(at, format!("expected an array, found {}", describe(other)))
                )
            }
        };
        self.checked_count(at, "array", n, 1)
    }

    pub fn map_len(&mut self) -> Result<u32> {
        let (at, m) = self.marker()?;
        let n = match m {
            Marker::FixMap(n) => u64::from(n),
            Marker::Map16 => self.be_uint(2)?,
            Marker::Map32 => self.be_uint(4)?,
            other => {
                return Err(self.error_at(at, format!("expected a map, found {}", describe(other))))
            }
        };
        self.checked_count(at, "map", n, 2)
    }

    /// Raw bytes of a `str` or `bin` value.
    pub fn str_or_bin(&mut self) -> Result<&'a [u8]> {
        let (at, m) = self.marker()?;
        let n = match m {
            Marker::FixStr(n) => u64::from(n),
            Marker::Str8 | Marker::Bin8 => self.be_uint(1)?,
            Marker::Str16 | Marker::Bin16 => self.be_uint(2)?,
            Marker::Str32 | Marker::Bin32 => self.be_uint(4)?,
            other => {
                return Err(
                    self.error_at(at, format!("expected a string, found {}", describe(other)))
                )
            }
        };
        self.take(n as usize)
    }

    /// Agent `parseStringBytes`: nil → "", str or bin, invalid UTF-8 repaired with U+FFFD.
    pub fn dd_string(&mut self) -> Result<String> {
        if self.eat_nil() {
            return Ok(String::new());
        }
        Ok(utf8_as_agent(self.str_or_bin()?).into_owned())
    }

    /// Like [`Reader::dd_string`], as the model's shared string (no second copy when it becomes
    /// an attribute value).
    pub fn dd_str(&mut self) -> Result<crate::capture::model::Str> {
        if self.eat_nil() {
            return Ok(crate::capture::model::Str::new());
        }
        Ok(match utf8_as_agent(self.str_or_bin()?) {
            std::borrow::Cow::Borrowed(s) => crate::capture::model::Str::from(s),
            std::borrow::Cow::Owned(s) => crate::capture::model::Str::from(s),
        })
    }

    /// A map key: like [`Reader::dd_string`], interned (no allocation for a key seen before).
    pub fn dd_key(&mut self) -> Result<crate::capture::model::Key> {
        let at = self.pos;
        let bytes: &[u8] = if self.eat_nil() {
            b""
        } else {
            self.str_or_bin()?
        };
        let text = utf8_as_agent(bytes);
        crate::capture::model::Key::new(&text).map_err(|e| self.error_at(at, e.to_string()))
    }

    /// Any msgpack integer.
    pub fn int(&mut self) -> Result<WireInt> {
        let (at, m) = self.marker()?;
        Ok(match m {
            Marker::FixPos(n) => WireInt::Unsigned(u64::from(n)),
            Marker::FixNeg(n) => WireInt::Signed(i64::from(n)),
            Marker::U8 => WireInt::Unsigned(self.be_uint(1)?),
            Marker::U16 => WireInt::Unsigned(self.be_uint(2)?),
            Marker::U32 => WireInt::Unsigned(self.be_uint(4)?),
            Marker::U64 => WireInt::Unsigned(self.be_uint(8)?),
            Marker::I8 => WireInt::Signed(i64::from(self.be_uint(1)? as u8 as i8)),
            Marker::I16 => WireInt::Signed(i64::from(self.be_uint(2)? as u16 as i16)),
            Marker::I32 => WireInt::Signed(i64::from(self.be_uint(4)? as u32 as i32)),
            Marker::I64 => WireInt::Signed(self.be_uint(8)? as i64),
            other => {
                return Err(self.error_at(
                    at,
                    format!("expected an integer, found {}", describe(other)),
                ))
            }
        })
    }

    /// Agent `parseUint64Bytes`: nil → 0; a signed value is reinterpreted as two's complement.
    pub fn dd_u64(&mut self) -> Result<u64> {
        if self.eat_nil() {
            return Ok(0);
        }
        Ok(match self.int()? {
            WireInt::Unsigned(u) => u,
            WireInt::Signed(i) => i as u64,
        })
    }

    /// Agent `parseInt64Bytes`: nil → 0; an unsigned value above i64::MAX is an error.
    pub fn dd_i64(&mut self) -> Result<i64> {
        if self.eat_nil() {
            return Ok(0);
        }
        let at = self.pos;
        match self.int()? {
            WireInt::Signed(i) => Ok(i),
            WireInt::Unsigned(u) => i64::try_from(u)
                .map_err(|_| self.error_at(at, format!("found uint64 {u}, which overflows int64"))),
        }
    }

    /// Agent `parseInt32Bytes`: nil → 0; values outside int32 are errors.
    pub fn dd_i32(&mut self) -> Result<i32> {
        if self.eat_nil() {
            return Ok(0);
        }
        let at = self.pos;
        let (value, fits) = match self.int()? {
            WireInt::Signed(i) => (i.to_string(), i32::try_from(i).ok()),
            WireInt::Unsigned(u) => (u.to_string(), i32::try_from(u).ok()),
        };
        fits.ok_or_else(|| self.error_at(at, format!("integer {value} overflows int32")))
    }

    /// msgp `ReadUint64Bytes`: strict (no nil); negative signed values are errors.
    pub fn strict_u64(&mut self) -> Result<u64> {
        let at = self.pos;
        match self.int()? {
            WireInt::Unsigned(u) => Ok(u),
            WireInt::Signed(i) => u64::try_from(i)
                .map_err(|_| self.error_at(at, format!("expected an unsigned integer, found {i}"))),
        }
    }

    /// msgp `ReadUint32Bytes`: strict; out-of-range values are errors.
    pub fn strict_u32(&mut self) -> Result<u32> {
        let at = self.pos;
        let v = self.strict_u64()?;
        u32::try_from(v).map_err(|_| self.error_at(at, format!("integer {v} overflows uint32")))
    }

    /// Agent `parseFloat64Bytes`: nil → 0, float64, or any integer converted. A float32 is
    /// rejected, exactly as the agent's type switch does (it only knows float64/int/uint).
    pub fn dd_f64(&mut self) -> Result<f64> {
        if self.eat_nil() {
            return Ok(0.0);
        }
        match self.peek_marker()? {
            Marker::F64 => {
                self.pos += 1;
                Ok(f64::from_bits(self.be_uint(8)?))
            }
            Marker::F32 => Err(self.error(
                "expected float64 or integer, found float32 (the agent rejects float32 metrics)",
            )),
            _ => match self.int() {
                Ok(WireInt::Signed(i)) => Ok(i as f64),
                Ok(WireInt::Unsigned(u)) => Ok(u as f64),
                Err(e) => Err(DecodeError {
                    message: e.message.replace("an integer", "a float64 or integer"),
                    ..e
                }),
            },
        }
    }

    /// Skip one complete value of any type, iteratively (deep nesting cannot overflow the stack).
    pub fn skip(&mut self) -> Result<()> {
        let mut pending: u64 = 1;
        while pending > 0 {
            pending -= 1;
            let (at, m) = self.marker()?;
            let data_len: u64 = match m {
                Marker::FixPos(_)
                | Marker::FixNeg(_)
                | Marker::Null
                | Marker::True
                | Marker::False => 0,
                Marker::U8 | Marker::I8 => 1,
                Marker::U16 | Marker::I16 => 2,
                Marker::U32 | Marker::I32 | Marker::F32 => 4,
                Marker::U64 | Marker::I64 | Marker::F64 => 8,
                Marker::FixStr(n) => u64::from(n),
                Marker::Str8 | Marker::Bin8 => self.be_uint(1)?,
                Marker::Str16 | Marker::Bin16 => self.be_uint(2)?,
                Marker::Str32 | Marker::Bin32 => self.be_uint(4)?,
                Marker::FixExt1 => 2,
                Marker::FixExt2 => 3,
                Marker::FixExt4 => 5,
                Marker::FixExt8 => 9,
                Marker::FixExt16 => 17,
                Marker::Ext8 => self.be_uint(1)? + 1,
                Marker::Ext16 => self.be_uint(2)? + 1,
                Marker::Ext32 => self.be_uint(4)? + 1,
                Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => {
                    self.pos = at;
                    pending += u64::from(self.array_len()?);
                    0
                }
                Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => {
                    self.pos = at;
                    pending += 2 * u64::from(self.map_len()?);
                    0
                }
                Marker::Reserved => {
                    return Err(self.error_at(at, "found reserved msgpack byte 0xc1"))
                }
            };
            self.take(data_len as usize)?;
        }
        Ok(())
    }
}

/// A short human name for what a marker introduces, for "expected X, found Y" messages.
pub fn describe(m: Marker) -> String {
    let name = match m {
        Marker::FixPos(_) | Marker::FixNeg(_) => "an integer",
        Marker::U8 | Marker::U16 | Marker::U32 | Marker::U64 => "an unsigned integer",
        Marker::I8 | Marker::I16 | Marker::I32 | Marker::I64 => "a signed integer",
        Marker::F32 => "a float32",
        Marker::F64 => "a float64",
        Marker::Null => "nil",
        Marker::True | Marker::False => "a boolean",
        Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => "a string",
        Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => "binary data",
        Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => "an array",
        Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => "a map",
        Marker::Reserved => "the reserved byte 0xc1",
        _ => "an extension value",
    };
    format!("{name} (byte 0x{:02x})", m.to_u8())
}

/// A msgpack string as the agent's decoder (`parseStringBytes`) returns it: valid UTF-8 as is;
/// otherwise its `repairUTF8`, which reads rune by rune and writes U+FFFD for every byte Go's
/// decoder rejects — one per byte, where Rust's `from_utf8_lossy` would write one per maximal
/// invalid sequence (a truncated 4-byte character is three U+FFFD in Go, one in Rust).
pub(crate) fn utf8_as_agent(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    // The vectorised check first: nearly every string is valid.
    match std::str::from_utf8(bytes) {
        Ok(valid) => std::borrow::Cow::Borrowed(valid),
        Err(_) => std::borrow::Cow::Owned(repair_like_go(bytes)),
    }
}

fn repair_like_go(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                out.push_str(valid);
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = e.error_len().unwrap_or(after.len());
                out.extend(std::iter::repeat_n(char::REPLACEMENT_CHARACTER, bad));
                rest = &after[bad..];
            }
        }
    }
    out
}

#[cfg(test)]
mod utf8_tests {
    use super::utf8_as_agent;

    #[test]
    fn valid_text_is_borrowed_unchanged() {
        assert!(matches!(
            utf8_as_agent("héllo".as_bytes()),
            std::borrow::Cow::Borrowed("héllo")
        ));
    }

    #[test]
    fn every_rejected_byte_becomes_one_replacement_character_as_in_go() {
        // A truncated 4-byte sequence (F0 9F 98 of U+1F600) then 'A': Go's DecodeRune rejects
        // each of the three bytes on its own.
        assert_eq!(utf8_as_agent(b"\xF0\x9F\x98A"), "\u{FFFD}\u{FFFD}\u{FFFD}A");
        // At the end of the string too.
        assert_eq!(utf8_as_agent(b"ok\xE2\x82"), "ok\u{FFFD}\u{FFFD}");
        // A lone continuation byte and an invalid lead byte.
        assert_eq!(utf8_as_agent(b"\x80x\xFFy"), "\u{FFFD}x\u{FFFD}y");
    }
}
