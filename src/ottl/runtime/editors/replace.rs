//! Replacing editors: `replace_pattern`, `replace_all_patterns` (RE2 regexes, `$1`/`${name}`
//! expansion), `replace_match`, `replace_all_matches` (gobwas globs), each with the optional
//! `Function` (a hash converter applied to every replacement) and `ReplacementFormat` (a
//! format string with exactly one `%s`).

use std::borrow::Cow;

use regex::Regex;

use super::{literal_str, read, value, write, Args, Editor, Write, R};
use crate::capture::model::AnyValue;
use crate::ottl::runtime::compile::{Expr, PathExpr};
use crate::ottl::runtime::eval::EvalItem;
use crate::ottl::runtime::functions::{call_by_name, to_map, to_str};
use crate::ottl::runtime::re2;
use crate::ottl::runtime::value::Value;

/// A regex argument: compiled once when literal (`newDynamicRegex`), per evaluation otherwise.
#[derive(Debug)]
pub enum Pattern {
    Fixed(Regex),
    Dynamic(&'static str, Expr),
}

fn bad_regex(func: &str, p: &str, e: &str) -> String {
    format!("the regex pattern supplied to {func} '{p:?}' is not a valid pattern: {e}")
}

impl Pattern {
    pub fn new(func: &'static str, e: Expr) -> R<Self> {
        match literal_str(&e) {
            Some(p) => re2::compile(p)
                .map(Pattern::Fixed)
                .map_err(|m| bad_regex(func, p, &m)),
            None => Ok(Pattern::Dynamic(func, e)),
        }
    }

    pub fn get<'p>(&'p self, item: &EvalItem<'_>) -> R<Cow<'p, Regex>> {
        match self {
            Pattern::Fixed(re) => Ok(Cow::Borrowed(re)),
            Pattern::Dynamic(func, e) => {
                let p = to_str(value(e, item)?)?.into_owned();
                re2::compile(&p)
                    .map(Cow::Owned)
                    .map_err(|m| bad_regex(func, &p, &m))
            }
        }
    }
}

/// The optional `Function` and `ReplacementFormat` arguments.
#[derive(Debug, Default)]
struct Post {
    function: Option<String>,
    format: Option<Expr>,
}

impl Post {
    fn from_args(a: &mut Args, fi: usize) -> R<Self> {
        Ok(Post {
            function: a.func(fi),
            format: a.opt_expr(fi + 1)?,
        })
    }

    /// Apply the function to `s`, then the format (`applyReplaceFormat`).
    fn apply(&self, s: String, item: &EvalItem<'_>) -> R<String> {
        let Some(f) = &self.function else {
            return Ok(s);
        };
        let out = match call_by_name(f, Value::Str(Cow::Owned(s)))? {
            Value::Str(s) => s.into_owned(),
            _ => return Err("the replacement value must be a string".into()),
        };
        self.format(out, item)
    }

    fn format(&self, s: String, item: &EvalItem<'_>) -> R<String> {
        let Some(fmt) = &self.format else {
            return Ok(s);
        };
        let f = to_str(value(fmt, item)?)?.into_owned();
        // validRegex `^(.*?%s.*?)$` (no `(?s)`: a newline fails it) and not invalidRegex.
        if !f.contains("%s") || f.contains('\n') || has_other_verb(&f) {
            return Err(
                "replacementFormat must be format string containing a single %s and no other format specifiers"
                    .into(),
            );
        }
        Ok(f.replacen("%s", &s, 1).replace("%s", "%!s(MISSING)"))
    }
}

/// `invalidRegex` = `%[^s]`: any `%` followed by something other than `s`.
fn has_other_verb(f: &str) -> bool {
    let b = f.as_bytes();
    b.iter()
        .enumerate()
        .any(|(i, c)| *c == b'%' && b.get(i + 1).is_some_and(|n| *n != b's'))
}

/// Replace every match of `re` in `s`: with a function, each expanded replacement goes through
/// it (`applyOptReplaceFunction`); without, Go's `ReplaceAllString` (same `$` expansion).
fn replace_all(re: &Regex, s: &str, repl: &str, post: &Post, item: &EvalItem<'_>) -> R<String> {
    if post.function.is_none() {
        return Ok(re.replace_all(s, repl).into_owned());
    }
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for caps in re.captures_iter(s) {
        let Some(m) = caps.get(0) else { continue };
        let mut expanded = String::new();
        caps.expand(repl, &mut expanded);
        out.push_str(&s[last..m.start()]);
        out.push_str(&post.apply(expanded, item)?);
        last = m.end();
    }
    out.push_str(&s[last..]);
    Ok(out)
}

#[derive(Debug)]
struct ReplacePattern {
    target: PathExpr,
    pattern: Pattern,
    replacement: Expr,
    post: Post,
}

pub fn build_replace_pattern(mut a: Args) -> R<Box<dyn Editor>> {
    Ok(Box::new(ReplacePattern {
        target: a.path(0)?,
        pattern: Pattern::new("replace_pattern", a.expr(1)?)?,
        replacement: a.expr(2)?,
        post: Post::from_args(&mut a, 3)?,
    }))
}

impl Editor for ReplacePattern {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let original = read(&self.target, item)?;
        if original.is_nil() {
            return Ok(Vec::new());
        }
        let repl = to_str(value(&self.replacement, item)?)?.into_owned();
        let Value::Str(s) = original else {
            return Ok(Vec::new());
        };
        let re = self.pattern.get(item)?;
        if !re.is_match(&s) {
            return Ok(Vec::new());
        }
        let updated = replace_all(&re, &s, &repl, &self.post, item)?;
        Ok(vec![write(
            &self.target,
            item,
            Value::Str(Cow::Owned(updated)),
        )?])
    }
}

#[derive(Debug)]
struct ReplaceAllPatterns {
    target: PathExpr,
    keys: bool,
    pattern: Pattern,
    replacement: Expr,
    post: Post,
}

pub fn build_replace_all_patterns(mut a: Args) -> R<Box<dyn Editor>> {
    let target = a.path(0)?;
    let mode = a.expr(1)?;
    let keys = match literal_str(&mode).unwrap_or_default() {
        "key" => true,
        "value" => false,
        other => {
            return Err(format!(
                "invalid mode {other}, must be either 'key' or 'value'"
            ))
        }
    };
    let pattern = Pattern::new("replace_all_patterns", a.expr(2)?)?;
    Ok(Box::new(ReplaceAllPatterns {
        target,
        keys,
        pattern,
        replacement: a.expr(3)?,
        post: Post::from_args(&mut a, 4)?,
    }))
}

impl Editor for ReplaceAllPatterns {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let m = to_map(read(&self.target, item)?)?.into_owned();
        let repl = to_str(value(&self.replacement, item)?)?.into_owned();
        let re = self.pattern.get(item)?;
        let mut out = crate::capture::model::Attributes::with_capacity(m.len());
        for (k, v) in m.iter() {
            if self.keys {
                if !re.is_match(k) {
                    out.upsert(k, v.clone());
                    continue;
                }
                // A failing function skips the entry's rewrite (upstream `continue`s), which
                // for keys drops the entry: it was moved out and never put back.
                if let Ok(new_key) = replace_all(&re, k, &repl, &self.post, item) {
                    out.upsert(new_key.as_str(), v.clone());
                }
                continue;
            }
            let new = match v {
                AnyValue::Str(s) if re.is_match(s) => {
                    match replace_all(&re, s, &repl, &self.post, item) {
                        Ok(r) => AnyValue::Str(r.as_str().into()),
                        Err(_) => v.clone(),
                    }
                }
                _ => v.clone(),
            };
            out.upsert(k, new);
        }
        Ok(vec![write(
            &self.target,
            item,
            Value::Map(Cow::Owned(out)),
        )?])
    }
}

/// A gobwas glob: compiled once when literal, per evaluation otherwise.
#[derive(Debug)]
enum Glob {
    Fixed(Regex),
    Dynamic(&'static str, Expr),
}

fn bad_glob(func: &str, p: &str, e: &str) -> String {
    format!("the regex pattern supplied to {func} '{p:?}' is not a valid pattern: {e}")
}

fn compile_glob(func: &str, p: &str) -> R<Regex> {
    if let Some(e) = crate::ottl::check::glob_error(p) {
        return Err(bad_glob(func, p, &e));
    }
    Regex::new(&glob_regex(p)).map_err(|e| bad_glob(func, p, &e.to_string()))
}

/// gobwas/glob without separators as a regex: `*` any run, `?` any one character, `[...]` and
/// `[!...]` classes, `{a,b}` alternatives, `\x` a literal `x`.
fn glob_regex(p: &str) -> String {
    let mut out = String::from("(?s)^");
    let mut chars = p.chars().peekable();
    let mut depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push_str(&regex::escape(&n.to_string()));
                }
            }
            '[' => {
                out.push('[');
                if matches!(chars.peek(), Some('!')) {
                    chars.next();
                    out.push('^');
                }
                for n in chars.by_ref() {
                    if n == ']' {
                        break;
                    }
                    if matches!(n, '[' | '\\' | '&' | '~' | '^') {
                        out.push('\\');
                    }
                    out.push(n);
                }
                out.push(']');
            }
            '{' => {
                depth += 1;
                out.push_str("(?:");
            }
            ',' if depth > 0 => out.push('|'),
            '}' if depth > 0 => {
                depth -= 1;
                out.push(')');
            }
            other => out.push_str(&regex::escape(&other.to_string())),
        }
    }
    for _ in 0..depth {
        out.push(')');
    }
    out.push('$');
    out
}

impl Glob {
    fn new(func: &'static str, e: Expr) -> R<Self> {
        match literal_str(&e) {
            Some(p) => compile_glob(func, p).map(Glob::Fixed),
            None => Ok(Glob::Dynamic(func, e)),
        }
    }

    fn get<'p>(&'p self, item: &EvalItem<'_>) -> R<Cow<'p, Regex>> {
        match self {
            Glob::Fixed(re) => Ok(Cow::Borrowed(re)),
            Glob::Dynamic(func, e) => {
                let p = to_str(value(e, item)?)?.into_owned();
                compile_glob(func, &p).map(Cow::Owned)
            }
        }
    }
}

/// The replacement of the glob editors: with a function, the function of the replacement.
fn glob_replacement(repl: &Expr, post: &Post, item: &EvalItem<'_>) -> R<String> {
    let r = to_str(value(repl, item)?)?.into_owned();
    if post.function.is_none() {
        return Ok(r);
    }
    post.apply(r, item).map_err(|e| {
        if e.starts_with("the replacement value") {
            "replacement value is not a string".into()
        } else {
            e
        }
    })
}

#[derive(Debug)]
struct ReplaceMatch {
    target: PathExpr,
    glob: Glob,
    replacement: Expr,
    post: Post,
}

pub fn build_replace_match(mut a: Args) -> R<Box<dyn Editor>> {
    Ok(Box::new(ReplaceMatch {
        target: a.path(0)?,
        glob: Glob::new("replace_match", a.expr(1)?)?,
        replacement: a.expr(2)?,
        post: Post::from_args(&mut a, 3)?,
    }))
}

impl Editor for ReplaceMatch {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let g = self.glob.get(item)?;
        let original = read(&self.target, item)?;
        let repl = glob_replacement(&self.replacement, &self.post, item)?;
        match original {
            Value::Str(s) if g.is_match(&s) => Ok(vec![write(
                &self.target,
                item,
                Value::Str(Cow::Owned(repl)),
            )?]),
            _ => Ok(Vec::new()),
        }
    }
}

#[derive(Debug)]
struct ReplaceAllMatches {
    target: PathExpr,
    glob: Glob,
    replacement: Expr,
    post: Post,
}

pub fn build_replace_all_matches(mut a: Args) -> R<Box<dyn Editor>> {
    Ok(Box::new(ReplaceAllMatches {
        target: a.path(0)?,
        glob: Glob::new("replace_all_matches", a.expr(1)?)?,
        replacement: a.expr(2)?,
        post: Post::from_args(&mut a, 3)?,
    }))
}

impl Editor for ReplaceAllMatches {
    fn plan<'s>(&'s self, item: &EvalItem<'_>) -> R<Vec<Write<'s>>> {
        let g = self.glob.get(item)?;
        let m = to_map(read(&self.target, item)?)?.into_owned();
        let repl = glob_replacement(&self.replacement, &self.post, item)?;
        let out = m
            .entries()
            .iter()
            .map(|(k, v)| match v {
                AnyValue::Str(s) if g.is_match(s) => (*k, AnyValue::Str(repl.as_str().into())),
                _ => (*k, v.clone()),
            })
            .collect();
        Ok(vec![write(
            &self.target,
            item,
            Value::Map(Cow::Owned(out)),
        )?])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_follow_gobwas_without_separators() {
        let re = Regex::new(&glob_regex("/user/*/{a,b}?")).unwrap();
        assert!(re.is_match("/user/x/y/ab"));
        assert!(!re.is_match("/user/x/c1"));
        let re = Regex::new(&glob_regex("[!a-c]x")).unwrap();
        assert!(re.is_match("dx") && !re.is_match("ax"));
    }

    #[test]
    fn replacement_format_needs_exactly_one_verb() {
        assert!(has_other_verb("%d-%s"));
        assert!(!has_other_verb("prefix-%s"));
    }
}
