#!/usr/bin/env bash
# The main job on a fresh machine: build wasmiot, make a thermostat project
# from its template, and build it: compiled from C to wasm32 with the flags its
# device implies, checked against the device, optimized, precompiled for the
# host and the thermostat's Cortex-M4F, its scenarios run on both engines,
# signed with the project's freshly generated development key and sliced into
# OTA chunks. Then the chunks are reassembled in reverse order by the device
# library's receiver, and the result is the signed module, byte for byte.
# With --lang rust, the same module from Rust (no_std, Debian's rustc).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lang=c
[ "${1:-}" = "--lang" ] && lang=$2
bash "$root/scripts/build.sh" build
wasmiot="$root/build/tools/wasmiot/wasmiot"
out="$root/build/demo"
rm -rf "$out"
mkdir -p "$out"
project="$out/thermostat"

echo "== wasmiot new thermostat build/demo/thermostat --lang $lang"
"$wasmiot" new thermostat "$project" --lang "$lang"

echo "== wasmiot build build/demo/thermostat (host and cortex-m4f, scenarios on both engines, signed, chunked)"
"$wasmiot" build "$project"

echo "== the same build again: nothing to do"
"$wasmiot" build "$project" >"$out/rebuild.txt"
head -1 "$out/rebuild.txt"

echo "== wasmiot inspect: the signed bundle's header"
"$wasmiot" inspect "$project/build/thermostat.bundle"

echo "== wasmiot assemble: the chunks in reverse order, as a device may receive them"
mkdir "$out/reversed"
n=0
for f in $(ls -r "$project/build/chunks/thermostat"); do
  cp "$project/build/chunks/thermostat/$f" "$out/reversed/$(printf %06d $n).chunk"
  n=$((n + 1))
done
"$wasmiot" assemble "$out/reversed" --pubkey "$project/keys/dev.pub.pem" --manifest "$project/device.json" \
  -o "$out/received.wasm"
cmp "$out/received.wasm" "$project/build/thermostat.wasm" && echo "received.wasm is the signed module, byte for byte"

echo "== wasmiot pubkey: the development key as C for the firmware"
"$wasmiot" pubkey "$project/keys/dev.pub.pem" --format c --name dev_key -o "$out/dev_key.c"
echo "wrote $out/dev_key.c"
