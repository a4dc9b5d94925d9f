#!/usr/bin/env bash
# `wasmiot build` against the same steps as separate `wasmiot` commands: the
# thermostat project for host, cortex-m4f and riscv32imac, tested on both
# engines, signed and chunked. Both run every step (build --rebuild); the
# script signs each target as `wasmiot sign --target` does on its own (it
# compiles the target again to sign exactly what aot makes). Then the no-op
# rebuild. Side by side in one hyperfine run, so the ratio holds on a noisy
# machine.
#   bash bench/build.sh     (after scripts/build.sh; needs clang, the cross compilers, hyperfine)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wasmiot=$root/build/tools/wasmiot/wasmiot
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export WASMIOT_CACHE_DIR=$work/aot-cache

"$wasmiot" new thermostat "$work/p" >/dev/null
# The thermostat's device also takes RISC-V code here, for a third target.
sed -i 's/"aot_targets": \["cortex-m4f", "host"\]/"aot_targets": ["cortex-m4f", "host", "riscv32imac"]/' "$work/p/device.json"
sed -i 's/"host"$/"host",\n    "riscv32imac"/' "$work/p/wasmiot.json"
grep -q riscv32imac "$work/p/wasmiot.json"
"$wasmiot" build "$work/p" -q >/dev/null  # warms the scenario engine's AOT cache for both

cat >"$work/separate.sh" <<SCRIPT
set -euo pipefail
p=$work/p
o=$work/separate
w=$wasmiot
rm -rf "\$o"; mkdir -p "\$o"
m=\$p/device.json
"\$w" gen guest -m "\$m" --lang c -o "\$o/gen" -q
clang --target=wasm32 -mcpu=mvp -mmutable-globals -msign-ext -O2 -g0 -nostdlib -ffreestanding -Wall -Wextra \
  -Wl,--no-entry -Wl,--strip-debug -Wl,--initial-memory=131072 -Wl,--max-memory=262144 -Wl,-z,stack-size=8192 \
  -I"\$o/gen" -o "\$o/compiled.wasm" "\$p/src/thermostat.c"
"\$w" check "\$o/compiled.wasm" -m "\$m" -q >/dev/null
"\$w" opt "\$o/compiled.wasm" -o "\$o/thermostat.wasm" -m "\$m" -Oz >/dev/null
for t in cortex-m4f host riscv32imac; do
  "\$w" aot "\$o/thermostat.wasm" --target \$t -o "\$o/aot-\$t" -m "\$m" >/dev/null
done
"\$w" run "\$o/thermostat.wasm" --scenario "\$p/tests/thermostat.scenario.json" --engine both >/dev/null
"\$w" sign "\$o/thermostat.wasm" --key "\$p/keys/dev.key" -m "\$m" --version 0.1.0 --seq 65536 -o "\$o/thermostat.bundle" >/dev/null
"\$w" chunk "\$o/thermostat.bundle" -o "\$o/chunks" --stream "\$o/thermostat.stream" >/dev/null
for t in cortex-m4f host riscv32imac; do
  "\$w" sign "\$o/thermostat.wasm" --key "\$p/keys/dev.key" -m "\$m" --version 0.1.0 --seq 65536 --target \$t \
    --payload "\$o/aot-\$t/libthermostat.a" -o "\$o/thermostat-\$t.bundle" >/dev/null
  "\$w" chunk "\$o/thermostat-\$t.bundle" -o "\$o/chunks-\$t" --stream "\$o/thermostat-\$t.stream" >/dev/null
done
SCRIPT
bash "$work/separate.sh"  # it works before it is timed

hyperfine --warmup 1 --runs 10 --style none --export-markdown "$work/full.md" \
  -n "wasmiot build --rebuild (in process, -j2)" "$wasmiot build $work/p --rebuild -q" \
  -n "the same steps as separate commands" "bash $work/separate.sh" >/dev/null
hyperfine --warmup 3 --runs 30 --style none -N --export-markdown "$work/noop.md" \
  -n "wasmiot build, nothing changed" "$wasmiot build $work/p -q" >/dev/null
echo "## wasmiot build vs separate commands (thermostat: 3 targets, scenario on both engines, 4 bundles, chunks)"
echo
cat "$work/full.md"
echo
echo "## No-op rebuild"
echo
cat "$work/noop.md"
