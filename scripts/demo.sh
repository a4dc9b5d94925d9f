#!/usr/bin/env bash
# The main job on the bundled example: build wasmiot, compile the thermostat
# module from C to wasm32, then inspect it, check it against the thermostat's
# device manifest, optimize it for the device, compile it ahead of time for a
# Cortex-M4F, make the release signing key the firmware will embed, sign the
# module into a bundle, slice it into OTA chunks, and reassemble those as the
# device would, out of order, with the device library's receiver.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" build
wasmiot="$root/build/tools/wasmiot/wasmiot"
device="$root/templates/thermostat/device.json"
out="$root/build/demo"
rm -rf "$out"
mkdir -p "$out"

echo "== compile templates/thermostat/src/thermostat.c to wasm32"
clang --target=wasm32 -mcpu=mvp -O2 -nostdlib -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--initial-memory=131072 -Wl,--max-memory=131072 -Wl,-z,stack-size=8192 \
  -o "$out/thermostat.wasm" "$root/templates/thermostat/src/thermostat.c"

echo "== wasmiot inspect thermostat.wasm"
"$wasmiot" inspect "$out/thermostat.wasm"

echo "== wasmiot check thermostat.wasm --manifest templates/thermostat/device.json"
"$wasmiot" check "$out/thermostat.wasm" --manifest "$device"

echo "== wasmiot opt: optimize for the device"
"$wasmiot" opt "$out/thermostat.wasm" -o "$out/thermostat.opt.wasm" --manifest "$device"

echo "== wasmiot aot: precompile for the thermostat's Cortex-M4F"
"$wasmiot" aot "$out/thermostat.opt.wasm" --name thermostat --target cortex-m4f -o "$out/aot-cortex-m4f" \
  --manifest "$device"

echo "== wasmiot keygen, and the public key as C for the firmware"
"$wasmiot" keygen -o "$out/release"
"$wasmiot" pubkey "$out/release.key" --format c --name release_key -o "$out/release_key.c"
echo "wrote $out/release_key.c"

echo "== wasmiot sign: a bundle for the thermostat, sequence 1"
"$wasmiot" sign "$out/thermostat.opt.wasm" --key "$out/release.key" --manifest "$device" --version 1.0.0 --seq 1 \
  -o "$out/thermostat.bundle"
"$wasmiot" verify "$out/thermostat.bundle" --pubkey "$out/release.pub.pem" --manifest "$device"

echo "== wasmiot chunk: OTA frames of 256 bytes (a bundle signed with --chunk-size 256)"
"$wasmiot" sign "$out/thermostat.opt.wasm" --key "$out/release.key" --manifest "$device" --version 1.0.0 --seq 1 \
  --chunk-size 256 -o "$out/thermostat-256.bundle" >/dev/null
"$wasmiot" chunk "$out/thermostat-256.bundle" -o "$out/chunks" --stream "$out/thermostat.stream"

echo "== wasmiot assemble: the frames in reverse order, as a device receives them"
mkdir "$out/reversed"
n=0
for f in $(ls -r "$out/chunks"); do cp "$out/chunks/$f" "$out/reversed/$(printf %06d $n).chunk"; n=$((n + 1)); done
"$wasmiot" assemble "$out/reversed" --pubkey "$out/release.pub.pem" --manifest "$device" -o "$out/received.wasm"
cmp "$out/received.wasm" "$out/thermostat.opt.wasm" && echo "received.wasm is the signed module, byte for byte"
