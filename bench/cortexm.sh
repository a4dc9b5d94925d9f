#!/usr/bin/env bash
# AOT code against native code on a Cortex-M4F, in instructions: each kernel
# (bench/kernels: frame differencing, the CoreMark-like coremix) is built
# natively with arm-none-eabi-gcc -Os and as wasm (clang -O2 and -Oz) compiled
# by `wasmiot aot --target cortex-m4f`, linked into an image for qemu's MPS2
# AN386 board, and run under -icount, where the virtual clock counts executed
# instructions: deterministic, unlike time (bench/kernels/m4_count_main.c).
# Also the kernels' .text, and both again with wasm2c's call-depth count in
# place of the stack-pointer check (the device code before 2026-12-01), side
# by side. Every variant must return the native checksum.
#   bash bench/cortexm.sh     (after scripts/build.sh; needs clang, the ARM
#                              toolchain and qemu-system-arm: scripts/install-deps.sh)
# Prints markdown tables; docs/benchmarks.md records a run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wasmiot=$root/build/tools/wasmiot/wasmiot
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
k=$root/bench/kernels
mps2=$root/tests/data/aot/mps2
icount_shift=6  # 64 ns an instruction: a 40 ns SysTick tick resolves it
m4=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffunction-sections -fdata-sections)
text() { arm-none-eabi-size "$1" | awk 'NR == 2 { print $1 }'; }

# link NAME ITERATIONS GLUE OBJECTS...: an MPS2 image counting bench_run's instructions.
link() {
  local elf=$1 iterations=$2
  shift 2
  arm-none-eabi-gcc -Os "${m4[@]}" -std=gnu11 -Wall -Wextra -Werror -DITERATIONS="$iterations" \
    -DICOUNT_SHIFT=$icount_shift -L "$mps2" -T "$mps2/mps2.ld" --specs=rdimon.specs -nostartfiles -Wl,--gc-sections \
    "$mps2/startup.c" "$k/m4_count_main.c" "$@" -lm -o "$elf"
}
# run ELF: "INSTRUCTIONS CHECKSUM"
run() {
  timeout 600 qemu-system-arm -M mps2-an386 -icount shift=$icount_shift -nographic -semihosting -kernel "$1" |
    awk '/^instructions/ { print $2, $4 }'
}

echo "## Instructions on Cortex-M4F (qemu mps2-an386 -icount): AOT vs native gcc -Os"
echo
echo "| kernel (iterations) | native -Os | AOT, wasm by clang -O2 | ratio | AOT, wasm by clang -Oz | ratio |"
echo "|---|---:|---:|---:|---:|---:|"
sizes=()
depth_rows=()
for spec in frame_diff:frames:10 coremix:coremix:100; do
  IFS=: read -r name prefix iterations <<< "$spec"
  cat > "$work/glue-native.c" <<EOF
#include <stdint.h>
void ${prefix}_setup(void);
uint32_t ${prefix}_run(uint32_t);
void bench_setup(void) { ${prefix}_setup(); }
uint32_t bench_run(uint32_t n) { return ${prefix}_run(n); }
EOF
  arm-none-eabi-gcc -Os "${m4[@]}" -std=gnu11 -c "$k/$name.c" -o "$work/$name.native.o"
  link "$work/native.elf" "$iterations" "$work/glue-native.c" "$work/$name.native.o"
  read -r native native_sum <<< "$(run "$work/native.elf")"
  row="| $name ($iterations) | $native |"
  size_row="| $name | $(text "$work/$name.native.o") |"
  for level in O2 Oz; do
    clang --target=wasm32 -mcpu=mvp "-$level" -nostdlib -Wl,--no-entry -o "$work/$name.$level.wasm" "$k/$name.c"
    out=$work/aot-$name-$level
    "$wasmiot" aot "$work/$name.$level.wasm" --name "$name" --target cortex-m4f -o "$out" >/dev/null
    cat > "$work/glue-aot.c" <<EOF
#include <stdio.h>
#include <stdlib.h>
#include "wasmiot_rt_static.h"
#include "$name.h"
static Z_${name}_instance_t instance;
void wasmiot_trap_handler(wasm_rt_trap_t trap) {
  printf("trap %d\n", (int)trap);
  exit(2);
}
void bench_setup(void) {
  wasm_rt_init();
  Z_${name}_init_module();
  Z_${name}_instantiate(&instance);
  Z_${name}Z_${prefix}_setup(&instance);
}
uint32_t bench_run(uint32_t n) { return Z_${name}Z_${prefix}_run(&instance, n); }
EOF
    link "$work/aot.elf" "$iterations" -I"$out" "$work/glue-aot.c" "$out/lib$name.a"
    read -r aot aot_sum <<< "$(run "$work/aot.elf")"
    if [ "$aot_sum" != "$native_sum" ]; then
      echo "cortexm.sh: $name: AOT (clang -$level) returned $aot_sum, native $native_sum" >&2
      exit 1
    fi
    row+=" $aot | $(awk "BEGIN { printf \"%.2f\", $aot / $native }") |"
    size_row+=" $(text "$out/$name.o") |"
    # The same C with the depth count: module and runtime rebuilt from the output's sources.
    pages=$("$wasmiot" aot "$work/$name.$level.wasm" --name "$name" --target cortex-m4f -o "$out" --json |
      grep -o '"memory_pages": *[0-9]*' | grep -o '[0-9]*$')
    for src in "$name" wasmiot_rt_static; do
      arm-none-eabi-gcc -Os "${m4[@]}" -std=gnu11 -DNDEBUG -ffp-contract=off -DWASM_RT_USE_STACK_DEPTH_COUNT=1 \
        -DWASMIOT_RT_MEMORY_PAGES="$pages" -DWASMIOT_RT_STACK_BYTES=8192 -I"$out" -c "$out/$src.c" -o "$work/depth-$src.o"
    done
    link "$work/depth.elf" "$iterations" -I"$out" "$work/glue-aot.c" "$work/depth-$name.o" "$work/depth-wasmiot_rt_static.o"
    read -r depth depth_sum <<< "$(run "$work/depth.elf")"
    [ "$depth_sum" = "$native_sum" ] || { echo "cortexm.sh: $name: depth-counted AOT disagrees" >&2; exit 1; }
    depth_rows+=("| $name, clang -$level | $aot | $depth | $(text "$out/$name.o") | $(text "$work/depth-$name.o") |")
  done
  echo "$row"
  sizes+=("$size_row")
done
echo
echo "## .text of the kernels on Cortex-M4F (bytes; the static runtime, $(text "$out/wasmiot_rt_static.o") bytes, comes once per device)"
echo
echo "| kernel | native -Os | AOT, clang -O2 | AOT, clang -Oz |"
echo "|---|---:|---:|---:|"
printf '%s\n' "${sizes[@]}"
echo
echo "## Stack exhaustion: stack-pointer check (now) vs wasm2c's call-depth count, same AOT C"
echo
echo "| kernel, wasm | instructions, sp check | instructions, depth count | .text, sp check | .text, depth count |"
echo "|---|---:|---:|---:|---:|"
printf '%s\n' "${depth_rows[@]}"
