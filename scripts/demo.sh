#!/usr/bin/env bash
# The main job on the bundled example: build wasmiot, compile the thermostat
# module from C to wasm32, and check it against the thermostat's device manifest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" build
wasmiot="$root/build/tools/wasmiot/wasmiot"
out="$root/build/demo"
mkdir -p "$out"

echo "== compile templates/thermostat-c/thermostat.c to wasm32"
clang --target=wasm32 -mcpu=mvp -O2 -nostdlib -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--initial-memory=131072 -Wl,--max-memory=131072 -Wl,-z,stack-size=8192 \
  -o "$out/thermostat.wasm" "$root/templates/thermostat-c/thermostat.c"

echo "== wasmiot inspect thermostat.wasm"
"$wasmiot" inspect "$out/thermostat.wasm"

echo "== wasmiot check thermostat.wasm --manifest templates/devices/thermostat.device.json"
"$wasmiot" check "$out/thermostat.wasm" --manifest "$root/templates/devices/thermostat.device.json"
