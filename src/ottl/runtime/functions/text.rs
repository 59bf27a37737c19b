//! Text converters: `IsValidLuhn`, `ConvertCase`, `ToSnakeCase`, `ToCamelCase`,
//! `Base64Encode`, `Base64Decode`, `Decode`, `Format`.
//!
//! | Converter | Parameters | Result |
//! |---|---|---|
//! | `IsValidLuhn(target)` | StringLikeGetter | Luhn check over the digits (spaces removed); a non-digit is an error |
//! | `ConvertCase(target, case)` | StringGetter, literal `lower`/`upper`/`snake`/`camel` | |
//! | `Base64Encode(target, variant?)` | StringGetter, StringGetter | `base64` (default), `base64-raw`, `base64-url`, `base64-raw-url` |
//! | `Decode(target, encoding)` | Getter, StringGetter | base64 variants and UTF-8 |
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

/// `Decode(target, encoding)`: the four base64 variants (strings and bytes), and the UTF-8
/// "encodings" that leave text as it is. Other character sets (`latin1`, `shift-jis`, ...)
/// would need upstream's `textutils` tables: otelcheck says it cannot decode them.
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

#[derive(Clone, Copy)]
enum Decoder {
    Base64(&'static base64::engine::GeneralPurpose),
    Utf8,
}

fn decoder(name: &str) -> R<Decoder> {
    use base64::engine::general_purpose as gp;
    Ok(match name {
        "base64" => Decoder::Base64(&gp::STANDARD),
        "base64-raw" => Decoder::Base64(&gp::STANDARD_NO_PAD),
        "base64-url" => Decoder::Base64(&gp::URL_SAFE),
        "base64-raw-url" => Decoder::Base64(&gp::URL_SAFE_NO_PAD),
        n if matches!(n.to_ascii_lowercase().as_str(), "nop" | "utf-8" | "utf8") => Decoder::Utf8,
        other => {
            return Err(format!(
                "otelcheck cannot decode the character set {other:?} yet"
            ))
        }
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
        let out = match d {
            Decoder::Base64(engine) => engine
                .decode(&bytes)
                .map_err(|e| format!("could not decode: {e}"))?,
            Decoder::Utf8 => bytes,
        };
        Ok(owned(String::from_utf8_lossy(&out).into_owned()))
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
