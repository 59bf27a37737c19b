//! Writing results: colour only on a terminal (or when asked), and a closed pipe
//! (`otelcheck ... | head`) ends quietly instead of panicking.

use super::args::ColorChoice;
use std::io::{IsTerminal, Write};

pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    }
}

/// Write to stdout; a broken pipe is not an error worth reporting.
pub fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// A fatal problem (exit 2): one paragraph on stderr.
pub fn fatal(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "otelcheck: error: {message}");
}

/// A problem that does not stop the run or change the exit code: one line on stderr.
pub fn warn(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "otelcheck: warning: {message}");
}

/// Append `markdown` to the file named by `$GITHUB_STEP_SUMMARY`, when that is set (GitHub
/// Actions sets it per step; appending keeps what earlier commands of the step wrote).
pub fn append_step_summary(markdown: &str) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(markdown.as_bytes())?;
    file.write_all(b"\n")
}
