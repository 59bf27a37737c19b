//! Command-line flags exactly as the user typed them (clap derive). Turning them into a
//! validated plan happens in `plan.rs`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `--version`: ours and the collector release whose behaviour is emulated.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (emulates opentelemetry-collector-contrib v0.156.0)"
);

const AFTER_HELP: &str = "\
Exit codes:
  0  ran; nothing at or above the --fail-on threshold
  1  ran; found something at or above the threshold (catch-all rule, invalid OTTL, lost service, ...)
  2  could not run: usage error, unreadable or malformed config or capture, unsupported format

Examples:
  otelcheck validate collector.yaml
  otelcheck validate otel/                      # every *.yaml / *.yml under otel/, each on its own
  otelcheck validate --config base.yaml --config overrides.yaml --set ENV=prod --format json
  otelcheck validate c.yaml --format github --report sarif=otelcheck.sarif --report junit=otelcheck.xml
  otelcheck dry-run collector.yaml capture.msgpack
  otelcheck dry-run collector.yaml --capture a.msgpack --capture b.otlp.pb --write-output out/
  otelcheck explain collector.yaml capture.msgpack --trace-id 4bf92f3577b34da6a3ce929d0e0e4736
  otelcheck inspect capture.msgpack
  otelcheck diff main.yaml collector.yaml capture.msgpack --format markdown
  otelcheck test tests/*.yaml --format junit";

/// Check an OpenTelemetry Collector config against recorded traffic before it ships.
///
/// otelcheck reads a collector config (contrib v0.156.0 semantics), compiles every OTTL and
/// match rule, and replays real captures (DataDog agent msgpack, OTLP protobuf or JSON)
/// through each traces pipeline in dry-run mode, reporting per rule what it drops, with
/// file:line:column. Where it cannot emulate a component it says so.
#[derive(Debug, Parser)]
#[command(name = "otelcheck", version = VERSION, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Static checks, no data: YAML, ${env:...} expansion, component types and settings,
    /// pipeline wiring, every OTTL statement parsed and type-checked, static lints.
    Validate(ValidateArgs),
    /// Everything `validate` does, then replay captures through each traces pipeline and
    /// report per processor and per rule what happened.
    ///
    /// Positional files ending in .yaml or .yml are configs; any other positional file is a
    /// capture (or name captures explicitly with --capture).
    #[command(name = "dry-run")]
    DryRun(DryRunArgs),
    /// One trace's (or span's) journey: each pipeline, processor and rule it met, whether the
    /// rule matched, what it changed (masked where the config protects a value) and where the
    /// span ended.
    ///
    /// The trace id is the 32 hex digits of an OTLP trace id, or a DataDog trace id (decimal,
    /// as the DataDog UI shows it, or 16 hex digits), which matches the low 64 bits.
    Explain(ExplainArgs),
    /// Replay the same captures through two configs (BASE, typically main's, and HEAD, the
    /// pull request's) and report what changes; exit 1 when HEAD loses data BASE kept.
    ///
    /// Positional files are BASE, HEAD, then captures (BASE or HEAD is left out when
    /// --base-config / --head-config gives it).
    Diff(DiffArgs),
    /// Run test files: spans or captures in, a config, expected outcomes (see the README).
    Test(TestArgs),
    /// Summarise captures: format, payloads, traces, spans, services, span names and
    /// attribute keys with counts.
    Inspect(InspectArgs),
    /// Act as a local DataDog agent and OTLP/HTTP receiver, and write what tracers send to a
    /// capture file (plus its FILE.headers.json sidecar) that every command reads.
    Record(RecordArgs),
    /// Print a finding code's documentation: what it flags, why, an example and the fix.
    Rule(RuleArgs),
    /// List every finding code with its severity and summary.
    Rules(RulesArgs),
    /// Print a shell completion script (e.g. `otelcheck completions bash > /etc/bash_completion.d/otelcheck`).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `otelcheck man > otelcheck.1`.
    #[command(hide = true)]
    Man,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A finding code, e.g. catch-all-rule.
    pub code: String,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    /// The Markdown table the README carries.
    Markdown,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Options shared by every command that reads a config.
#[derive(Debug, Args, Clone)]
pub struct ConfigArgs {
    /// A config file merged, in order, with the other --config files into one collector
    /// config, as `otelcol --config a --config b` does (positional configs are independent).
    #[arg(long = "config", value_name = "FILE")]
    pub merged: Vec<PathBuf>,
    /// Supply a value for ${env:VAR} / ${VAR} expansion (wins over the environment).
    /// Repeatable.
    #[arg(long = "set", value_name = "VAR=VALUE", value_parser = parse_set)]
    pub sets: Vec<(String, String)>,
}

#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format written to standard output [default: text].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Also write FMT to PATH from the same run (repeatable), e.g. --report sarif=out.sarif.
    /// Written atomically; a report that cannot be written is exit 2.
    #[arg(long = "report", value_name = "FMT=PATH", value_parser = parse_report)]
    pub reports: Vec<(Format, PathBuf)>,
    /// Lowest severity that makes the exit code 1 [default: error].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// When to use colour in text output [default: auto].
    #[arg(long, value_enum)]
    pub color: Option<ColorChoice>,
    /// Drop findings with this code from the report and the exit code (repeatable).
    #[arg(long = "ignore", value_name = "CODE")]
    pub ignore: Vec<String>,
    /// Keep only findings with these codes (repeatable).
    #[arg(long = "select", value_name = "CODE")]
    pub select: Vec<String>,
    /// Do not read .otelcheck.yaml (project defaults and per-file ignores).
    #[arg(long)]
    pub no_config_file: bool,
    /// Text output: only the findings (no tables, no summary line, no progress).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say on standard error what is read and how long each stage takes.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Collector config files, each checked on its own; a directory means every *.yaml/*.yml
    /// file under it, `-` standard input. Use --config to merge files into one collector.
    #[arg(value_name = "CONFIG", required_unless_present = "merged")]
    pub configs: Vec<PathBuf>,
    /// Rewrite what can be rewritten safely (`=~`/`!~` to `IsMatch`) in place, after
    /// showing the unified diff.
    #[arg(long)]
    pub fix: bool,
    /// Only show the diff --fix would apply; change nothing.
    #[arg(long)]
    pub diff: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct DryRunArgs {
    /// Config files (*.yaml, *.yml, a directory of them, or `-`), each replayed on its own,
    /// followed by capture files.
    #[arg(value_name = "CONFIG|CAPTURE", required_unless_present = "merged")]
    pub files: Vec<PathBuf>,
    /// A capture to replay (repeatable). When given, every positional file is a config.
    #[arg(long = "capture", value_name = "FILE")]
    pub captures: Vec<PathBuf>,
    /// Skip content detection and decode every capture as this format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub capture_format: Option<CaptureFormatArg>,
    /// A drop rule matching more than this share of the spans it tests is a catch-all
    /// (1.0 = only rules matching every span).
    /// [default: 1.0]
    #[arg(long, value_name = "RATIO", value_parser = parse_ratio)]
    pub max_match_ratio: Option<f64>,
    /// Write, per pipeline, what its exporters would receive as OTLP JSON lines to
    /// DIR/<pipeline id with / as _>.jsonl.
    #[arg(long, value_name = "DIR")]
    pub write_output: Option<PathBuf>,
    /// Never show a progress bar (it is only shown on a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
    /// Show, per rewriting processor, a unified diff of a few spans before and after it
    /// (values a rule protects stay masked unless --reveal).
    #[arg(long)]
    pub show_diff: bool,
    /// Show values that delete/hash/redaction rules protect instead of masking them, in every
    /// report, diff and example. Use only where the report stays private.
    #[arg(long)]
    pub reveal: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Config files (each explained on its own), followed by capture files.
    #[arg(value_name = "CONFIG|CAPTURE", required_unless_present = "merged")]
    pub files: Vec<PathBuf>,
    /// A capture to replay (repeatable). When given, every positional file is a config.
    #[arg(long = "capture", value_name = "FILE")]
    pub captures: Vec<PathBuf>,
    /// The trace to follow: 32 hex digits (OTLP), or a DataDog trace id (decimal or 16 hex).
    #[arg(long, value_name = "ID")]
    pub trace_id: String,
    /// Follow only this span of the trace: 16 hex digits, or a DataDog span id in decimal.
    #[arg(long, value_name = "ID")]
    pub span_id: Option<String>,
    /// Show values the config protects (deleted, hashed, redacted) as they are, not masked.
    #[arg(long)]
    pub reveal: bool,
    /// Skip content detection and decode every capture as this format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub capture_format: Option<CaptureFormatArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// `explain` tells one story: as text or as the spec's JSON document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Text,
    /// `{"schema": 1, "kind": "explain", "trace_id": ..., "spans": [...]}`.
    Json,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// BASE config, HEAD config, then capture files.
    #[arg(value_name = "BASE HEAD CAPTURE")]
    pub files: Vec<PathBuf>,
    /// A capture to replay (repeatable); positional files after BASE and HEAD are captures too.
    #[arg(long = "capture", value_name = "FILE")]
    pub captures: Vec<PathBuf>,
    /// BASE as several files merged in order (repeatable), as `otelcol --config` does.
    #[arg(long = "base-config", value_name = "FILE")]
    pub base_merged: Vec<PathBuf>,
    /// HEAD as several files merged in order (repeatable).
    #[arg(long = "head-config", value_name = "FILE")]
    pub head_merged: Vec<PathBuf>,
    /// Percentage of BASE's exported spans HEAD may lose per pipeline before
    /// `more-spans-dropped` fails the run. [default: 0]
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub max_extra_drop: Option<f64>,
    /// Skip content detection and decode every capture as this format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub capture_format: Option<CaptureFormatArg>,
    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Supply a value for ${env:VAR} / ${VAR} expansion in both configs (repeatable).
    #[arg(long = "set", value_name = "VAR=VALUE", value_parser = parse_set)]
    pub sets: Vec<(String, String)>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Test files (YAML: a config, then tests with spans or captures in and expectations).
    #[arg(required = true, value_name = "TESTFILE")]
    pub files: Vec<PathBuf>,
    /// Output format: text, json or junit (one test case per test). [default: text]
    #[arg(long, value_enum)]
    pub format: Option<TestFormat>,
    /// Also write FMT to PATH (repeatable), e.g. --report junit=tests.xml.
    #[arg(long = "report", value_name = "FMT=PATH", value_parser = parse_test_report)]
    pub reports: Vec<(TestFormat, PathBuf)>,
    /// Supply a value for ${env:VAR} / ${VAR} expansion in the configs (repeatable).
    #[arg(long = "set", value_name = "VAR=VALUE", value_parser = parse_set)]
    pub sets: Vec<(String, String)>,
    /// Show the values a config protects (deleted, hashed, redacted) in failure messages.
    #[arg(long)]
    pub reveal: bool,
    /// When to use colour in text output [default: auto].
    #[arg(long, value_enum)]
    pub color: Option<ColorChoice>,
}

/// What `test` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// One line per test, and expected vs actual for each failure.
    Text,
    /// `{"schema": 1, "kind": "test", "files": [...]}`.
    Json,
    /// JUnit XML: one test case per test.
    Junit,
}

fn parse_test_report(s: &str) -> Result<(TestFormat, PathBuf), String> {
    let (fmt, path) = s
        .split_once('=')
        .ok_or_else(|| format!("expected FMT=PATH (e.g. junit=tests.xml), got {s:?}"))?;
    let format = TestFormat::from_str(fmt, true)
        .map_err(|_| format!("unknown report format {fmt:?}: use text, json or junit"))?;
    if path.is_empty() {
        return Err(format!("expected FMT=PATH, got {s:?} (no path)"));
    }
    Ok((format, PathBuf::from(path)))
}

fn parse_percent(s: &str) -> Result<f64, String> {
    let n: f64 = s
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("expected a percentage between 0 and 100, got {s:?}"))?;
    if (0.0..=100.0).contains(&n) {
        Ok(n)
    } else {
        Err(format!("expected a percentage between 0 and 100, got {s}"))
    }
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Capture files.
    #[arg(required = true, value_name = "CAPTURE")]
    pub captures: Vec<PathBuf>,
    /// Skip content detection and decode every capture as this format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub capture_format: Option<CaptureFormatArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
    pub format: InspectFormat,
    /// When to use colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// `inspect` summarises data, it has no findings to annotate: only these two fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    Text,
    /// `{"schema": 1, "kind": "inspect", "tool": ..., ...}`.
    Json,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The capture file to write (replaced if it exists); the sidecar is FILE.headers.json.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// Where the DataDog agent stand-in listens (IP:PORT), or `off`.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8126", value_parser = crate::record::parse_listen)]
    pub datadog_listen: crate::record::Listen,
    /// Where the OTLP/HTTP receiver listens (IP:PORT), or `off`.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:4318", value_parser = crate::record::parse_listen)]
    pub otlp_listen: crate::record::Listen,
    /// Stop after recording this many payloads.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_payloads: Option<u64>,
    /// Stop after this long (e.g. 30s, 5m, 1h).
    #[arg(long, value_name = "D", value_parser = humantime::parse_duration)]
    pub duration: Option<std::time::Duration>,
    /// Refuse (413) and skip a request whose body, as sent or decompressed, is larger.
    #[arg(long, value_name = "BYTES", default_value_t = 50 * 1024 * 1024)]
    pub max_body: u64,
    /// Never show the progress line (it is only shown on a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables and `file:line:col: severity[code] message` lines.
    Text,
    /// The JSON report of the spec (`"schema": 1`).
    Json,
    /// SARIF 2.1.0, for code-scanning uploads.
    Sarif,
    /// JUnit XML: one case per finding (and per replayed pipeline).
    Junit,
    /// GitHub Actions annotations; also appends Markdown to $GITHUB_STEP_SUMMARY when set.
    Github,
    /// Markdown for a pull-request comment.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Capture formats as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CaptureFormatArg {
    /// DataDog agent payload v0.3/v0.4 (msgpack array of traces of span maps).
    #[value(name = "datadog-v0.4", alias = "datadog-v0.3")]
    DatadogV04,
    /// DataDog agent payload v0.5 (string table + 12-field span arrays).
    #[value(name = "datadog-v0.5")]
    DatadogV05,
    /// One OTLP ExportTraceServiceRequest in protobuf.
    #[value(name = "otlp-proto")]
    OtlpProto,
    /// 4-byte big-endian length-prefixed OTLP protobuf messages.
    #[value(name = "otlp-proto-stream")]
    OtlpProtoStream,
    /// OTLP JSON: one object, or one object per line.
    #[value(name = "otlp-json")]
    OtlpJson,
}

fn parse_set(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("expected VAR=VALUE, got {s:?}"))?;
    if k.is_empty() {
        return Err(format!("expected VAR=VALUE, got {s:?}"));
    }
    Ok((k.to_owned(), v.to_owned()))
}

fn parse_report(s: &str) -> Result<(Format, PathBuf), String> {
    let (fmt, path) = s
        .split_once('=')
        .ok_or_else(|| format!("expected FMT=PATH (e.g. sarif=otelcheck.sarif), got {s:?}"))?;
    let format = Format::from_str(fmt, true).map_err(|_| {
        format!("unknown report format {fmt:?}: use text, json, sarif, junit, github or markdown")
    })?;
    if path.is_empty() {
        return Err(format!("expected FMT=PATH, got {s:?} (no path)"));
    }
    Ok((format, PathBuf::from(path)))
}

fn parse_ratio(s: &str) -> Result<f64, String> {
    let r: f64 = s
        .parse()
        .map_err(|_| format!("expected a number between 0 and 1, got {s:?}"))?;
    if (0.0..=1.0).contains(&r) {
        Ok(r)
    } else {
        Err(format!("expected a number between 0 and 1, got {s}"))
    }
}
