#!/usr/bin/env bash
# AOT quality: code size on Cortex-M4F against the same C compiled natively, and
# run time of host AOT against native gcc -O2 on the frame-differencing kernel.
#   bash bench/aot.sh        (after scripts/build.sh; needs the cross compilers, hyperfine)
# Prints markdown tables; docs/benchmarks.md records a run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wasmiot=$root/build/tools/wasmiot/wasmiot
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
m4=(-Os -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffunction-sections -fdata-sections)

WASMIOT="$wasmiot" bash "$root/scripts/build-workloads.sh" "$work/wasm"
text() { arm-none-eabi-size "$1" | awk 'NR == 2 { print $1 }'; }
echo "## Code size on Cortex-M4F (.text bytes): AOT object vs the same C compiled natively"
echo
echo "| module | wasm | native gcc -Os | AOT module (wasm-opt'd) | AOT / native | + static runtime |"
echo "|---|---:|---:|---:|---:|---:|"
grep -v '^#' "$root/templates/workloads.tsv" | while IFS=$'\t' read -r name source device ldflags; do
  # Natively the import attributes mean nothing: the host functions become externs.
  arm-none-eabi-gcc "${m4[@]}" -std=gnu11 -Wno-attributes -I"$work/wasm/gen/$name" -c "$root/templates/$source" \
    -o "$work/$name.native.o"
  "$wasmiot" opt "$work/wasm/$name.wasm" -o "$work/$name.opt.wasm" --manifest "$root/templates/$device" >/dev/null
  # No --manifest: not every workload's device lists cortex-m4f; this compares code only.
  "$wasmiot" aot "$work/$name.opt.wasm" --name "$name" --target cortex-m4f -o "$work/aot-$name" >/dev/null
  native=$(text "$work/$name.native.o")
  aot=$(text "$work/aot-$name/$name.o")
  rt=$(text "$work/aot-$name/wasmiot_rt_static.o")
  echo "| $name | $(stat -c %s "$work/$name.opt.wasm") | $native | $aot | $(awk "BEGIN { printf \"%.2f\", $aot / $native }") | $rt |"
done

# As a firmware links them: every module's functions kept (each global one
# named to the linker), the static runtime once and only what they use, with
# --gc-sections; host functions left unresolved (they are the firmware's).
# Native modules define the same names (init), so each links alone.
linked() {  # OUT OBJECT...: .text of an image of the objects' global functions
  local out=$1 keep=() o
  shift
  for o in "$@"; do
    [[ $o == *wasmiot_rt_static.o ]] && continue
    while read -r symbol; do keep+=("-Wl,--undefined=$symbol"); done \
      < <(arm-none-eabi-nm -g --defined-only "$o" | awk '$2 == "T" { print $3 }')
  done
  arm-none-eabi-gcc "${m4[@]}" -nostartfiles -nostdlib -Wl,--gc-sections -Wl,--unresolved-symbols=ignore-all \
    -Wl,-e,main "${keep[@]}" "$work/stub.c" "$@" -o "$out" 2>/dev/null
  echo $(($(text "$out") - stub))
}
echo 'int main(void) { return 0; }' >"$work/stub.c"
stub=0
stub=$(linked "$work/stub.elf")
# The same AOT C with wasm2c's call-depth count instead of the stack-pointer
# check (device code before 2026-12-01), for comparison in the same run.
depth_build() {  # SOURCE OBJECT
  arm-none-eabi-gcc "${m4[@]}" -std=gnu11 -DNDEBUG -ffp-contract=off -DWASM_RT_USE_STACK_DEPTH_COUNT=1 \
    -DWASMIOT_RT_MEMORY_PAGES=1 -DWASMIOT_RT_STACK_BYTES=8192 -I"$(dirname "$1")" -c "$1" -o "$2"
}
aot_objects=() depth_objects=() native_total=0
while IFS=$'\t' read -r name _ _ _; do
  aot_objects+=("$work/aot-$name/$name.o")
  depth_build "$work/aot-$name/$name.c" "$work/depth-$name.o"
  depth_objects+=("$work/depth-$name.o")
  native_total=$((native_total + $(linked "$work/$name.native.elf" "$work/$name.native.o")))
done < <(grep -v '^#' "$root/templates/workloads.tsv")
aot_total=$(linked "$work/aot.elf" "${aot_objects[@]}" "$work/aot-thermostat/wasmiot_rt_static.o")
depth_build "$work/aot-thermostat/wasmiot_rt_static.c" "$work/depth-wasmiot_rt_static.o"
depth_total=$(linked "$work/depth.elf" "${depth_objects[@]}" "$work/depth-wasmiot_rt_static.o")
echo
echo "Linked with --gc-sections (the static runtime once, only what the modules use): AOT $aot_total bytes, native" \
  "$native_total bytes: $(awk "BEGIN { printf \"%.2f\", $aot_total / $native_total }")x; with the call-depth" \
  "count instead of the stack-pointer check, $depth_total bytes: $(awk "BEGIN { printf \"%.2f\", $depth_total / $native_total }")x"

echo
echo "## Run time: frame differencing, 320x240, 2000 frames: host AOT vs native gcc -O2"
echo
k=$root/bench/kernels
gcc -O2 -std=gnu11 "$k/frame_diff.c" "$k/frame_diff_native_main.c" -o "$work/native"
# gcc -O2 vectorizes this loop; wasm MVP code cannot be (no SIMD in wasm2c 1.0.32):
# the scalar build shows how much of the gap is vectorization.
gcc -O2 -fno-tree-vectorize -std=gnu11 "$k/frame_diff.c" "$k/frame_diff_native_main.c" -o "$work/native-scalar"
clang --target=wasm32 -mcpu=mvp -O2 -nostdlib -Wl,--no-entry -o "$work/frame_diff.wasm" "$k/frame_diff.c"
"$wasmiot" aot "$work/frame_diff.wasm" --target host -o "$work/aot-kernel" >/dev/null
gcc -O2 -std=gnu11 -I"$work/aot-kernel" "$k/frame_diff_aot_main.c" "$work/aot-kernel/libframe_diff.a" -lm -o "$work/aot"
[ "$("$work/native" 10)" = "$("$work/aot" 10)" ] || { echo "native and AOT disagree" >&2; exit 1; }
hyperfine --warmup 2 --runs 15 --style none --export-markdown "$work/speed.md" \
  -n "native gcc -O2" "$work/native 2000" \
  -n "native gcc -O2 -fno-tree-vectorize" "$work/native-scalar 2000" \
  -n "AOT (clang -O2, wasm2c, gcc -O2)" "$work/aot 2000" >/dev/null
cat "$work/speed.md"
