#!/usr/bin/env bash
# Flash and RAM of the portable device C (lib/device/) on Cortex-M4F and M0+,
# as firmware would build it (-Os, sections per function), crypto excluded.
#   bash bench/device.sh      (needs gcc-arm-none-eabi)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp /usr/include/wasm-rt.h "$work/"
echo "| file | target | text (flash) | data | bss (RAM) |"
echo "|---|---|---:|---:|---:|"
for cpu in "cortex-m4f:-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" "cortex-m0plus:-mcpu=cortex-m0plus -mthumb"; do
  name=${cpu%%:*}
  # shellcheck disable=SC2086 # the flags are a list
  for src in wasmiot_bundle.c "wasmiot_rt_static.c -DWASMIOT_RT_MEMORY_PAGES=0"; do
    set -- $src
    arm-none-eabi-gcc ${cpu#*:} -Os -std=c99 -ffunction-sections -fdata-sections -Wall -Wextra -Werror \
      -I"$root/lib/device" -I"$work" "${@:2}" -c "$root/lib/device/$1" -o "$work/o.o"
    arm-none-eabi-size "$work/o.o" | awk -v f="$1" -v t="$name" 'NR == 2 { printf "| %s | %s | %d | %d | %d |\n", f, t, $1, $2, $3 }'
  done
done
echo
echo "wasmiot_rt_static.c is measured with WASMIOT_RT_MEMORY_PAGES=0: its bss is then the"
echo "function-type registry, table pools and exception buffer; add 64 KiB per page of budget."
