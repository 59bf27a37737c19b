#!/usr/bin/env bash
# Side by side in one run, on the same bytes: the raw floors (examples/floor.rs), Python's C
# parsers merely parsing (scripts/python-parse.py), and `otelcheck dry-run` of the seed fixed
# config, on DataDog v0.4 (1x and 60x), OTLP JSON lines and OTLP protobuf (1x and ~100 MB).
# Prints one Markdown table (CPU = user+sys, wall, peak RSS from /usr/bin/time -v, ratios to the
# floor of the same file), then the mean wall time of `otelcheck validate` on the seed config.
#
#   scripts/compare.sh
#
# Environment:
#   OTELCHECK_BIN      otelcheck binary to measure (default: build target/release/otelcheck)
#   OTELCHECK_CAPTURES shared captures (default: ../shared/captures, else /work/shared/captures)
#   RUNS               runs per row, the best of which is kept (default 3)
#   VALIDATE_RUNS      runs of `validate` averaged (default 200)
#   COPIES             DataDog v0.4 copies for the large capture (default 60)
#   OTLP_MB            size of the large OTLP captures in MB (default 100)
#   KEEP=1             keep the generated captures (their directory is printed)
#   QUIET_LOAD=L       before each capture's rows, wait (up to 10 min) for the 1-minute load
#                      average to fall below L: the machine is shared, and the table says the load
set -euo pipefail
TIMEFORMAT='%3R %3U %3S'

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-3}
VALIDATE_RUNS=${VALIDATE_RUNS:-200}
COPIES=${COPIES:-60}
OTLP_MB=${OTLP_MB:-100}
CONFIG=$ROOT/fixtures/seed/fixed.yaml
# The versions the shared captures were recorded with (captures/README.md).
PY_PACKAGES=(msgpack==1.2.4 protobuf==7.36.2 opentelemetry-proto==1.45.2)

die() { echo "compare.sh: $*" >&2; exit 2; }

find_captures() {
    local d
    for d in "${OTELCHECK_CAPTURES:-}" "$ROOT/../shared/captures" /work/shared/captures; do
        if [[ -n $d && -f $d/orders-ddtrace-js-v04.stream.msgpack ]]; then
            (cd "$d" && pwd)
            return
        fi
    done
    die "no shared captures found: set OTELCHECK_CAPTURES to the shared captures folder"
}

check_tools() {
    /usr/bin/time -v true >/dev/null 2>&1 ||
        die "GNU time is needed at /usr/bin/time (for -v: peak RSS); on Debian/Ubuntu: apt-get update && apt-get install -y time"
    command -v python3 >/dev/null || die "python3 is needed (the capture generator and the Python rows)"
}

build() {
    local what=(--example floor)
    [[ -n ${OTELCHECK_BIN:-} ]] || what+=(--bin otelcheck)
    echo "building (release): ${what[*]}" >&2
    (cd "$ROOT" && cargo build --release --quiet "${what[@]}")
    FLOOR=$ROOT/target/release/examples/floor
    OTELCHECK=${OTELCHECK_BIN:-$ROOT/target/release/otelcheck}
    [[ -x $OTELCHECK ]] || die "no otelcheck binary at $OTELCHECK"
}

# Python with the C msgpack extension and upb protobuf, in a venv kept under target/.
python_env() {
    local venv=$ROOT/target/compare-venv
    if [[ ! -x $venv/bin/python ]]; then
        echo "creating $venv (pip: ${PY_PACKAGES[*]})" >&2
        python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}" >&2
    PYTHON=$venv/bin/python
    export PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=upb
    "$PYTHON" -c 'import msgpack; assert msgpack.version and not msgpack.Unpacker.__module__.endswith("fallback"), "pure-Python msgpack"' ||
        die "the msgpack C extension is not in use"
}

generate() {
    local gen=$ROOT/scripts/make-large-capture.py
    echo "generating captures in $WORK" >&2
    python3 "$gen" --source "$CAPTURES/orders-ddtrace-js-v04.stream.msgpack" --copies 1 "$WORK/dd-v04-1x.msgpack" >&2
    python3 "$gen" --source "$CAPTURES/orders-ddtrace-js-v04.stream.msgpack" --copies "$COPIES" "$WORK/dd-v04-${COPIES}x.msgpack" >&2
    python3 "$gen" --source "$CAPTURES/orders-otel-py.otlp.jsonl" --copies 1 "$WORK/otlp-1x.otlp.jsonl" >&2
    python3 "$gen" --source "$CAPTURES/orders-otel-py.otlp.jsonl" --target-mb "$OTLP_MB" "$WORK/otlp-big.otlp.jsonl" >&2
    python3 "$gen" --source "$CAPTURES/orders-otel-py.otlp.pbstream" --copies 1 "$WORK/otlp-1x.otlp.pbstream" >&2
    python3 "$gen" --source "$CAPTURES/orders-otel-py.otlp.pbstream" --target-mb "$OTLP_MB" "$WORK/otlp-big.otlp.pbstream" >&2
    # Every row then reads from the page cache, not the disk.
    cat "$WORK"/* >/dev/null
}

# measure CMD...: run RUNS times; set BEST_CPU, BEST_WALL (seconds) and BEST_RSS (MiB), each the
# least seen over the runs (the runs least disturbed by other work). Peak RSS comes from
# /usr/bin/time -v; CPU and wall from bash's `time`, which has millisecond resolution where GNU
# time prints hundredths (too coarse for the 1x rows); it includes GNU time's own ~1 ms.
measure() {
    local out=$WORK/time.txt log=$WORK/stderr.txt timing=$WORK/timing.txt i status wall user sys rss
    BEST_CPU='' BEST_WALL='' BEST_RSS=''
    for ((i = 0; i < RUNS; i++)); do
        status=0
        { time /usr/bin/time -v -o "$out" "$@" >/dev/null 2>"$log"; } 2>"$timing" || status=$?
        # otelcheck exits 1 when it reports findings; 2 (or anything else) is a failure.
        if ((status > 1)); then
            cat "$log" >&2
            die "failed (exit $status): $*"
        fi
        read -r wall user sys <"$timing"
        rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$out")
        BEST_CPU=$(min "$BEST_CPU" "$(awk "BEGIN {printf \"%.3f\", $user + $sys}")")
        BEST_WALL=$(min "$BEST_WALL" "$wall")
        BEST_RSS=$(min "$BEST_RSS" "$rss")
    done
}

min() { if [[ -z $1 ]] || awk "BEGIN {exit !($2 < $1)}"; then echo "$2"; else echo "$1"; fi; }

ratio() { awk "BEGIN {if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"-\"}"; }

# row LABEL FILE FLOOR_FORMAT: the floor, Python and otelcheck on one file.
row() {
    local label=$1 file=$2 fmt=$3 size floor_cpu floor_wall
    size=$(awk "BEGIN {printf \"%.1f MB\", $(stat -c %s "$file") / 1e6}")
    wait_quiet
    echo "measuring $label ($size), load $(cut -d' ' -f1 /proc/loadavg)" >&2
    measure "$FLOOR" "$fmt" "$file"
    floor_cpu=$BEST_CPU floor_wall=$BEST_WALL
    line "$label" "$size" "raw $fmt floor (Rust)" "$floor_cpu" "$floor_wall"
    measure "$PYTHON" "$ROOT/scripts/python-parse.py" "$fmt" "$file"
    line "$label" "$size" "$(python_tool "$fmt")" "$floor_cpu" "$floor_wall"
    measure "$OTELCHECK" dry-run "$CONFIG" "$file" --format json
    line "$label" "$size" "otelcheck dry-run" "$floor_cpu" "$floor_wall"
}

wait_quiet() {
    [[ -n ${QUIET_LOAD:-} ]] || return 0
    local waited=0
    while awk "BEGIN {exit !($(cut -d' ' -f1 /proc/loadavg) >= $QUIET_LOAD)}" && ((waited < 600)); do
        sleep 10
        waited=$((waited + 10))
    done
}

python_tool() {
    case $1 in
        msgpack) echo "Python msgpack Unpacker (C)" ;;
        json) echo "Python json.loads per line (C)" ;;
        protobuf) echo "Python upb ParseFromString per message" ;;
    esac
}

line() {
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$BEST_CPU" "$BEST_WALL" \
        "$BEST_RSS" "$(ratio "$BEST_CPU" "$4")" "$(ratio "$BEST_WALL" "$5")"
}

validate_mean() {
    local i start
    "$OTELCHECK" validate "$CONFIG" >/dev/null || true
    start=$EPOCHREALTIME
    for ((i = 0; i < VALIDATE_RUNS; i++)); do
        "$OTELCHECK" validate "$CONFIG" >/dev/null || true
    done
    awk "BEGIN {printf \"%.2f\", ($EPOCHREALTIME - $start) * 1000 / $VALIDATE_RUNS}"
}

main() {
    check_tools
    CAPTURES=$(find_captures)
    build
    python_env
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/otelcheck-compare.XXXXXX")
    if [[ ${KEEP:-} == 1 ]]; then echo "captures kept in $WORK" >&2; else trap 'rm -rf "$WORK"' EXIT; fi
    generate

    echo "## otelcheck vs raw floors vs Python parsers"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- otelcheck: $OTELCHECK ($(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '?'))"
    echo "- Python: $("$PYTHON" -c 'import sys, msgpack, google.protobuf as p; print(sys.version.split()[0], "msgpack", ".".join(map(str, msgpack.version)), "protobuf", p.__version__)') (upb)"
    echo "- best of $RUNS runs per row; CPU = user + sys; ratios are to the raw floor of the same file"
    echo
    echo '| capture | size | tool | CPU s | wall s | peak RSS MiB | CPU / floor | wall / floor |'
    echo '|---|---|---|---|---|---|---|---|'
    row "DataDog v0.4 1x" "$WORK/dd-v04-1x.msgpack" msgpack
    row "DataDog v0.4 ${COPIES}x" "$WORK/dd-v04-${COPIES}x.msgpack" msgpack
    row "OTLP JSON lines 1x" "$WORK/otlp-1x.otlp.jsonl" json
    row "OTLP JSON lines ~${OTLP_MB} MB" "$WORK/otlp-big.otlp.jsonl" json
    row "OTLP protobuf stream 1x" "$WORK/otlp-1x.otlp.pbstream" protobuf
    row "OTLP protobuf stream ~${OTLP_MB} MB" "$WORK/otlp-big.otlp.pbstream" protobuf
    echo
    echo "- \`otelcheck validate fixtures/seed/fixed.yaml\`: $(validate_mean) ms wall, mean of $VALIDATE_RUNS runs (process start included)"
    echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
}

main "$@"
