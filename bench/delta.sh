#!/usr/bin/env bash
# Delta and compressed updates on the wire (issue 16): real version pairs of
# every template `wasmiot new` makes, in C, in Rust (-Oz, as `wasmiot new`
# makes it) and as an unoptimized Rust build (modules of realistic size), each
# changed as a maintainer would (bench/delta-changes.pl: a threshold constant, a
# new log line, a new function, a refactored loop) and rebuilt with
# `wasmiot build`; for the wasm bundle and the cortex-m4f AOT bundle of each
# pair, the bytes on the wire (chunk frames included) of the full bundle, the
# compressed bundle and the delta bundle (`wasmiot delta`), beside Debian's
# bsdiff and xdelta3 patches of the same payloads. Two references beside them:
# zstd's patch mode at level 19 (a far larger decoder than a device can take,
# so not a candidate: the state of the art for a general tool) and the LZMA
# bound, xz -9e of OLD then NEW less xz -9e of OLD, what an LZ coder with a
# whole-file window and optimal parsing needs for what NEW adds to OLD.
# Last, the device's applier (lib/device/wasmiot_delta.c) on a Cortex-M4F
# under qemu -icount (bench/kernels/delta_apply.c), in instructions, for the
# pair with the largest AOT patch, its project's constant change and the
# compressed bundle of the same payload.
#   bash bench/delta.sh [TEMPLATE...]   (after scripts/build.sh)
# Prints markdown tables and a summary; docs/benchmarks.md records a run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wasmiot=$root/build/tools/wasmiot/wasmiot
bash "$root/scripts/install-deps.sh" bsdiff xdelta3 zstd xz-utils xxd gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
templates=("$@")
[ ${#templates[@]} -gt 0 ] || templates=(thermostat sensor-node predictive-maintenance motion-detector gateway-plugin blank)
changes=(constant log function loop)

# Every template's AOT bundle is built for cortex-m4f, whatever CPUs its
# device lists, so that the AOT pairs compare alike. The template's scenarios
# are dropped: they pin the behaviour the changes alter.
build() {  # DIR
  "$wasmiot" build "$1" -q -j1 >/dev/null
}

# A project: `wasmiot new`, built as version 1.0.0; then each change built as
# 1.0.1. Leaves out/TEMPLATE-VARIANT/{v1,CHANGE}{,-m4}.bundle and its key.
project() {  # TEMPLATE VARIANT (c, rust or rust-O0)
  local template=$1 variant=$2 lang=${2%-O0}
  local dir=$work/$template-$variant out=$work/out/$template-$variant
  "$wasmiot" new "$template" "$dir" --lang "$lang" -q >/dev/null
  local name
  name=$(perl -ne 'print $1 if /"name": "([^"]+)"/' "$dir/wasmiot.json")
  perl -0pi -e 's/"version": "0\.1\.0"/"version": "1.0.0"/; s/"targets": \[[^\]]*\]/"targets": ["cortex-m4f"]/; s/"scenarios": \[[^\]]*\]/"scenarios": []/' "$dir/wasmiot.json"
  grep -q '"cortex-m4f"' "$dir/device.json" || perl -0pi -e 's/"aot_targets": \[/"aot_targets": ["cortex-m4f", /' "$dir/device.json"
  if [ "$variant" = rust-O0 ]; then
    # An unoptimized build needs room the templates' budgets do not give.
    perl -0pi -e 's/"opt_level": "z",/"opt_level": "0",\n  "compile_flags": ["-Copt-level=0"],/' "$dir/wasmiot.json"
    perl -0pi -e 's/"max_module_bytes": \d+/"max_module_bytes": 262144/; s/"max_elements": \d+/"max_elements": 256/; s/"stack_bytes": \d+/"stack_bytes": 16384/' "$dir/device.json"
  fi
  build "$dir"
  mkdir -p "$out"
  cp "$dir/build/$name.bundle" "$out/v1.bundle"
  cp "$dir/build/$name-cortex-m4f.bundle" "$out/v1-m4.bundle"
  local source=$dir/src/$name.c
  [ "$lang" = rust ] && source=$dir/src/lib.rs
  cp "$source" "$work/source.orig"
  for change in "${changes[@]}"; do
    cp "$work/source.orig" "$source"
    perl "$root/bench/delta-changes.pl" "$template" "$lang" "$change" "$source"
    perl -0pi -e 's/"version": "1\.0\.0"/"version": "1.0.1"/' "$dir/wasmiot.json"
    build "$dir"
    perl -0pi -e 's/"version": "1\.0\.1"/"version": "1.0.0"/' "$dir/wasmiot.json"
    cp "$dir/build/$name.bundle" "$out/$change.bundle"
    cp "$dir/build/$name-cortex-m4f.bundle" "$out/$change-m4.bundle"
  done
  cp "$dir/keys/dev.key" "$out/key"
  rm -rf "$dir"
}

wire() { "$wasmiot" chunk "$1" --stream "$1.stream" >/dev/null; stat -c %s "$1.stream"; }
payload() {  # BUNDLE KEY: the payload it carries (plain bundles only)
  "$wasmiot" chunk "$1" --stream "$1.stream" >/dev/null
  "$wasmiot" assemble "$1.stream" -p "$2" -o "$1.payload" -q >/dev/null
}

# One tab-separated row: template variant change suffix payload full
# compressed delta stream bsdiff xdelta3 zstd lzma-bound.
row() {  # TEMPLATE VARIANT CHANGE SUFFIX
  local out=$work/out/$1-$2
  local old=$out/v1$4.bundle new=$out/$3$4.bundle key=$out/key
  "$wasmiot" delta "$old" "$new" --key "$key" -o "$new.patch" >/dev/null
  "$wasmiot" delta --compress "$new" --key "$key" -o "$new.z" >/dev/null
  payload "$old" "$key" && payload "$new" "$key"
  bsdiff "$old.payload" "$new.payload" "$new.bsdiff"
  xdelta3 -9 -e -f -s "$old.payload" "$new.payload" "$new.xdelta"
  local stream lzma_old lzma_both
  lzma_old=$(xz -9e -c "$old.payload" | wc -c)
  lzma_both=$(cat "$old.payload" "$new.payload" | xz -9e -c | wc -c)
  stream=$("$wasmiot" inspect "$new.patch" --json | awk -F'[:,]' '/"payload_size"/ { gsub(/ /, "", $2); print $2; exit }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" \
    "$(stat -c %s "$new.payload")" "$(wire "$new")" "$(wire "$new.z")" "$(wire "$new.patch")" \
    "$stream" "$(stat -c %s "$new.bsdiff")" "$(stat -c %s "$new.xdelta")" \
    "$(zstd -q -19 --patch-from="$old.payload" -c "$new.payload" 2>/dev/null | wc -c)" \
    "$((lzma_both - lzma_old))"
  rm -f "$old.payload"
}

for template in "${templates[@]}"; do
  for variant in c rust rust-O0; do
    project "$template" "$variant"
    for change in "${changes[@]}"; do
      for suffix in "" -m4; do row "$template" "$variant" "$change" "$suffix" >> "$work/rows.tsv"; done
    done
  done
done

awk -F'\t' -f "$root/bench/delta-report.awk" "$work/rows.tsv"

# Instructions one apply takes on a Cortex-M4F: a run applying twice less a
# run applying once (each checks its result once, after the applies).
mps2=$root/tests/data/aot/mps2
icount_shift=6
c_array() {  # NAME FILE (empty: a one-byte placeholder)
  echo "static const uint8_t $1[] = {"
  if [ -s "$2" ]; then xxd -i < "$2"; else echo 0; fi
  echo "};"
}
m4_apply() {  # OLD_PAYLOAD (or an empty file) STREAM NEW_PAYLOAD
  local m4=$work/m4 runs=()
  mkdir -p "$m4"
  { echo "#define OLD_SIZE $(stat -c %s "$1")u"; c_array old_payload "$1"; c_array stream "$2"; c_array new_payload "$3"; } > "$m4/delta_pair.h"
  for n in 1 2; do
    arm-none-eabi-gcc -Os -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffunction-sections -fdata-sections \
      -std=gnu11 -Wall -Wextra -Werror -DITERATIONS=$n -DICOUNT_SHIFT=$icount_shift -L "$mps2" -T "$mps2/mps2.ld" \
      --specs=rdimon.specs -nostartfiles -Wl,--gc-sections -I"$root/lib/device" -I"$m4" "$mps2/startup.c" \
      "$root/bench/kernels/m4_count_main.c" "$root/bench/kernels/delta_apply.c" "$root/lib/device/wasmiot_delta.c" \
      -o "$m4/apply.elf"
    local result
    result=$(timeout 600 qemu-system-arm -M mps2-an386 -icount shift=$icount_shift -nographic -semihosting \
      -kernel "$m4/apply.elf" | awk '/^instructions/ { print $2, $4 }')
    [ "${result#* }" = 1 ] || { echo "bench/delta.sh: the applier on Cortex-M4F failed: $result" >&2; exit 1; }
    runs+=("${result% *}")
  done
  echo $((runs[1] - runs[0]))
}
m4_row() {  # LABEL OLD_PAYLOAD STREAM NEW_PAYLOAD
  local instructions stream_size new_size
  instructions=$(m4_apply "$2" "$3" "$4")
  stream_size=$(stat -c %s "$3"); new_size=$(stat -c %s "$4")
  awk -v l="$1" -v i="$instructions" -v s="$stream_size" -v n="$new_size" 'BEGIN {
    printf "| %s | %d | %d | %d | %.1f | %.1f | %.0f |\n", l, s, n, i, i / n, i / s, i / 64e3 }'
}
largest=$(awk -F'\t' '$4 == "-m4" && $9 + 0 > best { best = $9 + 0; pick = $1 "-" $2 "\t" $3 } END { print pick }' "$work/rows.tsv")
project_dir=$work/out/${largest%$'\t'*}; change=${largest#*$'\t'}
tail_bytes() { tail -c "$("$wasmiot" inspect "$1" --json | awk -F'[:,]' '/"payload_size"/ { gsub(/ /, "", $2); print $2; exit }')" "$1"; }
payload "$project_dir/v1-m4.bundle" "$project_dir/key"
for c in constant "$change"; do tail_bytes "$project_dir/$c-m4.bundle.patch" > "$work/$c.stream"; done
tail_bytes "$project_dir/$change-m4.bundle.z" > "$work/compressed.stream"
: > "$work/nothing"
echo
echo "## the applier on Cortex-M4F (${largest%$'\t'*}, AOT payloads; qemu -icount)"
echo
echo "| stream | coded bytes | produced bytes | instructions | per produced byte | per coded byte | ms at 64 MHz, 1 instruction a cycle |"
echo "|---|---:|---:|---:|---:|---:|---:|"
m4_row "delta, constant" "$project_dir/v1-m4.bundle.payload" "$work/constant.stream" "$project_dir/constant-m4.bundle.payload"
m4_row "delta, $change" "$project_dir/v1-m4.bundle.payload" "$work/$change.stream" "$project_dir/$change-m4.bundle.payload"
m4_row "compressed, $change" "$work/nothing" "$work/compressed.stream" "$project_dir/$change-m4.bundle.payload"
