#!/usr/bin/env bash
# Installs every build and test dependency of wasmiot from Debian's packages,
# or, given package names, just those (scripts/fuzz.sh needs another set).
# Idempotent: packages already present are left alone. Runs as root, or through sudo.
#   scripts/install-deps.sh            the project's packages
#   scripts/install-deps.sh PKG...     only these
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  wabt binaryen
  libcli11-dev libsodium-dev libfmt-dev catch2 nlohmann-json3-dev
  clang lld            # C module sources -> wasm32
  rustc libstd-rust-dev-wasm32   # Rust module sources -> wasm32 (Debian's rustc, no cargo registry)
  nodejs               # ajv: cross-checks our manifest parser against the JSON Schema
  # wasmiot aot: a C compiler per target, and qemu-user to run the Linux ones in tests
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  gcc-arm-none-eabi libnewlib-arm-none-eabi
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  gcc-xtensa-lx106
  qemu-user qemu-system-arm   # run Linux AOT output; run Cortex-M output on MPS2 boards
  hyperfine            # bench/
  valgrind             # tests: the device C library under valgrind
  libbenchmark-dev     # bench/runtime_bench.cc
)
# Some images ship a nodejs that bundles npm; Debian's npm package conflicts with it.
command -v npm >/dev/null 2>&1 || packages+=(npm)
[ $# -gt 0 ] && packages=("$@")

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi
