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
bash "$root/scripts/build-workloads.sh" "$work"
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
for kib in 10 64 100 256 1024; do
  head -c $((kib * 1024)) /dev/urandom > "$work/aot-$kib.a"
  "$wasmiot" sign "$work/thermostat.wasm" --key "$work/k.key" -m "$root/templates/devices/thermostat.device.json" \
    --version 1.0.0 --seq 1 --target cortex-m4f --payload "$work/aot-$kib.a" -o "$work/aot-$kib.bundle" >/dev/null
  row "AOT, $kib KiB" "$work/aot-$kib.bundle"
done
echo
echo "A full chunk costs 9 bytes of frame header and a 16-byte table entry: 25 / 1024 = 2.44%."
echo "Each bundle adds 449 bytes (header frame) and 9 bytes per table part."
echo
echo "## Time for a 1 MiB AOT payload (1024 chunks)"
echo
mkdir "$work/chunks"
hyperfine --style basic --warmup 2 --runs 10 --export-markdown "$work/time.md" \
  -n "chunk --stream" -n "chunk -o DIR (1041 files, each fsynced)" -n "assemble STREAM" -n "verify BUNDLE" \
  "$wasmiot chunk $work/aot-1024.bundle --stream $work/t.stream" \
  "$wasmiot chunk $work/aot-1024.bundle -o $work/chunks/out --force" \
  "$wasmiot assemble $work/aot-1024.stream -p $work/k.pub.pem -o $work/out.a" \
  "$wasmiot verify $work/aot-1024.bundle -p $work/k.pub.pem -m $root/templates/devices/thermostat.device.json -t cortex-m4f" >/dev/null
cat "$work/time.md"
