//! Text converters: `IsValidLuhn`, `ConvertCase`, `ToSnakeCase`, `ToCamelCase`,
//! `Base64Encode`, `Base64Decode`, `Decode`, `Format`.
//!
//! | Converter | Parameters | Result |
//! |---|---|---|
//! | `IsValidLuhn(target)` | StringLikeGetter | Luhn check over the digits (spaces removed); a non-digit is an error |
//! | `ConvertCase(target, case)` | StringGetter, literal `lower`/`upper`/`snake`/`camel` | |
//! | `Base64Encode(target, variant?)` | StringGetter, StringGetter | `base64` (default), `base64-raw`, `base64-url`, `base64-raw-url` |
//! | `Decode(target, encoding)` | Getter, StringGetter | base64 variants, UTF-8, US-ASCII, ISO-8859-1, UTF-16 (x/text's decoders) |
//! | `Format(format, values)` | literal string, list | Go `Sprintf` for the verbs `%s %v %d %f %q %t %x %X %%` with widths and precision |

use base64::Engine as _;

use super::{arg, opt, owned, str_like, to_str, Build, Converter, Spec};
use crate::ottl::runtime::compile::Expr;
use crate::ottl::runtime::eval::{eval_value, EvalItem};
use crate::ottl::runtime::format::{go_v, pdata_as_string};
use crate::ottl::runtime::value::Value;
use crate::ottl::strcase;

type R<T> = Result<T, String>;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "IsValidLuhn",
        build: Build::Simple(|mut a| match str_like(arg(&mut a, 0))? {
            None => Err("invalid input: <nil>".into()),
            Some(s) => luhn(&s).map(Value::Bool),
        }),
    },
    Spec {
        name: "ConvertCase",
        build: Build::Custom(build_convert_case),
    },
    Spec {
        name: "ToSnakeCase",
        build: Build::Simple(|mut a| {
            let s = to_str(arg(&mut a, 0))?;
            Ok(owned(if s.is_empty() {
                String::new()
            } else {
                strcase::to_snake(&s)
            }))
        }),
    },
    Spec {
        name: "ToCamelCase",
        build: Build::Simple(|mut a| {
            let s = to_str(arg(&mut a, 0))?;
            Ok(owned(if s.is_empty() {
                String::new()
            } else {
                strcase::to_camel(&s)
            }))
        }),
    },
    Spec {
        name: "Base64Encode",
        build: Build::Simple(|mut a| {
            let s = to_str(arg(&mut a, 0))?.into_owned();
            let variant = match opt(&mut a, 1) {
                Some(v) => to_str(v)?.into_owned(),
                None => "base64".into(),
            };
            let e = &base64::engine::general_purpose::STANDARD;
            let out = match variant.as_str() {
                "base64" => e.encode(s.as_bytes()),
                "base64-raw" => {
                    base64::engine::general_purpose::STANDARD_NO_PAD.encode(s.as_bytes())
                }
                "base64-url" => base64::engine::general_purpose::URL_SAFE.encode(s.as_bytes()),
                "base64-raw-url" => {
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s.as_bytes())
                }
                other => return Err(format!("unsupported variant: {other}")),
            };
            Ok(owned(out))
        }),
    },
    Spec {
        name: "Base64Decode",
        build: Build::Simple(|mut a| {
            let s = to_str(arg(&mut a, 0))?;
            let b = base64::engine::general_purpose::STANDARD
                .decode(s.as_bytes())
                .map_err(|e| e.to_string())?;
            Ok(owned(String::from_utf8_lossy(&b).into_owned()))
        }),
    },
    Spec {
        name: "Decode",
        build: Build::Custom(build_decode),
    },
    Spec {
        name: "Format",
        build: Build::Simple(|mut a| {
            let f = to_str(arg(&mut a, 0))?.into_owned();
            let vals = match arg(&mut a, 1) {
                Value::List(items) => items,
                _ => return Err("Format needs a list of values".into()),
            };
            sprintf(&f, &vals).map(owned)
        }),
    },
];

/// Luhn over the digits of `s` with spaces removed (`isValidLuhnFunc`).
fn luhn(s: &str) -> R<bool> {
    let digits: Vec<char> = s.chars().filter(|c| *c != ' ').collect();
    let Some((&check, rest)) = digits.split_last() else {
        return Ok(false);
    };
    let digit = |c: char| {
        c.to_digit(10)
            .ok_or_else(|| format!("strconv.Atoi: parsing {:?}: invalid syntax", c.to_string()))
    };
    let check = digit(check)?;
    let mut sum = 0;
    for (i, c) in rest.iter().rev().enumerate() {
        let mut n = digit(*c)?;
        if i % 2 == 0 {
            n *= 2;
            if n > 9 {
                n -= 9;
            }
        }
        sum += n;
    }
    Ok((10 - sum % 10) % 10 == check)
}

#[derive(Debug)]
struct ConvertCase {
    target: Expr,
    case: &'static str,
}

fn build_convert_case(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let target = take(0).ok_or("missing target")?;
    let case = match take(1) {
        Some(Expr::Const(Value::Str(c))) => c.into_owned(),
        _ => return Err("toCase must be a string literal".into()),
    };
    let case = match case.as_str() {
        "lower" => "lower",
        "upper" => "upper",
        "snake" => "snake",
        "camel" => "camel",
        other => {
            return Err(format!(
                "invalid case: {other}, allowed cases are: lower, upper, snake, camel"
            ))
        }
    };
    Ok(Box::new(ConvertCase { target, case }))
}

impl Converter for ConvertCase {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let s = to_str(eval_value(&self.target, item)?)?;
        if s.is_empty() {
            return Ok(owned(String::new()));
        }
        Ok(owned(match self.case {
            "lower" => s.to_lowercase(),
            "upper" => s.to_uppercase(),
            "snake" => strcase::to_snake(&s),
            _ => strcase::to_camel(&s),
        }))
    }
}

/// Go `fmt.Sprintf` for the verbs configs use. Missing arguments print `%!v(MISSING)`, extra
/// ones `%!(EXTRA type=value)`, as Go does.
fn sprintf(f: &str, args: &[Value]) -> R<String> {
    let mut out = String::new();
    let mut chars = f.chars().peekable();
    let mut next = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&p) = chars.peek() {
            if matches!(p, '-' | '+' | '0' | ' ' | '#') {
                flags.push(p);
                chars.next();
            } else {
                break;
            }
        }
        let mut width = String::new();
        while let Some(&p) = chars.peek().filter(|p| p.is_ascii_digit()) {
            width.push(p);
            chars.next();
        }
        let mut prec = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|p| p.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            prec = Some(if p.is_empty() {
                0
            } else {
                p.parse::<usize>().unwrap_or(usize::MAX)
            });
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(v) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        let w = if width.is_empty() {
            0
        } else {
            width.parse::<usize>().unwrap_or(usize::MAX)
        };
        if w > MAX_WIDTH || prec.is_some_and(|p| p > MAX_WIDTH) {
            return Err(format!("otelcheck refuses format widths above {MAX_WIDTH}"));
        }
        let body = format_one(verb, v, prec)?;
        let pad = w.saturating_sub(body.chars().count());
        if flags.contains('-') {
            out.push_str(&body);
            out.push_str(&" ".repeat(pad));
        } else if flags.contains('0') && matches!(v, Value::Int(_) | Value::Float(_)) {
            let (sign, digits) = match body.strip_prefix('-') {
                Some(d) => ("-", d),
                None => ("", body.as_str()),
            };
            out.push_str(sign);
            out.push_str(&"0".repeat(pad));
            out.push_str(digits);
        } else {
            out.push_str(&" ".repeat(pad));
            out.push_str(&body);
        }
    }
    if next < args.len() {
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|v| format!("{}={}", v.go_type(), go_v(v)))
            .collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    Ok(out)
}

/// The widest `%Nd` / precision `Format` pads to (a huge width would exhaust memory).
const MAX_WIDTH: usize = 1 << 16;

fn format_one(verb: char, v: &Value, prec: Option<usize>) -> R<String> {
    let bad = || format!("%!{verb}({}={})", v.go_type(), go_v(v));
    Ok(match (verb, v) {
        ('v', _) => go_v(v),
        ('s', Value::Str(s)) => s.to_string(),
        ('s', Value::Nil) => "%!s(<nil>)".into(),
        ('s', other) => match other {
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => bad(),
            _ => go_v(other),
        },
        ('q', Value::Str(s)) => format!("{s:?}"),
        ('d', Value::Int(i)) => i.to_string(),
        ('t', Value::Bool(b)) => b.to_string(),
        ('f' | 'F', Value::Float(f)) => format!("{f:.*}", prec.unwrap_or(6)),
        ('x', Value::Int(i)) => format!("{i:x}"),
        ('X', Value::Int(i)) => format!("{i:X}"),
        ('x', Value::Str(s)) => hex::encode(s.as_bytes()),
        ('X', Value::Str(s)) => hex::encode_upper(s.as_bytes()),
        ('x', Value::Bytes(b)) => hex::encode(b.as_ref()),
        ('d' | 't' | 'f' | 'F' | 'q' | 'x' | 'X', _) => bad(),
        (other, _) => return Err(format!("otelcheck cannot format the verb %{other} yet")),
    })
}

/// `Decode(target, encoding)`: the four base64 variants (strings and bytes) and the character
/// sets of upstream's `textutils.LookupEncoding`: its overrides (`utf-8`, `utf8`, `ascii`,
/// `us-ascii`, empty: UTF-8; `utf-16`/`utf16`: UTF-16LE keeping a BOM; `nop`, `utf-8-raw`),
/// then the IANA names and aliases (any case, trimmed) of x/text's index: US-ASCII,
/// ISO-8859-1, UTF-16BE/LE/UTF-16, the single-byte sets below, the EBCDIC pages 037, 1047 and
/// 1140, the DOS pages 437/850/852/855/858/860/862/863/865, ISO-8859-9 and the multi-byte
/// Shift_JIS, EUC-JP, ISO-2022-JP, EUC-KR, GBK, GB18030, HZ-GB-2312 and Big5. A name the
/// index does not know is refused. Names are looked up here, never through `encoding_rs`'s
/// WHATWG labels (`latin1` means windows-1252 there).
#[derive(Debug)]
pub struct Decode {
    target: Expr,
    encoding: Expr,
}

pub fn build_decode(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let target = take(0).ok_or("missing target")?;
    let encoding = take(1).ok_or("missing encoding")?;
    if let Expr::Const(Value::Str(e)) = &encoding {
        decoder(e)?;
    }
    Ok(Box::new(Decode { target, encoding }))
}

#[derive(Clone, Copy, Debug)]
enum Decoder {
    Base64(&'static base64::engine::GeneralPurpose),
    /// UTF-8 (and the raw/nop pass-throughs): ill-formed sequences become U+FFFD per maximal
    /// subpart, as x/text's UTF-8 decoder does (a Go string could keep the raw bytes; an
    /// attribute value here cannot).
    Utf8,
    /// IANA US-ASCII: every byte above 0x7F becomes U+FFFD.
    Ascii,
    /// ISO-8859-1: byte n is U+00nn.
    Latin1,
    /// UTF-16 with a BOM decoded as U+FEFF (`IgnoreBOM`), or honoured when `bom` (`UseBOM`).
    Utf16 {
        big_endian: bool,
        bom: bool,
    },
    /// A single-byte character set (windows-874 and 1250–1258, ISO-8859-2 to 16 but 9 and
    /// 11–12, KOI8-R/U, IBM866, macintosh). `encoding_rs` has the same tables as x/text's
    /// `charmap` except that WHATWG decodes the bytes a code page leaves undefined as the C1
    /// controls U+0080–U+009F where x/text gives U+FFFD; no x/text table of these maps a byte
    /// to a C1 control (checked byte for byte against the x/text that v0.156.0 vendors), so
    /// those become U+FFFD.
    SingleByte(&'static encoding_rs::Encoding),
    /// A code page `encoding_rs` lacks, one character per byte (see `codepages.rs`).
    Table(&'static [char; 256]),
    /// Shift_JIS, EUC-JP, ISO-2022-JP, EUC-KR, GBK, GB18030, HZ-GB-2312, Big5 (see
    /// `multibyte.rs`).
    MultiByte(super::multibyte::MultiByte),
}

fn decoder(name: &str) -> R<Decoder> {
    use base64::engine::general_purpose as gp;
    Ok(match name {
        "base64" => Decoder::Base64(&gp::STANDARD),
        "base64-raw" => Decoder::Base64(&gp::STANDARD_NO_PAD),
        "base64-url" => Decoder::Base64(&gp::URL_SAFE),
        "base64-raw-url" => Decoder::Base64(&gp::URL_SAFE_NO_PAD),
        _ => text_decoder(name)?,
    })
}

/// `textutils.LookupEncoding`: its overrides (lower-cased, untrimmed), then the IANA index
/// (trimmed, any case).
fn text_decoder(name: &str) -> R<Decoder> {
    use super::codepages as cp;
    use super::multibyte::MultiByte;
    let lower = name.to_lowercase();
    let le = Decoder::Utf16 {
        big_endian: false,
        bom: false,
    };
    match lower.as_str() {
        "utf-16" | "utf16" => return Ok(le),
        "utf-8" | "utf8" | "utf-8-raw" | "utf8-raw" | "ascii" | "us-ascii" | "nop" | "" => {
            return Ok(Decoder::Utf8)
        }
        _ => {}
    }
    Ok(match lower.trim() {
        "iso-ir-6" | "ansi_x3.4-1968" | "ansi_x3.4-1986" | "iso_646.irv:1991" | "iso646-us"
        | "us" | "ibm367" | "cp367" | "csascii" | "us-ascii" => Decoder::Ascii,
        "iso_8859-1:1987" | "iso-ir-100" | "iso_8859-1" | "iso-8859-1" | "latin1" | "l1"
        | "ibm819" | "cp819" | "csisolatin1" => Decoder::Latin1,
        "utf-16be" | "csutf16be" => Decoder::Utf16 {
            big_endian: true,
            bom: false,
        },
        "utf-16le" | "csutf16le" => le,
        "utf-16" | "csutf16" => Decoder::Utf16 {
            big_endian: true,
            bom: true,
        },
        "utf-8" | "csutf8" => Decoder::Utf8,
        // x/text's single-byte charmaps under their IANA names and aliases.
        "csisolatin2" | "iso-8859-2" | "iso-ir-101" | "iso_8859-2" | "iso_8859-2:1987" | "l2"
        | "latin2" => Decoder::SingleByte(encoding_rs::ISO_8859_2),
        "csisolatin3" | "iso-8859-3" | "iso-ir-109" | "iso_8859-3" | "iso_8859-3:1988" | "l3"
        | "latin3" => Decoder::SingleByte(encoding_rs::ISO_8859_3),
        "csisolatin4" | "iso-8859-4" | "iso-ir-110" | "iso_8859-4" | "iso_8859-4:1988" | "l4"
        | "latin4" => Decoder::SingleByte(encoding_rs::ISO_8859_4),
        "csisolatincyrillic" | "cyrillic" | "iso-8859-5" | "iso-ir-144" | "iso_8859-5"
        | "iso_8859-5:1988" => Decoder::SingleByte(encoding_rs::ISO_8859_5),
        "arabic" | "asmo-708" | "csisolatinarabic" | "ecma-114" | "iso-8859-6" | "iso-ir-127"
        | "iso_8859-6" | "iso_8859-6:1987" => Decoder::SingleByte(encoding_rs::ISO_8859_6),
        "csisolatingreek" | "ecma-118" | "elot_928" | "greek" | "greek8" | "iso-8859-7"
        | "iso-ir-126" | "iso_8859-7" | "iso_8859-7:1987" => {
            Decoder::SingleByte(encoding_rs::ISO_8859_7)
        }
        "csisolatinhebrew" | "hebrew" | "iso-8859-8" | "iso-ir-138" | "iso_8859-8"
        | "iso_8859-8:1988" => Decoder::SingleByte(encoding_rs::ISO_8859_8),
        "csisolatin6" | "iso-8859-10" | "iso-ir-157" | "iso_8859-10:1992" | "l6" | "latin6" => {
            Decoder::SingleByte(encoding_rs::ISO_8859_10)
        }
        "csiso885913" | "iso-8859-13" => Decoder::SingleByte(encoding_rs::ISO_8859_13),
        "csiso885914" | "iso-8859-14" | "iso-celtic" | "iso-ir-199" | "iso_8859-14"
        | "iso_8859-14:1998" | "l8" | "latin8" => Decoder::SingleByte(encoding_rs::ISO_8859_14),
        "csiso885915" | "iso-8859-15" | "iso_8859-15" | "latin-9" => {
            Decoder::SingleByte(encoding_rs::ISO_8859_15)
        }
        "csiso885916" | "iso-8859-16" | "iso-ir-226" | "iso_8859-16" | "iso_8859-16:2001"
        | "l10" | "latin10" => Decoder::SingleByte(encoding_rs::ISO_8859_16),
        "csmacintosh" | "mac" | "macintosh" => Decoder::SingleByte(encoding_rs::MACINTOSH),
        "cskoi8r" | "koi8-r" => Decoder::SingleByte(encoding_rs::KOI8_R),
        "866" | "cp866" | "csibm866" | "ibm866" => Decoder::SingleByte(encoding_rs::IBM866),
        "cskoi8u" | "koi8-u" => Decoder::SingleByte(encoding_rs::KOI8_U),
        "cswindows874" | "windows-874" => Decoder::SingleByte(encoding_rs::WINDOWS_874),
        "cswindows1250" | "windows-1250" => Decoder::SingleByte(encoding_rs::WINDOWS_1250),
        "cswindows1251" | "windows-1251" => Decoder::SingleByte(encoding_rs::WINDOWS_1251),
        "cswindows1252" | "windows-1252" => Decoder::SingleByte(encoding_rs::WINDOWS_1252),
        "cswindows1253" | "windows-1253" => Decoder::SingleByte(encoding_rs::WINDOWS_1253),
        "cswindows1254" | "windows-1254" => Decoder::SingleByte(encoding_rs::WINDOWS_1254),
        "cswindows1255" | "windows-1255" => Decoder::SingleByte(encoding_rs::WINDOWS_1255),
        "cswindows1256" | "windows-1256" => Decoder::SingleByte(encoding_rs::WINDOWS_1256),
        "cswindows1257" | "windows-1257" => Decoder::SingleByte(encoding_rs::WINDOWS_1257),
        "cswindows1258" | "windows-1258" => Decoder::SingleByte(encoding_rs::WINDOWS_1258),
        // x/text's EBCDIC and DOS code pages and ISO-8859-9.
        "cp037" | "csibm037" | "ebcdic-cp-ca" | "ebcdic-cp-nl" | "ebcdic-cp-us"
        | "ebcdic-cp-wt" | "ibm037" => Decoder::Table(&cp::CP037),
        "437" | "cp437" | "cspc8codepage437" | "ibm437" => Decoder::Table(&cp::CP437),
        "850" | "cp850" | "cspc850multilingual" | "ibm850" => Decoder::Table(&cp::CP850),
        "852" | "cp852" | "cspcp852" | "ibm852" => Decoder::Table(&cp::CP852),
        "855" | "cp855" | "csibm855" | "ibm855" => Decoder::Table(&cp::CP855),
        "ccsid00858" | "cp00858" | "csibm00858" | "ibm00858" | "pc-multilingual-850+euro" => {
            Decoder::Table(&cp::CP858)
        }
        "860" | "cp860" | "csibm860" | "ibm860" => Decoder::Table(&cp::CP860),
        "862" | "cp862" | "cspc862latinhebrew" | "ibm862" => Decoder::Table(&cp::CP862),
        "863" | "cp863" | "csibm863" | "ibm863" => Decoder::Table(&cp::CP863),
        "865" | "cp865" | "csibm865" | "ibm865" => Decoder::Table(&cp::CP865),
        "csibm1047" | "ibm-1047" | "ibm1047" => Decoder::Table(&cp::CP1047),
        "ccsid01140" | "cp01140" | "csibm01140" | "ebcdic-us-37+euro" | "ibm01140" => {
            Decoder::Table(&cp::CP1140)
        }
        "csisolatin5" | "iso-8859-9" | "iso-ir-148" | "iso_8859-9" | "iso_8859-9:1989" | "l5"
        | "latin5" => Decoder::Table(&cp::ISO_8859_9),
        // The `-E`/`-I` variants decode as their base sets.
        "csiso88596e" | "iso-8859-6-e" | "iso_8859-6-e" | "csiso88596i" | "iso-8859-6-i"
        | "iso_8859-6-i" => Decoder::SingleByte(encoding_rs::ISO_8859_6),
        "csiso88598e" | "iso-8859-8-e" | "iso_8859-8-e" | "csiso88598i" | "iso-8859-8-i"
        | "iso_8859-8-i" => Decoder::SingleByte(encoding_rs::ISO_8859_8),
        // x/text's multi-byte sets under their IANA names and aliases.
        "shift_jis" | "ms_kanji" | "csshiftjis" => Decoder::MultiByte(MultiByte::ShiftJis),
        "euc-jp" | "cseucpkdfmtjapanese" | "extended_unix_code_packed_format_for_japanese" => {
            Decoder::MultiByte(MultiByte::EucJp)
        }
        "euc-kr" | "cseuckr" => Decoder::MultiByte(MultiByte::EucKr),
        "gbk" | "cp936" | "ms936" | "windows-936" | "csgbk" => Decoder::MultiByte(MultiByte::Gbk),
        "gb18030" | "csgb18030" => Decoder::MultiByte(MultiByte::Gb18030),
        "iso-2022-jp" | "csiso2022jp" => Decoder::MultiByte(MultiByte::Iso2022Jp),
        "hz-gb-2312" => Decoder::MultiByte(MultiByte::HzGb2312),
        "big5" | "csbig5" => Decoder::MultiByte(MultiByte::Big5),
        _ => {
            return Err(format!(
                "otelcheck cannot decode the character set {name:?} yet"
            ))
        }
    })
}

/// x/text's UTF-16 decoder over a whole input: a surrogate followed by a code unit in
/// DC00–DFFF takes both (U+FFFD unless they form a pair), a lone surrogate is U+FFFD, and so
/// is a single trailing byte.
fn decode_utf16(b: &[u8], mut big_endian: bool, bom: bool) -> String {
    let mut i = 0;
    if bom && b.len() >= 2 {
        match (b[0], b[1]) {
            (0xfe, 0xff) => (big_endian, i) = (true, 2),
            (0xff, 0xfe) => (big_endian, i) = (false, 2),
            _ => {}
        }
    }
    let unit = |j: usize| -> u32 {
        let (x, y) = (u32::from(b[j]), u32::from(b[j + 1]));
        if big_endian {
            x << 8 | y
        } else {
            y << 8 | x
        }
    };
    let surrogate = |u: u32| (0xD800..=0xDFFF).contains(&u);
    let mut out = String::with_capacity(b.len());
    while i < b.len() {
        if i + 1 >= b.len() {
            out.push(char::REPLACEMENT_CHARACTER);
            i += 1;
            continue;
        }
        let u = unit(i);
        if !surrogate(u) {
            out.push(char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER));
            i += 2;
            continue;
        }
        if i + 3 < b.len() {
            let v = unit(i + 2);
            if (0xDC00..=0xDFFF).contains(&v) {
                let pair = (0xD800..0xDC00)
                    .contains(&u)
                    .then(|| char::from_u32(0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00)))
                    .flatten();
                out.push(pair.unwrap_or(char::REPLACEMENT_CHARACTER));
                i += 4;
                continue;
            }
        }
        out.push(char::REPLACEMENT_CHARACTER);
        i += 2;
    }
    out
}

fn decode_text(d: Decoder, bytes: &[u8]) -> R<String> {
    Ok(match d {
        Decoder::Base64(engine) => {
            let out = engine
                .decode(bytes)
                .map_err(|e| format!("could not decode: {e}"))?;
            String::from_utf8_lossy(&out).into_owned()
        }
        Decoder::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Decoder::Ascii => bytes
            .iter()
            .map(|&c| {
                if c.is_ascii() {
                    char::from(c)
                } else {
                    char::REPLACEMENT_CHARACTER
                }
            })
            .collect(),
        Decoder::Latin1 => bytes.iter().map(|&c| char::from(c)).collect(),
        Decoder::Utf16 { big_endian, bom } => decode_utf16(bytes, big_endian, bom),
        Decoder::MultiByte(cs) => super::multibyte::decode(cs, bytes),
        Decoder::Table(t) => bytes.iter().map(|&c| t[usize::from(c)]).collect(),
        Decoder::SingleByte(enc) => enc
            .decode_without_bom_handling(bytes)
            .0
            .chars()
            .map(|c| {
                if ('\u{80}'..='\u{9f}').contains(&c) {
                    char::REPLACEMENT_CHARACTER
                } else {
                    c
                }
            })
            .collect(),
    })
}

impl Converter for Decode {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let d = decoder(&to_str(eval_value(&self.encoding, item)?)?)?;
        let bytes: Vec<u8> = match eval_value(&self.target, item)? {
            Value::Str(s) => s.as_bytes().to_vec(),
            Value::Bytes(b) => b.into_owned(),
            Value::Map(_) | Value::Slice(_) => {
                let v = eval_value(&self.target, item)?;
                pdata_as_string(&v.to_any()?).into_bytes()
            }
            other => {
                return Err(format!(
                    "unsupported type provided to Decode function: {}",
                    other.go_type()
                ))
            }
        };
        Ok(owned(decode_text(d, &bytes)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn luhn_checks_card_numbers() {
        assert_eq!(luhn("4111 1111 1111 1111"), Ok(true));
        assert_eq!(luhn("4111111111111112"), Ok(false));
        assert!(luhn("41a1").is_err());
        assert_eq!(luhn(""), Ok(false));
    }

    /// Expected texts from Python's codecs (latin-1, utf-16-le/-be, utf-16 with a BOM,
    /// ascii with "replace"); the ill-formed UTF-16 cases follow x/text's decoder source.
    #[test]
    fn decode_character_sets() {
        let d = |name: &str, b: &[u8]| decode_text(decoder(name).unwrap(), b).unwrap();
        assert_eq!(d("ISO-8859-1", b"\xe9t\xe9"), "\u{e9}t\u{e9}");
        assert_eq!(d(" Latin1 ", b"\xe9"), "\u{e9}");
        assert_eq!(d("utf-16", b"\xff\xfeh\x00i\x00"), "\u{feff}hi");
        assert_eq!(d("UTF-16BE", b"\x00h\x00i"), "hi");
        assert_eq!(d("csUTF16", b"\xfe\xff\x00h\x00i"), "hi");
        assert_eq!(d("CSUTF16", b"\x00h\x00i"), "hi");
        assert_eq!(d("UTF-16LE", b"\x3d\xd8\x00\xde"), "\u{1f600}");
        assert_eq!(d("us", b"a\xffb"), "a\u{fffd}b");
        assert_eq!(d("US-ASCII", b"a\xc3\xa9"), "a\u{e9}");
        assert_eq!(d("", b"\xe2\x82"), "\u{fffd}");
        // A lone trail surrogate followed by another: both taken, one U+FFFD.
        assert_eq!(d("utf-16le", b"\x00\xdc\x00\xdcx\x00"), "\u{fffd}x");
        // A lone lead surrogate, then a single trailing byte.
        assert_eq!(d("utf-16le", b"\x3d\xd8x\x00y"), "\u{fffd}x\u{fffd}");
        // Expected texts from golang.org/x/text's charmap tables (the bytes a code page leaves
        // undefined are U+FFFD there) and Python's cp1252/iso8859_2/koi8_r codecs.
        assert_eq!(
            d("windows-1252", b"\x80caf\xe9\x81"),
            "\u{20ac}caf\u{e9}\u{fffd}"
        );
        assert_eq!(d("Latin2", b"\xb1\x80"), "\u{105}\u{fffd}");
        assert_eq!(
            d("KOI8-R", b"\xf0\xd2\xc9\xd7\xc5\xd4"),
            "\u{41f}\u{440}\u{438}\u{432}\u{435}\u{442}"
        );
        // IANA names of x/text's multi-byte sets (any case); an unknown name is refused.
        assert_eq!(d(" Shift_JIS", b"\x82\xa0"), "\u{3042}");
        assert_eq!(d("csEUCKR", b"\xb1\xdb"), "\u{ae00}");
        assert_eq!(d("windows-936", b"\xc4\xe3"), "\u{4f60}");
        assert_eq!(d("csISO2022JP", b"\x1b$B\x24\x22"), "\u{3042}");
        assert_eq!(
            decoder("IBM9999").unwrap_err(),
            "otelcheck cannot decode the character set \"IBM9999\" yet"
        );
        assert!(decoder("shift-jis").is_err());
        // EBCDIC 037 "Hello", DOS 437 box drawing, ISO-8859-9's dotted capital I.
        assert_eq!(d("IBM037", b"\xc8\x85\x93\x93\x96"), "Hello");
        assert_eq!(d("cp437", b"\xc9\xcd\xbb"), "\u{2554}\u{2550}\u{2557}");
        assert_eq!(d("IBM1047", b"\xad\xbd\x5f"), "[]^");
        assert_eq!(d("latin5", b"\xdd"), "\u{130}");
        assert_eq!(d("ISO-8859-8-I", b"\xe0"), "\u{5d0}");
        assert_eq!(
            decode_text(decoder("base64").unwrap(), b"aGVsbG8gd29ybGQ="),
            Ok("hello world".into())
        );
    }

    #[test]
    fn sprintf_like_go() {
        let s = |x: &str| Value::Str(Cow::Owned(x.into()));
        assert_eq!(sprintf("%s-%d", &[s("a"), Value::Int(3)]).unwrap(), "a-3");
        assert_eq!(
            sprintf("%05d|%-3s|", &[Value::Int(42), s("a")]).unwrap(),
            "00042|a  |"
        );
        assert_eq!(sprintf("%.2f", &[Value::Float(1.005)]).unwrap(), "1.00");
        assert_eq!(sprintf("%s %s", &[s("a")]).unwrap(), "a %!s(MISSING)");
        assert_eq!(sprintf("%d", &[s("a")]).unwrap(), "%!d(string=a)");
        assert!(sprintf("%99999999d", &[Value::Int(1)]).is_err());
    }
}
