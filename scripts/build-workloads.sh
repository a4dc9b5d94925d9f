#!/usr/bin/env bash
# Compiles every workload of templates/workloads.tsv to OUT/NAME.wasm with clang,
# with the bindings `wasmiot gen guest` writes from its manifest (OUT/gen/NAME/).
#   scripts/build-workloads.sh OUT [extra clang flags...]
# With WORKLOAD=NAME in the environment, only that one; WASMIOT names the
# executable (default: build/tools/wasmiot/wasmiot).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$1
shift
wasmiot=${WASMIOT:-$root/build/tools/wasmiot/wasmiot}
mkdir -p "$out"
grep -v '^#' "$root/templates/workloads.tsv" | while IFS=$'\t' read -r name source device ldflags; do
  if [ -n "${WORKLOAD:-}" ] && [ "$name" != "$WORKLOAD" ]; then continue; fi
  "$wasmiot" gen guest --manifest "$root/templates/$device" --lang c -o "$out/gen/$name" -q
  # shellcheck disable=SC2086 # ldflags is a list of flags
  # -Oz, as `wasmiot build` compiles device C (lib/project/compile_flags.cc).
  clang --target=wasm32 -mcpu=mvp -Oz -nostdlib -Wall -Wextra -Werror -Wl,--no-entry $ldflags "$@" \
    -I"$out/gen/$name" -o "$out/$name.wasm" "$root/templates/$source"
done
