//! pest pairs → the typed AST of `ast.rs`. One function per rule; math precedence through
//! pest's `PrattParser`. Literal conversions that upstream does while capturing tokens (octal
//! ints, hex bytes, string escapes) happen here, and their failures are collected as syntax
//! errors so one bad literal does not hide the others.

use std::sync::OnceLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::ast::{
    Argument, BoolExpr, Call, CompareOp, Field, Key, MathOp, Node, Path, Span, Statement, Value,
};
use super::error::OttlError;
use super::grammar::Rule;
use super::literals;

fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
            .op(Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left))
    })
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

/// Lowers pairs and collects literal conversion errors.
#[derive(Default)]
pub struct Lowerer {
    pub errors: Vec<OttlError>,
}

impl Lowerer {
    /// `statement_input`/`condition_input`/`value_input` hold their item then `EOI`.
    fn first_inner<'i>(pair: Pair<'i, Rule>) -> Option<Pair<'i, Rule>> {
        pair.into_inner().find(|p| p.as_rule() != Rule::EOI)
    }

    pub fn statement_input(&mut self, pair: Pair<'_, Rule>) -> Option<Statement> {
        let stmt = Self::first_inner(pair)?;
        let mut inner = stmt.into_inner();
        let call_pair = inner.next()?;
        let editor = self.call(call_pair);
        let condition = inner
            .find(|p| p.as_rule() == Rule::bool_expr)
            .map(|p| self.bool_expr(p));
        Some(Statement { editor, condition })
    }

    pub fn condition_input(&mut self, pair: Pair<'_, Rule>) -> Option<Node<BoolExpr>> {
        Self::first_inner(pair).map(|p| self.bool_expr(p))
    }

    pub fn value_input(&mut self, pair: Pair<'_, Rule>) -> Option<Node<Value>> {
        Self::first_inner(pair).map(|p| self.value(p))
    }

    fn bool_expr(&mut self, pair: Pair<'_, Rule>) -> Node<BoolExpr> {
        let span = span_of(&pair);
        let terms: Vec<_> = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::term)
            .map(|p| self.term(p))
            .collect();
        collapse(terms, span, BoolExpr::Or)
    }

    fn term(&mut self, pair: Pair<'_, Rule>) -> Node<BoolExpr> {
        let span = span_of(&pair);
        let values: Vec<_> = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::bool_value)
            .map(|p| self.bool_value(p))
            .collect();
        collapse(values, span, BoolExpr::And)
    }

    fn bool_value(&mut self, pair: Pair<'_, Rule>) -> Node<BoolExpr> {
        let span = span_of(&pair);
        let mut negated = false;
        let mut operand = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::op_not => negated = true,
                Rule::comparison => operand = Some(self.comparison(p)),
                Rule::const_expr => operand = Some(self.const_expr(p)),
                Rule::bool_expr => operand = Some(self.bool_expr(p)),
                _ => {}
            }
        }
        let operand = operand.unwrap_or_else(|| Node::new(BoolExpr::Literal(false), span));
        if negated {
            Node::new(BoolExpr::Not(Box::new(operand)), span)
        } else {
            operand
        }
    }

    fn comparison(&mut self, pair: Pair<'_, Rule>) -> Node<BoolExpr> {
        let span = span_of(&pair);
        let mut left = None;
        let mut right = None;
        let mut op: Option<(String, Span)> = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::value if left.is_none() => left = Some(self.value(p)),
                Rule::value => right = Some(self.value(p)),
                Rule::cmp_op | Rule::regex_op => op = Some((p.as_str().to_string(), span_of(&p))),
                _ => {}
            }
        }
        let (Some(left), Some(right), Some((op, op_span))) = (left, right, op) else {
            return Node::new(BoolExpr::Literal(false), span);
        };
        let node = match op.as_str() {
            "=~" | "!~" => BoolExpr::RegexMatch {
                target: Box::new(left),
                pattern: Box::new(right),
                negated: op == "!~",
                op_span,
            },
            other => BoolExpr::Comparison {
                left: Box::new(left),
                op: Node::new(compare_op(other), op_span),
                right: Box::new(right),
            },
        };
        Node::new(node, span)
    }

    fn const_expr(&mut self, pair: Pair<'_, Rule>) -> Node<BoolExpr> {
        let span = span_of(&pair);
        match pair.into_inner().next() {
            Some(p) if p.as_rule() == Rule::boolean => {
                Node::new(BoolExpr::Literal(p.as_str() == "true"), span)
            }
            Some(p) => {
                let call = self.call(p);
                Node::new(BoolExpr::Converter(call.node), span)
            }
            None => Node::new(BoolExpr::Literal(false), span),
        }
    }

    fn value(&mut self, pair: Pair<'_, Rule>) -> Node<Value> {
        let span = span_of(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Node::new(Value::Nil, span);
        };
        match inner.as_rule() {
            Rule::lambda => self.lambda(inner),
            Rule::math_expr => self.math_expr(inner),
            _ => self.token_value(inner),
        }
    }

    /// Single-token values and collection literals.
    fn token_value(&mut self, pair: Pair<'_, Rule>) -> Node<Value> {
        let span = span_of(&pair);
        let text = pair.as_str();
        let value = match pair.as_rule() {
            Rule::nil => Value::Nil,
            Rule::bytes => match literals::parse_bytes(text) {
                Ok(b) => Value::Bytes(b),
                Err(e) => self.fail(
                    format!("failed to capture: {e}"),
                    span,
                    Value::Bytes(vec![]),
                ),
            },
            Rule::string => Value::String(self.string(&pair)),
            Rule::boolean => Value::Bool(text == "true"),
            Rule::enum_sym => Value::Enum(text.trim().to_string()),
            Rule::map_lit => self.map_lit(pair),
            Rule::list_lit => Value::List(pair.into_inner().map(|p| self.value(p)).collect()),
            Rule::int => Value::Int(self.int(text, span)),
            Rule::float => Value::Float(self.float(text, span)),
            _ => Value::Nil,
        };
        Node::new(value, span)
    }

    fn fail<T>(&mut self, message: String, span: Span, fallback: T) -> T {
        self.errors.push(OttlError::syntax(message, span));
        fallback
    }

    fn string(&mut self, pair: &Pair<'_, Rule>) -> String {
        match literals::unquote(pair.as_str()) {
            Ok(s) => s,
            Err(e) => self.fail(e, span_of(pair), String::new()),
        }
    }

    fn int(&mut self, text: &str, span: Span) -> i64 {
        match literals::parse_int(text) {
            Ok(v) => v,
            Err(e) => self.fail(format!("failed to conform: {e}"), span, 0),
        }
    }

    fn float(&mut self, text: &str, span: Span) -> f64 {
        match literals::parse_float(text) {
            Ok(v) => v,
            Err(e) => self.fail(format!("failed to conform: {e}"), span, 0.0),
        }
    }

    fn map_lit(&mut self, pair: Pair<'_, Rule>) -> Value {
        let mut items = Vec::new();
        for item in pair.into_inner() {
            let mut parts = item.into_inner();
            let (Some(k), Some(v)) = (parts.next(), parts.next()) else {
                continue;
            };
            let key = Node::new(self.string(&k), span_of(&k));
            items.push((key, self.value(v)));
        }
        Value::Map(items)
    }

    fn math_literal(&mut self, pair: Pair<'_, Rule>) -> Node<Value> {
        let span = span_of(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Node::new(Value::Nil, span);
        };
        match inner.as_rule() {
            Rule::editor | Rule::converter => {
                let call = self.call(inner);
                Node::new(Value::Call(call.node), span)
            }
            Rule::path => Node::new(Value::Path(self.path(inner)), span),
            _ => self.token_value(inner),
        }
    }

    fn math_expr(&mut self, pair: Pair<'_, Rule>) -> Node<Value> {
        let pairs: Pairs<'_, Rule> = pair.into_inner();
        pratt()
            .map_primary(|p| self.math_value(p))
            .map_infix(|left, op, right| {
                let op = match op.as_rule() {
                    Rule::add => MathOp::Add,
                    Rule::sub => MathOp::Sub,
                    Rule::mul => MathOp::Mul,
                    _ => MathOp::Div,
                };
                let span = Span::new(left.span.start, right.span.end);
                Node::new(
                    Value::Binary {
                        op,
                        left: Box::new(left),
                        right: Box::new(right),
                    },
                    span,
                )
            })
            .parse(pairs)
    }

    fn math_value(&mut self, pair: Pair<'_, Rule>) -> Node<Value> {
        let span = span_of(&pair);
        let text = pair.as_str();
        let mut sign = None;
        let mut operand = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::add | Rule::sub => sign = Some(p.as_rule()),
                Rule::math_literal => operand = Some(self.math_literal(p)),
                Rule::math_expr => {
                    // `( math )`: keep the parentheses as a Group node starting at `(`.
                    let inner = self.math_expr(p);
                    let open = text.find('(').map_or(span.start, |i| span.start + i);
                    let group = Value::Group(Box::new(inner));
                    operand = Some(Node::new(group, Span::new(open, span.end)));
                }
                _ => {}
            }
        }
        let Some(operand) = operand else {
            return Node::new(Value::Nil, span);
        };
        match sign {
            None => operand,
            Some(Rule::add) => Node::new(Value::Plus(Box::new(operand)), span),
            Some(_) => negate(operand, span),
        }
    }

    fn path(&mut self, pair: Pair<'_, Rule>) -> Path {
        let mut segments = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::path_context => {
                    let field = Field {
                        name: p.as_str().to_string(),
                        keys: vec![],
                    };
                    segments.push(Node::new(field, span_of(&p)));
                }
                Rule::field => {
                    let span = span_of(&p);
                    let mut inner = p.into_inner();
                    let name = inner
                        .next()
                        .map(|n| n.as_str().to_string())
                        .unwrap_or_default();
                    let keys = inner.map(|k| self.key(k)).collect();
                    segments.push(Node::new(Field { name, keys }, span));
                }
                _ => {}
            }
        }
        Path { segments }
    }

    fn key(&mut self, pair: Pair<'_, Rule>) -> Node<Key> {
        let span = span_of(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Node::new(Key::Int(0), span);
        };
        let key = match inner.as_rule() {
            Rule::string => Key::String(self.string(&inner)),
            Rule::int => Key::Int(self.int(inner.as_str(), span_of(&inner))),
            _ => Key::Expr(Box::new(self.math_expr(inner))),
        };
        Node::new(key, span)
    }

    fn call(&mut self, pair: Pair<'_, Rule>) -> Node<Call> {
        let span = span_of(&pair);
        let mut name = Node::new(String::new(), span);
        let mut args = Vec::new();
        let mut keys = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::lower_name | Rule::upper_name => name = joined_name(&p),
                Rule::argument => args.push(self.argument(p)),
                Rule::key => keys.push(self.key(p)),
                _ => {}
            }
        }
        Node::new(Call { name, args, keys }, span)
    }

    fn argument(&mut self, pair: Pair<'_, Rule>) -> Node<Argument> {
        let span = span_of(&pair);
        let mut name = None;
        let mut value = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::lower_name => name = Some(joined_name(&p)),
                Rule::upper_name => {
                    let n = joined_name(&p);
                    value = Some(Node::new(Value::FunctionRef(n.node), n.span));
                }
                Rule::value => value = Some(self.value(p)),
                _ => {}
            }
        }
        let value = value.unwrap_or_else(|| Node::new(Value::Nil, span));
        Node::new(Argument { name, value }, span)
    }

    fn lambda(&mut self, pair: Pair<'_, Rule>) -> Node<Value> {
        let span = span_of(&pair);
        let mut params = Vec::new();
        let mut body = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::lambda_param => params.push(Node::new(p.as_str().to_string(), span_of(&p))),
                Rule::lambda_body => body = self.lambda_body(p),
                _ => {}
            }
        }
        let body = body.unwrap_or_else(|| Node::new(Value::Nil, span));
        Node::new(
            Value::Lambda {
                params,
                body: Box::new(body),
            },
            span,
        )
    }

    /// A lambda body: a plain value, or a boolean expression whose first operand is the
    /// value the grammar parsed once (see `lambda_body` in the grammar).
    fn lambda_body(&mut self, pair: Pair<'_, Rule>) -> Option<Node<Value>> {
        let span = span_of(&pair);
        let mut inner = pair.into_inner().peekable();
        let first = inner.next()?;
        if first.as_rule() == Rule::bool_expr {
            return Some(bool_body(self.bool_expr(first)));
        }
        let value = self.value(first);
        if inner.peek().is_none() {
            return Some(value);
        }
        let mut head = None;
        let mut ands = Vec::new();
        let mut ors = Vec::new();
        for p in inner {
            match p.as_rule() {
                Rule::body_compare => head = Some(self.body_compare(&value, p)),
                Rule::body_and => ands.extend(p.into_inner().nth(1).map(|v| self.bool_value(v))),
                Rule::body_or => ors.extend(p.into_inner().nth(1).map(|t| self.term(t))),
                _ => {}
            }
        }
        let head = head.unwrap_or_else(|| self.bool_operand(value));
        let and_span = Span::new(
            head.span.start,
            ands.last().map_or(head.span.end, |a| a.span.end),
        );
        let term = collapse(
            std::iter::once(head).chain(ands).collect(),
            and_span,
            BoolExpr::And,
        );
        let expr = collapse(
            std::iter::once(term).chain(ors).collect(),
            span,
            BoolExpr::Or,
        );
        Some(bool_body(expr))
    }

    /// `value op value` from the first value and a `body_compare` pair.
    fn body_compare(&mut self, left: &Node<Value>, pair: Pair<'_, Rule>) -> Node<BoolExpr> {
        let mut parts = pair.into_inner();
        let (Some(op), Some(right)) = (parts.next(), parts.next()) else {
            return Node::new(BoolExpr::Literal(false), left.span);
        };
        let op_span = span_of(&op);
        let right = self.value(right);
        let span = Span::new(left.span.start, right.span.end);
        let node = match op.as_str() {
            "=~" | "!~" => BoolExpr::RegexMatch {
                target: Box::new(left.clone()),
                pattern: Box::new(right),
                negated: op.as_str() == "!~",
                op_span,
            },
            other => BoolExpr::Comparison {
                left: Box::new(left.clone()),
                op: Node::new(compare_op(other), op_span),
                right: Box::new(right),
            },
        };
        Node::new(node, span)
    }

    /// A value used directly as a boolean operand: only `true`/`false` and converter calls
    /// are (upstream's `constExpr`); anything else is the syntax error upstream reports.
    fn bool_operand(&mut self, value: Node<Value>) -> Node<BoolExpr> {
        let span = value.span;
        match value.node {
            Value::Bool(b) => Node::new(BoolExpr::Literal(b), span),
            Value::Call(call) if !call.is_editor_name() => {
                Node::new(BoolExpr::Converter(call), span)
            }
            _ => {
                let msg =
                    "lambda body has invalid syntax: a boolean operand must be a comparison, \
                           `true`/`false` or a converter call"
                        .to_string();
                self.fail(msg, span, Node::new(BoolExpr::Literal(false), span))
            }
        }
    }
}

/// A boolean expression as a lambda body value.
fn bool_body(expr: Node<BoolExpr>) -> Node<Value> {
    let span = expr.span;
    Node::new(Value::BoolBody(Box::new(expr)), span)
}

/// A one-element `and`/`or` is just its element.
fn collapse(
    mut items: Vec<Node<BoolExpr>>,
    span: Span,
    make: fn(Vec<Node<BoolExpr>>) -> BoolExpr,
) -> Node<BoolExpr> {
    if items.len() == 1 {
        if let Some(only) = items.pop() {
            return only;
        }
    }
    Node::new(make(items), span)
}

/// Fold `-` into a non-zero number literal (upstream folds signed literals at parse time).
/// `-0` stays a negation so a literal-only parameter can still tell it is not a literal.
fn negate(operand: Node<Value>, span: Span) -> Node<Value> {
    match operand.node {
        Value::Int(n) if n != 0 => Node::new(Value::Int(n.wrapping_neg()), span),
        Value::Float(f) if f != 0.0 => Node::new(Value::Float(-f), span),
        _ => Node::new(Value::Negate(Box::new(operand)), span),
    }
}

fn compare_op(text: &str) -> CompareOp {
    match text {
        "==" => CompareOp::Eq,
        "!=" => CompareOp::Ne,
        "<" => CompareOp::Lt,
        "<=" => CompareOp::Le,
        ">" => CompareOp::Gt,
        _ => CompareOp::Ge,
    }
}

/// Names are a run of case tokens; whitespace between them is dropped (`Is Match` → `IsMatch`).
fn joined_name(pair: &Pair<'_, Rule>) -> Node<String> {
    let name: String = pair.clone().into_inner().map(|p| p.as_str()).collect();
    Node::new(name, span_of(pair))
}
