//! Run the built binary with bounded CPU time and address space, so a hostile input that
//! hangs or balloons fails its test (killed by the kernel) instead of hanging CI. The bounds
//! are limits, not timing assertions: a pass does not depend on the machine's speed.

use std::path::Path;
use std::process::Command;

use super::Run;

/// CPU seconds a single run may use before the kernel stops it (SIGXCPU).
pub const CPU_SECONDS: u32 = 60;
/// Address space a single run may map, in KiB (`ulimit -v`).
pub const MEMORY_KIB: u64 = 2 * 1024 * 1024;

/// `otelcheck ARGS` in `dir` under `ulimit -t` / `ulimit -v`; `code` is -1 when a signal
/// (a limit, an abort, a stack overflow) ended it.
pub fn otelcheck_bounded(dir: &Path, args: &[&str]) -> Run {
    let script = format!("ulimit -t {CPU_SECONDS}; ulimit -v {MEMORY_KIB}; exec \"$0\" \"$@\"");
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_otelcheck"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("sh runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Like [`otelcheck_bounded`], with standard output sent to the file `stdout` (e.g.
/// `/dev/full`) instead of a pipe; the returned `stdout` is empty.
pub fn otelcheck_bounded_stdout_to(dir: &Path, stdout: &Path, args: &[&str]) -> Run {
    let script = format!("ulimit -t {CPU_SECONDS}; ulimit -v {MEMORY_KIB}; exec \"$0\" \"$@\"");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(stdout)
        .expect("the stdout file opens");
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_otelcheck"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(file)
        .output()
        .expect("sh runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A traces pipeline config whose `filter` processor holds `conditions` (JSON-quoted, so any
/// text is a valid YAML scalar).
pub fn filter_config(conditions: &[String]) -> String {
    let mut yaml = String::from(
        "receivers:\n  otlp:\n    protocols: {grpc: {}}\nprocessors:\n  filter:\n    traces:\n      span:\n",
    );
    for c in conditions {
        let quoted = serde_json::to_string(c).expect("a string serialises");
        yaml.push_str(&format!("        - {quoted}\n"));
    }
    yaml.push_str(
        "exporters:\n  debug: {}\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [filter]\n      exporters: [debug]\n",
    );
    yaml
}

/// Write `text` to `name` in a fresh temporary directory, returning both.
pub fn temp_file(name: &str, text: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("the file is written");
    (dir, path)
}

/// The run ended by itself with `code`, not by a signal or a limit; prints what it said.
pub fn assert_exit(run: &Run, codes: &[i32]) {
    assert!(
        codes.contains(&run.code),
        "exit {} (want one of {codes:?})\nstdout: {}\nstderr: {}",
        run.code,
        &run.stdout[..run.stdout.len().min(2000)],
        &run.stderr[..run.stderr.len().min(2000)]
    );
}
