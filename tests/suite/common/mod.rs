//! Helpers for end-to-end tests: run the built `otelcheck` binary and read its output.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> String {
    root().join("fixtures").join(rel).display().to_string()
}

/// `../shared/captures/<name>` when the shared folder sits beside the repository (as in CI).
pub fn shared_capture(name: &str) -> Option<String> {
    let p = root().join("..").join("shared").join("captures").join(name);
    p.exists().then(|| p.display().to_string())
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn otelcheck(args: &[&str]) -> Run {
    otelcheck_in(&root(), args)
}

pub fn otelcheck_in(dir: &Path, args: &[&str]) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_otelcheck"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DEPLOY_ENV")
        .output()
        .expect("the otelcheck binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr))
}

/// The processor report `id` of the first pipeline.
pub fn processor<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["pipelines"][0]["processors"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["id"] == id))
        .unwrap_or_else(|| panic!("no processor {id} in {report}"))
}

pub fn codes(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| f["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}
pub mod bounded;
pub mod upstream;

/// A call, as OTTL text, that otelcheck cannot evaluate and a span-context transform statement
/// may use: a converter of the library's own not-evaluated list (each required argument the
/// string `"x"`), else — every converter evaluates — an XPath outside the evaluated subset
/// (the `following-sibling` axis), which is refused at compile time the same way.
pub fn unevaluated_span_converter_call() -> String {
    use otelcheck::ottl::{signatures, Context};
    otelcheck::ottl::runtime::functions::not_evaluated()
        .find(|s| signatures::available(s, Context::Span, true))
        .map(|s| format!("{}({})", s.name, vec![r#""x""#; s.required()].join(", ")))
        .unwrap_or_else(|| r#"GetXML("<a><b/><c/></a>", "/a/b/following-sibling::c")"#.to_owned())
}
