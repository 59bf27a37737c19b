//! Collections: `Keys`, `Values`, `Sort`, `SliceToMap`, `ToKeyValueString`.
//!
//! | Converter | Parameters | Result |
//! |---|---|---|
//! | `Keys(map)` / `Values(map)` | PMapGetter | slice of the keys / values, in map order |
//! | `Sort(target, order?)` | Getter, literal `"asc"`/`"desc"` | sorted copy; mixed numbers sort as doubles, any string/bool/nil makes all compare as strings |
//! | `SliceToMap(target, key_path?, value_path?)` | PSliceGetter, string lists | map keyed by index or by the value at `key_path` |
//! | `ToKeyValueString(map, delimiter?, pair_delimiter?, sort?)` | PMapGetter, literals | `k=v k2="v 2"` text |

use std::borrow::Cow;

use super::{arg, opt, owned, to_map, to_str, Build, Converter, Spec};
use crate::capture::model::AnyValue;
use crate::ottl::runtime::compile::Expr;
use crate::ottl::runtime::eval::{eval_value, EvalItem};
use crate::ottl::runtime::format::{go_v, pdata_as_string};
use crate::ottl::runtime::value::Value;

type R<T> = Result<T, String>;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "Keys",
        build: Build::Simple(|mut a| {
            let m = to_map(arg(&mut a, 0))?;
            let keys = m.iter().map(|(k, _)| AnyValue::Str(k.into())).collect();
            Ok(Value::Slice(Cow::Owned(keys)))
        }),
    },
    Spec {
        name: "Values",
        build: Build::Simple(|mut a| {
            let m = to_map(arg(&mut a, 0))?;
            let vals = m.iter().map(|(_, v)| v.clone()).collect();
            Ok(Value::Slice(Cow::Owned(vals)))
        }),
    },
    Spec {
        name: "Sort",
        build: Build::Custom(build_sort),
    },
    Spec {
        name: "SliceToMap",
        build: Build::Simple(|mut a| {
            let items: Vec<AnyValue> = match arg(&mut a, 0) {
                Value::Slice(s) => s.into_owned(),
                Value::List(l) => l.iter().map(Value::to_any).collect::<R<_>>()?,
                Value::Nil => return Err("expected pcommon.Slice but got nil".into()),
                other => {
                    return Err(format!(
                        "expected pcommon.Slice but got {}",
                        other.go_type()
                    ))
                }
            };
            let key_path = path_arg(opt(&mut a, 1))?;
            let value_path = path_arg(opt(&mut a, 2))?;
            slice_to_map(&items, key_path.as_deref(), value_path.as_deref())
                .map(|m| Value::Map(Cow::Owned(m)))
        }),
    },
    Spec {
        name: "ToKeyValueString",
        build: Build::Custom(build_to_kv),
    },
];

/// An optional `[]string` literal list argument.
fn path_arg(v: Option<Value>) -> R<Option<Vec<String>>> {
    match v {
        None => Ok(None),
        Some(Value::List(items)) => items
            .into_iter()
            .map(|i| to_str(i).map(Cow::into_owned))
            .collect::<R<Vec<_>>>()
            .map(Some),
        Some(other) => Err(format!("expected a list but got {}", other.go_type())),
    }
}

/// `sliceToMap`: keys from `key_path` (else the index), values from `value_path` (else the
/// element).
fn slice_to_map(
    items: &[AnyValue],
    key_path: Option<&[String]>,
    value_path: Option<&[String]>,
) -> R<crate::capture::model::Attributes> {
    let mut m = crate::capture::model::Attributes::with_capacity(items.len());
    for (i, el) in items.iter().enumerate() {
        let mut key = i.to_string();
        let mut value = el.clone();
        if key_path.is_some() || value_path.is_some() {
            let AnyValue::Map(em) = el else {
                return Err(format!("slice elements must be maps when using `key_path` or `value_path`, but could not cast element of type `{}` to a map", el.type_name()));
            };
            if let Some(p) = key_path {
                let k = extract(em, p)
                    .map_err(|e| format!("could not extract key from element {i}: {e}"))?;
                let AnyValue::Str(k) = k else {
                    return Err(format!(
                        "element {i}: extracted key attribute is not of type string, got \"{}\"",
                        k.type_name()
                    ));
                };
                key = k.to_string();
            }
            if let Some(p) = value_path {
                value = extract(em, p)
                    .map_err(|e| format!("could not extract value from element {i}: {e}"))?
                    .clone();
            }
        }
        m.upsert(key.as_str(), value);
    }
    Ok(m)
}

fn extract<'m>(m: &'m crate::capture::model::Attributes, path: &[String]) -> R<&'m AnyValue> {
    let missing = || {
        format!(
            "provided object does not contain the path [{}]",
            path.join(" ")
        )
    };
    let Some((first, rest)) = path.split_first() else {
        return Err("must provide at least one path item".into());
    };
    let v = m.get(first).ok_or_else(missing)?;
    if rest.is_empty() {
        return Ok(v);
    }
    match v {
        AnyValue::Map(inner) => extract(inner, rest).map_err(|_| missing()),
        _ => Err(missing()),
    }
}

#[derive(Debug)]
struct ToKeyValueString {
    target: Expr,
    delimiter: String,
    pair_delimiter: String,
    sort: bool,
}

fn build_to_kv(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let target = take(0).ok_or("missing target")?;
    let lit = |e: Option<Expr>, default: &str, what: &str| -> R<String> {
        match e {
            None => Ok(default.to_string()),
            Some(Expr::Const(Value::Str(s))) if s.is_empty() => {
                Err(format!("{what} cannot be set to an empty string"))
            }
            Some(Expr::Const(Value::Str(s))) => Ok(s.into_owned()),
            Some(_) => Err(format!("{what} must be a string literal")),
        }
    };
    let delimiter = lit(take(1), "=", "delimiter")?;
    let pair_delimiter = lit(take(2), " ", "pair delimiter")?;
    if pair_delimiter == delimiter {
        return Err(format!(
            "pair delimiter {pair_delimiter:?} cannot be equal to delimiter {delimiter:?}"
        ));
    }
    let sort = matches!(take(3), Some(Expr::Const(Value::Bool(true))));
    Ok(Box::new(ToKeyValueString {
        target,
        delimiter,
        pair_delimiter,
        sort,
    }))
}

impl Converter for ToKeyValueString {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let m = to_map(eval_value(&self.target, item)?)?;
        let quote = |s: &str| {
            let s = s.replace('"', "\\\"");
            if s.contains(self.pair_delimiter.as_str()) || s.contains(self.delimiter.as_str()) {
                format!("\"{s}\"")
            } else {
                s
            }
        };
        let mut pairs: Vec<(&str, &AnyValue)> = m.iter().collect();
        if self.sort {
            pairs.sort_by(|a, b| a.0.cmp(b.0));
        }
        let out: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| {
                format!(
                    "{}{}{}",
                    quote(k),
                    self.delimiter,
                    quote(&pdata_as_string(v))
                )
            })
            .collect();
        Ok(owned(out.join(&self.pair_delimiter)))
    }
}

#[derive(Debug)]
struct Sort {
    target: Expr,
    desc: bool,
}

fn build_sort(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let target = take(0).ok_or("missing target")?;
    let desc = match take(1) {
        None => false,
        Some(Expr::Const(Value::Str(o))) if o == "asc" => false,
        Some(Expr::Const(Value::Str(o))) if o == "desc" => true,
        Some(Expr::Const(Value::Str(o))) => {
            return Err(format!(
                "invalid arguments: {o}. Order should be either \"asc\" or \"desc\""
            ))
        }
        Some(_) => return Err("order must be a string literal".into()),
    };
    Ok(Box::new(Sort { target, desc }))
}

/// The sort key `findCommonValueType` chooses for the whole slice.
#[derive(PartialEq, PartialOrd)]
enum SortKey {
    Int(i64),
    Double(f64),
    Str(String),
}

impl Converter for Sort {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let items: Vec<AnyValue> = match eval_value(&self.target, item)? {
            Value::Slice(s) => s.into_owned(),
            Value::List(l) => l.iter().map(Value::to_any).collect::<R<_>>()?,
            Value::StrList(mut l) => {
                l.sort();
                if self.desc {
                    l.reverse();
                }
                return Ok(Value::StrList(l));
            }
            other => {
                return Err(format!(
                    "sort with unsupported type: '{}'. Target is not a list",
                    other.go_type()
                ))
            }
        };
        let Some(keys) = common_keys(&items) else {
            // Maps, slices or bytes inside: upstream returns the slice unchanged.
            return Ok(Value::Slice(Cow::Owned(items)));
        };
        let mut pairs: Vec<(SortKey, AnyValue)> = keys.into_iter().zip(items).collect();
        // A stable sort, as Go's `slices.SortFunc` is not: ties may come out in another order
        // upstream, but they are equal under the key, so only equal-looking values can swap.
        pairs.sort_by(|a, b| {
            let o = a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal);
            if self.desc {
                o.reverse()
            } else {
                o
            }
        });
        Ok(Value::Slice(Cow::Owned(
            pairs.into_iter().map(|p| p.1).collect(),
        )))
    }
}

fn common_keys(items: &[AnyValue]) -> Option<Vec<SortKey>> {
    let mut want_str = false;
    let mut want_double = false;
    let first = items.first()?;
    for v in items {
        match v {
            AnyValue::Int(_) => want_double |= matches!(first, AnyValue::Double(_)),
            AnyValue::Double(_) => want_double |= matches!(first, AnyValue::Int(_)),
            AnyValue::Str(_) | AnyValue::Bool(_) | AnyValue::Empty => want_str = true,
            _ => return None,
        }
    }
    Some(
        items
            .iter()
            .map(|v| match v {
                _ if want_str => SortKey::Str(match v {
                    AnyValue::Str(s) => s.to_string(),
                    AnyValue::Empty => String::new(),
                    other => go_v(&Value::from_any(other)),
                }),
                AnyValue::Int(i) if want_double || matches!(first, AnyValue::Double(_)) => {
                    SortKey::Double(*i as f64)
                }
                AnyValue::Int(i) => SortKey::Int(*i),
                AnyValue::Double(d) => SortKey::Double(*d),
                _ => SortKey::Str(String::new()),
            })
            .collect(),
    )
}
