//! The parse entry points: lexical pre-check, pest parse, lowering, then the checks upstream
//! runs right after parsing (custom grammar errors) and the report of non-upstream syntax.
//! Everything here is independent of the context; `check.rs` does the context-aware part.

use pest::error::{ErrorVariant, InputLocation};
use pest::Parser;

use super::ast::{BoolExpr, Node, Span, Statement, Value};
use super::error::{OttlError, OttlErrorKind};
use super::grammar::{OttlParser, Rule};
use super::lower::Lowerer;
use super::walk::{self, Visitor};

/// Parse a condition; `Err` holds every problem, including a non-upstream `=~`/`!~`.
pub fn parse_condition(text: &str) -> Result<Node<BoolExpr>, Vec<OttlError>> {
    strict(parse_condition_lenient(text))
}

/// Parse a statement; `Err` holds every problem, including a non-upstream `=~`/`!~`.
pub fn parse_statement(text: &str) -> Result<Statement, Vec<OttlError>> {
    strict(parse_statement_lenient(text))
}

/// Parse a value expression.
pub fn parse_value(text: &str) -> Result<Node<Value>, Vec<OttlError>> {
    strict(parse_value_lenient(text))
}

fn strict<T>((tree, errors): (Option<T>, Vec<OttlError>)) -> Result<T, Vec<OttlError>> {
    match tree {
        Some(tree) if errors.is_empty() => Ok(tree),
        _ => Err(errors),
    }
}

/// The tree whenever one could be built (also with non-upstream operators or bad
/// literals), plus every error found, sorted by position.
pub fn parse_condition_lenient(text: &str) -> (Option<Node<BoolExpr>>, Vec<OttlError>) {
    let (tree, mut errors) = run(text, Rule::condition_input, "condition", |l, p| {
        l.condition_input(p)
    });
    if let Some(cond) = &tree {
        errors.extend(post_parse(|v| walk::bool_expr(cond, v), "condition"));
    } else if super::limits::check(text, "").is_none() && parses_as_editor_statement(text) {
        for e in &mut errors {
            e.help = Some(
                "an editor (lower-case call such as `set`) is not a boolean; conditions take \
                 comparisons, `true`/`false` or converter calls"
                    .to_string(),
            );
        }
    }
    finish(tree, errors)
}

pub fn parse_statement_lenient(text: &str) -> (Option<Statement>, Vec<OttlError>) {
    let (tree, mut errors) = run(text, Rule::statement_input, "statement", |l, p| {
        l.statement_input(p)
    });
    if let Some(stmt) = &tree {
        let editor = &stmt.editor;
        if !editor.node.is_editor_name() {
            let msg = format!(
                "editor names must start with a lowercase letter but got '{}'",
                editor.node.name.node
            );
            errors.push(OttlError::invalid(msg, editor.node.name.span).with_help(
                "a converter (upper-case name) returns a value; a statement must call an editor \
                 such as `set`",
            ));
        }
        editor_keys(&editor.node, &mut errors);
        errors.extend(post_parse(|v| walk::statement(stmt, v), "statement"));
    }
    finish(tree, errors)
}

pub fn parse_value_lenient(text: &str) -> (Option<Node<Value>>, Vec<OttlError>) {
    let (tree, mut errors) = run(text, Rule::value_input, "expression", |l, p| {
        l.value_input(p)
    });
    if let Some(value) = &tree {
        errors.extend(post_parse(|v| walk::value(value, v), "expression"));
    }
    finish(tree, errors)
}

fn finish<T>(tree: Option<T>, mut errors: Vec<OttlError>) -> (Option<T>, Vec<OttlError>) {
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    (tree, errors)
}

fn parses_as_editor_statement(text: &str) -> bool {
    OttlParser::parse(Rule::statement_input, text).is_ok()
}

type LowerFn<T> = fn(&mut Lowerer, pest::iterators::Pair<'_, Rule>) -> Option<T>;

fn run<T>(text: &str, rule: Rule, what: &str, lower: LowerFn<T>) -> (Option<T>, Vec<OttlError>) {
    if let Some(err) = super::limits::check(text, what).or_else(|| lex_check(text, what)) {
        return (None, vec![err]);
    }
    // The PEG backtracks on some malformed texts (a fuzzer found one); the budget, linear in
    // the text's length (`limits::parser_calls`), refuses those in linear time while every
    // valid text within the depth limit stays well below it.
    pest::set_call_limit(std::num::NonZeroUsize::new(super::limits::parser_calls(
        text,
    )));
    match OttlParser::parse(rule, text) {
        Ok(mut pairs) => {
            let mut lowerer = Lowerer::default();
            let tree = pairs.next().and_then(|p| lower(&mut lowerer, p));
            (tree, lowerer.errors)
        }
        Err(e) => (None, vec![syntax_error(text, what, &e)]),
    }
}

/// Upstream's lexer fails before parsing on a character no token rule matches.
fn lex_check(text: &str, what: &str) -> Option<OttlError> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        let word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        let step = match c {
            b'"' => string_len(&bytes[i..]),
            b'!' | b'=' if matches!(next, Some(b'=' | b'~')) => Some(2),
            b'_' if !word(next) => Some(1),
            b' ' | b'\t' | b'\n' | b'\r' | 0x0C => Some(1),
            b'=' | b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'(' | b')' | b'{' | b'}' => Some(1),
            b':' | b',' | b'.' | b'[' | b']' => Some(1),
            // Number tokens never contain `_` (`1_000` fails on `_0`); identifiers may.
            c if c.is_ascii_digit() => {
                Some(bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count())
            }
            c if c.is_ascii_alphabetic() => Some(
                bytes[i..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .count(),
            ),
            _ => None,
        };
        match step {
            Some(n) => i += n,
            None => {
                let rest: String = text.get(i..).unwrap_or_default().chars().take(16).collect();
                let (line, col) = line_col(text, i);
                let end = i + text
                    .get(i..)
                    .and_then(|r| r.chars().next())
                    .map_or(1, char::len_utf8);
                let msg = format!(
                    "{what} has invalid syntax: {line}:{col}: lexer: invalid input text {}",
                    super::literals::go_quote(&rest)
                );
                return Some(OttlError::syntax(msg, Span::new(i, end)).with_help(lex_help(c)));
            }
        }
    }
    None
}

fn lex_help(c: u8) -> &'static str {
    match c {
        b'#' => "OTTL has no comments; put comments in YAML outside the quoted string",
        b'&' | b'|' => "use `and` / `or`",
        b'!' => "use `not` to negate, `!=` to compare",
        b'\'' | b'`' => "strings use double quotes only",
        b'"' => "this string is never closed",
        _ => "this character is not part of OTTL",
    }
}

/// Length of a string token at the start of `bytes`, or `None` if it never ends.
fn string_len(bytes: &[u8]) -> Option<usize> {
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if bytes.get(i + 1).is_some_and(|b| *b != b'\n') => i += 2,
            b'\\' => return None,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn syntax_error(text: &str, what: &str, err: &pest::error::Error<Rule>) -> OttlError {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    if matches!(&err.variant, ErrorVariant::CustomError { message } if message == "call limit reached")
    {
        // pest's step budget: backtracking on this text would run for minutes.
        return OttlError::syntax(
            format!(
                "{what} is too complex to parse: otelcheck gave up after {} parser steps (look for unclosed brackets or calls)",
                super::limits::MAX_PARSER_CALLS
            ),
            Span::new(0, text.len()),
        );
    }
    let token = token_at(text, pos);
    let expected = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().map(|r| r.friendly_name()).collect();
            names.dedup();
            let mut seen = Vec::new();
            names.retain(|n| {
                if seen.contains(n) {
                    false
                } else {
                    seen.push(*n);
                    true
                }
            });
            // Identifier continuations (a name may be several case runs) are noise when
            // anything else was possible too.
            // So are math operators after a complete operand: "expected end of input" reads
            // better than a list of every operator that could continue `1`.
            let noise = |n: &&str| n.ends_with("-case identifier") || is_math_op(n);
            if names.iter().any(|n| !noise(n)) {
                names.retain(|n| !noise(n));
            }
            names.join(", ")
        }
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let (line, col) = line_col(text, pos);
    let shown = if token.is_empty() { "<EOF>" } else { token };
    let mut msg = format!("{what} has invalid syntax: {line}:{col}: unexpected token \"{shown}\"");
    if !expected.is_empty() {
        msg.push_str(&format!(" (expected {expected})"));
    }
    OttlError::syntax(msg, Span::new(pos, (pos + token.len()).max(pos)))
}

fn is_math_op(name: &str) -> bool {
    matches!(name, "`+`" | "`-`" | "`*`" | "`/`")
}

/// The token starting at `pos` (after whitespace), roughly as upstream's lexer would cut it.
fn token_at(text: &str, pos: usize) -> &str {
    let rest = text.get(pos..).unwrap_or_default();
    let bytes = rest.as_bytes();
    let len = match bytes.first() {
        None => 0,
        Some(b'"') => string_len(bytes).unwrap_or(bytes.len()),
        Some(b) if b.is_ascii_alphanumeric() || *b == b'_' => bytes
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count(),
        Some(_)
            if ["==", "!=", "<=", ">=", "=>", "=~", "!~"]
                .iter()
                .any(|op| rest.starts_with(op)) =>
        {
            2
        }
        Some(_) => rest.chars().next().map_or(1, char::len_utf8),
    };
    rest.get(..len).unwrap_or(rest)
}

/// `only paths and converters may be indexed, not editors, but got set[key]`.
fn editor_keys(call: &super::ast::Call, errors: &mut Vec<OttlError>) {
    if let (Some(first), Some(last)) = (call.keys.first(), call.keys.last()) {
        let keys: String = call
            .keys
            .iter()
            .map(|k| format!("[{}]", key_text(&k.node)))
            .collect();
        let msg = format!(
            "only paths and converters may be indexed, not editors, but got {}{keys}",
            call.name.node
        );
        errors.push(OttlError::invalid(
            msg,
            Span::new(first.span.start, last.span.end),
        ));
    }
}

/// Keys as upstream prints them in messages: strings without quotes.
pub fn key_text(key: &super::ast::Key) -> String {
    match key {
        super::ast::Key::String(s) => s.clone(),
        super::ast::Key::Int(i) => i.to_string(),
        super::ast::Key::Expr(e) => e.node.to_string(),
    }
}

/// Errors upstream raises right after parsing, plus otelcheck's non-upstream report.
fn post_parse(walk_fn: impl FnOnce(&mut dyn Visitor), what: &str) -> Vec<OttlError> {
    let mut v = PostParse {
        errors: Vec::new(),
        what,
    };
    walk_fn(&mut v);
    v.errors
}

struct PostParse<'a> {
    errors: Vec<OttlError>,
    what: &'a str,
}

impl Visitor for PostParse<'_> {
    fn value(&mut self, value: &Node<Value>) {
        match &value.node {
            Value::Call(c) if c.is_editor_name() => {
                let msg = format!(
                    "converter names must start with an uppercase letter but got '{}'",
                    c.name.node
                );
                self.errors.push(OttlError::invalid(msg, c.name.span));
                editor_keys(c, &mut self.errors);
            }
            Value::Lambda { body, .. } if matches!(body.node, Value::Lambda { .. }) => {
                let msg = "lambda body cannot result into another lambda expression";
                self.errors.push(OttlError::invalid(msg, body.span));
            }
            _ => {}
        }
    }

    fn bool_expr(&mut self, expr: &Node<BoolExpr>) {
        if let BoolExpr::RegexMatch {
            target,
            pattern,
            negated,
            op_span,
        } = &expr.node
        {
            let op = if *negated { "!~" } else { "=~" };
            let not = if *negated { "not " } else { "" };
            let msg = format!(
                "the \"{op}\" operator is not OTTL; the collector rejects this {}",
                self.what
            );
            let help = format!(
                "rewrite as: {not}IsMatch({}, {})",
                target.node, pattern.node
            );
            self.errors
                .push(OttlError::new(OttlErrorKind::NonUpstream, msg, *op_span).with_help(help));
        }
    }
}
