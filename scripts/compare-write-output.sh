#!/usr/bin/env bash
# Fidelity check for engine changes: runs two otelcheck binaries over every shared capture
# with the seed configs and the filter test configs, and compares the --write-output files
# byte for byte (and the JSON reports, minus nothing). Usage:
#   scripts/compare-write-output.sh OLD_BINARY NEW_BINARY [CAPTURE_DIR]
# REPORTS=0 compares only the output files and exit codes (for builds whose report format
# gained fields).
set -euo pipefail
old=$1 new=$2
root=$(cd "$(dirname "$0")/.." && pwd)
captures=${3:-$root/../shared/captures}
# Every collector config among the fixtures (the seed configs, the bench's filter-only config,
# the filter settings and validation fixtures, including broken ones: their exit must match too).
mapfile -t configs < <(find "$root/fixtures" -name '*.yaml' -not -path '*/ottl/*' | sort)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
runs=0 diffs=0
for cfg in "${configs[@]}"; do
  for cap in "$captures"/*; do
    case "$cap" in *.headers.json|*.md) continue;; esac
    for side in old new; do
      bin=$old; [ "$side" = new ] && bin=$new
      rm -rf "$work/$side"; mkdir -p "$work/$side/out"
      "$bin" dry-run "$cfg" "$cap" --format json --write-output "$work/$side/out" \
        > "$work/$side/report.json" 2> "$work/$side/stderr" || echo "exit $?" > "$work/$side/exit"
      touch "$work/$side/exit"
    done
    runs=$((runs + 1))
    if ! diff -r "$work/old/out" "$work/new/out" > /dev/null 2>&1 || ! cmp -s "$work/old/exit" "$work/new/exit" \
       || { [ "${REPORTS:-1}" = 1 ] && ! cmp -s "$work/old/report.json" "$work/new/report.json"; }; then
      diffs=$((diffs + 1))
      echo "DIFFERENT: $(basename "$cfg") × $(basename "$cap")"
      diff -r "$work/old/out" "$work/new/out" | head -5 || true
      diff "$work/old/report.json" "$work/new/report.json" | head -10 || true
    fi
  done
done
echo "$runs runs, $diffs with differences"
[ "$diffs" -eq 0 ]
