//! End to end: the built `otelcheck record` on free loopback ports receives real tracer payloads
//! (the shared captures, sent with the headers they were recorded with) over HTTP, stops by
//! `--max-payloads`, SIGINT or `--duration`, and leaves a capture that `inspect` and `dry-run`
//! read as they read the source captures.
//!
//! Every recorder runs with a `--duration` far beyond what a test needs, so a broken recorder
//! ends the test instead of hanging it; no assertion depends on timing.

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_otelcheck");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// A running recorder and the addresses it announced on stderr.
struct Recorder {
    child: Child,
    datadog: String,
    otlp: String,
}

impl Recorder {
    fn start(output: &Path, extra: &[&str]) -> Recorder {
        let mut child = Command::new(BIN)
            .args(["record", "--output"])
            .arg(output)
            .args([
                "--datadog-listen",
                "127.0.0.1:0",
                "--otlp-listen",
                "127.0.0.1:0",
            ])
            .args(["--duration", "120s"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("otelcheck starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap());
        let (mut datadog, mut otlp, mut stderr) = (None, None, String::new());
        while datadog.is_none() || otlp.is_none() {
            let mut line = String::new();
            assert!(
                lines.read_line(&mut line).unwrap() > 0,
                "recorder exited early: {stderr}"
            );
            stderr.push_str(&line);
            let addr = line
                .split("listening on http://")
                .nth(1)
                .map(|rest| rest.split_whitespace().next().unwrap().to_owned());
            if line.contains("DataDog receiver") {
                datadog = addr;
            } else if line.contains("OTLP/HTTP receiver") {
                otlp = addr;
            }
        }
        // Keep draining stderr (warnings) so the recorder never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut lines, &mut std::io::sink()));
        Recorder {
            child,
            datadog: datadog.unwrap(),
            otlp: otlp.unwrap(),
        }
    }

    fn wait(self) -> Output {
        self.child.wait_with_output().expect("recorder exits")
    }

    fn interrupt(self) -> Output {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(status.success());
        self.wait()
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into()
}

/// Send `body` with `headers` (hop-by-hop ones left to the client); returns status, headers
/// we care about, and the body.
fn send(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let agent = agent();
    let mut req = match method {
        "PUT" => agent.put(url),
        "POST" => agent.post(url),
        other => panic!("no helper for {other}"),
    };
    for (k, v) in headers {
        let skip = ["host", "content-length", "connection", "transfer-encoding"];
        if !skip.contains(&k.to_ascii_lowercase().as_str()) {
            req = req.header(k, v);
        }
    }
    let mut resp = req.send(body).expect("request completes");
    finish(&mut resp)
}

fn get(url: &str) -> (u16, String, Vec<u8>) {
    let mut resp = agent().get(url).call().expect("request completes");
    finish(&mut resp)
}

fn finish(resp: &mut ureq::http::Response<ureq::Body>) -> (u16, String, Vec<u8>) {
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let allow = resp.headers().get("allow").and_then(|v| v.to_str().ok());
    let ct = match allow {
        Some(a) => format!("{ct}; allow={a}"),
        None => ct,
    };
    (status, ct, resp.body_mut().read_to_vec().unwrap())
}

/// A shared capture's body, and method/path/headers of its first payload from its sidecar.
fn captured(name: &str) -> (Vec<u8>, String, String, Vec<(String, String)>) {
    let body = std::fs::read(fixture(name)).unwrap();
    let sidecar: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture(&format!("{name}.headers.json"))).unwrap(),
    )
    .unwrap();
    let p = &sidecar["payloads"][0];
    assert_eq!(
        p["length"].as_u64(),
        Some(body.len() as u64),
        "{name} is one payload"
    );
    let headers = p["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h[0].as_str().unwrap().to_owned(),
                h[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (
        body,
        p["method"].as_str().unwrap().into(),
        p["path"].as_str().unwrap().into(),
        headers,
    )
}

fn otelcheck(args: &[&str]) -> Value {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sidecar(recording: &Path) -> Value {
    let mut name = recording.as_os_str().to_owned();
    name.push(".headers.json");
    serde_json::from_str(&std::fs::read_to_string(PathBuf::from(name)).unwrap()).unwrap()
}

/// `inspect --format json` maps of several captures, added up, so a recording can be compared
/// with the captures it was sent from.
fn inspect_totals(paths: &[&Path]) -> Value {
    let mut args = vec!["inspect", "--format", "json"];
    let owned: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(owned.iter().map(String::as_str));
    let v = otelcheck(&args);
    let mut totals = serde_json::Map::new();
    for c in v["captures"].as_array().unwrap() {
        for key in [
            "services",
            "span_names",
            "span_kinds",
            "attribute_keys",
            "resource_attribute_keys",
        ] {
            let map = totals
                .entry(key)
                .or_insert_with(|| Value::Object(Default::default()));
            for (k, n) in c[key].as_object().unwrap() {
                let slot = map
                    .as_object_mut()
                    .unwrap()
                    .entry(k.clone())
                    .or_insert(Value::from(0));
                *slot = Value::from(slot.as_u64().unwrap() + n.as_u64().unwrap());
            }
        }
    }
    totals.insert("spans".into(), v["total_spans"].clone());
    totals.insert("traces".into(), v["total_traces"].clone());
    Value::Object(totals)
}

#[test]
fn datadog_payloads_are_recorded_as_sent_until_max_payloads() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("orders.msgpack");
    let r = Recorder::start(&rec, &["--max-payloads", "2"]);
    let sources = [
        "fixtures/captures/orders-ddtrace-py-v04.msgpack",
        "fixtures/captures/orders-ddtrace-js-v04.msgpack",
    ];
    let mut sent = Vec::new();
    for name in sources {
        let (body, method, path, headers) = captured(name);
        let (status, ct, reply) = send(
            &method,
            &format!("http://{}{path}", r.datadog),
            &headers,
            &body,
        );
        assert_eq!((status, ct.as_str()), (200, "application/json"));
        let reply: Value = serde_json::from_slice(&reply).unwrap();
        assert_eq!(reply["rate_by_service"]["service:,env:"], 1);
        sent.push((body, method, path, headers));
    }
    let out = r.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("--max-payloads 2 reached"), "{stdout}");
    assert!(stdout.contains("orders-api"), "{stdout}");

    // The file is the two bodies back to back; the sidecar says where each is and how it came.
    let bytes = std::fs::read(&rec).unwrap();
    assert_eq!(bytes, [sent[0].0.as_slice(), sent[1].0.as_slice()].concat());
    let side = sidecar(&rec);
    assert_eq!(side["file"], "orders.msgpack");
    let payloads = side["payloads"].as_array().unwrap();
    assert_eq!(payloads.len(), 2);
    let mut offset = 0;
    let mut last_arrival = 0;
    for (i, (p, (body, method, path, headers))) in payloads.iter().zip(&sent).enumerate() {
        assert_eq!(p["index"], i);
        assert_eq!(p["offset"], offset);
        assert_eq!(p["length"], body.len());
        assert_eq!(
            (p["method"].as_str(), p["path"].as_str()),
            (Some(method.as_str()), Some(path.as_str()))
        );
        // Names as they came over the wire (this client sends them lower-case).
        let recorded: Vec<(String, String)> = serde_json::from_value(p["headers"].clone()).unwrap();
        for (k, v) in headers
            .iter()
            .filter(|(k, _)| k.to_ascii_lowercase().starts_with("datadog-"))
        {
            let found = recorded
                .iter()
                .any(|(rk, rv)| rk.eq_ignore_ascii_case(k) && rv == v);
            assert!(found, "{k} missing from {recorded:?}");
        }
        let arrival = p["received_unix_nano"].as_u64().unwrap();
        assert!(arrival >= last_arrival && arrival > 1_600_000_000_000_000_000);
        assert!(p.get("content_encoding_removed").is_none());
        last_arrival = arrival;
        offset += body.len();
    }

    // `inspect` and `dry-run` read the recording and find what they find in the sources.
    let source_paths: Vec<PathBuf> = sources.iter().map(|s| fixture(s)).collect();
    let source_refs: Vec<&Path> = source_paths.iter().map(PathBuf::as_path).collect();
    let expected = inspect_totals(&source_refs);
    assert!(expected["spans"].as_u64().unwrap() > 1000);
    assert_eq!(inspect_totals(&[&rec]), expected);

    let config = fixture("fixtures/seed/fixed.yaml").display().to_string();
    let pipelines = |captures: &[&Path]| {
        let mut args = vec![
            "dry-run".to_owned(),
            config.clone(),
            "--format".into(),
            "json".into(),
        ];
        args.extend(captures.iter().map(|p| p.display().to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut v = otelcheck(&refs)["pipelines"].clone();
        strip_examples(&mut v);
        v
    };
    let from_recording = pipelines(&[&rec]);
    assert!(
        from_recording[0]["spans_out"].as_u64().unwrap()
            < from_recording[0]["spans_in"].as_u64().unwrap()
    );
    assert_eq!(from_recording, pipelines(&source_refs));
}

/// Example spans name the capture they came from; everything else must match.
fn strip_examples(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("examples");
            m.values_mut().for_each(strip_examples);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_examples),
        _ => {}
    }
}

#[test]
fn gzip_otlp_is_stored_decompressed_and_sigint_keeps_what_was_answered() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("orders.otlp.pb");
    let r = Recorder::start(&rec, &[]);
    let (body, method, path, mut headers) = captured("fixtures/captures/orders-otel-py.otlp.pb");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&body).unwrap();
    let compressed = gz.finish().unwrap();
    headers.push(("Content-Encoding".into(), "gzip".into()));
    let (status, ct, reply) = send(
        &method,
        &format!("http://{}{path}", r.otlp),
        &headers,
        &compressed,
    );
    // An empty ExportTraceServiceResponse in protobuf is zero bytes.
    assert_eq!(
        (status, ct.as_str(), reply.len()),
        (200, "application/x-protobuf", 0)
    );

    let out = r.interrupt();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("stopped (interrupted)"), "{stdout}");
    assert_eq!(std::fs::read(&rec).unwrap(), body);
    let side = sidecar(&rec);
    let p = &side["payloads"][0];
    assert_eq!(
        (p["length"].as_u64(), p["content_encoding_removed"].as_str()),
        (Some(body.len() as u64), Some("gzip"))
    );
    assert_eq!(side["payloads"].as_array().unwrap().len(), 1);
    assert_eq!(
        inspect_totals(&[&rec]),
        inspect_totals(&[&fixture("fixtures/captures/orders-otel-py.otlp.pb")])
    );
}

#[test]
fn refusals_are_answered_and_not_recorded_and_formats_may_mix() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("mixed.bin");
    let r = Recorder::start(&rec, &["--max-body", "100000", "--max-payloads", "2"]);
    let dd = |p: &str| format!("http://{}{p}", r.datadog);
    let otlp = |p: &str| format!("http://{}{p}", r.otlp);
    let msgpack = vec![("Content-Type".to_owned(), "application/msgpack".to_owned())];
    let json = vec![("Content-Type".to_owned(), "application/json".to_owned())];

    let (status, ct, info) = get(&dd("/info"));
    assert_eq!((status, ct.as_str()), (200, "application/json"));
    let info: Value = serde_json::from_slice(&info).unwrap();
    assert_eq!(info["client_drop_p0s"], false);
    assert!(info["endpoints"]
        .as_array()
        .unwrap()
        .contains(&Value::from("/v0.4/traces")));

    assert_eq!(
        get(&dd("/v0.4/traces")).1,
        "text/plain; charset=utf-8; allow=PUT, POST"
    );
    assert_eq!(get(&dd("/v0.4/traces")).0, 405);
    assert_eq!(send("PUT", &dd("/v0.7/config"), &msgpack, b"x").0, 404);
    assert_eq!(send("PUT", &otlp("/v1/traces"), &json, b"{}").0, 405);
    assert_eq!(send("POST", &otlp("/v1/traces"), &msgpack, b"x").0, 415);
    assert_eq!(
        send("PUT", &dd("/v0.4/traces"), &msgpack, b"\x01garbage").0,
        400
    );
    let (status, ct, err) = send(
        "POST",
        &otlp("/v1/traces"),
        &json,
        b"{\"resourceSpans\": 7}",
    );
    assert_eq!((status, ct.as_str()), (400, "application/json"));
    assert_eq!(serde_json::from_slice::<Value>(&err).unwrap()["code"], 3);

    // Over --max-body: as sent, and once inflated from a small gzip body.
    let big = std::fs::read(fixture("fixtures/captures/orders-ddtrace-py-v04.msgpack")).unwrap();
    assert_eq!(send("PUT", &dd("/v0.4/traces"), &msgpack, &big).0, 413);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&big).unwrap();
    let small = gz.finish().unwrap();
    assert!(small.len() < 100_000);
    let mut gz_headers = msgpack.clone();
    gz_headers.push(("Content-Encoding".into(), "gzip".into()));
    assert_eq!(send("PUT", &dd("/v0.4/traces"), &gz_headers, &small).0, 413);

    // Then one DataDog v0.5 and one OTLP JSON payload: a mixed recording.
    let (v05, method, path, headers) =
        captured("fixtures/captures/orders-ddtrace-js-v05.first-payload.msgpack");
    assert_eq!(send(&method, &dd(&path), &headers, &v05).0, 200);
    let jsonl =
        std::fs::read(fixture("fixtures/captures/orders-otel-py-head3.otlp.jsonl")).unwrap();
    let line = jsonl.split(|b| *b == b'\n').next().unwrap();
    let (status, ct, reply) = send("POST", &otlp("/v1/traces"), &json, line);
    assert_eq!(
        (status, ct.as_str(), reply.as_slice()),
        (200, "application/json", &b"{}"[..])
    );

    let out = r.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("400 ×2, 404 ×1, 405 ×3, 413 ×2, 415 ×1"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read(&rec).unwrap(),
        [v05.as_slice(), line].concat()
    );
    let side = sidecar(&rec);
    let entries: Vec<(u64, u64, &str)> = side["payloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["offset"].as_u64().unwrap(),
                p["length"].as_u64().unwrap(),
                p["path"].as_str().unwrap(),
            )
        })
        .collect();
    let v05_len = v05.len() as u64;
    assert_eq!(
        entries,
        [
            (0, v05_len, "/v0.5/traces"),
            (v05_len, line.len() as u64, "/v1/traces")
        ]
    );
}

#[test]
fn duration_zero_records_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("empty.bin");
    let out = Command::new(BIN)
        .args([
            "record",
            "--otlp-listen",
            "off",
            "--datadog-listen",
            "127.0.0.1:0",
            "--duration",
            "0s",
            "-o",
        ])
        .arg(&rec)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("--duration 0s elapsed") && stdout.contains("nothing was recorded"),
        "{stdout}"
    );
    assert_eq!(std::fs::read(&rec).unwrap(), b"");
    assert_eq!(sidecar(&rec)["payloads"], Value::Array(vec![]));
}

#[test]
fn a_busy_port_or_no_listener_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let rec = dir.path().join("r.bin");
    let out = Command::new(BIN)
        .args([
            "record",
            "--otlp-listen",
            "off",
            "--duration",
            "1s",
            "--datadog-listen",
            &addr,
            "-o",
        ])
        .arg(&rec)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")),
        "{stderr}"
    );

    let out = Command::new(BIN)
        .args([
            "record",
            "--otlp-listen",
            "off",
            "--datadog-listen",
            "off",
            "-o",
        ])
        .arg(&rec)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to listen on"));

    let out = Command::new(BIN)
        .args(["record", "--datadog-listen", "localhost", "-o"])
        .arg(&rec)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected IP:PORT"));
}
