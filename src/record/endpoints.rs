//! What each listener answers, decided from the method, path and content type alone (no I/O).
//!
//! The DataDog side answers as the trace agent does (`pkg/trace/api` in datadog-agent):
//! `/v0.3/traces` → `OK`, `/v0.4|v0.5/traces` → `{"rate_by_service": ...}` with a rate of 1 for
//! every service, so a tracer's priority sampler keeps everything and the recording holds what
//! the application produced. `/info` lists only the trace endpoints and `client_drop_p0s:
//! false`, so tracers neither compute stats nor drop traces client-side. The OTLP side answers
//! as the collector's `otlpreceiver` does: POST only, protobuf or JSON, and an empty
//! `ExportTraceServiceResponse` in the request's encoding.

use crate::capture::CaptureFormat;

/// Which listener a request arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receiver {
    Datadog,
    Otlp,
}

impl Receiver {
    pub fn name(self) -> &'static str {
        match self {
            Receiver::Datadog => "DataDog",
            Receiver::Otlp => "OTLP/HTTP",
        }
    }
}

/// An accepted method + path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `PUT`/`POST /v0.3|v0.4|v0.5/traces`; the number is the minor version (3, 4, 5).
    DatadogTraces(u8),
    /// `GET /info`.
    DatadogInfo,
    /// `POST /v1/traces`, protobuf (`true`) or JSON (`false`).
    OtlpTraces { protobuf: bool },
}

/// A complete answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// The `Allow` header of a 405.
    pub allow: Option<&'static str>,
}

impl Reply {
    pub fn text(status: u16, body: impl Into<String>) -> Self {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into().into_bytes(),
            allow: None,
        }
    }

    fn method_not_allowed(allow: &'static str) -> Self {
        Reply {
            allow: Some(allow),
            ..Reply::text(405, format!("405 method not allowed, supported: [{allow}]"))
        }
    }
}

const PROTOBUF: &str = "application/x-protobuf";
const JSON: &str = "application/json";

/// The route for a request, or the 4xx that refuses it.
pub fn route(
    receiver: Receiver,
    method: &str,
    path: &str,
    content_type: &str,
) -> Result<Route, Reply> {
    match receiver {
        Receiver::Datadog => datadog_route(method, path),
        Receiver::Otlp => otlp_route(method, path, content_type),
    }
}

fn datadog_route(method: &str, path: &str) -> Result<Route, Reply> {
    let version = match path {
        "/v0.3/traces" => 3,
        "/v0.4/traces" => 4,
        "/v0.5/traces" => 5,
        "/info" if method == "GET" => return Ok(Route::DatadogInfo),
        "/info" => return Err(Reply::method_not_allowed("GET")),
        _ => return Err(not_found()),
    };
    if method == "PUT" || method == "POST" {
        Ok(Route::DatadogTraces(version))
    } else {
        Err(Reply::method_not_allowed("PUT, POST"))
    }
}

fn otlp_route(method: &str, path: &str, content_type: &str) -> Result<Route, Reply> {
    if path != "/v1/traces" {
        return Err(not_found());
    }
    if method != "POST" {
        return Err(Reply::method_not_allowed("POST"));
    }
    match media_type(content_type).as_str() {
        PROTOBUF => Ok(Route::OtlpTraces { protobuf: true }),
        JSON => Ok(Route::OtlpTraces { protobuf: false }),
        _ => Err(Reply::text(
            415,
            format!("415 unsupported media type, supported: [{JSON}, {PROTOBUF}]"),
        )),
    }
}

fn not_found() -> Reply {
    Reply::text(404, "404 page not found")
}

/// `application/json; charset=utf-8` → `application/json`.
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The decoder a route's bodies are checked with before they are recorded.
pub fn capture_format(route: Route) -> Option<CaptureFormat> {
    match route {
        Route::DatadogTraces(5) => Some(CaptureFormat::DatadogV05),
        Route::DatadogTraces(_) => Some(CaptureFormat::DatadogV04),
        Route::OtlpTraces { protobuf: true } => Some(CaptureFormat::OtlpProto),
        Route::OtlpTraces { protobuf: false } => Some(CaptureFormat::OtlpJson),
        Route::DatadogInfo => None,
    }
}

/// The DataDog trace endpoints read msgpack only; the receiver would also take JSON on v0.3
/// and v0.4, which no current tracer sends and otelcheck cannot replay, so it is refused
/// with a reason instead of being recorded into an unreadable capture.
pub fn refuses_json(route: Route, content_type: &str) -> Option<Reply> {
    let Route::DatadogTraces(v) = route else {
        return None;
    };
    (media_type(content_type) == JSON).then(|| {
        Reply::text(
            415,
            format!(
                "415 otelcheck record reads msgpack trace payloads only; /v0.{v}/traces arrived as {JSON}"
            ),
        )
    })
}

/// The answer to an accepted (recorded, or empty) request.
pub fn accepted(route: Route) -> Reply {
    match route {
        Route::DatadogTraces(3) => Reply::text(200, "OK\n"),
        Route::DatadogTraces(_) => Reply {
            status: 200,
            content_type: JSON,
            body: br#"{"rate_by_service":{"service:,env:":1}}"#.to_vec(),
            allow: None,
        },
        Route::DatadogInfo => Reply {
            status: 200,
            content_type: JSON,
            body: info_body().into_bytes(),
            allow: None,
        },
        // An empty ExportTraceServiceResponse: no bytes in protobuf, `{}` in JSON.
        Route::OtlpTraces { protobuf: true } => Reply {
            status: 200,
            content_type: PROTOBUF,
            body: Vec::new(),
            allow: None,
        },
        Route::OtlpTraces { protobuf: false } => Reply {
            status: 200,
            content_type: JSON,
            body: b"{}".to_vec(),
            allow: None,
        },
    }
}

/// A body the route's decoder refused: 400, as the DataDog receiver and `otlpreceiver` answer
/// (the latter with a `google.rpc.Status` in the request's encoding).
pub fn bad_request(route: Route, message: &str) -> Reply {
    match route {
        Route::OtlpTraces { protobuf } => otlp_status(protobuf, 400, message),
        _ => Reply::text(400, format!("Unable to unmarshal reqs: {message}")),
    }
}

/// `google.rpc.Status`, the error body OTLP/HTTP clients expect.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

fn otlp_status(protobuf: bool, http_status: u16, message: &str) -> Reply {
    // gRPC code 3 = InvalidArgument, what the collector maps a 400 to.
    let status = RpcStatus {
        code: 3,
        message: message.to_owned(),
    };
    let (content_type, body) = if protobuf {
        (PROTOBUF, prost::Message::encode_to_vec(&status))
    } else {
        let v = serde_json::json!({"code": status.code, "message": status.message});
        (JSON, v.to_string().into_bytes())
    };
    Reply {
        status: http_status,
        content_type,
        body,
        allow: None,
    }
}

fn info_body() -> String {
    let info = serde_json::json!({
        "version": concat!("otelcheck-record-", env!("CARGO_PKG_VERSION")),
        "endpoints": ["/v0.3/traces", "/v0.4/traces", "/v0.5/traces", "/info"],
        "client_drop_p0s": false,
        "span_meta_structs": false,
        "long_running_spans": false,
        "config": {},
    });
    serde_json::to_string_pretty(&info).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datadog_routes_and_refusals() {
        let dd = |m, p| route(Receiver::Datadog, m, p, "application/msgpack");
        assert_eq!(dd("PUT", "/v0.4/traces"), Ok(Route::DatadogTraces(4)));
        assert_eq!(dd("POST", "/v0.5/traces"), Ok(Route::DatadogTraces(5)));
        assert_eq!(dd("GET", "/info"), Ok(Route::DatadogInfo));
        let get = dd("GET", "/v0.4/traces").unwrap_err();
        assert_eq!((get.status, get.allow), (405, Some("PUT, POST")));
        assert_eq!(dd("POST", "/info").unwrap_err().status, 405);
        assert_eq!(dd("PUT", "/v0.7/traces").unwrap_err().status, 404);
        assert_eq!(dd("POST", "/v1/traces").unwrap_err().status, 404);
    }

    #[test]
    fn otlp_routes_by_media_type() {
        let otlp = |m, p, ct| route(Receiver::Otlp, m, p, ct);
        assert_eq!(
            otlp("POST", "/v1/traces", "application/x-protobuf"),
            Ok(Route::OtlpTraces { protobuf: true })
        );
        assert_eq!(
            otlp("POST", "/v1/traces", "Application/JSON; charset=utf-8"),
            Ok(Route::OtlpTraces { protobuf: false })
        );
        assert_eq!(
            otlp("POST", "/v1/traces", "text/plain").unwrap_err().status,
            415
        );
        assert_eq!(otlp("PUT", "/v1/traces", JSON).unwrap_err().status, 405);
        assert_eq!(otlp("POST", "/v1/metrics", JSON).unwrap_err().status, 404);
        assert_eq!(otlp("POST", "/v0.4/traces", JSON).unwrap_err().status, 404);
    }

    #[test]
    fn answers_match_the_agent_and_the_collector() {
        assert_eq!(accepted(Route::DatadogTraces(3)).body, b"OK\n");
        let v4: serde_json::Value =
            serde_json::from_slice(&accepted(Route::DatadogTraces(4)).body).unwrap();
        assert_eq!(v4["rate_by_service"]["service:,env:"], 1);
        let info: serde_json::Value =
            serde_json::from_slice(&accepted(Route::DatadogInfo).body).unwrap();
        assert_eq!(info["client_drop_p0s"], false);
        assert!(info["endpoints"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("/v0.5/traces")));
        let pb = accepted(Route::OtlpTraces { protobuf: true });
        assert_eq!((pb.content_type, pb.body.len()), (PROTOBUF, 0));
        assert_eq!(accepted(Route::OtlpTraces { protobuf: false }).body, b"{}");
    }

    #[test]
    fn otlp_errors_are_rpc_status_in_the_request_encoding() {
        let pb = bad_request(Route::OtlpTraces { protobuf: true }, "bad");
        let decoded: RpcStatus = prost::Message::decode(pb.body.as_slice()).unwrap();
        assert_eq!(
            (pb.status, decoded.code, decoded.message.as_str()),
            (400, 3, "bad")
        );
        let js = bad_request(Route::OtlpTraces { protobuf: false }, "bad");
        assert_eq!(js.body, br#"{"code":3,"message":"bad"}"#);
        assert_eq!(bad_request(Route::DatadogTraces(4), "x").status, 400);
        assert!(refuses_json(Route::DatadogTraces(4), "application/json").is_some());
        assert!(refuses_json(Route::DatadogTraces(4), "application/msgpack").is_none());
    }
}
