//! A capture as a *source of requests*: the file is read incrementally and decoded one request
//! at a time (a DataDog payload, an OTLP protobuf message, an OTLP JSON object), so memory
//! depends on the largest request, never on the size of the capture.
//!
//! Framing, in order of preference:
//! - **sidecar**: when `<capture>.headers.json` lists payloads that tile the file exactly (what
//!   `otelcheck record` writes, and what the shared captures carry), each payload is read at its
//!   offset and decoded in the format its request path and content type name — so one
//!   recording may mix DataDog and OTLP payloads;
//! - **natural**: otherwise by the sniffed (or forced) format: msgpack payloads back to back,
//!   4-byte length prefixes, JSON objects per line.
//!
//! Any malformed request ends the stream with a [`CaptureError`] naming the byte offset; the
//! caller must treat the whole run as failed (nothing partial is ever reported as a pass).

use std::io::Read;

use rustc_hash::FxHashSet as HashSet;

use super::datadog_msgpack::{self, DdPayload, DdVersion};
use super::datadog_translate::{translate_payload, TraceIdCache, TracerInfo};
use super::format::{self, CaptureFormat, ReceiverKind};
use super::headers::{CaptureHeaders, PayloadHeaders};
use super::model::Batch;
use super::otlp_json::{self, JsonItem};
use super::{otlp_proto, CaptureError};

/// The largest single request (payload, message, JSON object) otelcheck reads. A capture is
/// streamed, so its total size is not limited; one request above this is refused clearly
/// instead of exhausting memory (a hostile length prefix, `/dev/zero`, a sparse file).
pub const MAX_REQUEST_BYTES: usize = 256 << 20;

/// Bytes read from the file at a time.
const CHUNK: usize = 1 << 20;

/// One decoded request, as a receiver would hand it to the pipelines.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub batch: Batch,
    /// Byte offset of the request's body in the capture file.
    pub offset: u64,
    pub kind: ReceiverKind,
    /// Arrival time recorded in the sidecar (`otelcheck record`), if any.
    pub received_unix_nano: Option<u64>,
}

/// Counts kept while streaming (what the report says about each capture).
#[derive(Debug, Clone, Default)]
pub struct SourceStats {
    pub payloads: usize,
    pub spans: usize,
    /// Objects of other signals (OTLP JSON metrics/logs lines) that were skipped.
    pub skipped_other_signals: usize,
    trace_ids: HashSet<[u8; 16]>,
}

impl SourceStats {
    /// Distinct trace ids over all requests so far (16 bytes each are kept: the only state that
    /// grows with the capture, and only with its number of distinct traces).
    pub fn traces(&self) -> usize {
        self.trace_ids.len()
    }

    fn count(&mut self, batch: &Batch) {
        self.payloads += 1;
        for rs in &batch.resource_spans {
            for ss in &rs.scope_spans {
                self.spans += ss.spans.len();
                self.trace_ids.extend(ss.spans.iter().map(|s| s.trace_id));
            }
        }
    }
}

/// How the file is cut into requests.
enum Framing {
    /// By the format's own structure.
    Natural,
    /// By the sidecar's (offset, length, format) list; `next` is the next entry.
    Sidecar {
        entries: Vec<(u64, u64, CaptureFormat)>,
        next: usize,
    },
}

/// A growable window over the input: `buf[start..]` is read but not yet consumed, and
/// `buf[0]` sits at file offset `base`.
struct Window<R> {
    input: R,
    buf: Vec<u8>,
    start: usize,
    base: u64,
    eof: bool,
    /// Called with the number of bytes read each time more is read (progress).
    on_read: Option<Box<dyn FnMut(u64) + Send>>,
}

impl<R: Read> Window<R> {
    fn unread(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    fn offset(&self) -> u64 {
        self.base + self.start as u64
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.buf.len());
    }

    /// Read more input: at least one chunk, and at least as much again as is unread, so a
    /// request that straddles many chunks is still read in linear time.
    fn fill(&mut self) -> std::io::Result<usize> {
        if self.eof {
            return Ok(0);
        }
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.base += self.start as u64;
            self.start = 0;
        }
        let want = CHUNK.max(self.buf.len());
        let old = self.buf.len();
        self.buf.resize(old + want, 0);
        let mut got = 0;
        while got < want {
            match self.input.read(&mut self.buf[old + got..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(old + got);
                    return Err(e);
                }
            }
        }
        self.buf.truncate(old + got);
        if let Some(f) = &mut self.on_read {
            f(got as u64);
        }
        Ok(got)
    }

    /// Make at least `n` unread bytes available (fewer only at the end of the input).
    fn want(&mut self, n: usize) -> std::io::Result<()> {
        while self.unread().len() < n && !self.eof {
            self.fill()?;
        }
        Ok(())
    }

    /// Skip to absolute file offset `at` (never backwards).
    fn seek_forward(&mut self, at: u64) -> std::io::Result<()> {
        while self.offset() < at {
            let gap = (at - self.offset()) as usize;
            let have = self.unread().len();
            if have >= gap {
                self.consume(gap);
            } else {
                self.consume(have);
                if self.eof || self.fill()? == 0 {
                    break;
                }
            }
        }
        Ok(())
    }
}

/// A capture file read as a stream of requests.
pub struct CaptureSource<R> {
    name: String,
    window: Window<R>,
    format: CaptureFormat,
    framing: Framing,
    headers: Option<CaptureHeaders>,
    cache: TraceIdCache,
    stats: SourceStats,
    /// OTLP JSON: requests decoded from one line (or from a multi-line document) not yet yielded.
    pending: std::collections::VecDeque<Request>,
    finished: bool,
}

impl CaptureSource<std::io::BufReader<std::fs::File>> {
    /// Open `path` (and its `<path>.headers.json` sidecar, if present).
    pub fn open(
        path: &std::path::Path,
        forced: Option<CaptureFormat>,
    ) -> Result<Self, CaptureError> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path)
            .map_err(|e| CaptureError::new(&name, None, format!("cannot read the file: {e}")))?;
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(CaptureError::new(
                &name,
                None,
                "this is a directory, not a capture file",
            ));
        }
        let headers = CaptureHeaders::for_capture(path);
        Self::new(&name, std::io::BufReader::new(file), forced, headers)
    }
}

impl<R: Read> CaptureSource<R> {
    /// Start reading `input`; sniffs the format from the first bytes unless `forced`.
    pub fn new(
        name: &str,
        input: R,
        forced: Option<CaptureFormat>,
        headers: Option<CaptureHeaders>,
    ) -> Result<Self, CaptureError> {
        let mut window = Window {
            input,
            buf: Vec::new(),
            start: 0,
            base: 0,
            eof: false,
            on_read: None,
        };
        let io =
            |e: std::io::Error| CaptureError::new(name, None, format!("cannot read the file: {e}"));
        window.fill().map_err(io)?;
        if window.unread().is_empty() {
            return Err(CaptureError::new(
                name,
                None,
                "the file is empty: expected a DataDog or OTLP payload",
            ));
        }
        // A length-prefixed stream is recognised by decoding its first message: have it whole.
        if let Some(n) = first_prefixed_length(window.unread()) {
            window.want(n.saturating_add(4)).map_err(io)?;
        }
        let sniffed = match forced {
            Some(f) => f,
            None => {
                format::sniff(window.unread()).map_err(|m| CaptureError::new(name, Some(0), m))?
            }
        };
        let framing = match (&headers, forced) {
            (Some(h), None) => sidecar_framing(h),
            _ => None,
        };
        let (format, framing) = match framing {
            Some(entries) => {
                let mixed = entries.iter().any(|e| e.2 != entries[0].2);
                let format = if mixed { sniffed } else { entries[0].2 };
                (format, Framing::Sidecar { entries, next: 0 })
            }
            None => (sniffed, Framing::Natural),
        };
        Ok(Self {
            name: name.to_owned(),
            window,
            format,
            framing,
            headers,
            cache: TraceIdCache::default(),
            stats: SourceStats::default(),
            pending: std::collections::VecDeque::new(),
            finished: false,
        })
    }

    /// Report each read's size (for a progress bar over bytes, from the first byte).
    pub fn on_read(mut self, f: impl FnMut(u64) + Send + 'static) -> Self {
        let already = self.window.buf.len() as u64;
        let mut f = f;
        f(already);
        self.window.on_read = Some(Box::new(f));
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The capture's format (for a mixed recording, the format of its first bytes).
    pub fn format(&self) -> CaptureFormat {
        self.format
    }

    /// Whether requests are cut by the sidecar and may mix DataDog and OTLP.
    pub fn is_mixed(&self) -> bool {
        match &self.framing {
            Framing::Sidecar { entries, .. } => entries.iter().any(|e| e.2 != entries[0].2),
            Framing::Natural => false,
        }
    }

    pub fn stats(&self) -> &SourceStats {
        &self.stats
    }

    pub fn into_stats(self) -> SourceStats {
        self.stats
    }

    fn err(&self, offset: Option<u64>, message: impl Into<String>) -> CaptureError {
        CaptureError::new(&self.name, offset, message)
    }

    fn io_err(&self, e: &std::io::Error) -> CaptureError {
        self.err(
            Some(self.window.offset()),
            format!("cannot read the file: {e}"),
        )
    }

    /// The next request, `None` at the end, or the error that ends the stream.
    pub fn next_request(&mut self) -> Option<Result<Request, CaptureError>> {
        if self.finished {
            return None;
        }
        let next = match self.pending.pop_front() {
            Some(r) => Some(Ok(r)),
            None => match &self.framing {
                Framing::Natural => self.next_natural(),
                Framing::Sidecar { .. } => self.next_framed(),
            },
        };
        match &next {
            Some(Ok(req)) => self.stats.count(&req.batch),
            Some(Err(_)) => self.finished = true,
            None => {
                self.finished = true;
                if let Some(e) = self.end_check() {
                    return Some(Err(e));
                }
            }
        }
        next
    }

    /// A capture that held requests of other signals only is an error, not an empty pass.
    fn end_check(&self) -> Option<CaptureError> {
        (self.stats.payloads == 0 && self.stats.skipped_other_signals > 0).then(|| {
            self.err(
                None,
                format!(
                    "it holds {} OTLP JSON object(s) of other signals (metrics, logs) and no traces request; \
                     otelcheck replays traces only",
                    self.stats.skipped_other_signals
                ),
            )
        })
    }

    fn next_natural(&mut self) -> Option<Result<Request, CaptureError>> {
        match self.format {
            CaptureFormat::DatadogV04 => self.next_datadog(DdVersion::V04),
            CaptureFormat::DatadogV05 => self.next_datadog(DdVersion::V05),
            CaptureFormat::OtlpProto => self.next_proto_single(),
            CaptureFormat::OtlpProtoStream => self.next_proto_prefixed(),
            CaptureFormat::OtlpJson => self.next_json_line(),
        }
    }

    /// One msgpack payload: decode from the window, reading more while the payload is cut.
    fn next_datadog(&mut self, version: DdVersion) -> Option<Result<Request, CaptureError>> {
        loop {
            if self.window.unread().is_empty() {
                if self.window.eof {
                    return None;
                }
                if let Err(e) = self.window.fill() {
                    return Some(Err(self.io_err(&e)));
                }
                continue;
            }
            let at = self.window.offset();
            match datadog_msgpack::decode_one(self.window.unread(), version) {
                Ok((traces, used)) => {
                    self.window.consume(used);
                    let payload = DdPayload {
                        offset: at,
                        length: used as u64,
                        traces,
                    };
                    return Some(Ok(self.translate(payload, version)));
                }
                Err(e) if e.truncated && !self.window.eof => {
                    if self.window.unread().len() >= MAX_REQUEST_BYTES {
                        return Some(Err(self.too_large(at)));
                    }
                    if let Err(io) = self.window.fill() {
                        return Some(Err(self.io_err(&io)));
                    }
                }
                Err(e) => {
                    let what = match version {
                        DdVersion::V04 => "DataDog v0.4",
                        DdVersion::V05 => "DataDog v0.5",
                    };
                    return Some(Err(self.err(
                        Some(at + e.offset),
                        format!("invalid {what} payload: {}", e.message),
                    )));
                }
            }
        }
    }

    fn translate(&mut self, payload: DdPayload, version: DdVersion) -> Request {
        let offset = payload.offset;
        let sidecar = self.headers.as_ref().and_then(|h| h.at_offset(offset));
        let info = TracerInfo::from_headers(sidecar, version);
        Request {
            received_unix_nano: sidecar.and_then(|p| p.received_unix_nano),
            batch: translate_payload(payload, &info, &mut self.cache),
            offset,
            kind: ReceiverKind::Datadog,
        }
    }

    fn too_large(&self, at: u64) -> CaptureError {
        self.err(
            Some(at),
            format!(
                "a single request here is larger than {} MiB, the most otelcheck reads at once \
                 (a capture may be any size, one request may not); is this really a capture?",
                MAX_REQUEST_BYTES >> 20
            ),
        )
    }

    /// The whole rest of the input as one request body (bounded).
    fn read_rest(&mut self) -> Result<(u64, usize), CaptureError> {
        let at = self.window.offset();
        while !self.window.eof {
            if self.window.unread().len() > MAX_REQUEST_BYTES {
                return Err(self.too_large(at));
            }
            self.window.fill().map_err(|e| self.io_err(&e))?;
        }
        Ok((at, self.window.unread().len()))
    }

    fn next_proto_single(&mut self) -> Option<Result<Request, CaptureError>> {
        if self.stats.payloads > 0 || (self.window.eof && self.window.unread().is_empty()) {
            return None;
        }
        let (at, len) = match self.read_rest() {
            Ok(x) => x,
            Err(e) => return Some(Err(e)),
        };
        let result = otlp_proto::decode_single(&self.window.unread()[..len]);
        self.window.consume(len);
        Some(
            result
                .map(|batch| self.otlp_request(batch, at))
                .map_err(|(o, m)| self.err(Some(at + o), m)),
        )
    }

    fn next_proto_prefixed(&mut self) -> Option<Result<Request, CaptureError>> {
        if let Err(e) = self.window.want(4) {
            return Some(Err(self.io_err(&e)));
        }
        let at = self.window.offset();
        let head = self.window.unread();
        if head.is_empty() {
            return None;
        }
        if head.len() < 4 {
            return Some(Err(self.err(
                Some(at),
                format!(
                    "expected a 4-byte length prefix, found only {} bytes",
                    head.len()
                ),
            )));
        }
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        if len > MAX_REQUEST_BYTES {
            return Some(Err(self.too_large(at)));
        }
        if let Err(e) = self.window.want(4 + len) {
            return Some(Err(self.io_err(&e)));
        }
        let have = self.window.unread().len() - 4;
        if have < len {
            return Some(Err(self.err(
                Some(at),
                format!(
                    "length prefix says {len} bytes but only {have} are left (truncated stream?)"
                ),
            )));
        }
        let body_at = at + 4;
        let result = otlp_proto::decode_single(&self.window.unread()[4..4 + len]);
        self.window.consume(4 + len);
        Some(
            result
                .map(|batch| self.otlp_request(batch, body_at))
                .map_err(|(o, m)| self.err(Some(body_at + o), m)),
        )
    }

    fn otlp_request(&self, batch: Batch, offset: u64) -> Request {
        let sidecar = self.headers.as_ref().and_then(|h| h.at_offset(offset));
        Request {
            batch,
            offset,
            kind: ReceiverKind::Otlp,
            received_unix_nano: sidecar.and_then(|p| p.received_unix_nano),
        }
    }

    /// OTLP JSON: one line at a time. A line that is only the start of an object (a pretty-
    /// printed document) switches to reading the rest as one document.
    fn next_json_line(&mut self) -> Option<Result<Request, CaptureError>> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Some(Ok(r));
            }
            let line_end = loop {
                if let Some(i) = find_newline(self.window.unread()) {
                    break i + 1;
                }
                if self.window.eof {
                    break self.window.unread().len();
                }
                if self.window.unread().len() > MAX_REQUEST_BYTES {
                    return Some(Err(self.too_large(self.window.offset())));
                }
                if let Err(e) = self.window.fill() {
                    return Some(Err(self.io_err(&e)));
                }
            };
            if line_end == 0 {
                return None;
            }
            let at = self.window.offset();
            let line = &self.window.unread()[..line_end];
            if line.iter().all(u8::is_ascii_whitespace) {
                self.window.consume(line_end);
                continue;
            }
            let items = match otlp_json::decode_items(line) {
                Ok(items) => {
                    self.window.consume(line_end);
                    items
                }
                Err(_) if !self.window.eof || line_end < self.window.unread().len() => {
                    // Not a whole object on this line: a multi-line document. Read it whole.
                    match self.read_rest() {
                        Ok((_, len)) => {
                            let r = otlp_json::decode_items(&self.window.unread()[..len]);
                            self.window.consume(len);
                            match r {
                                Ok(items) => items,
                                Err((o, m)) => return Some(Err(self.err(Some(at + o), m))),
                            }
                        }
                        Err(e) => return Some(Err(e)),
                    }
                }
                Err((o, m)) => return Some(Err(self.err(Some(at + o), m))),
            };
            self.queue_json(items, at);
        }
    }

    /// After the sidecar's last payload the file must end: bytes it does not list would
    /// otherwise be skipped silently.
    fn trailing_bytes_check(&mut self) -> Option<Result<Request, CaptureError>> {
        if let Err(e) = self.window.want(1) {
            return Some(Err(self.io_err(&e)));
        }
        let at = self.window.offset();
        (!self.window.unread().is_empty()).then(|| {
            Err(self.err(
                Some(at),
                "the file goes on after the last payload its .headers.json sidecar lists; \
                 the sidecar does not belong to this file (move it away or fix it)",
            ))
        })
    }

    /// The next sidecar entry, decoded in its own format (straight from the read window: no
    /// copy of the body). Entries holding only other signals are skipped in a loop.
    fn next_framed(&mut self) -> Option<Result<Request, CaptureError>> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Some(Ok(r));
            }
            let Framing::Sidecar { entries, next } = &mut self.framing else {
                return None;
            };
            let Some(&(offset, length, format)) = entries.get(*next) else {
                return self.trailing_bytes_check();
            };
            *next += 1;
            let len = length as usize;
            if len > MAX_REQUEST_BYTES {
                return Some(Err(self.too_large(offset)));
            }
            if let Err(e) = self
                .window
                .seek_forward(offset)
                .and_then(|()| self.window.want(len))
            {
                return Some(Err(self.io_err(&e)));
            }
            let have = self.window.unread().len();
            if have < len {
                return Some(Err(self.err(
                    Some(offset),
                    format!("the sidecar lists a {len}-byte payload here but the file ends after {have} bytes"),
                )));
            }
            let decoded = decode_framed(&self.window.unread()[..len], format);
            self.window.consume(len);
            match decoded {
                Ok(Framed::Datadog(traces, version)) => {
                    let payload = DdPayload {
                        offset,
                        length,
                        traces,
                    };
                    return Some(Ok(self.translate(payload, version)));
                }
                Ok(Framed::Otlp(batch)) => return Some(Ok(self.otlp_request(batch, offset))),
                Ok(Framed::Json(items)) => self.queue_json(items, offset),
                Err((o, m)) => return Some(Err(self.err(Some(offset + o), m))),
            }
        }
    }

    /// Queue the traces requests of decoded JSON objects (at `base` + their offsets) and count
    /// the objects of other signals.
    fn queue_json(&mut self, items: Vec<(u64, JsonItem)>, base: u64) {
        for (o, item) in items {
            match item {
                JsonItem::Traces(batch) => {
                    let req = self.otlp_request(batch, base + o);
                    self.pending.push_back(req);
                }
                JsonItem::OtherSignal(_) => self.stats.skipped_other_signals += 1,
            }
        }
    }
}

/// One sidecar entry's body, decoded but not yet translated.
enum Framed {
    Datadog(Vec<Vec<super::datadog_msgpack::DdSpan>>, DdVersion),
    Otlp(Batch),
    Json(Vec<(u64, JsonItem)>),
}

/// Decode `body` as `format`; an error is (offset in the body, message).
fn decode_framed(body: &[u8], format: CaptureFormat) -> Result<Framed, (u64, String)> {
    match format {
        CaptureFormat::DatadogV04 | CaptureFormat::DatadogV05 => {
            let version = if format == CaptureFormat::DatadogV05 {
                DdVersion::V05
            } else {
                DdVersion::V04
            };
            match datadog_msgpack::decode_one(body, version) {
                Ok((traces, used)) if used == body.len() => Ok(Framed::Datadog(traces, version)),
                Ok((_, used)) => Err((
                    used as u64,
                    format!(
                        "{} bytes follow the payload inside its sidecar entry",
                        body.len() - used
                    ),
                )),
                Err(e) => Err((
                    e.offset,
                    format!("invalid {} payload: {}", format.as_str(), e.message),
                )),
            }
        }
        CaptureFormat::OtlpJson => otlp_json::decode_items(body).map(Framed::Json),
        CaptureFormat::OtlpProto | CaptureFormat::OtlpProtoStream => {
            otlp_proto::decode_single(body).map(Framed::Otlp)
        }
    }
}

impl<R: Read> Iterator for CaptureSource<R> {
    type Item = Result<Request, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_request()
    }
}

/// The index of the first `\n` in `bytes`, eight bytes at a time (a byte loop was 4% of an
/// OTLP JSON lines dry-run).
fn find_newline(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // Bytes equal to `\n` become zero; the lowest flagged byte is the first zero byte (a
        // borrow can only flag bytes after it).
        let x = u64::from_le_bytes(word) ^ (ONES * u64::from(b'\n'));
        let zeros = x.wrapping_sub(ONES) & !x & HIGHS;
        if zeros != 0 {
            return Some(at + (zeros.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| at + i)
}

/// The length a 4-byte big-endian prefix declares, when the bytes could be a prefixed stream.
fn first_prefixed_length(bytes: &[u8]) -> Option<usize> {
    let head = bytes.get(..4)?;
    let n = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    (n > 0 && n <= MAX_REQUEST_BYTES).then_some(n)
}

/// The sidecar's payloads as (offset, length, format), when they tile the file from its first
/// byte with no gap or overlap and every path names a trace intake endpoint. Only then can the
/// sidecar be trusted to frame the file (a partial sidecar must never silently skip bytes).
fn sidecar_framing(h: &CaptureHeaders) -> Option<Vec<(u64, u64, CaptureFormat)>> {
    let mut entries = Vec::with_capacity(h.payloads.len());
    let mut end = 0u64;
    for p in &h.payloads {
        if p.offset != end || p.length == 0 {
            return None;
        }
        entries.push((p.offset, p.length, payload_format(p)?));
        end = p.offset.checked_add(p.length)?;
    }
    // The sidecar must reach the end of the file; that is checked when reading (a file longer
    // than the sidecar says is an error at its end, see `CaptureSource::next_framed`).
    (!entries.is_empty()).then_some(entries)
}

/// The format an HTTP request's path and content type name.
fn payload_format(p: &PayloadHeaders) -> Option<CaptureFormat> {
    let path = p.path.split('?').next().unwrap_or("");
    match path {
        "/v0.3/traces" | "/v0.4/traces" => Some(CaptureFormat::DatadogV04),
        "/v0.5/traces" => Some(CaptureFormat::DatadogV05),
        "/v1/traces" => {
            let ct = p.get("content-type").to_ascii_lowercase();
            Some(if ct.contains("json") {
                CaptureFormat::OtlpJson
            } else {
                CaptureFormat::OtlpProto
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::find_newline;

    #[test]
    fn find_newline_is_the_first_newline_at_every_position() {
        for len in 0..40 {
            for nl in 0..=len {
                // Bytes around `\n` that a word-at-a-time borrow could confuse with it.
                let mut bytes: Vec<u8> =
                    (0..len).map(|i| [0x0b, 0x09, 0x8a, 0x01][i % 4]).collect();
                if nl < len {
                    bytes[nl] = b'\n';
                    if nl + 3 < len {
                        bytes[nl + 3] = b'\n';
                    }
                }
                let expected = bytes.iter().position(|&b| b == b'\n');
                assert_eq!(find_newline(&bytes), expected, "{bytes:?}");
            }
        }
    }
}
