#!/usr/bin/env bash
# Runs the whole test suite: installs what it needs, builds, and runs ctest.
#   scripts/test.sh              normal build in build/
#   scripts/test.sh --sanitize   ASan+UBSan build in build-asan/
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=build
cmake_args=()
if [ "${1:-}" = "--sanitize" ]; then
  build=build-asan
  cmake_args=(-DWASMIOT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
fi
bash "$root/scripts/build.sh" "$build" "${cmake_args[@]}"
# ajv (JSON Schema validator) for the schema agreement tests, from the npm registry.
(cd "$root/tests/schema" && npm ci --no-audit --no-fund --loglevel=error)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$root/$build" --output-on-failure -j2
