//! The typed collector config: components by kind and the service's pipelines, each with the
//! position of the key it came from.
//!
//! [`build_model`] does what the collector does while unmarshalling the top level and in
//! `otelcol.Config.Validate` (the parts that need no pipeline graph): unknown top-level and
//! service keys, malformed ids, component types the distribution does not have, and missing
//! `receivers`/`exporters` sections. It keeps going after an error so one run reports all of
//! them; broken entries are left out of the model. Pipeline wiring is in `wiring.rs`.

pub use super::ids::{parse_pipeline_id, ComponentId, Signal};
use super::load::{LoadedConfig, TOP_LEVEL_KEYS};
use super::node::{Key, Node, NodeKind};
use super::registry;
use crate::diag::{codes, Diagnostic, Location};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ComponentKind {
    Receiver,
    Processor,
    Exporter,
    Connector,
    Extension,
}

impl ComponentKind {
    /// Singular, as in "references processor ...".
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Receiver => "receiver",
            ComponentKind::Processor => "processor",
            ComponentKind::Exporter => "exporter",
            ComponentKind::Connector => "connector",
            ComponentKind::Extension => "extension",
        }
    }

    /// The config section holding this kind.
    pub fn section(self) -> &'static str {
        match self {
            ComponentKind::Receiver => "receivers",
            ComponentKind::Processor => "processors",
            ComponentKind::Exporter => "exporters",
            ComponentKind::Connector => "connectors",
            ComponentKind::Extension => "extensions",
        }
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One configured component.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub id: ComponentId,
    pub kind: ComponentKind,
    pub key_loc: Location,
    pub settings: Node,
}

/// A component id written in a pipeline or in `service.extensions`.
#[derive(Debug, Clone, PartialEq)]
pub struct IdRef {
    pub id: ComponentId,
    pub loc: Location,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// As written, e.g. `traces/in`.
    pub id_text: String,
    pub signal: Signal,
    pub name: Option<String>,
    pub loc: Location,
    pub receivers: Vec<IdRef>,
    pub processors: Vec<IdRef>,
    pub exporters: Vec<IdRef>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CollectorConfig {
    pub receivers: Vec<Component>,
    pub processors: Vec<Component>,
    pub exporters: Vec<Component>,
    pub connectors: Vec<Component>,
    pub extensions: Vec<Component>,
    pub pipelines: Vec<Pipeline>,
    pub service_extensions: Vec<IdRef>,
}

impl CollectorConfig {
    pub fn components(&self, kind: ComponentKind) -> &[Component] {
        match kind {
            ComponentKind::Receiver => &self.receivers,
            ComponentKind::Processor => &self.processors,
            ComponentKind::Exporter => &self.exporters,
            ComponentKind::Connector => &self.connectors,
            ComponentKind::Extension => &self.extensions,
        }
    }

    pub fn component(&self, kind: ComponentKind, id: &ComponentId) -> Option<&Component> {
        self.components(kind).iter().find(|c| &c.id == id)
    }

    fn components_mut(&mut self, kind: ComponentKind) -> &mut Vec<Component> {
        match kind {
            ComponentKind::Receiver => &mut self.receivers,
            ComponentKind::Processor => &mut self.processors,
            ComponentKind::Exporter => &mut self.exporters,
            ComponentKind::Connector => &mut self.connectors,
            ComponentKind::Extension => &mut self.extensions,
        }
    }
}

const KINDS: [ComponentKind; 5] = [
    ComponentKind::Receiver,
    ComponentKind::Processor,
    ComponentKind::Exporter,
    ComponentKind::Connector,
    ComponentKind::Extension,
];

/// Build the typed model. `None` only when the root is not a mapping.
pub fn build_model(loaded: &LoadedConfig) -> (Option<CollectorConfig>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let Some(entries) = loaded.root.as_map() else {
        diags.push(invalid(
            format!("the config is {}, not a mapping", loaded.root.type_name()),
            &loaded.root.loc,
        ));
        return (None, diags);
    };
    let mut cfg = CollectorConfig::default();
    let unknown: Vec<&Key> = entries
        .iter()
        .map(|(k, _)| k)
        .filter(|k| !TOP_LEVEL_KEYS.contains(&k.name.as_str()))
        .collect();
    if let Some(first) = unknown.first() {
        let names: Vec<&str> = unknown.iter().map(|k| k.name.as_str()).collect();
        diags.push(
            invalid(
                format!(
                    "'otelcol.configSettings' has invalid keys: {}",
                    names.join(", ")
                ),
                &first.loc,
            )
            .with_help(format!(
                "valid top-level keys are {}",
                TOP_LEVEL_KEYS.join(", ")
            )),
        );
    }
    for kind in KINDS {
        if let Some((key, section)) = loaded.root.get_entry(kind.section()) {
            read_section(&mut cfg, kind, key, section, &mut diags);
        }
    }
    check_sections(&cfg, &loaded.root, &mut diags);
    match loaded.root.get_entry("service") {
        Some((key, service)) => super::service::read_service(&mut cfg, key, service, &mut diags),
        None => diags.push(super::service::no_pipelines(&loaded.root.loc)),
    }
    (Some(cfg), diags)
}

fn read_section(
    cfg: &mut CollectorConfig,
    kind: ComponentKind,
    key: &Key,
    section: &Node,
    diags: &mut Vec<Diagnostic>,
) {
    let entries = match &section.kind {
        NodeKind::Map(e) => e.as_slice(),
        NodeKind::Null => &[],
        _ => {
            let msg = format!(
                "'{}' expected a map, got {}",
                kind.section(),
                section.type_name()
            );
            diags.push(invalid(msg, &key.loc).with_help(format!(
                "write {} as `type/name: settings` entries",
                kind.section()
            )));
            return;
        }
    };
    for (k, settings) in entries {
        let id = match k.name.parse::<ComponentId>() {
            Ok(id) => id,
            Err(e) => {
                diags.push(invalid(format!("'{}' {e}", kind.section()), &k.loc).with_help(ID_HELP));
                continue;
            }
        };
        if let Some(first) = cfg.component(kind, &id) {
            let msg = format!(
                "'{}' duplicate {kind} id {:?}",
                kind.section(),
                id.to_string()
            );
            diags.push(
                invalid(msg, &k.loc)
                    .with_label(first.key_loc.clone(), "first defined here")
                    .with_help("give each component a distinct `/name`"),
            );
            continue;
        }
        if registry::lookup(kind, &id.ty).is_none() {
            diags.push(unknown_type(kind, &id, &k.loc));
        }
        cfg.components_mut(kind).push(Component {
            id,
            kind,
            key_loc: k.loc.clone(),
            settings: settings.clone(),
        });
    }
}

const ID_HELP: &str = "ids are `type` or `type/name`: the type is a letter then letters, digits or `_`; the name has no spaces or symbols";

fn unknown_type(kind: ComponentKind, id: &ComponentId, loc: &Location) -> Diagnostic {
    let msg = format!(
        "'{}' unknown type: {:?} for id: {:?}",
        kind.section(),
        id.ty,
        id.to_string()
    );
    // "an exporter", "an extension", "a receiver".
    let kind_text = kind.to_string();
    let article = if kind_text.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    let help = match (
        registry::removed(kind, &id.ty),
        registry::suggest(kind, &id.ty),
    ) {
        (Some(why), _) => format!("the {:?} {kind} was {why}", id.ty),
        (None, Some(s)) => format!(
            "did you mean {s:?}? {:?} is not {article} {kind} of collector-contrib v0.156.0",
            id.ty
        ),
        (None, None) => format!(
            "{:?} is not {article} {kind} of collector-contrib v0.156.0; use a type the distribution ships",
            id.ty
        ),
    };
    Diagnostic::error(codes::UNKNOWN_COMPONENT, msg)
        .at(loc.clone())
        .with_help(help)
}

/// `otelcol.Config.Validate`'s section checks, with the section key (or file start) as position.
fn check_sections(cfg: &CollectorConfig, root: &Node, diags: &mut Vec<Diagnostic>) {
    let at = |section: &str| {
        root.get_entry(section)
            .map(|(k, _)| k.loc.clone())
            .unwrap_or_else(|| root.loc.clone())
    };
    let empty = KINDS.iter().all(|k| cfg.components(*k).is_empty());
    if empty && root.get("service").is_none() {
        diags.push(
            invalid("empty configuration file".into(), &root.loc)
                .with_help("configure receivers, exporters and service.pipelines"),
        );
        return;
    }
    if cfg.receivers.is_empty() {
        diags.push(
            invalid(
                "no receiver configuration specified in config".into(),
                &at("receivers"),
            )
            .with_help("add a `receivers:` section with at least one receiver, e.g. `otlp:`"),
        );
    }
    if cfg.exporters.is_empty() {
        diags.push(
            invalid(
                "no exporter configuration specified in config".into(),
                &at("exporters"),
            )
            .with_help("add an `exporters:` section with at least one exporter, e.g. `debug:`"),
        );
    }
    for conn in &cfg.connectors {
        for other in [ComponentKind::Exporter, ComponentKind::Receiver] {
            if cfg.component(other, &conn.id).is_some() {
                let id = conn.id.to_string();
                let msg = format!("connectors::{id}: ambiguous ID: Found both {id:?} {other} and {id:?} connector. Change one of the components' IDs to eliminate ambiguity (e.g. rename {id:?} connector to \"{id}/connector\")");
                diags.push(
                    invalid(msg, &conn.key_loc)
                        .with_help("rename the connector or the other component"),
                );
            }
        }
    }
}

pub(super) fn invalid(msg: String, loc: &Location) -> Diagnostic {
    Diagnostic::error(codes::INVALID_CONFIG, msg).at(loc.clone())
}
