//! One HTTP listener (`tiny_http`) and the handling of each request it receives: route, read
//! and decompress the body, check that it decodes, record it, answer.
//!
//! A body is recorded only if the capture decoders read it, so a recording is always readable
//! by the other commands; what they cannot read is refused with the status the real receiver
//! would give (400, 413, 415) and not recorded.

use super::body::{self, BodyError};
use super::endpoints::{self, Receiver, Reply, Route};
use super::writer::PayloadMeta;
use super::Shared;
use crate::capture::headers::PayloadHeaders;
use crate::capture::{decode_capture_with_headers, CaptureError, CaptureHeaders};
use std::io::Write as _;
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

pub struct Listener {
    pub receiver: Receiver,
    /// The bound address (the real port when 0 was asked for).
    pub addr: SocketAddr,
    server: tiny_http::Server,
}

/// Bind `addr` for `receiver`; the error is a sentence for the user.
pub fn bind(receiver: Receiver, addr: SocketAddr) -> Result<Listener, String> {
    let server = tiny_http::Server::http(addr).map_err(|e| {
        format!(
            "cannot listen on {addr} for the {} receiver: {e}. Is another agent or collector \
             running there? Choose another address with --{}-listen, or `off`.",
            receiver.name(),
            match receiver {
                Receiver::Datadog => "datadog",
                Receiver::Otlp => "otlp",
            }
        )
    })?;
    let addr = server.server_addr().to_ip().unwrap_or(addr);
    Ok(Listener {
        receiver,
        addr,
        server,
    })
}

impl Listener {
    /// Answer requests until the recorder stops and [`Listener::unblock`] is called.
    pub fn serve(&self, shared: &Shared) {
        loop {
            match self.server.recv() {
                Ok(mut request) => {
                    let reply = answer(self.receiver, &mut request, shared);
                    if reply.status >= 400 {
                        shared.refused(reply.status);
                    }
                    respond(request, reply);
                }
                Err(_) if shared.is_stopping() => return,
                // An accept error on one connection does not stop the listener.
                Err(_) => {}
            }
        }
    }

    /// Make a `serve` blocked in `recv` return (after the requests already queued).
    pub fn unblock(&self) {
        self.server.unblock();
    }
}

fn answer(receiver: Receiver, request: &mut tiny_http::Request, shared: &Shared) -> Reply {
    let received_unix_nano = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    let method = request.method().as_str().to_owned();
    let path = request
        .url()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_owned(),
                h.value.as_str().to_owned(),
            )
        })
        .collect();
    let head = PayloadHeaders {
        offset: 0,
        length: 0,
        path,
        headers,
        received_unix_nano: None,
    };
    let route = match endpoints::route(receiver, &method, &head.path, head.get("content-type")) {
        Ok(Route::DatadogInfo) => return endpoints::accepted(Route::DatadogInfo),
        Ok(route) => route,
        Err(reply) => return reply,
    };
    if let Some(reply) = endpoints::refuses_json(route, head.get("content-type")) {
        return warned(&method, &head.path, reply);
    }
    if shared.is_stopping() {
        return Reply::text(
            503,
            "503 otelcheck record is stopping; payload not recorded",
        );
    }
    let (payload, removed) =
        match read_payload(request, head.get("content-encoding"), shared.max_body) {
            Ok(p) => p,
            Err(reply) => return warned(&method, &head.path, reply),
        };
    if payload.is_empty() {
        // A tracer's connectivity probe: nothing to record, and nothing a decoder could read.
        return endpoints::accepted(route);
    }
    let Some(format) = endpoints::capture_format(route) else {
        return endpoints::accepted(route);
    };
    let endpoint = format!("{method} {}", head.path);
    let sidecar = CaptureHeaders {
        payloads: vec![head.clone()],
    };
    let capture =
        match decode_capture_with_headers(&endpoint, &payload, Some(format), Some(&sidecar)) {
            Ok(c) => c,
            Err(e) => {
                return warned(
                    &method,
                    &head.path,
                    endpoints::bad_request(route, &describe(&e)),
                )
            }
        };
    let meta = PayloadMeta {
        method,
        path: head.path,
        headers: head.headers,
        received_unix_nano,
        content_encoding_removed: removed,
    };
    match shared.record(&payload, meta, endpoint, &capture) {
        Ok(()) => endpoints::accepted(route),
        Err(reply) => reply,
    }
}

fn read_payload(
    request: &mut tiny_http::Request,
    content_encoding: &str,
    max: u64,
) -> Result<(Vec<u8>, Option<&'static str>), Reply> {
    let declared = request.body_length();
    body::read_limited(request.as_reader(), declared, max)
        .and_then(|raw| body::decode(raw, content_encoding, max))
        .map_err(|e| match e {
            BodyError::TooLarge => Reply::text(
                413,
                format!("413 request body larger than --max-body ({max} bytes); not recorded"),
            ),
            BodyError::Unreadable(e) => Reply::text(400, format!("400 cannot read the body: {e}")),
            BodyError::UnsupportedEncoding(enc) => Reply::text(
                415,
                format!("415 unsupported Content-Encoding {enc:?}; supported: gzip, deflate"),
            ),
        })
}

/// The decoder's reason without the file-oriented hint of `CaptureError`'s Display.
fn describe(e: &CaptureError) -> String {
    match e.offset {
        Some(o) => format!("at byte {o}: {}", e.message),
        None => e.message.clone(),
    }
}

/// Refusals a user should know about (a tracer sending what cannot be recorded); unknown
/// paths are not reported, since tracers probe many endpoints an agent may lack.
fn warned(method: &str, path: &str, reply: Reply) -> Reply {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "otelcheck: warning: {method} {path} refused with {}: {}",
        reply.status,
        String::from_utf8_lossy(&reply.body).trim_end()
    );
    reply
}

fn respond(request: tiny_http::Request, reply: Reply) {
    let mut response = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
    if let Ok(h) = tiny_http::Header::from_bytes("Content-Type", reply.content_type) {
        response.add_header(h);
    }
    if let Some(allow) = reply.allow {
        if let Ok(h) = tiny_http::Header::from_bytes("Allow", allow) {
            response.add_header(h);
        }
    }
    // A client that hung up after sending is not the recorder's problem: the payload is kept.
    let _ = request.respond(response);
}
