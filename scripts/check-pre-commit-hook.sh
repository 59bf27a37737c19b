#!/usr/bin/env bash
# Uses this repository's .pre-commit-hooks.yaml exactly as a pre-commit user would: a throwaway
# git repository with a .pre-commit-config.yaml pointing at this checkout (its HEAD commit),
# a broken collector config that must fail naming file and line, then the fixed one that must
# pass. Needs PyPI (pip install pre-commit) and builds otelcheck once through pre-commit's rust
# support (cargo install: minutes on two cores). Exits 0 with SKIPPED when PyPI is unreachable.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
rev=$(git -C "$repo" rev-parse HEAD)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! python3 -m venv "$work/venv" >/dev/null 2>&1 ||
   ! "$work/venv/bin/pip" install -q pre-commit >/dev/null 2>&1; then
  echo "SKIPPED: pre-commit could not be installed from PyPI"
  exit 0
fi
export PRE_COMMIT_HOME="${PRE_COMMIT_HOME:-$work/cache}"

demo="$work/demo"
mkdir -p "$demo/otel"
git -C "$demo" init -q
git -C "$demo" config user.email ci@example.invalid
git -C "$demo" config user.name ci
cat > "$demo/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $repo
    rev: $rev
    hooks:
      - id: otelcheck-validate
YAML
cp "$repo/fixtures/seed/broken.yaml" "$demo/otel/collector.yaml"
git -C "$demo" add -A && git -C "$demo" commit -qm broken --no-verify

echo "== broken config: the hook must fail and name the file and line"
if (cd "$demo" && "$work/venv/bin/pre-commit" run --all-files) > "$work/broken.log" 2>&1; then
  cat "$work/broken.log"; echo "FAIL: the hook passed a broken config"; exit 1
fi
grep -E 'otel/collector\.yaml:[0-9]+:[0-9]+: error\[' "$work/broken.log" || {
  cat "$work/broken.log"; echo "FAIL: no file:line:col error in the hook's output"; exit 1; }

echo "== fixed config: the hook must pass"
cp "$repo/fixtures/seed/fixed.yaml" "$demo/otel/collector.yaml"
git -C "$demo" add -A
if ! (cd "$demo" && "$work/venv/bin/pre-commit" run --all-files) > "$work/fixed.log" 2>&1; then
  cat "$work/fixed.log"; echo "FAIL: the hook failed a fixed config"; exit 1
fi
tail -3 "$work/fixed.log"
echo "OK: pre-commit hook fails on the broken config and passes the fixed one"
