//! `ParseCSV(target, header, delimiter?, header_delimiter?, mode?)`: one CSV row mapped onto
//! the header names, read the way Go's `encoding/csv` reader reads it (`strict` and
//! `lazyQuotes` modes) or split plainly (`ignoreQuotes`), then joined as
//! `parseutils.ReadCSVRow` joins several physical lines into one record.

use std::borrow::Cow;

use super::{Build, Converter, Spec};
use crate::capture::model::{AnyValue, Attributes};
use crate::ottl::runtime::compile::Expr;
use crate::ottl::runtime::eval::{eval_value, EvalItem};
use crate::ottl::runtime::functions::to_str;
use crate::ottl::runtime::value::Value;

type R<T> = Result<T, String>;

pub const SPECS: &[Spec] = &[Spec {
    name: "ParseCSV",
    build: Build::Custom(build),
}];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Strict,
    Lazy,
    IgnoreQuotes,
}

#[derive(Debug)]
struct ParseCsv {
    target: Expr,
    header: Expr,
    delimiter: char,
    header_delimiter: String,
    mode: Mode,
}

fn literal(e: Option<Expr>) -> R<Option<String>> {
    match e {
        None => Ok(None),
        Some(Expr::Const(Value::Str(s))) => Ok(Some(s.into_owned())),
        Some(_) => Err("must be a string literal".into()),
    }
}

fn build(mut args: Vec<Option<Expr>>) -> R<Box<dyn Converter>> {
    let mut take = |i: usize| args.get_mut(i).and_then(Option::take);
    let target = take(0).ok_or("missing target")?;
    let header = take(1).ok_or("missing header")?;
    let delimiter = literal(take(2))?;
    let header_delimiter = literal(take(3))?;
    let mode = literal(take(4))?;
    let one_char = |s: &str| s.chars().count() == 1;
    if delimiter.as_deref().is_some_and(|d| !one_char(d)) {
        return Err("invalid arguments: delimiter must be a single character".into());
    }
    if header_delimiter.as_deref().is_some_and(|d| !one_char(d)) {
        return Err("invalid arguments: header_delimiter must be a single character".into());
    }
    let delimiter = delimiter.and_then(|d| d.chars().next()).unwrap_or(',');
    let mode = match mode.as_deref().unwrap_or("strict") {
        "strict" => Mode::Strict,
        "lazyQuotes" => Mode::Lazy,
        "ignoreQuotes" => Mode::IgnoreQuotes,
        other => return Err(format!("unknown mode: {other}")),
    };
    Ok(Box::new(ParseCsv {
        target,
        header,
        delimiter,
        header_delimiter: header_delimiter.unwrap_or_else(|| delimiter.to_string()),
        mode,
    }))
}

impl Converter for ParseCsv {
    fn call<'a>(&'a self, item: &EvalItem<'a>) -> R<Value<'a>> {
        let target = to_str(eval_value(&self.target, item)?)
            .map_err(|e| format!("error getting value for target in ParseCSV: {e}"))?;
        let header = to_str(eval_value(&self.header, item)?)
            .map_err(|e| format!("error getting value for header in ParseCSV: {e}"))?;
        if header.is_empty() {
            return Err("headers must not be an empty string".into());
        }
        let headers: Vec<&str> = header.split(self.header_delimiter.as_str()).collect();
        let fields = match self.mode {
            Mode::IgnoreQuotes => target.split(self.delimiter).map(str::to_string).collect(),
            m => read_row(&target, self.delimiter, m == Mode::Lazy)?,
        };
        if fields.len() != headers.len() {
            return Err(format!(
                "map csv headers: wrong number of fields: expected {}, found {}",
                headers.len(),
                fields.len()
            ));
        }
        let mut out = Attributes::with_capacity(headers.len());
        for (h, f) in headers.iter().zip(fields) {
            out.upsert(*h, AnyValue::Str(f.as_str().into()));
        }
        Ok(Value::Map(Cow::Owned(out)))
    }
}

/// `parseutils.ReadCSVRow`: read every record; a record that failed with no field at all is
/// an error, a failed record with fields is kept; later records continue the last field of
/// the one before (a newline inside a value).
fn read_row(row: &str, comma: char, lazy: bool) -> R<Vec<String>> {
    let mut reader = Reader::new(row, comma, lazy);
    let mut lines: Vec<Vec<String>> = Vec::new();
    while let Some((fields, err)) = reader.record() {
        if let Some(e) = err {
            if fields.is_empty() {
                return Err(format!("read csv line: {e}"));
            }
        }
        lines.push(fields);
    }
    let mut it = lines.into_iter();
    let mut joined = it.next().ok_or("no csv lines found")?;
    for next in it {
        let mut rest = next.into_iter();
        if let (Some(last), Some(first)) = (joined.last_mut(), rest.next()) {
            last.push('\n');
            last.push_str(&first);
        }
        joined.extend(rest);
    }
    Ok(joined)
}

/// Go's `csv.Reader` over one string: `FieldsPerRecord = -1`, no comments, no space trimming.
struct Reader<'a> {
    rest: &'a str,
    comma: char,
    lazy: bool,
    line_no: usize,
}

impl<'a> Reader<'a> {
    fn new(s: &'a str, comma: char, lazy: bool) -> Self {
        Self {
            rest: s,
            comma,
            lazy,
            line_no: 0,
        }
    }

    /// `readLine`: one line with its `\n` (added at the end of input; `\r\n` becomes `\n`).
    fn line(&mut self) -> Option<String> {
        if self.rest.is_empty() {
            return None;
        }
        let (line, rest) = match self.rest.find('\n') {
            Some(i) => (&self.rest[..=i], &self.rest[i + 1..]),
            None => (self.rest, ""),
        };
        self.rest = rest;
        self.line_no += 1;
        let mut l = line.to_string();
        if !l.ends_with('\n') {
            if l.ends_with('\r') {
                l.pop();
            }
            l.push('\n');
        } else if l.ends_with("\r\n") {
            l.truncate(l.len() - 2);
            l.push('\n');
        }
        Some(l)
    }

    /// One record and the parse error that ended it early, if any; `None` at the end.
    fn record(&mut self) -> Option<(Vec<String>, Option<String>)> {
        let mut line = loop {
            let l = self.line()?;
            if l != "\n" {
                break l;
            }
        };
        let start_line = self.line_no;
        let mut fields = Vec::new();
        let mut col = 1usize;
        let err = |line_no: usize, col: usize, what: &str| {
            if line_no == start_line {
                format!("parse error on line {line_no}, column {col}: {what}")
            } else {
                format!("record on line {start_line}; parse error on line {line_no}, column {col}: {what}")
            }
        };
        loop {
            if !line.starts_with('"') {
                let end = line.find(self.comma);
                let field = match end {
                    Some(i) => &line[..i],
                    None => line.strip_suffix('\n').unwrap_or(&line),
                };
                if !self.lazy {
                    if let Some(j) = field.find('"') {
                        let e = err(self.line_no, col + j, "bare \" in non-quoted field");
                        return Some((fields, Some(e)));
                    }
                }
                fields.push(field.to_string());
                match end {
                    Some(i) => {
                        let n = i + self.comma.len_utf8();
                        line = line[n..].to_string();
                        col += n;
                    }
                    None => return Some((fields, None)),
                }
                continue;
            }
            // A quoted field.
            line = line[1..].to_string();
            col += 1;
            let mut buf = String::new();
            loop {
                if let Some(i) = line.find('"') {
                    buf.push_str(&line[..i]);
                    line = line[i + 1..].to_string();
                    col += i + 1;
                    let next = line.chars().next();
                    if next == Some('"') {
                        buf.push('"');
                        line = line[1..].to_string();
                        col += 1;
                    } else if next == Some(self.comma) {
                        let n = self.comma.len_utf8();
                        line = line[n..].to_string();
                        col += n;
                        fields.push(std::mem::take(&mut buf));
                        break;
                    } else if line == "\n" || line.is_empty() {
                        fields.push(std::mem::take(&mut buf));
                        return Some((fields, None));
                    } else if self.lazy {
                        buf.push('"');
                    } else {
                        let e = err(
                            self.line_no,
                            col - 1,
                            "extraneous or missing \" in quoted-field",
                        );
                        return Some((fields, Some(e)));
                    }
                } else if !line.is_empty() {
                    buf.push_str(&line);
                    match self.line() {
                        Some(l) => {
                            line = l;
                            col = 1;
                        }
                        None => line = String::new(),
                    }
                } else {
                    if !self.lazy {
                        let e = err(
                            self.line_no,
                            col,
                            "extraneous or missing \" in quoted-field",
                        );
                        return Some((fields, Some(e)));
                    }
                    fields.push(std::mem::take(&mut buf));
                    return Some((fields, None));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_escaped_quotes() {
        assert_eq!(
            read_row(r#"a,"b,c","d ""e""""#, ',', false).unwrap(),
            ["a", "b,c", r#"d "e""#]
        );
    }

    #[test]
    fn continuation_lines_join_the_last_field() {
        assert_eq!(
            read_row("aa,b\nb,cc,d\nd,ee", ',', false).unwrap(),
            ["aa", "b\nb", "cc", "d\nd", "ee"]
        );
    }

    #[test]
    fn bare_quotes_are_strict_errors_only_without_fields() {
        let e = read_row(r#"a"b,c"#, ',', false).unwrap_err();
        assert_eq!(
            e,
            "read csv line: parse error on line 1, column 2: bare \" in non-quoted field"
        );
        // A failure after a field keeps the fields read so far (the header count then decides).
        assert_eq!(read_row(r#"a,b"c"#, ',', false).unwrap(), ["a"]);
        assert_eq!(read_row(r#"a,b"c"#, ',', true).unwrap(), ["a", r#"b"c"#]);
    }
}
