//! Converters usable in conditions: registry, argument binding and typed argument conversion.
//!
//! Binding follows upstream's `functions.go`: `required ≤ given ≤ total` (the error reports the
//! total), named arguments are matched after ToCamel, positional ones may not follow named ones,
//! and functions without parameters ignore whatever they are given. A literal argument is
//! converted to the parameter's type right away, so a bad literal is a compile error exactly
//! where upstream reports a parse error (`HasPrefix(nil, "a")`, `IsBool("true")`).

pub mod clock;
pub mod codepages;
pub mod collections;
pub mod conversions;
pub mod csv;
pub mod getters;
pub mod grok;
pub mod grok_patterns;
pub mod hashes;
pub mod is_match;
pub mod multibyte;
pub mod net;
pub mod parsers;
pub mod strings;
pub mod text;
pub mod time;
pub mod timefmt;
pub mod timeparse;
pub mod type_checks;
pub mod useragent;
pub mod xml;
pub mod xmldom;
pub mod xpath;

use std::fmt;

use super::compile::{CompileError, Compiler, Expr};
use super::eval::{eval_value, EvalItem};
use super::value::Value;
use crate::ottl::ast::{self, Call};
use crate::ottl::signatures::{self, ParamKind, Signature};

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

/// Builds a converter from its bound, compiled arguments.
pub type CustomBuild = fn(Vec<Option<Expr>>) -> R<Box<dyn Converter>>;

/// How a converter is built from its bound arguments.
pub enum Build {
    /// Evaluate every argument, then apply the function (absent optionals are `None`).
    Simple(for<'a> fn(Vec<Option<Value<'a>>>) -> R<Value<'a>>),
    /// Converter-specific compilation (precompiled regexes, access to the item).
    Custom(CustomBuild),
}

/// How one converter runs. Its parameters live in [`signatures`] (the one table the checker
/// and the binder read); this entry only adds the implementation.
pub struct Spec {
    pub name: &'static str,
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
        parsers::SPECS,
        collections::SPECS,
        net::SPECS,
        text::SPECS,
        clock::SPECS,
        timefmt::SPECS,
        timeparse::SPECS,
        csv::SPECS,
        xml::SPECS,
        xmldom::SPECS,
        grok::SPECS,
        useragent::SPECS,
    ]
    .into_iter()
    .flatten()
}

/// Whether otelcheck evaluates the converter `name`.
pub fn implemented(name: &str) -> bool {
    registry().any(|s| s.name == name)
}

/// The converters of the signature table otelcheck does not evaluate, in table order; a
/// processor using one is reported as not emulated.
pub fn not_evaluated() -> impl Iterator<Item = &'static Signature> {
    signatures::all()
        .iter()
        .filter(|s| !s.is_editor() && !implemented(s.name))
}

/// Compile one converter call.
pub fn compile(c: &mut Compiler, call: &Call) -> Result<Box<dyn Converter>, CallError> {
    let name = call.name.node.as_str();
    if call.is_editor_name() {
        return Err(CallError::Arg(format!(
            "converter names must start with an uppercase letter but got '{name}'"
        )));
    }
    let Some(spec) = registry().find(|s| s.name == name) else {
        // A registered function without an implementation is upstream's but not ours yet.
        return Err(CallError::Arg(if signatures::lookup(name).is_some() {
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
    let sig = signatures::lookup(name)
        .ok_or_else(|| CallError::Arg(format!("undefined function \"{name}\"")))?;
    let params = sig.params.unwrap_or_default();
    let slots = bind(sig, &call.args).map_err(wrap)?;
    let mut exprs = Vec::with_capacity(slots.len());
    for (pos, (slot, param)) in slots.into_iter().zip(params).enumerate() {
        let Some(arg) = slot else {
            exprs.push(None);
            continue;
        };
        let e = compile_arg(c, arg, param.kind).map_err(|e| match e {
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

/// Place the given arguments into parameter slots (upstream `functions.go`): functions
/// registered without an arguments struct ignore what they are given.
pub(crate) fn bind<'c>(
    sig: &Signature,
    args: &'c [ast::Node<ast::Argument>],
) -> R<Vec<Option<&'c ast::Node<ast::Value>>>> {
    let total = sig.total();
    let mut slots = vec![None; total];
    if total == 0 {
        return Ok(slots);
    }
    if args.len() < sig.required() || args.len() > total {
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
                sig.param_named(&n.node)
                    .map(|(idx, _)| idx)
                    .ok_or_else(|| format!("no such parameter: {}", n.node))?
            }
        };
        if let Some(slot) = slots.get_mut(idx) {
            *slot = Some(&a.node.value);
        }
    }
    Ok(slots)
}

pub(crate) fn compile_arg(
    c: &mut Compiler,
    v: &ast::Node<ast::Value>,
    kind: ParamKind,
) -> Result<Expr, CallError> {
    if let ParamKind::List(elem) = kind {
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
    if kind == ParamKind::LiteralBool && !matches!(v.node, ast::Value::Bool(_)) {
        return Err(CallError::Arg("must be a bool".into()));
    }
    let e = c.value(v).map_err(CallError::Nested)?;
    if let Expr::Const(k) = &e {
        check_literal(kind, k).map_err(CallError::Arg)?;
    }
    Ok(e)
}

/// Convert a literal as the typed getter would at parse time; only the error matters.
pub(crate) fn check_literal(kind: ParamKind, v: &Value) -> R<()> {
    use ParamKind as K;
    let v = v.reborrow();
    match kind {
        K::StringGetter | K::LiteralString => to_str(v).map(drop),
        K::StringLikeGetter => str_like(v).map(drop),
        K::IntGetter | K::LiteralInt => to_int(v).map(drop),
        K::FloatGetter | K::LiteralFloat => to_float(v).map(drop),
        K::BoolGetter => to_bool(v).map(drop),
        K::PMapGetter => to_map(v).map(drop),
        K::FloatLikeGetter => float_like(v).map(drop),
        K::IntLikeGetter => int_like(v).map(drop),
        K::BoolLikeGetter => bool_like(v).map(drop),
        K::DurationGetter => to_duration(v).map(drop),
        K::TimeGetter => to_time(v).map(drop),
        K::ByteSliceLikeGetter => bytes_like(v).map(drop),
        K::PSliceGetter => match v {
            Value::Slice(_) | Value::List(_) | Value::StrList(_) => Ok(()),
            Value::Nil => Err("expected pcommon.Slice but got nil".into()),
            other => Err(format!(
                "expected pcommon.Slice but got {}",
                other.go_type()
            )),
        },
        K::Getter
        | K::LiteralBool
        | K::List(_)
        | K::Setter
        | K::GetSetter
        | K::PMapGetSetter
        | K::PSliceGetSetter
        | K::FunctionRef
        | K::Enum => Ok(()),
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

/// Call the one-argument converter `name` on `v` (the `Function` argument of the replace
/// editors: `SHA256`, `MD5`, ...).
pub fn call_by_name<'a>(name: &str, v: Value<'a>) -> R<Value<'a>> {
    match registry().find(|s| s.name == name).map(|s| &s.build) {
        Some(Build::Simple(f)) => f(vec![Some(v)]),
        _ => Err(format!(
            "otelcheck cannot apply the function {name} to a replacement"
        )),
    }
}

/// An owned string value (what most converters return).
pub(crate) fn owned(s: String) -> Value<'static> {
    Value::Str(std::borrow::Cow::Owned(s))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// One signature per function: every implementation must name a function of the
    /// signature table, with the matching kind (editors lower-case, converters upper-case).
    #[test]
    fn every_implementation_has_its_signature() {
        for spec in registry() {
            let sig = signatures::lookup(spec.name)
                .unwrap_or_else(|| panic!("{} has no signature", spec.name));
            assert!(!sig.is_editor(), "{} is a converter", spec.name);
        }
        for name in crate::ottl::runtime::editors::names() {
            let sig = signatures::lookup(name).unwrap_or_else(|| panic!("{name} has no signature"));
            assert!(sig.is_editor(), "{name} is an editor");
        }
    }

    /// Every editor of the signature table runs.
    #[test]
    fn every_standard_editor_runs() {
        let missing: Vec<&str> = signatures::all()
            .iter()
            .filter(|s| s.is_editor())
            .map(|s| s.name)
            .filter(|n| !crate::ottl::runtime::editors::implemented(n))
            .collect();
        assert!(missing.is_empty(), "editors not implemented: {missing:?}");
    }

    /// Every converter of the signature table runs, except the few otelcheck cannot emulate
    /// faithfully (each with its reason); a processor using one of those is reported as not
    /// emulated.
    #[test]
    fn every_standard_converter_runs() {
        const NOT_EMULATED: &[&str] = &[
            // The filter processor's own datapoint helpers, not `ottlfuncs` converters.
            "HasAttrOnDatapoint",
            "HasAttrKeyOnDatapoint",
        ];
        let missing: Vec<&str> = not_evaluated()
            .map(|s| s.name)
            .filter(|n| !NOT_EMULATED.contains(n))
            .collect();
        assert!(
            missing.is_empty(),
            "converters not implemented: {missing:?}"
        );
        for n in NOT_EMULATED {
            assert!(!implemented(n), "{n} is implemented: drop it from the list");
        }
    }
}
