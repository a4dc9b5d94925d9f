#!/usr/bin/env bash
# wasmiot opt against wasm-opt: output size per workload, and the tool's own speed.
#   bash bench/opt.sh        (after scripts/build.sh; needs clang, wasm-opt, hyperfine)
# Prints markdown tables; docs/benchmarks.md records a run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wasmiot=$root/build/tools/wasmiot/wasmiot
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

WASMIOT="$wasmiot" bash "$root/scripts/build-workloads.sh" "$work/plain"
# Every function exported, as `-Wl,--export-all` or a careless build leaves it:
# exports the device never calls, which only a manifest-aware optimizer can drop.
WASMIOT="$wasmiot" bash "$root/scripts/build-workloads.sh" "$work/export-all" -Wl,--export-all

size() { stat -c %s "$1"; }
echo "## Size: wasmiot opt -Oz --manifest vs wasm-opt -Oz (bytes)"
echo
echo "| module | build | input | wasm-opt -Oz | wasmiot opt | wasmiot / wasm-opt |"
echo "|---|---|---:|---:|---:|---:|"
grep -v '^#' "$root/templates/workloads.tsv" | while IFS=$'\t' read -r name source device ldflags; do
  for build in plain export-all; do
    in=$work/$build/$name.wasm
    wasm-opt -Oz "$in" -o "$work/$build/$name.wasm-opt.wasm"
    "$wasmiot" opt "$in" -o "$work/$build/$name.wasmiot.wasm" -Oz --manifest "$root/templates/$device" >/dev/null
    a=$(size "$work/$build/$name.wasm-opt.wasm")
    b=$(size "$work/$build/$name.wasmiot.wasm")
    echo "| $name | $build | $(size "$in") | $a | $b | $(awk "BEGIN { printf \"%.2f\", $b / $a }") |"
  done
done

echo
echo "## Speed: wasmiot opt vs wasm-opt, same module (motion_detector, export-all), -Oz"
echo
in=$work/export-all/motion_detector.wasm
hyperfine --warmup 3 --runs 30 --style none --export-markdown "$work/speed.md" \
  -n "wasm-opt -Oz" "wasm-opt -Oz $in -o $work/a.wasm" \
  -n "wasmiot opt -Oz" "$wasmiot opt -Oz $in -o $work/b.wasm" \
  -n "wasmiot opt -Oz --manifest" "$wasmiot opt -Oz $in -o $work/c.wasm --manifest $root/templates/motion-detector/device.json" \
  >/dev/null
cat "$work/speed.md"
