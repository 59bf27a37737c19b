//! The pipeline every row goes through — parse → check → compile → evaluate on the §12
//! fixture span — and the comparison of its outcome with the one `ottl.md` §12 gives.
//!
//! Rows are plain data so a section of the table is one `&[Row]`; a section's test collects
//! every mismatch before failing, so one run shows all disagreements with their row text and
//! the stage that produced the outcome.

use otelcheck::capture::model::{AnyValue, Attributes, Resource, Scope, Span, Status};
use otelcheck::ottl::runtime::{compile_condition, CompiledCondition, EvalItem};
use otelcheck::ottl::{check_condition, parse_condition, CheckOptions, Context, PathMode};

/// What §12 says a row gives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Want {
    True,
    False,
    /// Rejected before any span is seen (upstream "parse err"): by the parser, the checker or
    /// the compiler. The message must contain the substring ("" = any message).
    Rejected(&'static str),
    /// Fails on the fixture span; the message must contain the substring ("" = any).
    RunErr(&'static str),
    /// Upstream panics (`comparing uncomparable type`); otelcheck may say false or fail the
    /// evaluation, but must not panic or claim a match.
    NoMatch,
}

/// One row of the table, named after it.
pub struct Row {
    pub name: &'static str,
    pub text: &'static str,
    pub want: Want,
}

/// The stage that ended the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Parse,
    Check,
    Compile,
    Run,
}

/// What otelcheck made of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Got {
    Bool(bool),
    Failed(Stage, String),
}

/// How otelcheck's compiler says a converter is not implemented.
pub const UNSUPPORTED: &str = "otelcheck cannot evaluate";

pub const fn row(name: &'static str, text: &'static str, want: Want) -> Row {
    Row { name, text, want }
}

/// The §12 fixture: root SERVER span "GET /x", status ERROR, trace id 0102…0f10, 5 ms long
/// from 2023-11-14T22:13:20Z, trace_state "k1=v1,k2=v2", scope "lib", empty resource.
///
/// `eb` (an empty Bytes value) is the one attribute §12 does not list by name: its row says
/// "empty Bytes attr `== nil`", and no other row reads all attributes at once.
pub fn fixture() -> (Resource, Scope, Span) {
    let str_ = |x: &str| AnyValue::Str(x.into());
    let mut m = Attributes::new();
    m.upsert("a", AnyValue::Int(1));
    m.upsert("b", str_("x"));
    let mut a = Attributes::new();
    a.upsert("s", str_("abc"));
    a.upsert("snum", str_("200"));
    a.upsert("i", AnyValue::Int(200));
    a.upsert("f", AnyValue::Double(200.0));
    a.upsert("fh", AnyValue::Double(2.5));
    a.upsert("b", AnyValue::Bool(true));
    a.upsert("by", AnyValue::Bytes(vec![1, 2, 3]));
    a.upsert("m", AnyValue::Map(m));
    a.upsert("l", AnyValue::Slice(vec![str_("a"), str_("b")]));
    a.upsert(
        "li",
        AnyValue::Slice(vec![AnyValue::Int(1), AnyValue::Int(2)]),
    );
    a.upsert("e", AnyValue::Empty);
    a.upsert("eb", AnyValue::Bytes(vec![]));
    a.upsert("es", str_(""));
    a.upsert("nl", str_("line1\nline2"));
    a.upsert("dig", str_("x123y"));
    a.upsert("csv", str_("a,b,c"));
    a.upsert("key", str_("s"));
    let span = Span {
        trace_id: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
        span_id: [0xaa; 8],
        trace_state: "k1=v1,k2=v2".into(),
        name: "GET /x".into(),
        kind: 2,
        start_time_unix_nano: 1_700_000_000_000_000_000,
        end_time_unix_nano: 1_700_000_000_005_000_000,
        attributes: a,
        status: Status {
            code: 2,
            message: String::new(),
        },
        ..Default::default()
    };
    let scope = Scope {
        name: "lib".into(),
        ..Default::default()
    };
    (Resource::default(), scope, span)
}

/// Parse, check and compile `text` as a span-context condition with explicit context.
pub fn compile(text: &str) -> Result<CompiledCondition, (Stage, String)> {
    let joined = |errs: Vec<otelcheck::ottl::OttlError>| {
        errs.iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mode = PathMode::Explicit(Context::Span);
    let tree = parse_condition(text).map_err(|e| (Stage::Parse, joined(e)))?;
    let opts = CheckOptions {
        mode,
        editors_allowed: false,
    };
    let errs = check_condition(&tree, Context::Span, &opts);
    if !errs.is_empty() {
        return Err((Stage::Check, joined(errs)));
    }
    compile_condition(&tree, text, Context::Span, mode).map_err(|e| (Stage::Compile, e.message))
}

/// The whole pipeline on the fixture span.
pub fn outcome(text: &str) -> Got {
    let (resource, scope, span) = fixture();
    let item = EvalItem {
        resource: &resource,
        scope: &scope,
        span: Some(&span),
        event: None,
    };
    match compile(text) {
        Err((stage, msg)) => Got::Failed(stage, msg),
        Ok(c) => match c.eval(&item) {
            Ok(b) => Got::Bool(b),
            Err(e) => Got::Failed(Stage::Run, e.message),
        },
    }
}

/// Whether `got` is what the table wants. A converter otelcheck cannot evaluate never counts
/// as a rejection: those rows belong in the known-gap list.
pub fn agrees(want: Want, got: &Got) -> bool {
    match (want, got) {
        (Want::True, Got::Bool(b)) => *b,
        (Want::False, Got::Bool(b)) => !*b,
        (Want::Rejected(sub), Got::Failed(stage, msg)) => {
            *stage != Stage::Run && !msg.contains(UNSUPPORTED) && msg.contains(sub)
        }
        (Want::RunErr(sub), Got::Failed(Stage::Run, msg)) => msg.contains(sub),
        (Want::NoMatch, Got::Bool(b)) => !*b,
        (Want::NoMatch, Got::Failed(Stage::Run, _)) => true,
        _ => false,
    }
}

/// Run a section; fail once, listing every row that disagrees.
pub fn check_rows(section: &str, rows: &[Row]) {
    let mut names = std::collections::HashSet::new();
    let mut failures = Vec::new();
    for r in rows {
        assert!(names.insert(r.name), "duplicate row name {}", r.name);
        let got = outcome(r.text);
        if !agrees(r.want, &got) {
            failures.push(format!(
                "  {}: `{}`\n    want {:?}, got {:?}",
                r.name, r.text, r.want, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{section}: {} of {} rows disagree with ottl.md §12:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}
