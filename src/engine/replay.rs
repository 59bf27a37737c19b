//! Driving a replay over capture files on both cores: one thread reads and decodes requests
//! (the capture source), the calling thread runs them through the engine. A bounded queue
//! between them keeps memory flat whatever the capture's size, and requests reach the engine
//! in file order, so results are deterministic.

use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use super::keys::KeyCatalog;
use super::Engine;
use crate::capture::source::{CaptureSource, Request};
use crate::capture::{CaptureError, CaptureFormat, ReceiverKind};
use crate::processors::api::Observer;

/// Requests decoded ahead of the engine (each is one payload; a few MiB at most in practice).
const QUEUE_DEPTH: usize = 32;

/// What the replay learned about one capture.
#[derive(Debug, Clone)]
pub struct CaptureOutcome {
    pub path: String,
    pub format: CaptureFormat,
    /// Whether the capture's sidecar framed requests of several formats (a recording).
    pub mixed: bool,
    pub payloads: usize,
    pub traces: usize,
    pub spans: usize,
    /// OTLP JSON objects of other signals that were skipped.
    pub skipped_other_signals: usize,
    /// Receiver kinds its requests arrived at, in first-seen order.
    pub kinds: Vec<ReceiverKind>,
}

/// Everything a replay produced besides what its observers kept.
pub struct ReplayOutcome {
    pub captures: Vec<CaptureOutcome>,
    pub keys: KeyCatalog,
}

enum Msg {
    Start(usize, CaptureFormat, bool),
    Request(Request),
    End(crate::capture::source::SourceStats),
    Failed(CaptureError),
}

/// Replay every capture in `paths` (in order) through `engine`, telling `obs`. `on_read` is
/// called with the number of bytes read each time the reader reads (for progress).
pub fn replay_files(
    engine: &mut Engine,
    paths: &[PathBuf],
    forced: Option<CaptureFormat>,
    obs: &mut dyn Observer,
    on_read: Option<Box<dyn Fn(u64) + Send + Sync>>,
) -> Result<ReplayOutcome, CaptureError> {
    let (tx, rx) = sync_channel::<Msg>(QUEUE_DEPTH);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_all(paths, forced, &tx, on_read));
        let result = consume(engine, paths, &rx, obs);
        // Dropping the receiver unblocks the reader if the consumer stopped early.
        drop(rx);
        let _ = reader.join();
        result
    })
}

fn read_all(
    paths: &[PathBuf],
    forced: Option<CaptureFormat>,
    tx: &SyncSender<Msg>,
    on_read: Option<Box<dyn Fn(u64) + Send + Sync>>,
) {
    let on_read = on_read.map(std::sync::Arc::new);
    for (i, path) in paths.iter().enumerate() {
        let mut src = match CaptureSource::open(path, forced) {
            Ok(s) => s,
            Err(e) => {
                let _ = tx.send(Msg::Failed(e));
                return;
            }
        };
        if let Some(f) = &on_read {
            let f = std::sync::Arc::clone(f);
            src = src.on_read(move |n| f(n));
        }
        if tx
            .send(Msg::Start(i, src.format(), src.is_mixed()))
            .is_err()
        {
            return;
        }
        loop {
            match src.next_request() {
                Some(Ok(req)) => {
                    if tx.send(Msg::Request(req)).is_err() {
                        return;
                    }
                }
                Some(Err(e)) => {
                    let _ = tx.send(Msg::Failed(e));
                    return;
                }
                None => break,
            }
        }
        if tx.send(Msg::End(src.into_stats())).is_err() {
            return;
        }
    }
}

fn consume(
    engine: &mut Engine,
    paths: &[PathBuf],
    rx: &Receiver<Msg>,
    obs: &mut dyn Observer,
) -> Result<ReplayOutcome, CaptureError> {
    let mut captures: Vec<CaptureOutcome> = Vec::with_capacity(paths.len());
    let mut keys = KeyCatalog::default();
    for msg in rx {
        match msg {
            Msg::Start(i, format, mixed) => captures.push(CaptureOutcome {
                path: paths[i].display().to_string(),
                format,
                mixed,
                payloads: 0,
                traces: 0,
                spans: 0,
                skipped_other_signals: 0,
                kinds: Vec::new(),
            }),
            Msg::Request(req) => {
                if let Some(c) = captures.last_mut() {
                    if !c.kinds.contains(&req.kind) {
                        c.kinds.push(req.kind);
                    }
                }
                keys.scan(&req.batch);
                engine.set_arrival(req.received_unix_nano);
                engine.push(req.kind, req.batch, obs);
            }
            Msg::End(stats) => {
                if let Some(c) = captures.last_mut() {
                    c.payloads = stats.payloads;
                    c.traces = stats.traces();
                    c.spans = stats.spans;
                    c.skipped_other_signals = stats.skipped_other_signals;
                }
            }
            Msg::Failed(e) => return Err(e),
        }
    }
    engine.finish(obs);
    Ok(ReplayOutcome { captures, keys })
}
