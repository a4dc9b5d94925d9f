#!/usr/bin/env bash
# Runs bench/device.sh and holds its figures to issue 4's goals for the OTA
# receiver on Cortex-M4F: verifier + receiver flash under 8 KiB; receiver
# state plus its worst-case stack under 1 KiB (bitmap and frame buffer are the
# caller's). Fails if the device C no longer builds with -Werror.
set -euo pipefail
root=$1
report=$(bash "$root/bench/device.sh")
echo "$report"
flash=$(echo "$report" | awk -F'|' '$3 ~ /cortex-m4f/ && ($2 ~ /wasmiot_bundle.c|wasmiot_chunks.c/) { s += $4 } END { print s }')
state=$(echo "$report" | awk -F'|' '$2 ~ /receiver_state.c/ && $3 ~ /cortex-m4f/ { print $6 + 0 }')
stack=$(echo "$report" | awk -F'|' '$2 ~ /wasmiot_receiver_(accept|resume)/ { if ($3 > m) m = $3 + 0 } END { print m }')
echo "flash $flash bytes, state $state bytes, worst stack $stack bytes"
[[ $flash -gt 0 && $flash -lt 8192 ]] || { echo "FAIL: flash $flash not under 8 KiB"; exit 1; }
[[ $state -gt 0 && $((state + stack)) -lt 1024 ]] || { echo "FAIL: RAM $state + $stack not under 1 KiB"; exit 1; }
