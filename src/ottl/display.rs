//! `Display` for the AST, printing canonical OTTL: single spaces around operators, `, `
//! between arguments, strings re-escaped, floats always with a dot. Printing then re-parsing
//! gives the same tree (spans aside); boolean parentheses are re-inserted where needed
//! because the tree does not keep them.

use std::fmt::{self, Display, Formatter, Write};

use super::ast::{Argument, BoolExpr, Call, Field, Key, Node, Path, Statement, Value};

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.editor.node)?;
        if let Some(cond) = &self.condition {
            write!(f, " where {}", cond.node)?;
        }
        Ok(())
    }
}

impl Display for BoolExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            BoolExpr::Or(items) => join(f, items, " or ", |e| matches!(e, BoolExpr::Or(_))),
            BoolExpr::And(items) => join(f, items, " and ", |e| {
                matches!(e, BoolExpr::Or(_) | BoolExpr::And(_))
            }),
            BoolExpr::Not(inner) => match &inner.node {
                BoolExpr::Or(_) | BoolExpr::And(_) | BoolExpr::Not(_) => {
                    write!(f, "not ({})", inner.node)
                }
                other => write!(f, "not {other}"),
            },
            BoolExpr::Comparison { left, op, right } => {
                write!(f, "{} {} {}", left.node, op.node.as_str(), right.node)
            }
            BoolExpr::Literal(b) => write!(f, "{b}"),
            BoolExpr::Converter(c) => write!(f, "{c}"),
            BoolExpr::RegexMatch {
                target,
                pattern,
                negated,
                ..
            } => {
                let op = if *negated { "!~" } else { "=~" };
                write!(f, "{} {op} {}", target.node, pattern.node)
            }
        }
    }
}

fn join(
    f: &mut Formatter<'_>,
    items: &[Node<BoolExpr>],
    sep: &str,
    needs_parens: fn(&BoolExpr) -> bool,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        if needs_parens(&item.node) {
            write!(f, "({})", item.node)?;
        } else {
            write!(f, "{}", item.node)?;
        }
    }
    Ok(())
}

impl Display for Value {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("nil"),
            Value::String(s) => write_string(f, s),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write_float(f, *x),
            Value::Bytes(b) => write!(f, "0x{}", hex::encode(b)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Enum(e) | Value::FunctionRef(e) => f.write_str(e),
            Value::Path(p) => write!(f, "{p}"),
            Value::Call(c) => write!(f, "{c}"),
            Value::List(items) => {
                f.write_char('[')?;
                comma_list(f, items.iter().map(|i| &i.node))?;
                f.write_char(']')
            }
            Value::Map(items) => {
                f.write_char('{')?;
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_string(f, &k.node)?;
                    write!(f, ": {}", v.node)?;
                }
                f.write_char('}')
            }
            Value::Binary { op, left, right } => {
                write!(f, "{} {} {}", left.node, op.as_str(), right.node)
            }
            Value::Negate(v) => write!(f, "-{}", v.node),
            Value::Plus(v) => write!(f, "+{}", v.node),
            Value::Group(v) => write!(f, "({})", v.node),
            Value::Lambda { params, body } => {
                f.write_char('(')?;
                comma_list(f, params.iter().map(|p| &p.node))?;
                write!(f, ") => {}", body.node)
            }
            Value::BoolBody(b) => write!(f, "{}", b.node),
        }
    }
}

fn comma_list<T: Display>(f: &mut Formatter<'_>, items: impl Iterator<Item = T>) -> fmt::Result {
    for (i, item) in items.enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// A float that re-lexes as a float: always has a dot (or an exponent with a dot).
fn write_float(f: &mut Formatter<'_>, x: f64) -> fmt::Result {
    let text = format!("{x:?}");
    if text.contains('.') {
        f.write_str(&text)
    } else if let Some((mantissa, exp)) = text.split_once('e') {
        write!(f, "{mantissa}.0e{exp}")
    } else {
        write!(f, "{text}.0")
    }
}

/// Quote a string so that upstream's un-quoting gives it back.
fn write_string(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() && (c as u32) < 0x100 => write!(f, "\\x{:02x}", c as u32)?,
            c if c.is_control() => write!(f, "\\u{:04x}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

impl Display for Call {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.name.node)?;
        comma_list(f, self.args.iter().map(|a| &a.node))?;
        f.write_char(')')?;
        write_keys(f, &self.keys)
    }
}

impl Display for Argument {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.name {
            write!(f, "{} = ", name.node)?;
        }
        write!(f, "{}", self.value.node)
    }
}

impl Display for Path {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_char('.')?;
            }
            write!(f, "{}", seg.node)?;
        }
        Ok(())
    }
}

impl Display for Field {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        write_keys(f, &self.keys)
    }
}

fn write_keys(f: &mut Formatter<'_>, keys: &[Node<Key>]) -> fmt::Result {
    keys.iter().try_for_each(|k| write!(f, "[{}]", k.node))
}

impl Display for Key {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Key::String(s) => write_string(f, s),
            Key::Int(i) => write!(f, "{i}"),
            Key::Expr(e) => write!(f, "{}", e.node),
        }
    }
}
