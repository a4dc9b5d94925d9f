#!/usr/bin/env bash
# Every workload of templates/workloads.tsv builds with clang and passes
# `wasmiot check` against its device, with no error and no warning; a workload
# with a scenario beside its source (NAME.scenario.json) must pass it on the
# interpreter and on host AOT, with both engines agreeing.
set -euo pipefail
root=$1 out=$2/workloads
bash "$root/scripts/build-workloads.sh" "$out"
grep -v '^#' "$root/templates/workloads.tsv" | while IFS=$'\t' read -r name source device ldflags; do
  "$WASMIOT" check "$out/$name.wasm" --manifest "$root/templates/$device" >"$out/$name.out" 2>"$out/$name.err"
  if [ -s "$out/$name.err" ]; then echo "$name:"; cat "$out/$name.err"; exit 1; fi
  grep -q ": ok against " "$out/$name.out"
  echo "$name: $(cat "$out/$name.out")"
  scenario=$root/templates/$(dirname "$source")/$name.scenario.json
  if [ -f "$scenario" ]; then
    "$WASMIOT" run "$out/$name.wasm" --manifest "$root/templates/$device" --scenario "$scenario" --engine both | tail -n 1
  fi
done
# Multi-tenant gateways: every tenant's module is one of the workloads.
for gateway in "$root"/templates/gateway/*.gateway.json; do
  "$WASMIOT" run --gateway "$gateway" --module-dir "$out" --engine both | tail -n 4
done
