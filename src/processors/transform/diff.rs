//! What one statement changed: the item's fields before it ran, compared with after, as one
//! [`Edit`] per changed field. Values a protecting editor removed or rewrote are recorded
//! through [`Recorded::protected`], so they are masked from the moment they are recorded.

use crate::capture::model::{AnyValue, Attributes, Event, Span};
use crate::ottl::runtime::ItemMut;
use crate::processors::api::{DropLevel, Edit, Recorded};

/// The parts of an item a statement in `ctx` can change, copied before it runs.
pub struct Snapshot {
    resource: Attributes,
    resource_dropped: u32,
    scope: (String, String, Attributes),
    span: Option<Span>,
    event: Option<usize>,
}

impl Snapshot {
    pub fn of(item: &ItemMut<'_>) -> Self {
        Self {
            resource: item.resource.attributes.clone(),
            resource_dropped: item.resource.dropped_attributes_count,
            scope: (
                item.scope.name.clone(),
                item.scope.version.clone(),
                item.scope.attributes.clone(),
            ),
            span: item.span.as_deref().cloned(),
            event: item.event,
        }
    }

    /// Every field that differs now.
    pub fn edits(&self, item: &ItemMut<'_>, protected: bool, reveal: bool) -> Vec<Edit> {
        let rec = Recorder { protected, reveal };
        let mut out = Vec::new();
        rec.attrs(
            DropLevel::Resource,
            &self.resource,
            &item.resource.attributes,
            &mut out,
        );
        if self.resource_dropped != item.resource.dropped_attributes_count {
            out.push(rec.scalar(
                DropLevel::Resource,
                "dropped_attributes_count",
                AnyValue::Int(i64::from(self.resource_dropped)),
                AnyValue::Int(i64::from(item.resource.dropped_attributes_count)),
            ));
        }
        let (name, version, attrs) = &self.scope;
        rec.text(DropLevel::Scope, "name", name, &item.scope.name, &mut out);
        rec.text(
            DropLevel::Scope,
            "version",
            version,
            &item.scope.version,
            &mut out,
        );
        rec.attrs(DropLevel::Scope, attrs, &item.scope.attributes, &mut out);
        if let (Some(before), Some(after)) = (&self.span, item.span.as_deref()) {
            match self.event {
                Some(i) => {
                    if let (Some(b), Some(a)) = (before.events.get(i), after.events.get(i)) {
                        rec.event(b, a, &mut out);
                    }
                }
                None => rec.span(before, after, &mut out),
            }
        }
        out
    }
}

struct Recorder {
    protected: bool,
    reveal: bool,
}

impl Recorder {
    fn edit(
        &self,
        level: DropLevel,
        field: String,
        before: Option<&AnyValue>,
        after: Option<&AnyValue>,
    ) -> Edit {
        let before = if self.protected {
            Recorded::protected(before, self.reveal)
        } else {
            Recorded::of(before)
        };
        Edit {
            level,
            field,
            before,
            after: Recorded::of(after),
        }
    }

    fn scalar(&self, level: DropLevel, field: &str, before: AnyValue, after: AnyValue) -> Edit {
        self.edit(level, field.to_string(), Some(&before), Some(&after))
    }

    fn text(&self, level: DropLevel, field: &str, before: &str, after: &str, out: &mut Vec<Edit>) {
        if before != after {
            out.push(self.scalar(
                level,
                field,
                AnyValue::Str(before.into()),
                AnyValue::Str(after.into()),
            ));
        }
    }

    fn int(&self, level: DropLevel, field: &str, before: i64, after: i64, out: &mut Vec<Edit>) {
        if before != after {
            out.push(self.scalar(level, field, AnyValue::Int(before), AnyValue::Int(after)));
        }
    }

    /// Keys removed, added or changed, in the order of the map before, then new keys.
    fn attrs(
        &self,
        level: DropLevel,
        before: &Attributes,
        after: &Attributes,
        out: &mut Vec<Edit>,
    ) {
        if before == after {
            return;
        }
        let field = |k: &str| format!("attributes[{k:?}]");
        for (k, v) in before.iter() {
            let now = after.get(k);
            if now != Some(v) {
                out.push(self.edit(level, field(k), Some(v), now));
            }
        }
        for (k, v) in after.iter() {
            if !before.contains_key(k) {
                out.push(self.edit(level, field(k), None, Some(v)));
            }
        }
    }

    fn span(&self, b: &Span, a: &Span, out: &mut Vec<Edit>) {
        let l = DropLevel::Span;
        self.text(l, "name", &b.name, &a.name, out);
        self.int(l, "kind", b.kind, a.kind, out);
        self.int(l, "status.code", b.status.code, a.status.code, out);
        self.text(
            l,
            "status.message",
            &b.status.message,
            &a.status.message,
            out,
        );
        self.text(l, "trace_state", &b.trace_state, &a.trace_state, out);
        self.text(
            l,
            "trace_id.string",
            &hex::encode(b.trace_id),
            &hex::encode(a.trace_id),
            out,
        );
        self.text(
            l,
            "span_id.string",
            &hex::encode(b.span_id),
            &hex::encode(a.span_id),
            out,
        );
        self.text(
            l,
            "parent_span_id.string",
            &hex::encode(b.parent_span_id),
            &hex::encode(a.parent_span_id),
            out,
        );
        let ts = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.int(
            l,
            "start_time_unix_nano",
            ts(b.start_time_unix_nano),
            ts(a.start_time_unix_nano),
            out,
        );
        self.int(
            l,
            "end_time_unix_nano",
            ts(b.end_time_unix_nano),
            ts(a.end_time_unix_nano),
            out,
        );
        self.int(l, "flags", i64::from(b.flags), i64::from(a.flags), out);
        self.int(
            l,
            "dropped_attributes_count",
            i64::from(b.dropped_attributes_count),
            i64::from(a.dropped_attributes_count),
            out,
        );
        self.int(
            l,
            "dropped_events_count",
            i64::from(b.dropped_events_count),
            i64::from(a.dropped_events_count),
            out,
        );
        self.int(
            l,
            "dropped_links_count",
            i64::from(b.dropped_links_count),
            i64::from(a.dropped_links_count),
            out,
        );
        self.attrs(l, &b.attributes, &a.attributes, out);
    }

    fn event(&self, b: &Event, a: &Event, out: &mut Vec<Edit>) {
        let l = DropLevel::SpanEvent;
        self.text(l, "name", &b.name, &a.name, out);
        let ts = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.int(
            l,
            "time_unix_nano",
            ts(b.time_unix_nano),
            ts(a.time_unix_nano),
            out,
        );
        self.int(
            l,
            "dropped_attributes_count",
            i64::from(b.dropped_attributes_count),
            i64::from(a.dropped_attributes_count),
            out,
        );
        self.attrs(l, &b.attributes, &a.attributes, out);
    }
}
