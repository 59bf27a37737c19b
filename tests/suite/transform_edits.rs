//! What the transform processor tells the observer: one `edited` per changed field, with the
//! value a protecting editor removed masked unless `--reveal`, and `evaluated` / `error_hit`
//! per statement.

use otelcheck::analyze::analyze;
use otelcheck::capture::model::{
    AnyValue, Attributes, Batch, Resource, ResourceSpans, ScopeSpans, Span,
};
use otelcheck::config::load::LoadOptions;
use otelcheck::ottl::runtime::EvalItem;
use otelcheck::processors::api::{Ctx, DropLevel, Edit, Observer, ProcRef, Recorded, RuleRef};
use otelcheck::processors::transform::TransformProcessor;

#[derive(Default)]
struct Recorder {
    edits: Vec<(usize, Edit)>,
    evaluated: Vec<(usize, Result<bool, String>)>,
    errors: Vec<(usize, String)>,
}

impl Observer for Recorder {
    fn evaluated(&mut self, rule: RuleRef, _item: &EvalItem<'_>, result: Result<bool, &str>) {
        self.evaluated
            .push((rule.rule, result.map_err(str::to_owned)));
    }
    fn error_hit(&mut self, rule: RuleRef, message: &str) {
        self.errors.push((rule.rule, message.to_owned()));
    }
    fn edited(
        &mut self,
        rule: RuleRef,
        _resource: &Resource,
        _scope: &otelcheck::capture::model::Scope,
        _span: Option<&Span>,
        edit: &Edit,
    ) {
        self.edits.push((rule.rule, edit.clone()));
    }
}

const CONFIG: &str = r#"
receivers: {otlp: {protocols: {grpc: {}}}}
processors:
  transform:
    trace_statements:
      - context: span
        statements:
          - delete_key(attributes, "http.request.header.authorization")
          - set(attributes["tier"], "gold") where attributes["user.id"] == "u-1"
          - set(name, attributes["missing"] + 1)
          - replace_pattern(attributes["url.query"], "card=[0-9]+", "card=****")
exporters: {debug: {}}
service:
  pipelines:
    traces: {receivers: [otlp], processors: [transform], exporters: [debug]}
"#;

fn processor() -> TransformProcessor {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.yaml");
    std::fs::write(&path, CONFIG).unwrap();
    let a = analyze(&[path], &LoadOptions::default()).unwrap();
    a.processors["transform"]
        .transform
        .as_ref()
        .expect("transform planned")
        .instantiate()
}

fn batch() -> Batch {
    let mut attrs = Attributes::new();
    attrs.upsert(
        "http.request.header.authorization",
        AnyValue::Str("Bearer s3cr3t".into()),
    );
    attrs.upsert("user.id", AnyValue::Str("u-1".into()));
    attrs.upsert(
        "url.query",
        AnyValue::Str("a=1&card=4111111111111111".into()),
    );
    Batch {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans {
                spans: vec![Span {
                    name: "GET /pay".into(),
                    attributes: attrs,
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

fn run(reveal: bool) -> (Recorder, Vec<Batch>) {
    use otelcheck::processors::api::Processor as _;
    let mut p = processor();
    let mut rec = Recorder::default();
    let mut out = Vec::new();
    let mut ctx = Ctx {
        at: ProcRef {
            pipeline: 0,
            processor: 0,
        },
        observer: &mut rec,
        reveal,
    };
    p.process(batch(), &mut ctx, &mut out).unwrap();
    (rec, out)
}

#[test]
fn deleted_and_redacted_values_are_masked_when_recorded() {
    let (rec, out) = run(false);
    let del = rec
        .edits
        .iter()
        .find(|(r, _)| *r == 0)
        .expect("delete recorded");
    assert_eq!(del.1.level, DropLevel::Span);
    assert_eq!(
        del.1.field,
        r#"attributes["http.request.header.authorization"]"#
    );
    assert_eq!(
        del.1.before,
        Recorded::Masked {
            type_name: "string",
            len: 13
        }
    );
    assert_eq!(del.1.after, Recorded::Absent);
    let red = rec
        .edits
        .iter()
        .find(|(r, _)| *r == 3)
        .expect("redaction recorded");
    assert!(matches!(red.1.before, Recorded::Masked { .. }));
    assert_eq!(
        red.1.after,
        Recorded::Shown(AnyValue::Str("a=1&card=****".into()))
    );
    let set = rec
        .edits
        .iter()
        .find(|(r, _)| *r == 1)
        .expect("set recorded");
    assert_eq!(set.1.before, Recorded::Absent);
    assert_eq!(set.1.after, Recorded::Shown(AnyValue::Str("gold".into())));
    // No recorded value holds the secret.
    assert!(!format!("{:?}", rec.edits).contains("s3cr3t"));
    assert!(!format!("{:?}", rec.edits).contains("4111111111111111"));
    let span = &out[0].resource_spans[0].scope_spans[0].spans[0];
    assert!(span
        .attributes
        .get("http.request.header.authorization")
        .is_none());
}

#[test]
fn reveal_keeps_protected_values() {
    let (rec, _) = run(true);
    let del = rec.edits.iter().find(|(r, _)| *r == 0).unwrap();
    assert_eq!(
        del.1.before,
        Recorded::Shown(AnyValue::Str("Bearer s3cr3t".into()))
    );
}

#[test]
fn statement_errors_are_counted_and_ignored_by_default() {
    let (rec, out) = run(false);
    assert_eq!(rec.errors.len(), 1);
    assert_eq!(rec.errors[0].0, 2);
    assert!(
        rec.errors[0].1.contains("<nil> must be int64"),
        "{:?}",
        rec.errors
    );
    // Default error_mode ignore: the next statement still ran, the request went on.
    assert_eq!(out.len(), 1);
    let evaluated: Vec<usize> = rec.evaluated.iter().map(|(r, _)| *r).collect();
    assert_eq!(evaluated, [0, 1, 2, 3]);
    assert_eq!(
        out[0].resource_spans[0].scope_spans[0].spans[0].name,
        "GET /pay"
    );
}
