//! Writing results: colour only on a terminal (or when asked), and a closed pipe
//! (`otelcheck ... | head`) ends quietly instead of panicking.

use super::args::ColorChoice;
use std::io::{IsTerminal, Write};

/// Where a rendering goes: colour depends on whether that stream is a terminal.
#[derive(Debug, Clone, Copy)]
pub enum Stream {
    Stdout,
    Stderr,
}

pub fn use_color(choice: ColorChoice, stream: Stream) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let terminal = match stream {
                Stream::Stdout => std::io::stdout().is_terminal(),
                Stream::Stderr => std::io::stderr().is_terminal(),
            };
            terminal && std::env::var_os("NO_COLOR").is_none()
        }
    }
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

/// Whether standard output was closed when otelcheck started (`otelcheck ... >&-`).
static STDOUT_CLOSED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Look at standard output once, at start. The Rust runtime reopens a closed standard
/// output on `/dev/null` (read-write) before `main`, so a report written there would vanish
/// silently. A shell's `>/dev/null` opens it write-only; read-write `/dev/null` on descriptor
/// 1 is how a closed standard output looks once the runtime has replaced it.
pub fn check_stdout() {
    let _ = STDOUT_CLOSED.set(stdout_was_closed());
}

fn stdout_was_closed() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let stdout = std::io::stdout();
    let Ok(fd) = stdout.as_fd().try_clone_to_owned() else {
        return true;
    };
    let read_write = rustix::fs::fcntl_getfl(&fd)
        .is_ok_and(|f| f & rustix::fs::OFlags::RWMODE == rustix::fs::OFlags::RDWR);
    let (Ok(out), Ok(null)) = (
        std::fs::File::from(fd).metadata(),
        std::fs::metadata("/dev/null"),
    ) else {
        return false;
    };
    read_write && out.rdev() == null.rdev() && !out.is_file()
}

/// Write `text` to standard output. A closed pipe (`otelcheck ... | head`) is not an error;
/// any other failure (a full disk, `/dev/full`, standard output closed) is, because the
/// report is lost.
pub fn write_stdout(text: &str) -> Result<(), String> {
    if !text.is_empty() && STDOUT_CLOSED.get().copied().unwrap_or(false) {
        return Err(
            "cannot write the report to standard output: it is closed (write it to a file \
             with --report FMT=PATH instead)"
                .to_owned(),
        );
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!(
            "cannot write the report to standard output: {}",
            super::inputs::io_reason(&e)
        )),
    }
}

/// Write `text` to `path` atomically: a temporary file beside it, then a rename, so a failed
/// run never leaves a truncated report in place of a previous one. Paths that are not
/// regular files (`/dev/stdout`, a FIFO, a device) are written directly: renaming over them
/// would replace the device node.
pub fn write_file(path: &std::path::Path, text: &str) -> Result<(), String> {
    let fail = |e: &std::io::Error| {
        format!(
            "cannot write the report to {}: {}",
            path.display(),
            super::inputs::io_reason(e)
        )
    };
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
    if special {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| fail(&e))?;
        return f
            .write_all(text.as_bytes())
            .and_then(|()| f.flush())
            .map_err(|e| fail(&e));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| fail(&e))?;
    tmp.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}

/// `--verbose` progress notes: one line on stderr.
pub fn note(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "otelcheck: {message}");
}

/// Columns for text tables: `COLUMNS` when set, the terminal's width on a terminal, else 100
/// (a CI log or a pipe has no width; 100 reads well in both).
pub fn terminal_width() -> u16 {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.parse::<u16>().ok())
    {
        return n.max(40);
    }
    if std::io::stdout().is_terminal() {
        if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
            return w.max(40);
        }
    }
    100
}
