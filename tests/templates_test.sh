#!/usr/bin/env bash
# Every template, in C and in Rust: `wasmiot new` makes a project that
# `wasmiot build` compiles, checks, optimizes, compiles ahead of time, tests
# (its scenarios on both engines), signs and chunks.
#   tests/templates_test.sh SOURCE_DIR WORK_DIR   (WASMIOT: the executable)
set -euo pipefail
root=$1
work=$2/templates
rm -rf "$work"
mkdir -p "$work"
status=0
for t in "$root"/templates/*/device.json; do
  name=$(basename "$(dirname "$t")")
  for lang in c rust; do
    dir="$work/$name-$lang"
    "$WASMIOT" new "$name" "$dir" --lang "$lang" >/dev/null
    if ! "$WASMIOT" build "$dir" --json >"$dir.json" 2>"$dir.err"; then
      echo "FAIL $name ($lang): build failed"; cat "$dir.err" "$dir.json"; status=1; continue
    fi
    # Every scenario ran and passed; the module and bundles are there.
    if grep -q '"passed": false' "$dir.json" || ! grep -q '"passed": true' "$dir.json" ||
       ! grep -q '"kind": "bundle"' "$dir.json"; then
      echo "FAIL $name ($lang): a scenario failed, none ran, or nothing was signed"; cat "$dir.json"; status=1; continue
    fi
    # Nothing but the compiler's silence: a template builds without warnings.
    if grep -q '"severity": "warning"' "$dir.json"; then
      echo "FAIL $name ($lang): warnings"; cat "$dir.json"; status=1; continue
    fi
    echo "ok $name ($lang): $(grep -c '"kind": "aot-library"' "$dir.json") targets, $(grep -c '"passed": true' "$dir.json") scenarios"
  done
done
exit $status
