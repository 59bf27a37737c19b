#!/usr/bin/env bash
# Records traces from real tracers with `otelcheck record` on loopback and checks that the
# recordings decode: ddtrace (DataDog agent API v0.4 and v0.5) and the OpenTelemetry Python SDK
# (OTLP/HTTP protobuf, gzip), each driven by a tiny instrumented app that makes a known set of
# spans. The tracers come from PyPI into a throwaway venv; when PyPI cannot be reached (or
# python3 has no venv module) the script says so and exits 0, so it never fails for want of a
# network. Any other failure exits 1.
#
#   scripts/record-real-tracers.sh            # uses target/debug/otelcheck (built if missing)
#   OTELCHECK=path/to/otelcheck scripts/record-real-tracers.sh
#   KEEP=1 ...                                 # keep the work directory and print its path
#   TRACER_PACKAGES="ddtrace==4.16.0 opentelemetry-sdk==1.45.2 opentelemetry-exporter-otlp-proto-http==1.45.2" ...
#                                              # pin the tracers (default: the latest releases)
set -euo pipefail
cd "$(dirname "$0")/.."

skip() { echo "record-real-tracers: SKIPPED: $*"; exit 0; }
fail() { echo "record-real-tracers: FAILED: $*" >&2; exit 1; }

command -v python3 >/dev/null || skip "python3 is not installed"
OTELCHECK=${OTELCHECK:-target/debug/otelcheck}
if [ ! -x "$OTELCHECK" ]; then
  cargo build --locked --quiet
fi
OTELCHECK=$(cd "$(dirname "$OTELCHECK")" && pwd)/$(basename "$OTELCHECK")

WORK=$(mktemp -d)
RECORDER_PID=
cleanup() {
  if [ -n "$RECORDER_PID" ]; then kill "$RECORDER_PID" 2>/dev/null || true; fi
  if [ -n "${KEEP:-}" ]; then echo "record-real-tracers: work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

python3 -m venv "$WORK/venv" >/dev/null 2>&1 || skip "python3 cannot create a venv (python3-venv missing)"
PY="$WORK/venv/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check --quiet --timeout 20 --retries 1)
read -r -a PACKAGES <<<"${TRACER_PACKAGES:-ddtrace opentelemetry-sdk opentelemetry-exporter-otlp-proto-http}"
if ! "${PIP[@]}" install "${PACKAGES[@]}" >"$WORK/pip.log" 2>&1; then
  # Tell "no registry" (skip) from "the registry answered but the install failed" (fail).
  if ! "${PIP[@]}" download --no-deps --dest "$WORK/probe" six >/dev/null 2>&1; then
    skip "PyPI is unreachable (pip could not download anything)"
  fi
  cat "$WORK/pip.log" >&2
  fail "pip install of the tracers failed although PyPI answers"
fi
"$PY" -m pip list --disable-pip-version-check 2>/dev/null \
  | grep -Ei '^(ddtrace|opentelemetry-(sdk|exporter-otlp-proto-http)) ' \
  | sed 's/^/record-real-tracers: using /'

# The app: one request trace of three spans (server → internal → client) per tracer.
cat >"$WORK/app.py" <<'PY'
import os, sys

def datadog():
    try:
        from ddtrace.trace import tracer  # ddtrace >= 3
    except ImportError:
        from ddtrace import tracer
    with tracer.trace("flask.request", resource="POST /checkout", span_type="web") as root:
        root.set_tag("span.kind", "server")
        root.set_tag("http.route", "/checkout")
        root.set_tag("http.method", "POST")
        root.set_tag("user.email", "someone@example.com")
        with tracer.trace("checkout.validate"):
            with tracer.trace("requests.request", resource="POST /charge") as c:
                c.set_tag("span.kind", "client")
    tracer.shutdown(timeout=10)

def otlp():
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.trace import SpanKind
    provider = TracerProvider(resource=Resource.create({"service.name": "record-demo"}))
    exporter = OTLPSpanExporter(endpoint=os.environ["OTLP_URL"], compression=Compression.Gzip, timeout=10)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    t = provider.get_tracer("record-demo")
    with t.start_as_current_span("POST /checkout", kind=SpanKind.SERVER) as root:
        root.set_attribute("http.route", "/checkout")
        root.set_attribute("user.email", "someone@example.com")
        with t.start_as_current_span("checkout.validate"):
            with t.start_as_current_span("POST /charge", kind=SpanKind.CLIENT):
                pass
    provider.shutdown()

{"datadog": datadog, "otlp": otlp}[sys.argv[1]]()
PY

# Start a recorder on a free loopback port for one receiver; sets ADDR and RECORDER_PID.
start_recorder() { # name receiver(datadog|otlp)
  local out="$WORK/$1" other
  other=$([ "$2" = datadog ] && echo otlp || echo datadog)
  "$OTELCHECK" record --output "$out" --"$2"-listen 127.0.0.1:0 --"$other"-listen off \
    --duration 120s >"$out.summary" 2>"$out.stderr" &
  RECORDER_PID=$!
  ADDR=
  for _ in $(seq 100); do
    ADDR=$(grep -o 'listening on http://[0-9.:]*' "$out.stderr" | sed 's|.*http://||' || true)
    [ -n "$ADDR" ] && return 0
    kill -0 "$RECORDER_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$out.stderr" >&2
  fail "otelcheck record did not start"
}

stop_recorder() { # name
  kill -INT "$RECORDER_PID"
  wait "$RECORDER_PID" || fail "otelcheck record exited with $? ($(cat "$WORK/$1.stderr"))"
  RECORDER_PID=
  sed 's/^/    /' "$WORK/$1.summary"
}

# The recording must decode: 3 spans of service record-demo, one trace; dry-run must read it.
check_recording() { # name
  local rec="$WORK/$1"
  "$OTELCHECK" inspect --format json "$rec" >"$rec.inspect.json" \
    || fail "otelcheck inspect cannot read $1"
  "$PY" - "$rec.inspect.json" "$1" <<'PY' || fail "$1 does not hold the app's spans"
import json, sys
s = json.load(open(sys.argv[1]))
c = s["captures"][0]
assert s["total_spans"] == 3, s["total_spans"]
assert c["traces"] == 1, c["traces"]
assert c["services"] == {"record-demo": 3}, c["services"]
assert c["attribute_keys"].get("user.email") == 1, c["attribute_keys"]
print(f"record-real-tracers: {sys.argv[2]}: {c['format']}, "
      f"{c['payloads']} payload(s), {s['total_spans']} spans, services {c['services']}")
PY
  local code=0
  "$OTELCHECK" dry-run fixtures/seed/fixed.yaml "$rec" >/dev/null 2>"$rec.dry-run.err" || code=$?
  [ "$code" -le 1 ] || fail "dry-run cannot replay $1: $(cat "$rec.dry-run.err")"
}

for version in v0.4 v0.5; do
  name="ddtrace-$version.msgpack"
  start_recorder "$name" datadog
  DD_TRACE_AGENT_URL="http://$ADDR" DD_TRACE_API_VERSION=$version DD_SERVICE=record-demo DD_ENV=local \
    DD_REMOTE_CONFIGURATION_ENABLED=false DD_INSTRUMENTATION_TELEMETRY_ENABLED=false \
    DD_TRACE_STARTUP_LOGS=false "$PY" "$WORK/app.py" datadog
  stop_recorder "$name"
  grep -q "\"path\": \"/$version/traces\"" "$WORK/$name.headers.json" \
    || fail "ddtrace did not use /$version/traces: $(cat "$WORK/$name.headers.json")"
  check_recording "$name"
done

start_recorder otel-py.otlp.pb otlp
OTLP_URL="http://$ADDR/v1/traces" "$PY" "$WORK/app.py" otlp
stop_recorder otel-py.otlp.pb
grep -q '"content_encoding_removed": "gzip"' "$WORK/otel-py.otlp.pb.headers.json" \
  || fail "the OTLP exporter's gzip body was not recorded decompressed"
check_recording otel-py.otlp.pb

echo "record-real-tracers: OK"
