//! `otelcheck record`: a local stand-in for the DataDog agent and an OTLP/HTTP receiver that
//! writes what tracers send to a capture file every command reads.
//!
//! One thread per listener answers requests ([`server`]); each accepted body is appended to
//! the recording ([`writer`]) under one lock, before the client is answered. The main thread
//! waits for a stop (Ctrl-C, `--max-payloads`, `--duration`, a write failure), lets each
//! listener finish the request in hand, then prints what was recorded ([`summary`]).

mod body;
pub mod endpoints;
mod server;
mod summary;
mod writer;

use crate::capture::Capture;
use crate::cli::args::RecordArgs;
use crate::cli::ExitStatus;
use endpoints::{Receiver, Reply};
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use summary::{StopReason, Tally};
use writer::{PayloadMeta, Recording};

/// A listen address as given on the command line; `None` is `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listen(pub Option<SocketAddr>);

pub fn parse_listen(s: &str) -> Result<Listen, String> {
    if s.eq_ignore_ascii_case("off") {
        return Ok(Listen(None));
    }
    s.parse()
        .map(|a| Listen(Some(a)))
        .map_err(|_| format!("expected IP:PORT (such as 127.0.0.1:8126) or `off`, got {s:?}"))
}

/// What the listeners share: the recording, the counts, and whether to stop.
pub struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    max_payloads: Option<u64>,
    max_body: u64,
}

struct State {
    recording: Recording,
    tally: Tally,
    stop: Option<StopReason>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_stopping(&self) -> bool {
        self.lock().stop.is_some()
    }

    fn request_stop(&self, reason: StopReason) {
        self.lock().stop.get_or_insert(reason);
        self.changed.notify_all();
    }

    fn refused(&self, status: u16) {
        self.lock().tally.refused(status);
    }

    /// Append one decoded payload, unless the recorder is stopping or full.
    fn record(
        &self,
        body: &[u8],
        meta: PayloadMeta,
        endpoint: String,
        capture: &Capture,
    ) -> Result<(), Reply> {
        let mut st = self.lock();
        let full = self
            .max_payloads
            .is_some_and(|max| st.recording.payload_count() as u64 >= max);
        if st.stop.is_some() || full {
            return Err(Reply::text(
                503,
                "503 otelcheck record is stopping; payload not recorded",
            ));
        }
        if let Err(e) = st.recording.append(body, meta) {
            let msg = format!("cannot write the recording: {e}");
            st.stop.get_or_insert(StopReason::Failed(msg.clone()));
            self.changed.notify_all();
            return Err(Reply::text(500, format!("500 {msg}")));
        }
        st.tally.add(endpoint, body.len(), capture);
        if let Some(max) = self.max_payloads {
            if st.recording.payload_count() as u64 >= max {
                st.stop.get_or_insert(StopReason::MaxPayloads(max));
                self.changed.notify_all();
            }
        }
        Ok(())
    }
}

pub fn run(a: &RecordArgs) -> ExitStatus {
    match record(a) {
        Ok(status) => status,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "otelcheck: error: {message}");
            ExitStatus::Error
        }
    }
}

fn record(a: &RecordArgs) -> Result<ExitStatus, String> {
    let wanted = [
        (Receiver::Datadog, a.datadog_listen),
        (Receiver::Otlp, a.otlp_listen),
    ];
    if wanted.iter().all(|(_, l)| l.0.is_none()) {
        return Err("both --datadog-listen and --otlp-listen are off: nothing to listen on".into());
    }
    let recording = Recording::create(&a.output)
        .map_err(|e| format!("cannot create the recording {}: {e}", a.output.display()))?;
    let sidecar = recording.sidecar_path().display().to_string();
    let listeners = wanted
        .iter()
        .filter_map(|(r, l)| l.0.map(|addr| server::bind(*r, addr)))
        .collect::<Result<Vec<_>, _>>()?;
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            recording,
            tally: Tally::default(),
            stop: None,
        }),
        changed: Condvar::new(),
        max_payloads: a.max_payloads,
        max_body: a.max_body,
    });
    announce(&listeners, &a.output.display().to_string());
    let on_signal = Arc::clone(&shared);
    if let Err(e) = ctrlc::set_handler(move || on_signal.request_stop(StopReason::Interrupted)) {
        let _ = writeln!(
            std::io::stderr(),
            "otelcheck: warning: Ctrl-C will not stop cleanly: {e}"
        );
    }
    let reason = std::thread::scope(|scope| {
        for l in &listeners {
            let shared = &*shared;
            scope.spawn(move || l.serve(shared));
        }
        let reason = wait_for_stop(&shared, a.duration, progress_enabled(a.no_progress));
        for l in &listeners {
            l.unblock();
        }
        reason
    });
    let st = shared.lock();
    let report = st.tally.render(
        &a.output.display().to_string(),
        &sidecar,
        st.recording.byte_len(),
        &reason,
    );
    let _ = std::io::stdout().write_all(report.as_bytes());
    Ok(match reason {
        StopReason::Failed(_) => ExitStatus::Error,
        _ => ExitStatus::Clean,
    })
}

fn announce(listeners: &[server::Listener], output: &str) {
    let mut err = std::io::stderr().lock();
    for l in listeners {
        let what = match l.receiver {
            Receiver::Datadog => "PUT/POST /v0.3|v0.4|v0.5/traces, GET /info",
            Receiver::Otlp => "POST /v1/traces, protobuf or JSON",
        };
        let _ = writeln!(
            err,
            "otelcheck record: {} receiver listening on http://{} ({what})",
            l.receiver.name(),
            l.addr
        );
    }
    let _ = writeln!(err, "otelcheck record: writing {output}; stop with Ctrl-C");
}

fn progress_enabled(disabled: bool) -> bool {
    !disabled && std::io::stderr().is_terminal()
}

/// Block until a stop is requested or `duration` has passed; keeps the progress line fresh.
fn wait_for_stop(shared: &Shared, duration: Option<Duration>, progress: bool) -> StopReason {
    let deadline = duration.map(|d| Instant::now() + d);
    let bar = progress.then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        pb
    });
    let mut st = shared.lock();
    loop {
        if let Some(reason) = &st.stop {
            let reason = reason.clone();
            if let Some(pb) = &bar {
                pb.finish_and_clear();
            }
            return reason;
        }
        let now = Instant::now();
        if let (Some(d), Some(dl)) = (duration, deadline) {
            if now >= dl {
                st.stop = Some(StopReason::Duration(d));
                continue;
            }
        }
        if let Some(pb) = &bar {
            pb.set_message(st.tally.progress_line());
            pb.tick();
        }
        // Wake for the deadline, and a few times a second when a progress line is shown.
        let mut wait = deadline.map_or(Duration::from_secs(3600), |dl| dl - now);
        if bar.is_some() {
            wait = wait.min(Duration::from_millis(200));
        }
        st = shared
            .changed
            .wait_timeout(st, wait)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}
