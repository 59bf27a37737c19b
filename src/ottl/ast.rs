//! Typed OTTL syntax tree. Every node carries the byte range it came from in the statement
//! text, so diagnostics can point into the YAML file. The shape follows upstream's grammar
//! (`pkg/ottl/grammar.go` of contrib v0.156.0) closely enough that every check upstream does
//! after parsing can be done on this tree.

/// Byte range `start..end` inside one OTTL statement/condition text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
}

/// A node and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Node<T> {
    pub fn new(node: T, span: Span) -> Self {
        Self { node, span }
    }
}

/// `editor(args) [where condition]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub editor: Node<Call>,
    pub condition: Option<Node<BoolExpr>>,
}

/// A boolean expression (`where` clause, filter condition).
#[derive(Debug, Clone, PartialEq)]
pub enum BoolExpr {
    /// `a or b or c` (n-ary, left to right).
    Or(Vec<Node<BoolExpr>>),
    /// `a and b and c`.
    And(Vec<Node<BoolExpr>>),
    /// `not x` (at most once per operand).
    Not(Box<Node<BoolExpr>>),
    Comparison {
        left: Box<Node<Value>>,
        op: Node<CompareOp>,
        right: Box<Node<Value>>,
    },
    /// `true` / `false`.
    Literal(bool),
    /// A converter used as a boolean (`IsMatch(name, "x")`).
    Converter(Call),
    /// `target =~ "re"` / `target !~ "re"`: **not upstream syntax**. Parsed so otelcheck can
    /// evaluate it (as `IsMatch(target, re)`, unanchored) and report the rewrite.
    RegexMatch {
        target: Box<Node<Value>>,
        pattern: Box<Node<Value>>,
        negated: bool,
        op_span: Span,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MathOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl MathOp {
    pub fn as_str(self) -> &'static str {
        match self {
            MathOp::Add => "+",
            MathOp::Sub => "-",
            MathOp::Mul => "*",
            MathOp::Div => "/",
        }
    }
}

/// Anything that produces a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Nil,
    /// Already unescaped (upstream `strconv.UnquoteChar` rules).
    String(String),
    Int(i64),
    Float(f64),
    Bytes(Vec<u8>),
    Bool(bool),
    /// An upper-case symbol such as `SPAN_KIND_SERVER` (resolved by the checker).
    Enum(String),
    Path(Path),
    /// A call used as a value. Lower-case names parse here too and are rejected by the checker
    /// (`converter names must start with an uppercase letter`), as upstream does.
    Call(Call),
    /// A bare function name used as an argument (`replace_pattern(..., SHA256)`).
    FunctionRef(String),
    List(Vec<Node<Value>>),
    /// Map literal; keys are string literals; a later duplicate key wins at run time.
    Map(Vec<(Node<String>, Node<Value>)>),
    Binary {
        op: MathOp,
        left: Box<Node<Value>>,
        right: Box<Node<Value>>,
    },
    /// Unary minus on a non-literal operand (`-attributes["x"]`). A sign on a number literal is
    /// folded into the literal.
    Negate(Box<Node<Value>>),
    /// Unary plus: a no-op on any type upstream, kept to print faithfully.
    Plus(Box<Node<Value>>),
    /// A parenthesised math operand `( ... )`; kept so Display round-trips.
    Group(Box<Node<Value>>),
    /// `(a, b) => body`: in the grammar but rejected when built in v0.156.0 (feature gate off).
    Lambda {
        params: Vec<Node<String>>,
        body: Box<Node<Value>>,
    },
    /// A lambda body that is a boolean expression.
    BoolBody(Box<Node<BoolExpr>>),
}

/// `[context.]field[key]...(.field[key]...)*`. The first segment may be a context name
/// (`span`, `resource`, ...); whether it is depends on the processor's parser, so the checker
/// decides, not the parser.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub segments: Vec<Node<Field>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub keys: Vec<Node<Key>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    String(String),
    Int(i64),
    /// A path, converter or math expression evaluated at run time.
    Expr(Box<Node<Value>>),
}

/// `Name(args)[key]...` (converter) or `name(args)` (editor).
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The name with any whitespace between its letter-case runs removed (`Is Match` →
    /// `IsMatch`), as upstream's lexer joins them.
    pub name: Node<String>,
    pub args: Vec<Node<Argument>>,
    /// Index suffixes (`Split(x, ",")[0]`). On an editor they are an error.
    pub keys: Vec<Node<Key>>,
}

impl Call {
    /// Editors start with a lower-case letter, converters with an upper-case one.
    pub fn is_editor_name(&self) -> bool {
        self.name.node.starts_with(|c: char| c.is_ascii_lowercase())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Argument {
    /// `name = value`; `None` for positional arguments.
    pub name: Option<Node<String>>,
    pub value: Node<Value>,
}
