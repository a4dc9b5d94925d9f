#!/usr/bin/env bash
# Installs the dependencies, then configures and builds wasmiot in build/ (or $1).
# Extra arguments go to cmake, e.g. scripts/build.sh build-asan -DWASMIOT_SANITIZE=ON
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
shift || true
bash "$root/scripts/install-deps.sh"
# Developers keep debug info; an install configured without a build type is Release.
cmake -S "$root" -B "$root/$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
ninja -C "$root/$build"
