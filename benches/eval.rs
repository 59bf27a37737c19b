//! Evaluation cost of typical filter conditions, reported per span: an attribute compared with
//! a literal, an `IsMatch` on an attribute, and a resource attribute comparison, each over a few
//! thousand synthetic spans.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use otelcheck::capture::model::{AnyValue, Attributes, Resource, Scope, Span};
use otelcheck::ottl::ast::{self, BoolExpr, Call, CompareOp, Field, Key, Node, Path, Value};
use otelcheck::ottl::runtime::{compile_condition, EvalItem};
use otelcheck::ottl::{Context, PathMode};

fn n<T>(t: T) -> Node<T> {
    Node::new(t, ast::Span::default())
}

fn attr_path(prefix: Option<&str>, key: &str) -> Value {
    let mut segments = Vec::new();
    if let Some(p) = prefix {
        segments.push(n(Field {
            name: p.into(),
            keys: vec![],
        }));
    }
    segments.push(n(Field {
        name: "attributes".into(),
        keys: vec![n(Key::String(key.into()))],
    }));
    Value::Path(Path { segments })
}

fn eq(l: Value, r: &str) -> BoolExpr {
    BoolExpr::Comparison {
        left: Box::new(n(l)),
        op: n(CompareOp::Eq),
        right: Box::new(n(Value::String(r.into()))),
    }
}

fn spans(count: usize) -> Vec<Span> {
    (0..count)
        .map(|i| {
            let mut a = Attributes::new();
            for k in 0..12 {
                a.upsert(format!("attr.{k}"), AnyValue::Int(k));
            }
            let route = if i % 10 == 0 {
                "/healthz"
            } else {
                "/api/orders"
            };
            a.upsert("http.route", AnyValue::Str(route.into()));
            a.upsert(
                "http.target",
                AnyValue::Str(format!("/api/orders/{i}?x=1").into()),
            );
            Span {
                name: format!("GET {route}"),
                attributes: a,
                ..Default::default()
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut ra = Attributes::new();
    ra.upsert("service.name", AnyValue::Str("checkout".into()));
    ra.upsert("host.name", AnyValue::Str("localhost".into()));
    let resource = Resource {
        attributes: ra,
        ..Default::default()
    };
    let scope = Scope::default();
    let spans = spans(4096);
    let is_match = BoolExpr::Converter(Call {
        name: n("IsMatch".into()),
        args: vec![
            n(ast::Argument {
                name: None,
                value: n(attr_path(None, "http.target")),
            }),
            n(ast::Argument {
                name: None,
                value: n(Value::String(r"^/api/orders/\d+".into())),
            }),
        ],
        keys: vec![],
    });
    let cases = [
        (
            "attr_eq_literal",
            eq(attr_path(None, "http.route"), "/healthz"),
        ),
        ("is_match_attr", is_match),
        (
            "resource_attr_eq",
            eq(attr_path(Some("resource"), "host.name"), "localhost"),
        ),
    ];
    let mut group = c.benchmark_group("eval");
    group.throughput(Throughput::Elements(spans.len() as u64));
    for (name, cond) in cases {
        let Ok(compiled) = compile_condition(
            &n(cond),
            name,
            Context::Span,
            PathMode::Explicit(Context::Span),
        ) else {
            continue;
        };
        group.bench_with_input(BenchmarkId::from_parameter(name), &spans, |b, spans| {
            b.iter(|| {
                spans
                    .iter()
                    .filter(|s| {
                        let item = EvalItem {
                            resource: &resource,
                            scope: &scope,
                            span: Some(s),
                            event: None,
                        };
                        compiled.eval(&item) == Ok(true)
                    })
                    .count()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
