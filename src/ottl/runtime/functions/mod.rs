//! Converters usable in conditions: registry, argument binding and typed argument conversion.
//!
//! Binding follows upstream's `functions.go`: `required ≤ given ≤ total` (the error reports the
//! total), named arguments are matched after ToCamel, positional ones may not follow named ones,
//! and functions without parameters ignore whatever they are given. A literal argument is
//! converted to the parameter's type right away, so a bad literal is a compile error exactly
//! where upstream reports a parse error (`HasPrefix(nil, "a")`, `IsBool("true")`).

pub mod conversions;
pub mod getters;
pub mod hashes;
pub mod is_match;
pub mod strings;
pub mod time;
pub mod type_checks;

use std::fmt;

use super::compile::{CompileError, Compiler, Expr};
use super::eval::{eval_value, EvalItem};
use super::value::Value;
use crate::ottl::ast::{self, Call};

type R<T> = Result<T, String>;

/// A compiled converter call (arguments included).
pub trait Converter: fmt::Debug + Send + Sync {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>>;
}

/// Why a call did not compile: a problem of the call itself, or of a nested expression.
pub enum CallError {
    Arg(String),
    Nested(CompileError),
}

/// The Go type a parameter is declared with; decides how literals are checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// `Getter`: anything.
    Any,
    /// `StringGetter`: strict string.
    Str,
    /// `StringLikeGetter`.
    StrLike,
    /// `IntGetter`: strict int64.
    Int,
    /// `FloatGetter`: strict float64.
    Float,
    /// `BoolGetter`: strict bool.
    Bool,
    /// `PMapGetter`.
    PMap,
    /// `FloatLikeGetter`.
    FloatLike,
    /// `IntLikeGetter`.
    IntLike,
    /// `BoolLikeGetter`.
    BoolLike,
    /// `DurationGetter`.
    Duration,
    /// `TimeGetter`.
    Time,
    /// `ByteSliceLikeGetter`.
    BytesLike,
    /// `Optional[bool]` literal.
    LitBool,
    /// `[]Getter` of the given element kind: must be a list literal.
    List(&'static Kind),
}

/// One parameter: Go field name (for named arguments), kind, optional.
pub struct Param(pub &'static str, pub Kind, pub bool);

/// Builds a converter from its bound, compiled arguments.
pub type CustomBuild = fn(Vec<Option<Expr>>) -> R<Box<dyn Converter>>;

/// How a converter is built from its bound arguments.
pub enum Build {
    /// Evaluate every argument, then apply the function (absent optionals are `None`).
    Simple(for<'a> fn(Vec<Option<Value<'a>>>) -> R<Value<'a>>),
    /// Converter-specific compilation (precompiled regexes, access to the item).
    Custom(CustomBuild),
}

pub struct Spec {
    pub name: &'static str,
    pub params: &'static [Param],
    pub build: Build,
}

fn registry() -> impl Iterator<Item = &'static Spec> {
    [
        is_match::SPECS,
        type_checks::SPECS,
        conversions::SPECS,
        strings::SPECS,
        hashes::SPECS,
        time::SPECS,
    ]
    .into_iter()
    .flatten()
}

/// Upstream v0.156.0 converters otelcheck does not evaluate yet.
const KNOWN_UNSUPPORTED: &[&str] = &[
    "Base64Decode",
    "Base64Encode",
    "CommunityID",
    "ConvertAttributesToElementsXML",
    "ConvertCase",
    "ConvertTextToElementsXML",
    "Day",
    "Decode",
    "ExtractGrokPatterns",
    "ExtractPatterns",
    "Format",
    "FormatTime",
    "GetXML",
    "Hour",
    "InsertXML",
    "IsInCIDR",
    "IsValidLuhn",
    "Keys",
    "MD5",
    "Minute",
    "Month",
    "Murmur3Hash",
    "Murmur3Hash128",
    "Nanosecond",
    "Now",
    "ParseCSV",
    "ParseInt",
    "ParseJSON",
    "ParseKeyValue",
    "ParseSeverity",
    "ParseSimplifiedXML",
    "ParseXML",
    "ProfileID",
    "RemoveXML",
    "SHA1",
    "Second",
    "SliceToMap",
    "Sort",
    "Time",
    "ToCamelCase",
    "ToKeyValueString",
    "ToSnakeCase",
    "TruncateTime",
    "URL",
    "UUID",
    "UUIDv7",
    "Unix",
    "UserAgent",
    "Values",
    "Weekday",
    "XXH128",
    "XXH3",
    "Year",
];

/// Compile one converter call.
pub fn compile(c: &mut Compiler, call: &Call) -> Result<Box<dyn Converter>, CallError> {
    let name = call.name.node.as_str();
    if call.is_editor_name() {
        return Err(CallError::Arg(format!(
            "converter names must start with an uppercase letter but got '{name}'"
        )));
    }
    let Some(spec) = registry().find(|s| s.name == name) else {
        return Err(CallError::Arg(if KNOWN_UNSUPPORTED.contains(&name) {
            format!("otelcheck cannot evaluate the converter {name} yet")
        } else {
            format!("undefined function \"{name}\"")
        }));
    };
    let wrap = |m: String| {
        CallError::Arg(format!(
            "error while parsing arguments for call to \"{name}\": {m}"
        ))
    };
    let slots = bind(spec, &call.args).map_err(wrap)?;
    let mut exprs = Vec::with_capacity(slots.len());
    for (pos, (slot, param)) in slots.into_iter().zip(spec.params).enumerate() {
        let Some(arg) = slot else {
            exprs.push(None);
            continue;
        };
        let e = compile_arg(c, arg, param.1).map_err(|e| match e {
            CallError::Arg(m) => wrap(format!("invalid argument at position {pos}: {m}")),
            nested => nested,
        })?;
        exprs.push(Some(e));
    }
    match &spec.build {
        Build::Simple(f) => Ok(Box::new(Simple { args: exprs, f: *f })),
        Build::Custom(b) => {
            b(exprs).map_err(|m| CallError::Arg(format!("couldn't create function: {m}")))
        }
    }
}

/// Place the given arguments into parameter slots.
fn bind<'c>(
    spec: &Spec,
    args: &'c [ast::Node<ast::Argument>],
) -> R<Vec<Option<&'c ast::Node<ast::Value>>>> {
    let total = spec.params.len();
    let mut slots = vec![None; total];
    if total == 0 {
        return Ok(slots);
    }
    let required = spec.params.iter().filter(|p| !p.2).count();
    if args.len() < required || args.len() > total {
        return Err(format!(
            "incorrect number of arguments. Expected: {total} Received: {}",
            args.len()
        ));
    }
    let mut seen_named = false;
    for (i, a) in args.iter().enumerate() {
        let idx = match &a.node.name {
            None if seen_named => return Err("unnamed argument used after named argument".into()),
            None => i,
            Some(n) => {
                seen_named = true;
                let camel = to_camel(&n.node);
                spec.params
                    .iter()
                    .position(|p| p.0 == camel)
                    .ok_or_else(|| format!("no such parameter: {}", n.node))?
            }
        };
        if let Some(slot) = slots.get_mut(idx) {
            *slot = Some(&a.node.value);
        }
    }
    Ok(slots)
}

/// `strcase.ToCamel` for the identifier shapes OTTL allows (lowercase words and `_`).
fn to_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for ch in name.chars() {
        if ch == '_' {
            upper = true;
            continue;
        }
        if upper {
            out.extend(ch.to_uppercase());
        } else {
            out.push(ch);
        }
        upper = ch.is_ascii_digit();
    }
    out
}

fn compile_arg(c: &mut Compiler, v: &ast::Node<ast::Value>, kind: Kind) -> Result<Expr, CallError> {
    if let Kind::List(elem) = kind {
        let ast::Value::List(items) = &v.node else {
            return Err(CallError::Arg("must be a list".into()));
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let e = c.value(item).map_err(CallError::Nested)?;
            if let Expr::Const(k) = &e {
                check_literal(*elem, k).map_err(CallError::Arg)?;
            }
            out.push(e);
        }
        return Ok(Expr::List(out));
    }
    if kind == Kind::LitBool && !matches!(v.node, ast::Value::Bool(_)) {
        return Err(CallError::Arg("must be a bool".into()));
    }
    let e = c.value(v).map_err(CallError::Nested)?;
    if let Expr::Const(k) = &e {
        check_literal(kind, k).map_err(CallError::Arg)?;
    }
    Ok(e)
}

/// Convert a literal as the typed getter would at parse time; only the error matters.
fn check_literal(kind: Kind, v: &Value) -> R<()> {
    let v = v.reborrow();
    match kind {
        Kind::Str => to_str(v).map(drop),
        Kind::StrLike => str_like(v).map(drop),
        Kind::Int => to_int(v).map(drop),
        Kind::Float => to_float(v).map(drop),
        Kind::Bool => to_bool(v).map(drop),
        Kind::PMap => to_map(v).map(drop),
        Kind::FloatLike => float_like(v).map(drop),
        Kind::IntLike => int_like(v).map(drop),
        Kind::BoolLike => bool_like(v).map(drop),
        Kind::Duration => to_duration(v).map(drop),
        Kind::Time => to_time(v).map(drop),
        Kind::BytesLike => bytes_like(v).map(drop),
        Kind::Any | Kind::LitBool | Kind::List(_) => Ok(()),
    }
}

/// The generic converter: evaluate the arguments in order, then apply `f`.
pub struct Simple {
    args: Vec<Option<Expr>>,
    f: for<'a> fn(Vec<Option<Value<'a>>>) -> R<Value<'a>>,
}

impl fmt::Debug for Simple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simple").field("args", &self.args).finish()
    }
}

impl Converter for Simple {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let mut vals = Vec::with_capacity(self.args.len());
        for a in &self.args {
            vals.push(match a {
                Some(e) => Some(eval_value(e, item)?),
                None => None,
            });
        }
        (self.f)(vals)
    }
}

/// Take argument `i` (nil when absent).
pub fn arg<'a>(args: &mut [Option<Value<'a>>], i: usize) -> Value<'a> {
    args.get_mut(i).and_then(Option::take).unwrap_or(Value::Nil)
}

/// Take optional argument `i`.
pub fn opt<'a>(args: &mut [Option<Value<'a>>], i: usize) -> Option<Value<'a>> {
    args.get_mut(i).and_then(Option::take)
}

pub use getters::{
    bool_like, bytes_like, float_like, int_like, str_like, to_bool, to_duration, to_float, to_int,
    to_map, to_str, to_time,
};
