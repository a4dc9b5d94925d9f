#!/usr/bin/env bash
# Flash, RAM and worst-case stack of the portable device C (lib/device/) on
# Cortex-M4F and M0+, as firmware would build it (-Os, sections per function,
# -Werror), crypto and storage callbacks excluded (they are the firmware's).
#   bash bench/device.sh      (needs gcc-arm-none-eabi)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp /usr/include/wasm-rt.h "$work/"
# The receiver's own state, measured as the bss of one static instance.
cat > "$work/receiver_state.c" <<'C'
#include "wasmiot_chunks.h"
wasmiot_receiver receiver_state;
C
cpus=("cortex-m4f:-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" "cortex-m0plus:-mcpu=cortex-m0plus -mthumb")
echo "| file | target | text (flash) | data | bss (RAM) |"
echo "|---|---|---:|---:|---:|"
for cpu in "${cpus[@]}"; do
  name=${cpu%%:*}
  # shellcheck disable=SC2086 # the flags are a list
  for src in wasmiot_bundle.c wasmiot_chunks.c wasmiot_decode.c wasmiot_delta.c wasmiot_slots.c wasmiot_slot_storage.c "wasmiot_rt_static.c -DWASMIOT_RT_MEMORY_PAGES=0 -DWASMIOT_RT_STACK_BYTES=8192" \
             "$work/receiver_state.c"; do
    set -- $src
    file=$1
    [[ $file == /* ]] || file="$root/lib/device/$file"
    arm-none-eabi-gcc ${cpu#*:} -Os -std=c99 -ffunction-sections -fdata-sections -Wall -Wextra -Werror \
      -fcallgraph-info=su -I"$root/lib/device" -I"$work" "${@:2}" -c "$file" -o "$work/$name-$(basename "$file" .c).o"
    arm-none-eabi-size "$work/$name-$(basename "$file" .c).o" |
      awk -v f="$(basename "$file")" -v t="$name" 'NR == 2 { printf "| %s | %s | %d | %d | %d |\n", f, t, $1, $2, $3 }'
  done
done
echo
echo "Worst-case stack of the receiver's and the slots' entry points, direct calls only (crypto,"
echo "storage and flash callbacks add their own):"
echo
echo "| entry point | cortex-m4f | cortex-m0plus |"
echo "|---|---:|---:|"
for cpu in "${cpus[@]}"; do
  name=${cpu%%:*}
  awk -f "$root/bench/stack-depth.awk" "$work/$name-wasmiot_bundle.ci" "$work/$name-wasmiot_chunks.ci" \
    "$work/$name-wasmiot_slots.ci" "$work/$name-wasmiot_delta.ci" "$work/$name-wasmiot_decode.ci" > "$work/$name.stack"
done
for entry in wasmiot_receiver_accept wasmiot_receiver_resume wasmiot_receiver_poll wasmiot_bundle_verify_header \
             wasmiot_slots_open wasmiot_slots_confirm wasmiot_delta_feed wasmiot_delta_finish wasmiot_decode_bundle; do
  m4=$(awk -v e=$entry '$1 == e { print $2 }' "$work/cortex-m4f.stack")
  m0=$(awk -v e=$entry '$1 == e { print $2 }' "$work/cortex-m0plus.stack")
  echo "| $entry | $m4 | $m0 |"
done
echo
echo "wasmiot_rt_static.c is measured with WASMIOT_RT_MEMORY_PAGES=0: its bss is then the"
echo "function-type registry, table pools and exception buffer; add 64 KiB per page of budget."
echo "receiver_state.c is one wasmiot_receiver; the bitmap (one bit per chunk) is the caller's."
