#!/usr/bin/env bash
# `wasmiot gen` for every template's manifest, in all four languages, and the
# output compiled as firmware and module authors would:
#   guest c      gcc and clang (C99 and as C++17), and clang for wasm32
#   guest rust   Debian's rustc for wasm32, no_std, -D warnings
#   host wamr    gcc and clang (C99 and C++17) against tests/gen/wamr/wasm_export.h,
#                and the thermostat's glue run against tests/gen/wamr/fake_wamr.c
#   host wasm2c  gcc and clang (C99 and C++17) with the template's `wasmiot aot`
#                output for the host, and arm-none-eabi-gcc with its Cortex-M4F output
# all with -Wall -Wextra -Werror -pedantic.
#   tests/gen/gen_compile_test.sh SOURCE_DIR WORK_DIR   (WASMIOT: the executable)
set -euo pipefail
root=$1
work=$2/gen-compile
rm -rf "$work"
mkdir -p "$work"
warn=(-Wall -Wextra -Werror -pedantic)
status=0
fail() { echo "FAIL $*"; status=1; }

compile_c_and_cxx() {  # label, then compiler arguments after the standard
  local label=$1; shift
  for cc in gcc clang; do
    "$cc" -std=c99 "${warn[@]}" "$@" -o /dev/null || fail "$label: $cc"
  done
  for cxx in g++ clang++; do
    "$cxx" -x c++ -std=c++17 "${warn[@]}" "$@" -o /dev/null || fail "$label: $cxx (as C++)"
  done
}

for manifest in "$root"/templates/*/device.json; do
  name=$(basename "$(dirname "$manifest")")
  dir="$work/$name"
  for side_lang in guest:c guest:rust host:wamr; do
    "$WASMIOT" gen "${side_lang%%:*}" --manifest "$manifest" --lang "${side_lang##*:}" -o "$dir/${side_lang##*:}" -q
  done

  # Guest C: the header alone, in every compiler, and for wasm32.
  printf '#include "wasmiot_guest.h"\n' >"$dir/c/use.c"
  compile_c_and_cxx "$name guest c" -I"$dir/c" -c "$dir/c/use.c"
  clang --target=wasm32 -mcpu=mvp -std=c99 -ffreestanding "${warn[@]}" -I"$dir/c" -c "$dir/c/use.c" -o /dev/null ||
    fail "$name guest c: clang --target=wasm32"

  # Guest Rust: included into a no_std crate root, as the templates do.
  printf '#![no_std]\ninclude!(concat!(env!("WASMIOT_GEN_DIR"), "/wasmiot_guest.rs"));\n' >"$dir/rust/lib.rs"
  WASMIOT_GEN_DIR="$dir/rust" /usr/bin/rustc --edition 2021 --crate-type lib --target wasm32-unknown-unknown \
    -D warnings -C panic=abort --emit=metadata -o "$dir/rust/lib.rmeta" "$dir/rust/lib.rs" ||
    fail "$name guest rust: rustc -D warnings"

  # Host WAMR: against the API declaration kept in tests/.
  compile_c_and_cxx "$name host wamr" -I"$root/tests/gen/wamr" -I"$dir/wamr" -c "$dir/wamr/wasmiot_wamr.c"
  # ...and for the thermostat, run against a stand-in for WAMR (tests/gen/wamr/fake_wamr.c):
  # natives, install checks, budgets, export calls and their statuses.
  if [ "$name" = thermostat ]; then
    for cc in gcc clang; do
      "$cc" -std=c99 "${warn[@]}" -I"$root/tests/gen/wamr" -I"$dir/wamr" "$root/tests/gen/wamr_glue_test.c" \
        "$root/tests/gen/wamr/fake_wamr.c" "$dir/wamr/wasmiot_wamr.c" -o "$dir/wamr/glue-test-$cc" &&
        "$dir/wamr/glue-test-$cc" || fail "$name host wamr: the glue against fake WAMR ($cc)"
    done
  fi

  # Host wasm2c: with the template module's own AOT output.
  project="$dir/project"
  "$WASMIOT" new "$name" "$project" --no-key >/dev/null
  "$WASMIOT" build "$project" -q >/dev/null || { fail "$name: the template does not build"; continue; }
  module=$(sed -n 's/.*"name": *"\([A-Za-z0-9_]*\)".*/\1/p' "$project/wasmiot.json" | head -n 1)
  for target in host cortex-m4f; do
    aot="$project/build/aot/$target"
    [ -d "$aot" ] || continue
    "$WASMIOT" gen host --manifest "$manifest" --lang wasm2c --name "$module" \
      --module "$project/build/$module.wasm" -o "$aot" -q
    if [ "$target" = host ]; then
      compile_c_and_cxx "$name host wasm2c" -I"$aot" -c "$aot/wasmiot_wasm2c.c"
    else
      arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -std=c99 "${warn[@]}" \
        -I"$aot" -c "$aot/wasmiot_wasm2c.c" -o /dev/null || fail "$name host wasm2c: arm-none-eabi-gcc"
    fi
  done
  [ $status = 0 ] && echo "ok $name"
done
exit $status
