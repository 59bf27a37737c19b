//! From `trace_statements` settings to compiled groups, as `ParseContextStatements` does it:
//! a group with `context:` parses its statements and conditions for that context (paths may
//! omit the prefix); a group without one gets **one** context inferred from all its statements
//! and conditions together (upstream's priority list, `resource` last), and its paths must be
//! prefixed. Statements compile once and are shared by every pipeline that uses the processor.

use std::sync::Arc;

use crate::analyze::ottl_rules::locator;
use crate::config::settings::transform::TransformSettings;
use crate::config::settings::{ErrorMode as SettingsErrorMode, StatementGroup};
use crate::diag::{Location, SourceMap};
use crate::ottl::runtime::{
    compile_condition, compile_statement, CompiledCondition, CompiledStatement,
};
use crate::ottl::{
    ast, infer_context, parse_condition, parse_statement, Context, InferenceHints, PathMode,
};
use crate::processors::ErrorMode;

/// The contexts a trace pipeline's transform can run in.
const TRACE_CONTEXTS: &[Context] = &[
    Context::Resource,
    Context::Scope,
    Context::Span,
    Context::SpanEvent,
];

/// One rule of the processor: a group condition or a statement, with where it is written.
#[derive(Debug)]
pub struct PlannedRule {
    pub text: String,
    pub location: Location,
    pub kind: RuleKind,
}

#[derive(Debug)]
pub enum RuleKind {
    /// Shared with the rule's `RuleInfo` so `explain` can ask for operand values.
    Condition(Arc<CompiledCondition>),
    Statement(Arc<CompiledStatement>),
}

/// One statement group, compiled: rule indexes into [`TransformPlan::rules`].
#[derive(Debug)]
pub struct Group {
    pub context: Context,
    pub error_mode: ErrorMode,
    pub conditions: Vec<usize>,
    pub statements: Vec<usize>,
}

/// The compiled `trace_statements` of one transform processor.
#[derive(Debug, Clone)]
pub struct TransformPlan {
    pub rules: Arc<Vec<PlannedRule>>,
    pub groups: Arc<Vec<Group>>,
}

/// Why a group could not be compiled. Most causes the checker has already reported; the ones
/// only compilation finds (a `set_semconv_span_name` version, a bad literal regex in an editor)
/// carry the statement's location so they can be reported. Either way the processor is
/// replayed as "not emulated" rather than half-run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotPlanned {
    pub message: String,
    pub location: Option<Location>,
}

impl NotPlanned {
    fn new(message: String) -> Self {
        Self {
            message,
            location: None,
        }
    }

    /// Whether upstream refuses the config for the same reason (otherwise it is otelcheck
    /// that cannot run it).
    pub fn upstream_rejects(&self) -> bool {
        !self.message.contains("otelcheck")
    }
}

fn mode_of(m: Option<SettingsErrorMode>, default: SettingsErrorMode) -> ErrorMode {
    match m.unwrap_or(default) {
        SettingsErrorMode::Ignore => ErrorMode::Ignore,
        SettingsErrorMode::Silent => ErrorMode::Silent,
        SettingsErrorMode::Propagate => ErrorMode::Propagate,
    }
}

/// Compile the trace groups of `t`. Any statement that does not compile makes the whole
/// processor unplanned: upstream would refuse to start.
pub fn plan(t: &TransformSettings, sources: &SourceMap) -> Result<TransformPlan, NotPlanned> {
    let mut rules = Vec::new();
    let mut groups = Vec::new();
    for g in &t.trace_statements {
        groups.push(plan_group(g, t.error_mode, sources, &mut rules)?);
    }
    Ok(TransformPlan {
        rules: Arc::new(rules),
        groups: Arc::new(groups),
    })
}

fn plan_group(
    g: &StatementGroup,
    default_mode: SettingsErrorMode,
    sources: &SourceMap,
    rules: &mut Vec<PlannedRule>,
) -> Result<Group, NotPlanned> {
    // Messages quote the text as written too.
    let fail = |text: &str, why: String| NotPlanned::new(format!("`{text}`: {why}"));
    let statements: Vec<ast::Statement> = g
        .statements
        .iter()
        .map(|s| parse_statement(&s.text).map_err(|e| fail(&as_written(s), first(&e))))
        .collect::<Result<_, _>>()?;
    let conditions: Vec<ast::Node<ast::BoolExpr>> = g
        .conditions
        .iter()
        .map(|s| parse_condition(&s.text).map_err(|e| fail(&as_written(s), first(&e))))
        .collect::<Result<_, _>>()?;
    let (context, mode) = match g.context.as_ref() {
        Some(c) => {
            let ctx = c
                .context()
                .filter(|c| TRACE_CONTEXTS.contains(c))
                .ok_or_else(|| {
                    NotPlanned::new(format!("context {} is not a trace context", c.name))
                })?;
            (ctx, PathMode::Explicit(ctx))
        }
        None => {
            let hints = statements
                .iter()
                .map(InferenceHints::from_statement)
                .chain(conditions.iter().map(InferenceHints::from_condition))
                .fold(InferenceHints::default(), InferenceHints::merged);
            let ctx = infer_context(&hints, TRACE_CONTEXTS, true).map_err(NotPlanned::new)?;
            (ctx, PathMode::Inferred)
        }
    };
    let mut group = Group {
        context,
        error_mode: mode_of(g.error_mode, default_mode),
        conditions: Vec::new(),
        statements: Vec::new(),
    };
    for (src, tree) in g.conditions.iter().zip(&conditions) {
        let location = locator(&src.node, sources).at(ast::Span::new(0, 0));
        let compiled =
            compile_condition(tree, &src.text, context, mode).map_err(|e| NotPlanned {
                location: Some(location.clone()),
                ..fail(&as_written(src), e.message)
            })?;
        group.conditions.push(rules.len());
        rules.push(PlannedRule {
            text: as_written(src),
            location,
            kind: RuleKind::Condition(Arc::new(compiled)),
        });
    }
    for (src, tree) in g.statements.iter().zip(&statements) {
        let location = locator(&src.node, sources).at(ast::Span::new(0, 0));
        let compiled =
            compile_statement(tree, &src.text, context, mode).map_err(|e| NotPlanned {
                location: Some(location.clone()),
                ..fail(&as_written(src), e.message)
            })?;
        group.statements.push(rules.len());
        rules.push(PlannedRule {
            text: as_written(src),
            location,
            kind: RuleKind::Statement(Arc::new(compiled)),
        });
    }
    Ok(group)
}

/// Reports show a rule as written in the file (`${env:...}` unexpanded), never its value.
fn as_written(src: &crate::config::settings::OttlSource) -> String {
    src.node.written.clone().unwrap_or_else(|| src.text.clone())
}

fn first(errors: &[crate::ottl::OttlError]) -> String {
    errors
        .first()
        .map_or_else(|| "does not parse".to_string(), |e| e.message.clone())
}
