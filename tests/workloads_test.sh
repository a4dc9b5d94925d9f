#!/usr/bin/env bash
# Every workload of templates/workloads.tsv builds with clang and passes
# `wasmiot check` against its device, with no error and no warning; then every
# scenario and gateway under templates/ must pass on the interpreter and on
# host AOT, with both engines agreeing (`wasmiot test --engine both`).
set -euo pipefail
root=$1 out=$2/workloads
bash "$root/scripts/build-workloads.sh" "$out"
grep -v '^#' "$root/templates/workloads.tsv" | while IFS=$'\t' read -r name source device ldflags; do
  "$WASMIOT" check "$out/$name.wasm" --manifest "$root/templates/$device" >"$out/$name.out" 2>"$out/$name.err"
  if [ -s "$out/$name.err" ]; then echo "$name:"; cat "$out/$name.err"; exit 1; fi
  grep -q ": ok against " "$out/$name.out"
  echo "$name: $(cat "$out/$name.out")"
done
# Every scenario and gateway of templates/, its modules the workloads just built,
# on both engines.
"$WASMIOT" test "$root/templates" --module-dir "$out" --engine both
