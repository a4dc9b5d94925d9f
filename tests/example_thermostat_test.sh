#!/usr/bin/env bash
# The bundled example: the C thermostat compiles to wasm32 and passes `wasmiot check`
# against its device manifest, with nothing on stderr.
set -euo pipefail
root=$1 out=$2/example
mkdir -p "$out"
clang --target=wasm32 -O2 -nostdlib -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--initial-memory=131072 -Wl,--max-memory=131072 -Wl,-z,stack-size=8192 \
  -o "$out/thermostat.wasm" "$root/templates/thermostat-c/thermostat.c"
"$WASMIOT" check "$out/thermostat.wasm" --manifest "$root/templates/devices/thermostat.device.json" \
  >"$out/stdout" 2>"$out/stderr"
grep -q "ok against acme/thermostat-t100" "$out/stdout"
if [ -s "$out/stderr" ]; then cat "$out/stderr"; exit 1; fi
echo "thermostat example: ok"
