//! `Decode` of the multi-byte character sets upstream reaches through x/text's IANA index:
//! Shift_JIS, EUC-JP, ISO-2022-JP, EUC-KR, GBK, GB18030, HZ-GB-2312 and Big5.
//!
//! The byte-level walk is x/text's (as vendored by v0.156.0): which bytes start a sequence,
//! how many bytes an invalid sequence consumes (an ASCII second byte is left for the next
//! character), and U+FFFD for anything unmapped. The mapping of one complete sequence is
//! looked up in `encoding_rs`, whose WHATWG indexes x/text's tables were generated from; they
//! were compared sequence by sequence (every two-byte sequence, every three-byte EUC-JP
//! `0x8F` sequence, every four-byte GB18030 sequence) against the vendored x/text tables.
//! They differ only where WHATWG's indexes changed later: `encoding_rs` maps Shift_JIS's
//! user-defined area and GBK's private-use slots to U+E000–U+F8FF and nineteen GBK pairs to
//! newer characters, where x/text has nothing (U+FFFD), and GB18030's `81 35 F4 37` to
//! U+E7C7 where x/text gives U+1E3F. Those are turned back into x/text's answer here.

/// A multi-byte character set of x/text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MultiByte {
    ShiftJis,
    EucJp,
    EucKr,
    Gbk,
    Gb18030,
    Big5,
    /// Stateful: escape sequences switch between ASCII, JIS X 0208, JIS X 0212, katakana.
    Iso2022Jp,
    /// Stateful: `~{` and `~}` switch between ASCII and GB2312 (read as GBK pairs).
    HzGb2312,
}

const BAD: char = char::REPLACEMENT_CHARACTER;

/// GBK pairs that x/text leaves unmapped but WHATWG's current index maps (vertical forms,
/// U+1E3F and CJK components).
const GBK_UNMAPPED: [[u8; 2]; 19] = [
    [0xa6, 0xd9],
    [0xa6, 0xda],
    [0xa6, 0xdb],
    [0xa6, 0xdc],
    [0xa6, 0xdd],
    [0xa6, 0xde],
    [0xa6, 0xdf],
    [0xa6, 0xec],
    [0xa6, 0xed],
    [0xa6, 0xf3],
    [0xa8, 0xbc],
    [0xfe, 0x59],
    [0xfe, 0x61],
    [0xfe, 0x66],
    [0xfe, 0x67],
    [0xfe, 0x6d],
    [0xfe, 0x7e],
    [0xfe, 0x90],
    [0xfe, 0xa0],
];

impl MultiByte {
    fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            MultiByte::ShiftJis => encoding_rs::SHIFT_JIS,
            MultiByte::EucJp => encoding_rs::EUC_JP,
            MultiByte::EucKr => encoding_rs::EUC_KR,
            MultiByte::Gbk => encoding_rs::GBK,
            MultiByte::Gb18030 => encoding_rs::GB18030,
            MultiByte::Big5 => encoding_rs::BIG5,
            MultiByte::Iso2022Jp => encoding_rs::SHIFT_JIS,
            MultiByte::HzGb2312 => encoding_rs::GBK,
        }
    }

    /// The text of one complete sequence, or `None` where x/text's table has no entry.
    fn lookup(self, seq: &[u8]) -> Option<String> {
        if matches!(
            self,
            MultiByte::Gbk | MultiByte::Gb18030 | MultiByte::HzGb2312
        ) && GBK_UNMAPPED.iter().any(|p| p[..] == *seq)
        {
            return None;
        }
        let s = self
            .encoding()
            .decode_without_bom_handling_and_without_replacement(seq)?;
        let private = s.chars().any(|c| ('\u{e000}'..='\u{f8ff}').contains(&c));
        (!s.is_empty() && !private).then(|| s.into_owned())
    }
}

/// Decode `b` as x/text's decoder for `cs` does over a whole input.
pub fn decode(cs: MultiByte, b: &[u8]) -> String {
    match cs {
        MultiByte::Iso2022Jp => return iso_2022_jp(b),
        MultiByte::HzGb2312 => return hz_gb_2312(b),
        _ => {}
    }
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c0 = b[i];
        if c0 < 0x80 {
            out.push(char::from(c0));
            i += 1;
            continue;
        }
        let next = b.get(i + 1).copied();
        let used = match cs {
            MultiByte::ShiftJis => shift_jis(cs, c0, next, &mut out),
            MultiByte::EucKr => euc_kr(cs, c0, next, &mut out),
            MultiByte::Gbk | MultiByte::Gb18030 => gbk(cs, c0, &b[i + 1..], &mut out),
            MultiByte::Big5 => big5(cs, c0, next, &mut out),
            MultiByte::EucJp => euc_jp(cs, c0, next, b.get(i + 2).copied(), &mut out),
            MultiByte::Iso2022Jp | MultiByte::HzGb2312 => {
                out.push(BAD);
                1
            }
        };
        i += used;
    }
    out
}

/// Look the pair up; U+FFFD (two bytes consumed) when unmapped.
fn pair(cs: MultiByte, c0: u8, c1: u8, out: &mut String) -> usize {
    match cs.lookup(&[c0, c1]) {
        Some(s) => out.push_str(&s),
        None => out.push(BAD),
    }
    2
}

fn shift_jis(cs: MultiByte, c0: u8, next: Option<u8>, out: &mut String) -> usize {
    match c0 {
        0xa1..=0xdf => {
            out.push(char::from_u32(u32::from(c0) + 0xff61 - 0xa1).unwrap_or(BAD));
            1
        }
        0x81..=0x9f | 0xe0..=0xfc => {
            let Some(c1) = next else {
                out.push(BAD);
                return 1;
            };
            match c1 {
                // An ASCII byte is read again as the next character.
                0x00..=0x3f | 0x7f => {
                    out.push(BAD);
                    1
                }
                0xfd..=0xff => {
                    out.push(BAD);
                    2
                }
                _ => pair(cs, c0, c1, out),
            }
        }
        0x80 => {
            out.push('\u{80}');
            1
        }
        _ => {
            out.push(BAD);
            1
        }
    }
}

fn euc_kr(cs: MultiByte, c0: u8, next: Option<u8>, out: &mut String) -> usize {
    if !(0x81..0xff).contains(&c0) {
        out.push(BAD);
        return 1;
    }
    let Some(c1) = next else {
        out.push(BAD);
        return 1;
    };
    let in_range = if c0 < 0xc7 {
        matches!(c1, 0x41..=0x5a | 0x61..=0x7a | 0x81..=0xfe)
    } else {
        (0xa1..0xff).contains(&c1)
    };
    match in_range.then(|| cs.lookup(&[c0, c1])).flatten() {
        Some(s) => {
            out.push_str(&s);
            2
        }
        None => {
            out.push(BAD);
            if c1 < 0x80 {
                1
            } else {
                2
            }
        }
    }
}

fn gbk(cs: MultiByte, c0: u8, rest: &[u8], out: &mut String) -> usize {
    match c0 {
        0x80 => {
            out.push('\u{20ac}');
            1
        }
        0xff => {
            out.push(BAD);
            1
        }
        _ => {
            let Some(&c1) = rest.first() else {
                out.push(BAD);
                return 1;
            };
            if matches!(c1, 0x40..=0x7e | 0x80..=0xfe) {
                pair(cs, c0, c1, out)
            } else if cs == MultiByte::Gb18030 && c1.is_ascii_digit() {
                four_byte(c0, rest, out)
            } else {
                out.push(BAD);
                1
            }
        }
    }
}

/// A GB18030 four-byte sequence (`c0`, then `rest[..3]`); U+FFFD and one byte on any fault.
fn four_byte(c0: u8, rest: &[u8], out: &mut String) -> usize {
    let [c1, c2, c3] = match rest.get(..3) {
        Some(&[c1, c2, c3]) => [c1, c2, c3],
        _ => {
            out.push(BAD);
            return 1;
        }
    };
    if !(0x81..0xff).contains(&c2) || !c3.is_ascii_digit() {
        out.push(BAD);
        return 1;
    }
    let seq = [c0, c1, c2, c3];
    if seq == [0x81, 0x35, 0xf4, 0x37] {
        out.push('\u{1e3f}');
        return 4;
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(&seq) {
        Some(s) if !s.is_empty() => {
            out.push_str(&s);
            4
        }
        _ => {
            out.push(BAD);
            1
        }
    }
}

fn big5(cs: MultiByte, c0: u8, next: Option<u8>, out: &mut String) -> usize {
    if !(0x81..0xff).contains(&c0) {
        out.push(BAD);
        return 1;
    }
    let Some(c1) = next else {
        out.push(BAD);
        return 1;
    };
    match c1 {
        0x40..=0x7e | 0xa1..=0xfe => pair(cs, c0, c1, out),
        0x00..=0x3f => {
            out.push(BAD);
            1
        }
        _ => {
            out.push(BAD);
            2
        }
    }
}

fn euc_jp(cs: MultiByte, c0: u8, next: Option<u8>, third: Option<u8>, out: &mut String) -> usize {
    match c0 {
        0x8e => {
            let Some(c1) = next else {
                out.push(BAD);
                return 1;
            };
            match c1 {
                0x00..=0xa0 => {
                    out.push(BAD);
                    1
                }
                0xe0..=0xff => {
                    out.push(BAD);
                    if c1 == 0xff {
                        1
                    } else {
                        2
                    }
                }
                _ => {
                    out.push(char::from_u32(u32::from(c1) + 0xff61 - 0xa1).unwrap_or(BAD));
                    2
                }
            }
        }
        0x8f => {
            let Some(c2) = third else {
                out.push(BAD);
                return match next {
                    Some(c1) if (0xa1..0xfe).contains(&c1) => 2,
                    _ => 1,
                };
            };
            let c1 = next.unwrap_or(0);
            if !(0xa1..=0xfe).contains(&c1) {
                out.push(BAD);
                return 1;
            }
            if !(0xa1..=0xfe).contains(&c2) {
                out.push(BAD);
                return 2;
            }
            match cs.lookup(&[0x8f, c1, c2]) {
                Some(s) => out.push_str(&s),
                None => out.push(BAD),
            }
            3
        }
        0xa1..=0xfe => {
            let Some(c1) = next else {
                out.push(BAD);
                return 1;
            };
            if !(0xa1..=0xfe).contains(&c1) {
                out.push(BAD);
                return 1;
            }
            pair(cs, c0, c1, out)
        }
        _ => {
            out.push(BAD);
            1
        }
    }
}

/// Entry `p` of x/text's JIS X 0208 table (pointer order, 94 per row and past row 94 as
/// Shift_JIS extends it), read through its Shift_JIS bytes.
fn jis0208(p: usize) -> Option<String> {
    if p >= 11_104 {
        return None;
    }
    let (lead, trail) = (p / 188, p % 188);
    let lead = if lead < 0x1f {
        lead + 0x81
    } else {
        lead + 0xc1
    };
    let trail = if trail < 0x3f {
        trail + 0x40
    } else {
        trail + 0x41
    };
    MultiByte::ShiftJis.lookup(&[u8::try_from(lead).ok()?, u8::try_from(trail).ok()?])
}

/// Entry `p` of x/text's JIS X 0212 table, read through its EUC-JP bytes.
fn jis0212(p: usize) -> Option<String> {
    if p >= 7_211 {
        return None;
    }
    let (row, col) = (p / 94, p % 94);
    MultiByte::EucJp.lookup(&[
        0x8f,
        u8::try_from(0xa1 + row).ok()?,
        u8::try_from(0xa1 + col).ok()?,
    ])
}

/// x/text's ISO-2022-JP decoder: escape sequences switch the state (an unknown one is
/// U+FFFD for the escape byte alone); in the two-byte states a newline returns to ASCII and
/// a pair's index is computed with byte arithmetic as x/text does (bytes below `0x21` wrap).
fn iso_2022_jp(b: &[u8]) -> String {
    #[derive(Clone, Copy, PartialEq)]
    enum St {
        Ascii,
        Katakana,
        Jis0208,
        Jis0212,
    }
    let mut st = St::Ascii;
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c0 = b[i];
        if c0 >= 0x80 {
            out.push(BAD);
            i += 1;
            continue;
        }
        if c0 == 0x1b {
            let (c1, c2) = (b.get(i + 1).copied(), b.get(i + 2).copied());
            let (Some(c1), Some(c2)) = (c1, c2) else {
                out.push(BAD);
                i += 1;
                continue;
            };
            let next = match (c1, c2) {
                (b'$', b'@' | b'B') => Some((St::Jis0208, 3)),
                (b'$', b'(') => match b.get(i + 3) {
                    Some(b'D') => Some((St::Jis0212, 4)),
                    _ => None,
                },
                (b'(', b'B' | b'J') => Some((St::Ascii, 3)),
                (b'(', b'I') => Some((St::Katakana, 3)),
                _ => None,
            };
            match next {
                Some((s, n)) => {
                    st = s;
                    i += n;
                }
                None => {
                    out.push(BAD);
                    i += 1;
                }
            }
            continue;
        }
        match st {
            St::Ascii => {
                out.push(char::from(c0));
                i += 1;
            }
            St::Katakana => {
                if (0x21..0x60).contains(&c0) {
                    out.push(char::from_u32(u32::from(c0) + 0xff61 - 0x21).unwrap_or(BAD));
                } else {
                    out.push(BAD);
                }
                i += 1;
            }
            St::Jis0208 | St::Jis0212 => {
                if c0 == b'\n' {
                    st = St::Ascii;
                    out.push('\n');
                    i += 1;
                    continue;
                }
                let Some(&c1) = b.get(i + 1) else {
                    out.push(BAD);
                    i += 1;
                    continue;
                };
                let p =
                    usize::from(c0.wrapping_sub(0x21)) * 94 + usize::from(c1.wrapping_sub(0x21));
                let text = if st == St::Jis0208 {
                    jis0208(p)
                } else {
                    jis0212(p)
                };
                match text {
                    Some(t) => out.push_str(&t),
                    None => out.push(BAD),
                }
                i += 2;
            }
        }
    }
    out
}

/// x/text's HZ-GB-2312 decoder: `~{` enters GB mode, `~}` leaves it, `~~` is `~`, `~` and a
/// newline are dropped; in GB mode a pair is the GBK pair of the bytes with their high bit set.
fn hz_gb_2312(b: &[u8]) -> String {
    let mut gb = false;
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c0 = b[i];
        if c0 >= 0x80 {
            out.push(BAD);
            i += 1;
            continue;
        }
        if c0 == b'~' {
            let Some(&c1) = b.get(i + 1) else {
                out.push(BAD);
                i += 1;
                continue;
            };
            match c1 {
                b'{' => gb = true,
                b'}' => gb = false,
                b'~' => out.push('~'),
                b'\n' => {}
                _ => out.push(BAD),
            }
            i += 2;
            continue;
        }
        if !gb {
            out.push(char::from(c0));
            i += 1;
            continue;
        }
        let Some(&c1) = b.get(i + 1) else {
            out.push(BAD);
            i += 1;
            continue;
        };
        let valid = (0x21..0x7e).contains(&c0) && (0x21..0x7f).contains(&c1);
        match valid
            .then(|| MultiByte::HzGb2312.lookup(&[c0 | 0x80, c1 | 0x80]))
            .flatten()
        {
            Some(t) => {
                out.push_str(&t);
                i += 2;
            }
            None => {
                out.push(BAD);
                // x/text: "always treat non-ASCII as a single error" (above 0x80 only).
                i += if c1 > 0x80 { 1 } else { 2 };
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_text() {
        assert_eq!(
            decode(MultiByte::ShiftJis, b"\x82\xa0\x82\xa2 \xb1"),
            "あい ｱ"
        );
        assert_eq!(
            decode(MultiByte::EucJp, b"\xa4\xa2\xa4\xa4\x8e\xb1"),
            "あいｱ"
        );
        assert_eq!(decode(MultiByte::EucKr, b"\xc7\xd1\xb1\xdb"), "한글");
        assert_eq!(decode(MultiByte::Gbk, b"\xc4\xe3\xba\xc3\x80"), "你好€");
        assert_eq!(decode(MultiByte::Big5, b"\xa7\x41"), "你");
        // Big5's two-character entries.
        assert_eq!(decode(MultiByte::Big5, b"\x88\x62"), "\u{ca}\u{304}");
    }

    /// Where x/text differs from WHATWG: consumed bytes and unmapped entries.
    #[test]
    fn ill_formed_text_as_x_text_reads_it() {
        // An ASCII second byte stays a character; a non-ASCII one is eaten.
        assert_eq!(decode(MultiByte::ShiftJis, b"\x82A"), "\u{fffd}");
        assert_eq!(decode(MultiByte::ShiftJis, b"\x82\x20"), "\u{fffd} ");
        assert_eq!(decode(MultiByte::ShiftJis, b"\x82\xfd"), "\u{fffd}");
        // The user-defined area (WHATWG: U+E000...) is unmapped in x/text.
        assert_eq!(decode(MultiByte::ShiftJis, b"\xf0\x40"), "\u{fffd}");
        assert_eq!(decode(MultiByte::Gbk, b"\xa1\x40"), "\u{fffd}");
        assert_eq!(decode(MultiByte::Gbk, b"\xa6\xd9"), "\u{fffd}");
        // GBK is not GB18030: a four-byte sequence is not read.
        assert_eq!(
            decode(MultiByte::Gbk, b"\x81\x30\x81\x30"),
            "\u{fffd}0\u{fffd}0"
        );
        // EUC-KR: an unmapped pair with an ASCII second byte keeps it.
        assert_eq!(decode(MultiByte::EucKr, b"\xc6\x53"), "\u{fffd}S");
        // A lead byte at the end.
        assert_eq!(decode(MultiByte::EucJp, b"a\xa4"), "a\u{fffd}");
        assert_eq!(decode(MultiByte::EucJp, b"\x8f\xa2"), "\u{fffd}");
        assert_eq!(decode(MultiByte::Big5, b"\xa7\x30"), "\u{fffd}0");
    }

    #[test]
    fn stateful_sets() {
        // ESC $ B "あ" ESC ( B "a"; ESC ( I katakana; a newline leaves JIS X 0208.
        assert_eq!(
            decode(MultiByte::Iso2022Jp, b"\x1b$B\x24\x22\x1b(Ba\x1b(I\x31"),
            "あaｱ"
        );
        assert_eq!(decode(MultiByte::Iso2022Jp, b"\x1b$B\x24\x22\nb"), "あ\nb");
        // An unknown escape is U+FFFD for the ESC byte; the rest is read as ASCII.
        assert_eq!(decode(MultiByte::Iso2022Jp, b"\x1b(Zx"), "\u{fffd}(Zx");
        // JIS X 0212 (ESC $ ( D): 0x2237 is U+02DC... read through EUC-JP's 8F A2 B7.
        assert_eq!(
            decode(MultiByte::Iso2022Jp, b"\x1b$(D\x22\x37"),
            MultiByte::EucJp.lookup(&[0x8f, 0xa2, 0xb7]).unwrap()
        );
        // HZ: ~{ ... ~} around GB2312 "你好", ~~ is ~.
        assert_eq!(
            decode(MultiByte::HzGb2312, b"a~{\x44\x63\x3a\x43~}b~~"),
            "a你好b~"
        );
        assert_eq!(decode(MultiByte::HzGb2312, b"~x"), "\u{fffd}");
    }
}
