#!/usr/bin/env bash
# OTA chunking overhead: bytes on the wire over payload bytes, for the chapter's
# workloads (wasm) and for AOT-sized payloads, at 1 KiB chunks; and the time
# to chunk and to assemble (verify as a device) a 1 MiB payload.
#   bash bench/chunks.sh     (after scripts/build.sh; needs clang, hyperfine)
# Prints markdown tables; docs/benchmarks.md records a run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wasmiot=$root/build/tools/wasmiot/wasmiot
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
WASMIOT="$wasmiot" bash "$root/scripts/build-workloads.sh" "$work"
"$wasmiot" keygen -o "$work/k" >/dev/null

# chunk --json prints payload_bytes, stream_bytes and the overhead.
row() {  # name bundle: writes BUNDLE's stream beside it
  "$wasmiot" chunk "$2" --stream "${2%.bundle}.stream" --json |
    awk -v n="$1" '
      /"payload_bytes"/ { gsub(/[,]/, "", $2); p = $2 }
      /"stream_bytes"/ { gsub(/[,]/, "", $2); s = $2 }
      /"chunks"/ { gsub(/[,]/, "", $2); c = $2 }
      END { printf "| %s | %d | %d | %d | %d | %.2f%% |\n", n, p, c, s, s - p, 100 * (s - p) / p }'
}
echo "## Overhead at 1 KiB chunks"
echo
echo "| payload | bytes | chunks | stream bytes | overhead bytes | overhead |"
echo "|---|---:|---:|---:|---:|---:|"
seq=1
grep -v '^#' "$root/templates/workloads.tsv" | while IFS=$'\t' read -r name source device ldflags; do
  "$wasmiot" sign "$work/$name.wasm" --key "$work/k.key" -m "$root/templates/$device" --version 1.0.0 \
    --seq $seq -o "$work/$name.bundle" >/dev/null
  row "$name.wasm" "$work/$name.bundle"
done
# AOT code as `sign --target` compiles it: each workload for its device's first
# AOT target, then modules whose data segment is N KiB of random bytes (so
# their Cortex-M4F code is about that large) on a device made for them.
grep -v '^#' "$root/templates/workloads.tsv" | while IFS=$'\t' read -r name source device ldflags; do
  target=$(grep -o '"aot_targets": *\[[^]]*' "$root/templates/$device" | grep -o '"[a-z0-9_-]*"' | tail -n +2 | head -1 | tr -d '"')
  [ -n "$target" ] || continue
  "$wasmiot" sign "$work/$name.wasm" --key "$work/k.key" -m "$root/templates/$device" --version 1.0.0 \
    --seq $seq --target "$target" -o "$work/$name-$target.bundle" >/dev/null
  row "$name, AOT $target" "$work/$name-$target.bundle"
done
cat > "$work/blob.device.json" <<'JSON'
{ "manifest_version": 1, "device": { "vendor": "bench", "class": "blob", "api_version": "1.0.0" },
  "imports": {}, "exports": { "run": { "required": true } },
  "budgets": { "memory": { "initial_pages": 17, "max_pages": 17 }, "table": { "max_elements": 0 },
    "stack_bytes": 4096, "heap_bytes": 0, "fuel_per_call": 1000, "wall_ms_per_call": 10,
    "max_module_bytes": 2097152 },
  "features": [], "aot_targets": ["cortex-m4f"] }
JSON
for kib in 10 64 256 1024; do
  { printf '(module (memory 17 17) (func (export "run")) (data (i32.const 0) "'
    head -c $((kib * 1024)) /dev/urandom | od -An -v -tx1 | tr -d ' \n' | sed 's/../\\&/g'
    printf '"))\n'; } > "$work/blob-$kib.wat"
  wat2wasm "$work/blob-$kib.wat" -o "$work/blob-$kib.wasm"
  "$wasmiot" sign "$work/blob-$kib.wasm" --key "$work/k.key" -m "$work/blob.device.json" --version 1.0.0 --seq 1 \
    --target cortex-m4f -o "$work/aot-$kib.bundle" >/dev/null
  row "AOT, $kib KiB of data" "$work/aot-$kib.bundle"
done
echo
echo "A full chunk costs 9 bytes of frame header and a 16-byte table entry: 25 / 1024 = 2.44%."
echo "Each bundle adds 209 bytes (header frame) and 9 bytes per table part."
echo
echo "## Time for a 1 MiB AOT payload (1024 chunks)"
echo
mkdir "$work/chunks"
hyperfine --style basic --warmup 2 --runs 10 --export-markdown "$work/time.md" \
  -n "chunk --stream" -n "chunk -o DIR (about 1040 files, each fsynced)" -n "assemble STREAM" -n "verify BUNDLE" \
  "$wasmiot chunk $work/aot-1024.bundle --stream $work/t.stream" \
  "$wasmiot chunk $work/aot-1024.bundle -o $work/chunks/out --force" \
  "$wasmiot assemble $work/aot-1024.stream -p $work/k.pub.pem -o $work/out.a" \
  "$wasmiot verify $work/aot-1024.bundle -p $work/k.pub.pem -m $work/blob.device.json -t cortex-m4f" >/dev/null
cat "$work/time.md"
