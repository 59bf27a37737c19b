//! XPath 1.0 over the xmlquery tree of [`super::xmldom`], as antchfx/xpath v1.3.6 evaluates
//! the expressions the XPath-based XML converters take.
//!
//! The whole XPath 1.0 grammar is parsed, so a syntax error is refused where upstream's
//! `xpath.Compile` refuses it (when the statement is compiled, "invalid xpath: ... has an
//! invalid token"). Only a subset is evaluated: location paths (`/`, `//`, `.`, `..`, `*`,
//! `@name`, `@*`, `text()`, `node()`, `comment()`, the `child`, `self`, `parent` and
//! `attribute` axes), predicates with `=`/`!=` (node sets and text, or two numbers),
//! `and`/`or`, literals, and the functions `contains`, `starts-with`, `name`, `local-name`,
//! `not`, `count`, `string` and `normalize-space` with the argument types antchfx handles.
//! Anything else is refused at compile time with an "otelcheck cannot" message, so its
//! processor is reported as not emulated; that includes positions (`[2]`, `position()`,
//! `last()`, a `count()` predicate), which antchfx evaluates by rebuilding the query in ways
//! otelcheck does not reproduce, and comparisons antchfx cannot make (a boolean operand never
//! compares equal or has no function; a number against text panics when the text is not a
//! number). Arity errors carry antchfx's build texts.
//!
//! Results come in antchfx's order: each input node's matches in turn, neither sorted nor
//! deduplicated, except `//name` without predicates, which walks descendants in document
//! order. Navigation follows xmlquery's navigator: declarations are root-like nodes, CDATA and
//! directives are text (whose string value is empty for CDATA), whitespace-only text is skipped
//! when moving to a next sibling (not to a first child), a name test compares the local name
//! and the prefix as written.

use std::cell::Cell;

use super::xmldom::{Dom, Kind};

type R<T> = Result<T, String>;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Str(String),
    Num(f64),
    Sym(&'static str),
}

const SYMS: &[&str] = &[
    "//", "..", "::", "!=", "<=", ">=", "/", ".", "@", "(", ")", "[", "]", ",", "|", "=", "<", ">",
    "+", "-", "*", "$",
];

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    let mut i = 0;
    'outer: while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'"' || c == b'\'' {
            let Some(end) = src[i + 1..].find(c as char).map(|e| e + i + 1) else {
                return Err("xpath: scanString got unclosed string".into());
            };
            out.push(Tok::Str(src[i + 1..end].to_string()));
            i = end + 1;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            let text = &src[start..i];
            let n = text
                .parse()
                .map_err(|_| format!("{text} has an invalid token"))?;
            out.push(Tok::Num(n));
            continue;
        }
        for s in SYMS {
            if src[i..].starts_with(s) {
                out.push(Tok::Sym(s));
                i += s.len();
                continue 'outer;
            }
        }
        let Some(ch) = src[i..].chars().next() else {
            break;
        };
        if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while let Some(ch) = src[i..].chars().next() {
                if ch.is_alphanumeric() || matches!(ch, '_' | '-' | '.') {
                    i += ch.len_utf8();
                } else if ch == ':'
                    && !src[i..].starts_with("::")
                    && src[i + 1..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '*')
                {
                    i += 1;
                    if src[i..].starts_with('*') {
                        i += 1;
                        break;
                    }
                } else {
                    break;
                }
            }
            out.push(Tok::Name(src[start..i].to_string()));
            continue;
        }
        return Err(format!("{ch} has an invalid token"));
    }
    Ok(out)
}

/// A node test.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `*` or `prefix:*` (prefix, empty for any).
    Any(String),
    /// A (prefix, local) name.
    Name(String, String),
    Text,
    Node,
    Comment,
    /// Other node types (`processing-instruction()`), parsed but not evaluated.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    Child,
    Descendant,
    DescendantOrSelf,
    SelfAxis,
    Parent,
    Attribute,
    /// Axes parsed but not evaluated.
    Unsupported,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    axis: Axis,
    test: Test,
    preds: Vec<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A location path: absolute or not, and its steps.
    Path(bool, Vec<Step>),
    Str(String),
    Num(f64),
    Call(String, Vec<Expr>),
    Bin(&'static str, Box<Expr>, Box<Expr>),
    /// Parsed but not evaluated: unary minus, unions, variables, filter expressions.
    Other(Vec<Expr>),
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    /// Nesting of expressions (antchfx stops past 200).
    depth: usize,
    too_deep: bool,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn sym(&mut self, s: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(x)) if *x == s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn word(&mut self, w: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Name(x)) if x == w) && self.pos > 0 {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// antchfx's `parseExpression`: an expression, at most 200 deep.
    fn expr(&mut self) -> Option<Expr> {
        self.depth += 1;
        if self.depth > 200 {
            self.too_deep = true;
            return None;
        }
        let e = self.or();
        self.depth -= 1;
        e
    }

    fn or(&mut self) -> Option<Expr> {
        let mut l = self.and()?;
        while self.word("or") {
            l = Expr::Bin("or", Box::new(l), Box::new(self.and()?));
        }
        Some(l)
    }
    fn and(&mut self) -> Option<Expr> {
        let mut l = self.eq()?;
        while self.word("and") {
            l = Expr::Bin("and", Box::new(l), Box::new(self.eq()?));
        }
        Some(l)
    }
    fn eq(&mut self) -> Option<Expr> {
        let mut l = self.rel()?;
        loop {
            let op = if self.sym("=") {
                "="
            } else if self.sym("!=") {
                "!="
            } else {
                return Some(l);
            };
            l = Expr::Bin(op, Box::new(l), Box::new(self.rel()?));
        }
    }
    fn rel(&mut self) -> Option<Expr> {
        let mut l = self.add()?;
        while ["<=", ">=", "<", ">"].iter().any(|s| self.sym(s)) {
            l = Expr::Other(vec![l, self.add()?]);
        }
        Some(l)
    }
    fn add(&mut self) -> Option<Expr> {
        let mut l = self.mul()?;
        while self.sym("+") || self.sym("-") {
            l = Expr::Other(vec![l, self.mul()?]);
        }
        Some(l)
    }
    fn mul(&mut self) -> Option<Expr> {
        let mut l = self.unary()?;
        while self.sym("*") || self.word("div") || self.word("mod") {
            l = Expr::Other(vec![l, self.unary()?]);
        }
        Some(l)
    }
    fn unary(&mut self) -> Option<Expr> {
        if self.sym("-") {
            while self.sym("-") {}
            return Some(Expr::Other(vec![self.unary()?]));
        }
        let mut l = self.path()?;
        while self.sym("|") {
            l = Expr::Other(vec![l, self.path()?]);
        }
        Some(l)
    }

    fn path(&mut self) -> Option<Expr> {
        match self.peek()? {
            Tok::Str(s) => {
                let e = Expr::Str(s.clone());
                self.pos += 1;
                return self.filter(e);
            }
            Tok::Num(n) => {
                let e = Expr::Num(*n);
                self.pos += 1;
                return self.filter(e);
            }
            Tok::Sym("$") => {
                self.pos += 1;
                let Some(Tok::Name(_)) = self.peek() else {
                    return None;
                };
                self.pos += 1;
                return self.filter(Expr::Other(vec![]));
            }
            Tok::Sym("(") => {
                self.pos += 1;
                let e = self.expr()?;
                if !self.sym(")") {
                    return None;
                }
                return self.filter(Expr::Other(vec![e]));
            }
            Tok::Name(n)
                if matches!(self.toks.get(self.pos + 1), Some(Tok::Sym("(")))
                    && !matches!(
                        n.as_str(),
                        "node" | "text" | "comment" | "processing-instruction"
                    ) =>
            {
                let name = n.clone();
                self.pos += 2;
                let mut args = Vec::new();
                if !self.sym(")") {
                    loop {
                        args.push(self.expr()?);
                        if self.sym(")") {
                            break;
                        }
                        if !self.sym(",") {
                            return None;
                        }
                    }
                }
                return self.filter(Expr::Call(name, args));
            }
            _ => {}
        }
        let mut steps = Vec::new();
        let absolute = if self.sym("/") {
            if !self.step_starts() {
                return Some(Expr::Path(true, steps));
            }
            true
        } else if self.sym("//") {
            steps.push(dos());
            true
        } else {
            false
        };
        steps.push(self.step()?);
        self.rest(&mut steps)?;
        Some(Expr::Path(absolute, steps))
    }

    fn rest(&mut self, steps: &mut Vec<Step>) -> Option<()> {
        loop {
            if self.sym("//") {
                steps.push(dos());
            } else if !self.sym("/") {
                return Some(());
            }
            steps.push(self.step()?);
        }
    }

    fn filter(&mut self, e: Expr) -> Option<Expr> {
        let mut parts = vec![e];
        let mut filtered = false;
        while self.sym("[") {
            parts.push(self.expr()?);
            if !self.sym("]") {
                return None;
            }
            filtered = true;
        }
        let mut steps = Vec::new();
        self.rest(&mut steps)?;
        if !filtered && steps.is_empty() {
            return parts.pop();
        }
        Some(Expr::Other(parts))
    }

    fn step_starts(&self) -> bool {
        matches!(
            self.peek(),
            Some(Tok::Name(_)) | Some(Tok::Sym("*" | "@" | "." | ".."))
        )
    }

    fn step(&mut self) -> Option<Step> {
        if self.sym("..") {
            return Some(Step {
                axis: Axis::Parent,
                test: Test::Node,
                preds: vec![],
            });
        }
        if self.sym(".") {
            return Some(Step {
                axis: Axis::SelfAxis,
                test: Test::Node,
                preds: vec![],
            });
        }
        let mut axis = Axis::Child;
        if self.sym("@") {
            axis = Axis::Attribute;
        } else if let (Some(Tok::Name(n)), Some(Tok::Sym("::"))) =
            (self.peek(), self.toks.get(self.pos + 1))
        {
            axis = match n.as_str() {
                "child" => Axis::Child,
                // Written out, these take antchfx's "descendant over descendant" query,
                // whose order otelcheck does not reproduce.
                "descendant" | "descendant-or-self" => Axis::Unsupported,
                "self" => Axis::SelfAxis,
                "parent" => Axis::Parent,
                "attribute" => Axis::Attribute,
                "ancestor" | "ancestor-or-self" | "following" | "following-sibling"
                | "preceding" | "preceding-sibling" | "namespace" => Axis::Unsupported,
                _ => return None,
            };
            self.pos += 2;
        }
        let test = if self.sym("*") {
            Test::Any(String::new())
        } else {
            let Some(Tok::Name(n)) = self.peek().cloned() else {
                return None;
            };
            self.pos += 1;
            if matches!(
                n.as_str(),
                "node" | "text" | "comment" | "processing-instruction"
            ) && self.sym("(")
            {
                if n == "processing-instruction" {
                    if let Some(Tok::Str(_)) = self.peek() {
                        self.pos += 1;
                    }
                }
                if !self.sym(")") {
                    return None;
                }
                match n.as_str() {
                    "node" => Test::Node,
                    "text" => Test::Text,
                    "comment" => Test::Comment,
                    _ => Test::Other,
                }
            } else if let Some(p) = n.strip_suffix(":*") {
                Test::Any(p.to_string())
            } else {
                match n.split_once(':') {
                    Some((p, l)) => Test::Name(p.to_string(), l.to_string()),
                    None => Test::Name(String::new(), n),
                }
            }
        };
        let mut preds = Vec::new();
        while self.sym("[") {
            preds.push(self.expr()?);
            if !self.sym("]") {
                return None;
            }
        }
        Some(Step { axis, test, preds })
    }
}

fn dos() -> Step {
    Step {
        axis: Axis::DescendantOrSelf,
        test: Test::Node,
        preds: vec![],
    }
}

/// A compiled XPath expression (evaluated as a node set).
#[derive(Debug, Clone)]
pub struct XPath {
    expr: Expr,
}

/// The functions otelcheck evaluates: how many arguments antchfx reads, and its build error
/// when a call has too few (or, where it checks, too many).
fn arity(name: &str, given: usize) -> Option<R<()>> {
    // Go's own text for reading a missing argument.
    let few = || {
        Err(format!(
            "invalid xpath: runtime error: index out of range [{given}] with length {given}"
        ))
    };
    let at_most_one = || {
        Err(format!(
            "invalid xpath: xpath: {name} function must have at most one parameter"
        ))
    };
    let extra = || Err(refuse(&format!("{name}() with arguments antchfx ignores")));
    Some(match name {
        "contains" | "starts-with" => match given {
            0 | 1 => few(),
            2 => Ok(()),
            _ => extra(),
        },
        "name" | "local-name" | "string" => {
            if given > 1 {
                at_most_one()
            } else {
                Ok(())
            }
        }
        "normalize-space" => {
            if given > 1 {
                extra()
            } else {
                Ok(())
            }
        }
        "not" => match given {
            0 => Err("invalid xpath: xpath: not function must have at least one parameter".into()),
            1 => Ok(()),
            _ => extra(),
        },
        "count" => match given {
            0 => Err(
                "invalid xpath: xpath: count(node-sets) function must with have parameters \
                 node-sets"
                    .into(),
            ),
            1 => Ok(()),
            _ => extra(),
        },
        _ => return None,
    })
}

/// The longest XPath otelcheck evaluates, in tokens.
const MAX_TOKENS: usize = 2_000;

/// `xpath.Compile`, then otelcheck's subset check.
pub fn compile(src: &str) -> R<XPath> {
    if src.is_empty() {
        return Err("invalid xpath: expr expression is nil".into());
    }
    // antchfx names the token it stopped at.
    let invalid = |at: &str| format!("invalid xpath: {at} has an invalid token");
    let toks = lex(src).map_err(|m| format!("invalid xpath: {m}"))?;
    // Operator chains nest to the left, and building, checking, evaluating and dropping
    // them recurses.
    if toks.len() > MAX_TOKENS {
        return Err(refuse(&format!(
            "an XPath of more than {MAX_TOKENS} tokens"
        )));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
        too_deep: false,
    };
    let parsed = p.expr();
    if p.too_deep {
        return Err("invalid xpath: the xpath query is too complex(depth > 200)".into());
    }
    let at = |p: &Parser| match p.toks.get(p.pos) {
        None => String::new(),
        Some(Tok::Name(n)) => n.clone(),
        Some(Tok::Str(s)) => s.clone(),
        Some(Tok::Num(n)) => n.to_string(),
        Some(Tok::Sym(s)) => (*s).to_string(),
    };
    let Some(expr) = parsed else {
        return Err(invalid(&at(&p)));
    };
    if p.pos != p.toks.len() {
        return Err(invalid(&at(&p)));
    }
    if !matches!(expr, Expr::Path(..)) {
        return Err(refuse("an expression that is not a location path"));
    }
    check(&expr)?;
    Ok(XPath { expr })
}

fn refuse(what: &str) -> String {
    format!("otelcheck cannot evaluate this XPath yet ({what} is outside the subset it evaluates)")
}

/// The type antchfx gives a value (its comparison table is indexed by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Nodes,
    Str,
    Num,
    Bool,
    Other,
}

fn ty(e: &Expr) -> Ty {
    match e {
        Expr::Path(..) => Ty::Nodes,
        Expr::Str(_) => Ty::Str,
        Expr::Num(_) => Ty::Num,
        Expr::Call(n, _) => match n.as_str() {
            "count" => Ty::Num,
            "string" | "name" | "local-name" | "normalize-space" => Ty::Str,
            "contains" | "starts-with" | "not" => Ty::Bool,
            _ => Ty::Other,
        },
        Expr::Bin(..) => Ty::Bool,
        Expr::Other(_) => Ty::Other,
    }
}

fn check(e: &Expr) -> R<()> {
    match e {
        Expr::Path(_, steps) => {
            for s in steps {
                if s.axis == Axis::Unsupported {
                    return Err(refuse("this axis"));
                }
                if s.test == Test::Other {
                    return Err(refuse("processing-instruction()"));
                }
                if s.axis == Axis::Attribute && !matches!(s.test, Test::Name(..) | Test::Any(_)) {
                    return Err(refuse("a node-type test on the attribute axis"));
                }
                for p in &s.preds {
                    // antchfx treats a number-valued predicate as a position and rebuilds
                    // the query around it; otelcheck does not evaluate positions.
                    let positional = match p {
                        Expr::Num(_) => true,
                        Expr::Call(n, _) => n == "count",
                        _ => false,
                    };
                    if positional {
                        return Err(refuse("a position predicate"));
                    }
                }
                if let Test::Name(p, _) | Test::Any(p) = &s.test {
                    if !p.is_empty() {
                        return Err(refuse("a namespace prefix"));
                    }
                }
                s.preds.iter().try_for_each(check)?;
            }
            Ok(())
        }
        Expr::Str(_) | Expr::Num(_) => Ok(()),
        Expr::Call(name, args) => {
            let Some(ok) = arity(name, args.len()) else {
                return Err(refuse(&format!("the function {name}()")));
            };
            ok?;
            args.iter().try_for_each(check)?;
            // The argument types antchfx handles without panicking or formatting numbers its
            // own way.
            let types: Vec<Ty> = args.iter().map(ty).collect();
            let fits = match name.as_str() {
                "contains" | "starts-with" => {
                    matches!(types[0], Ty::Nodes | Ty::Str) && types[1] == Ty::Str
                }
                "name" | "local-name" | "count" => types.iter().all(|t| *t == Ty::Nodes),
                "not" => types[0] != Ty::Other,
                _ => types.iter().all(|t| matches!(t, Ty::Nodes | Ty::Str)),
            };
            if fits {
                Ok(())
            } else {
                Err(refuse(&format!("{name}() with these argument types")))
            }
        }
        Expr::Bin(op, l, r) => {
            check(l)?;
            check(r)?;
            // antchfx compares by the operands' types: booleans never compare equal (and
            // against anything else its table has no function), and a number against text
            // panics when the text is not a number.
            let ok = matches!(
                (op, ty(l), ty(r)),
                (&("and" | "or"), _, _)
                    | (_, Ty::Nodes | Ty::Str, Ty::Nodes | Ty::Str)
                    | (_, Ty::Num, Ty::Num)
            );
            if ok {
                Ok(())
            } else {
                Err(refuse(
                    "a comparison with a boolean, or of a number with a non-number",
                ))
            }
        }
        Expr::Other(_) => Err(refuse(
            "arithmetic, <, >, unions, variables or filter expressions",
        )),
    }
}

/// A node or one attribute of an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct NodeRef {
    pub node: usize,
    /// `Some(i)`: the element's `i`th attribute.
    pub attr: Option<usize>,
}

impl NodeRef {
    fn of(node: usize) -> Self {
        Self { node, attr: None }
    }
}

#[derive(Debug, Clone)]
enum Val {
    Nodes(Vec<NodeRef>),
    Bool(bool),
    Num(f64),
    Str(String),
}

/// The evaluation context (positions are not evaluated) and the nodes left to visit.
struct Ctx<'b> {
    node: NodeRef,
    budget: &'b Cell<usize>,
}

/// How many nodes one evaluation may visit: nested `//` and predicates multiply, and a
/// hostile document must not stall the replay.
const BUDGET: usize = 2_000_000;

impl XPath {
    /// `QueryAll` from the document node: the selected nodes in antchfx's order.
    pub fn select(&self, dom: &Dom) -> R<Vec<NodeRef>> {
        let budget = Cell::new(BUDGET);
        let ctx = Ctx {
            node: NodeRef::of(0),
            budget: &budget,
        };
        let v = eval(dom, &self.expr, &ctx);
        if budget.get() == 0 {
            return Err(format!(
                "otelcheck stops evaluating an XPath after visiting {BUDGET} nodes"
            ));
        }
        Ok(match v {
            Val::Nodes(n) => n,
            _ => Vec::new(),
        })
    }
}

fn root_of(dom: &Dom, mut n: usize) -> usize {
    let mut steps = 0;
    while let Some(p) = dom.nodes[n].parent {
        n = p;
        steps += 1;
        if steps > dom.nodes.len() {
            break;
        }
    }
    n
}

/// The navigator's node type (declarations are root-like, CDATA and directives are text).
fn is_text(dom: &Dom, n: usize) -> bool {
    matches!(dom.nodes[n].kind, Kind::Text | Kind::CData | Kind::Notation)
}

fn is_element(dom: &Dom, r: NodeRef) -> bool {
    r.attr.is_none() && matches!(dom.nodes[r.node].kind, Kind::Element | Kind::ProcInst)
}

/// The navigator's children: the first child, then next siblings skipping whitespace text.
fn nav_children(dom: &Dom, n: usize) -> Vec<usize> {
    let kids = dom.children(n);
    let mut out = Vec::new();
    for (k, c) in kids.into_iter().enumerate() {
        if k > 0 && dom.nodes[c].kind == Kind::Text && dom.nodes[c].data.trim().is_empty() {
            continue;
        }
        out.push(c);
    }
    out
}

fn descendants(dom: &Dom, n: usize, out: &mut Vec<NodeRef>, depth: usize) {
    if depth > super::xmldom::MAX_WALK {
        return;
    }
    for c in nav_children(dom, n) {
        out.push(NodeRef::of(c));
        descendants(dom, c, out, depth + 1);
    }
}

fn matches(dom: &Dom, axis: Axis, test: &Test, r: NodeRef) -> bool {
    let n = &dom.nodes[r.node];
    match test {
        Test::Node => true,
        Test::Text => r.attr.is_none() && is_text(dom, r.node),
        Test::Comment => r.attr.is_none() && n.kind == Kind::Comment,
        Test::Other => false,
        Test::Any(_) => {
            if axis == Axis::Attribute {
                r.attr.is_some()
            } else {
                is_element(dom, r)
            }
        }
        Test::Name(p, l) => match r.attr {
            Some(a) => axis == Axis::Attribute && n.attrs[a].local == *l && n.attrs[a].space == *p,
            None => axis != Axis::Attribute && is_element(dom, r) && n.data == *l && n.prefix == *p,
        },
    }
}

fn axis_nodes(dom: &Dom, axis: Axis, r: NodeRef, budget: &Cell<usize>) -> Vec<NodeRef> {
    if budget.get() == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    match axis {
        Axis::Child => {
            if r.attr.is_none() {
                out.extend(nav_children(dom, r.node).into_iter().map(NodeRef::of));
            }
        }
        Axis::Descendant | Axis::DescendantOrSelf => {
            if axis == Axis::DescendantOrSelf {
                out.push(r);
            }
            if r.attr.is_none() {
                descendants(dom, r.node, &mut out, 0);
            }
        }
        Axis::SelfAxis => out.push(r),
        Axis::Parent => {
            if r.attr.is_some() {
                out.push(NodeRef::of(r.node));
            } else if let Some(p) = dom.nodes[r.node].parent {
                out.push(NodeRef::of(p));
            }
        }
        Axis::Attribute => {
            if r.attr.is_none() && dom.nodes[r.node].kind == Kind::Element {
                out.extend((0..dom.nodes[r.node].attrs.len()).map(|a| NodeRef {
                    node: r.node,
                    attr: Some(a),
                }));
            }
        }
        Axis::Unsupported => {}
    }
    budget.set(budget.get().saturating_sub(out.len() + 1));
    out
}

fn eval(dom: &Dom, e: &Expr, ctx: &Ctx) -> Val {
    match e {
        Expr::Str(s) => Val::Str(s.clone()),
        Expr::Num(n) => Val::Num(*n),
        Expr::Path(absolute, steps) => {
            let start = if *absolute {
                NodeRef::of(root_of(dom, ctx.node.node))
            } else {
                ctx.node
            };
            let mut set = vec![start];
            let mut i = 0;
            while i < steps.len() {
                let s = &steps[i];
                // `//name` (a child step without predicates after `//`) is antchfx's
                // descendant query: each input's descendants in document order.
                if s.axis == Axis::DescendantOrSelf {
                    if let Some(t) = steps
                        .get(i + 1)
                        .filter(|t| t.axis == Axis::Child && t.preds.is_empty())
                    {
                        set = set
                            .iter()
                            .flat_map(|n| axis_nodes(dom, Axis::Descendant, *n, ctx.budget))
                            .filter(|c| matches(dom, Axis::Child, &t.test, *c))
                            .collect();
                        i += 2;
                        continue;
                    }
                }
                // Otherwise each input's matches in turn, as antchfx streams them: neither
                // sorted nor deduplicated.
                let mut next = Vec::new();
                for n in &set {
                    let mut cand: Vec<NodeRef> = axis_nodes(dom, s.axis, *n, ctx.budget)
                        .into_iter()
                        .filter(|c| matches(dom, s.axis, &s.test, *c))
                        .collect();
                    for p in &s.preds {
                        cand.retain(|c| {
                            let sub = Ctx {
                                node: *c,
                                budget: ctx.budget,
                            };
                            boolean(&eval(dom, p, &sub))
                        });
                    }
                    next.extend(cand);
                }
                set = next;
                i += 1;
            }
            Val::Nodes(set)
        }
        Expr::Bin(op, l, r) => {
            let (l, r) = (eval(dom, l, ctx), eval(dom, r, ctx));
            Val::Bool(match *op {
                "or" => boolean(&l) || boolean(&r),
                "and" => boolean(&l) && boolean(&r),
                "=" => compare(dom, &l, &r, false),
                _ => compare(dom, &l, &r, true),
            })
        }
        Expr::Call(name, args) => {
            let arg = |i: usize| eval(dom, &args[i], ctx);
            let str_arg = |i: usize| -> String {
                if args.len() > i {
                    string(dom, &arg(i))
                } else {
                    string_value(dom, ctx.node)
                }
            };
            let node_arg = |i: usize| -> Option<NodeRef> {
                if args.len() > i {
                    match arg(i) {
                        Val::Nodes(n) => n.first().copied(),
                        _ => None,
                    }
                } else {
                    Some(ctx.node)
                }
            };
            match name.as_str() {
                // An empty node set as the text is false, whatever the other argument.
                "contains" | "starts-with" => match arg(0) {
                    Val::Nodes(n) if n.is_empty() => Val::Bool(false),
                    first => {
                        let (a, b) = (string(dom, &first), str_arg(1));
                        Val::Bool(if name == "contains" {
                            a.contains(&b)
                        } else {
                            a.starts_with(&b)
                        })
                    }
                },
                // antchfx's `not` of text or a number is false.
                "not" => Val::Bool(match arg(0) {
                    Val::Bool(b) => !b,
                    Val::Nodes(n) => n.is_empty(),
                    _ => false,
                }),
                "count" => Val::Num(match arg(0) {
                    Val::Nodes(n) => n.len() as f64,
                    _ => 0.0,
                }),
                "string" => Val::Str(str_arg(0)),
                "normalize-space" => {
                    Val::Str(str_arg(0).split_whitespace().collect::<Vec<_>>().join(" "))
                }
                "name" | "local-name" => Val::Str(
                    node_arg(0)
                        .map(|r| node_name(dom, r, name == "name"))
                        .unwrap_or_default(),
                ),
                _ => Val::Bool(false),
            }
        }
        Expr::Other(_) => Val::Bool(false),
    }
}

/// The navigator's `LocalName` (an element's, attribute's or any other node's data) with the
/// prefix for `name()`.
fn node_name(dom: &Dom, r: NodeRef, qualified: bool) -> String {
    let n = &dom.nodes[r.node];
    let (p, l) = match r.attr {
        Some(a) => (n.attrs[a].space.as_str(), n.attrs[a].local.as_str()),
        None => (n.prefix.as_str(), n.data.as_str()),
    };
    if qualified && !p.is_empty() {
        format!("{p}:{l}")
    } else {
        l.to_string()
    }
}

/// The navigator's `Value`.
fn string_value(dom: &Dom, r: NodeRef) -> String {
    let n = &dom.nodes[r.node];
    if let Some(a) = r.attr {
        return n.attrs[a].value.clone();
    }
    match n.kind {
        Kind::Comment | Kind::Text => n.data.clone(),
        Kind::Element => dom.inner_text(r.node),
        // CDATA, documents, declarations: xmlquery's navigator gives "".
        _ => String::new(),
    }
}

fn string(dom: &Dom, v: &Val) -> String {
    match v {
        Val::Nodes(n) => n.first().map(|r| string_value(dom, *r)).unwrap_or_default(),
        Val::Bool(b) => b.to_string(),
        Val::Num(n) => {
            if n.fract() == 0.0 && n.is_finite() {
                format!("{}", *n as i64)
            } else {
                n.to_string()
            }
        }
        Val::Str(s) => s.clone(),
    }
}

fn boolean(v: &Val) -> bool {
    match v {
        Val::Nodes(n) => !n.is_empty(),
        Val::Bool(b) => *b,
        Val::Num(n) => *n != 0.0 && !n.is_nan(),
        Val::Str(s) => !s.is_empty(),
    }
}

fn number(s: &str) -> f64 {
    s.trim().parse().unwrap_or(f64::NAN)
}

/// XPath 1.0 `=` / `!=`.
fn compare(dom: &Dom, l: &Val, r: &Val, ne: bool) -> bool {
    let test = |a: bool| a != ne;
    match (l, r) {
        (Val::Nodes(a), Val::Nodes(b)) => a.iter().any(|x| {
            let sx = string_value(dom, *x);
            b.iter().any(|y| test(sx == string_value(dom, *y)))
        }),
        (Val::Nodes(a), other) | (other, Val::Nodes(a)) => match other {
            Val::Num(n) => a.iter().any(|x| test(number(&string_value(dom, *x)) == *n)),
            Val::Str(s) => a.iter().any(|x| test(string_value(dom, *x) == *s)),
            Val::Bool(b) => test(a.is_empty() != *b),
            Val::Nodes(_) => false,
        },
        (Val::Bool(_), _) | (_, Val::Bool(_)) => test(boolean(l) == boolean(r)),
        (Val::Num(_), _) | (_, Val::Num(_)) => {
            let n = |v: &Val| match v {
                Val::Num(n) => *n,
                v => number(&string(dom, v)),
            };
            test(n(l) == n(r))
        }
        _ => test(string(dom, l) == string(dom, r)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::xmldom::{get_xml, insert_xml, parse_nodes_xml, remove_xml};
    use super::*;

    fn refused(x: &str) -> bool {
        compile(x).is_err_and(|e| e.contains("otelcheck cannot"))
    }

    fn syntax_error(x: &str) -> bool {
        compile(x).is_err_and(|e| e.starts_with("invalid xpath: ") && !e.contains("otelcheck"))
    }

    #[test]
    fn syntax_error_texts() {
        let err = |x: &str| compile(x).expect_err("refused");
        assert_eq!(
            err("//a[contains(@x)]"),
            "invalid xpath: runtime error: index out of range [1] with length 1"
        );
        assert_eq!(
            err("//a[not()]"),
            "invalid xpath: xpath: not function must have at least one parameter"
        );
        assert_eq!(
            err("//a[name(b, c) = 'x']"),
            "invalid xpath: xpath: name function must have at most one parameter"
        );
        assert!(refused("//a[contains(@x, 'a', 'b')]"));
        assert!(refused("//a[contains(@x, @y)]"));
        assert!(refused("//a[name('x') = 'a']"));
        assert_eq!(err(""), "invalid xpath: expr expression is nil");
        assert_eq!(err("!"), "invalid xpath: ! has an invalid token");
        assert_eq!(
            err("//a[@b='x]"),
            "invalid xpath: xpath: scanString got unclosed string"
        );
        let long = format!("//a[{}@x]", "@x or ".repeat(50_000));
        assert!(compile(&long).is_err_and(|e| e.contains("otelcheck cannot")));
        let deep = format!("{}1{}", "(".repeat(250), ")".repeat(250));
        assert_eq!(
            err(&deep),
            "invalid xpath: the xpath query is too complex(depth > 200)"
        );
    }

    #[test]
    fn syntax_errors_are_upstreams_and_the_rest_of_xpath_is_refused() {
        for x in [
            "!",
            "",
            "/a[",
            "/a]",
            "//",
            "a/",
            "@",
            "/a/b[@c=]",
            "'open",
            "a::b",
        ] {
            assert!(syntax_error(x), "{x:?}: {:?}", compile(x));
        }
        for x in [
            "/a/b[2]",
            "/a/b[position()=1]",
            "/a/b[last()]",
            "/a/b[count(c)]",
            "//a/following-sibling::b",
            "//a/ancestor::b",
            "/descendant::a",
            "//a | //b",
            "//a[@n > 1]",
            "//a[@n + 1 = 2]",
            "//a[$v]",
            "//a[@n = 1]",
            "//a['1' = 1]",
            "//a[not(b) = not(c)]",
            "//a[contains(@x, 'y') != true]",
            "//a[contains(@x, 1)]",
            "//a[ends-with(@n, 'x')]",
            "//ns:a",
            "//a/@node()",
            "count(//a)",
            "//processing-instruction()",
        ] {
            assert!(refused(x), "{x:?}: {:?}", compile(x));
        }
        for x in [
            "/",
            "/a/b",
            "//a",
            ".//a/..",
            "/a/*",
            "//@*",
            "/a/@id",
            "//text()",
            "//node()",
            "//comment()",
            "/child::a/self::a/parent::node()",
            "//a[@x='1' and not(@y) or @z != \"2\"]",
            "//a[contains(., 'x')][starts-with(name(), 'a')]",
            "//a[local-name() = 'a'][string(@x) = normalize-space(' 1 ')]",
            "//a[count(b) = 2]",
            "//a['literal']",
            "//a[count(b) != count(c)]",
            "//a[@x = @y]",
            "//a[name() = 'a' or not(@x) and @y]",
        ] {
            assert!(compile(x).is_ok(), "{x:?}: {:?}", compile(x));
        }
    }

    fn get(doc: &str, x: &str) -> String {
        get_xml(doc, &compile(x).expect("compiles")).expect("runs")
    }

    #[test]
    fn predicates_and_functions() {
        let doc = r#"<r><a id="1"> x  y </a><a id="2"><b/><b/></a><c>xyz</c></r>"#;
        assert_eq!(get(doc, "//a[normalize-space(.) = 'x y']/@id"), "1");
        assert_eq!(get(doc, "//a[count(b) = 2]/@id"), "2");
        assert_eq!(get(doc, "/r/*[contains(., 'yz')]"), "<c>xyz</c>");
        assert_eq!(get(doc, "/r/*[starts-with(name(), 'c')]"), "<c>xyz</c>");
        assert_eq!(get(doc, "//a[@id = '2' or @id = 'none']/@id"), "2");
        assert_eq!(
            get(doc, "//a[@id = ../c/@none or @id = ../a/@id]/@id"),
            "12"
        );
        assert_eq!(get(doc, "//a[not(@id != '1')]/@id"), "1");
        // antchfx: not() of text is false; contains() of an empty node set is false.
        assert_eq!(get(doc, "//a[not('')]/@id"), "");
        assert_eq!(get(doc, "//a[contains(@none, '')]/@id"), "");
        assert_eq!(get(doc, "//a[contains(string(@none), '')]/@id"), "12");
        assert_eq!(get(doc, "/r/c/text()"), "xyz");
        assert_eq!(get(doc, "/r/c/."), "<c>xyz</c>");
        assert_eq!(get(doc, "//b/../@id"), "22");
        assert_eq!(get(doc, "//a[string(@id) = '1']/text()"), " x  y ");
    }

    /// antchfx streams each input's matches in turn; `//name` alone walks descendants in
    /// document order.
    #[test]
    fn result_order_follows_antchfx() {
        let doc = "<r><x>1<y><x>2</x></y></x><x>3</x></r>";
        assert_eq!(get(doc, "//x/text()"), "123");
        // GetXML re-links each selected node under its result: the inner <x>2</x> gets the
        // last <x> as its next sibling, so the first one now shows it inside <y> too.
        assert_eq!(
            get(doc, "//x"),
            "<x>1<y><x>2</x><x>3</x></y></x><x>2</x><x>3</x>"
        );
        // With a predicate it is child::x of each node of //: r's children first.
        assert_eq!(get(doc, "//x[text()]/text()"), "132");
    }

    /// A node selected twice for GetXML, or twice as an insertion point, makes xmlquery link
    /// it to itself and loop forever: an error here.
    #[test]
    fn a_node_added_twice_is_an_error_not_a_hang() {
        let twice = compile("//b/..").expect("compiles");
        assert!(get_xml("<a><b/><b/></a>", &twice).is_err());
        assert!(insert_xml("<a><b/><b/></a>", &twice, "<c/>").is_err());
        // Removing twice is harmless.
        assert_eq!(
            remove_xml("<r><a><b/><b/></a></r>", &twice).as_deref(),
            Ok("<r></r>")
        );
    }

    /// Nested `//` multiplies: past the visit budget the call fails instead of stalling.
    #[test]
    fn a_runaway_query_stops() {
        let doc = format!("{}{}", "<a>".repeat(200), "</a>".repeat(200));
        let x = compile("//*//*//*//*").expect("compiles");
        let e = get_xml(&doc, &x).expect_err("over budget");
        assert!(e.contains("otelcheck stops evaluating"), "{e}");
        // Two levels stay within it (each inner <a> selected many times; removing twice is
        // harmless).
        let two = compile("//*//*").expect("compiles");
        assert_eq!(remove_xml(&doc, &two).as_deref(), Ok("<a></a>"));
    }

    /// xmlquery's tree: whitespace-only text is skipped between siblings, never as a first
    /// child; text before the root is lost; the implicit declaration is dropped.
    #[test]
    fn navigation_quirks() {
        let x = compile("/r/node()").expect("compiles");
        let dom = parse_nodes_xml("<r>\n <a/>\n <b/>\n</r>").expect("parses");
        let kinds: Vec<_> = x
            .select(&dom)
            .expect("evaluates")
            .iter()
            .map(|r| dom.nodes[r.node].data.clone())
            .collect();
        assert_eq!(kinds, ["\n ", "a", "b"]);
        assert_eq!(get("  <r><a/></r>", "/r"), "<r><a></a></r>");
    }
}
