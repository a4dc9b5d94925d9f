#!/usr/bin/env bash
# The toolchain installs like any other: `cmake --install` puts the binary,
# man pages, bash completion, templates, schemas, the device library and the
# CMake package in a prefix; the installed binary makes and builds a project
# from the installed templates; a firmware project finds it with
# find_package(wasmiot) and links a module for the host (and runs it) and for
# a Cortex-M4F; the device library builds alone for arm-none-eabi; and
# `cpack -G DEB` makes a package whose binary runs from a scratch root.
#   tests/install_test.sh SOURCE_DIR BUILD_DIR WORK_DIR
set -euo pipefail
root=$1
build=$2
work=$3/install
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
m4_toolchain=$root/docs/examples/cmake/arm-none-eabi.cmake
step() { echo "== $*"; }

step "cmake --install"
cmake --install "$build" --prefix "$prefix" --strip >/dev/null
for f in bin/wasmiot share/man/man1/wasmiot-check.1 share/man/man1/wasmiot-build.1 \
         share/bash-completion/completions/wasmiot share/wasmiot/templates/thermostat/device.json \
         share/wasmiot/templates/thermostat/src/lib.rs share/wasmiot/schemas/project.schema.json \
         share/wasmiot/device/wasmiot_bundle.h share/wasmiot/device/CMakeLists.txt \
         share/wasmiot/cmake/wasmiotConfig.cmake; do
  [ -f "$prefix/$f" ] || { echo "missing: $f"; exit 1; }
done
[ ! -e "$prefix/share/wasmiot/templates/workloads.tsv" ] || { echo "test fixtures installed"; exit 1; }
[ "$(MANPATH=$prefix/share/man man -w wasmiot-check)" = "$prefix/share/man/man1/wasmiot-check.1" ]
if [[ "$(file "$prefix/bin/wasmiot")" == *"with debug_info"* ]]; then echo "installed binary has debug info"; exit 1; fi
echo "installed binary: $(stat -c %s "$prefix/bin/wasmiot") bytes"

step "the installed binary, with the installed templates"
( cd "$work" && env -u WASMIOT_TEMPLATES "$prefix/bin/wasmiot" new thermostat module >/dev/null )
"$prefix/bin/wasmiot" build "$work/module" -q >"$work/module.out"
head -1 "$work/module.out"

step "bash completion, generated from the command table"
complete_words() {
  PATH="$prefix/bin:$PATH" bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _wasmiot; echo "${COMPREPLY[*]}"' \
    _ "$prefix/share/bash-completion/completions/wasmiot" "$@"
}
[ "$(complete_words wasmiot bui)" = "build" ]
[ "$(complete_words wasmiot build --reb)" = "--rebuild" ]
[ "$(complete_words wasmiot new therm)" = "thermostat" ]
[ "$(complete_words wasmiot aot m.wasm --target cortex-m4)" = "cortex-m4f" ]
echo "completes commands, flags, templates and targets"

step "find_package(wasmiot) and wasmiot_add_module(): host firmware, built and run"
cmake -S "$root/docs/examples/cmake" -B "$work/host" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DTHERMOSTAT_PROJECT="$work/module" >/dev/null
cmake --build "$work/host" >/dev/null
"$work/host/firmware" | tee "$work/host.out"
grep -q '^log: thermostat ready$' "$work/host.out"
cmake --build "$work/host" >"$work/host-again.out"  # the module step runs, and does nothing
grep -q 'wasmiot build' "$work/host-again.out"

step "the same for a Cortex-M4F (arm-none-eabi)"
cmake -S "$root/docs/examples/cmake" -B "$work/m4" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DTHERMOSTAT_PROJECT="$work/module" -DCMAKE_TOOLCHAIN_FILE="$m4_toolchain" -DWASMIOT_MODULE_TARGET=cortex-m4f >/dev/null
cmake --build "$work/m4" >/dev/null
[[ "$(file "$work/m4/firmware")" == *"ELF 32-bit LSB executable, ARM"* ]]
arm-none-eabi-size "$work/m4/firmware"

step "the device library alone, C99, for arm-none-eabi"
cmake -S "$prefix/share/wasmiot/device" -B "$work/device-m4" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$m4_toolchain" >/dev/null
cmake --build "$work/device-m4" >/dev/null
arm-none-eabi-size -t "$work/device-m4/libwasmiot_device.a" | tail -1

step "cpack -G DEB, installed into a scratch root with dpkg -x"
( cd "$build" && cpack -G DEB -B "$work/deb" >/dev/null )
deb=$(ls "$work"/deb/wasmiot_*.deb)
dpkg-deb --info "$deb" >"$work/deb-info.out"
grep -E 'Package|Version|Depends' "$work/deb-info.out"
# Binaryen is loaded with dlopen, which shlibdeps cannot see: the package names it.
grep -Eq '^ *Depends: (.*, )?binaryen(,|$)' "$work/deb-info.out" || { echo "the package does not depend on binaryen"; exit 1; }
dpkg -x "$deb" "$work/root"
"$work/root/usr/bin/wasmiot" --version >"$work/version.out"
head -2 "$work/version.out"
( cd "$work" && env -u WASMIOT_TEMPLATES "$work/root/usr/bin/wasmiot" new blank from-deb --lang rust >/dev/null )
"$work/root/usr/bin/wasmiot" build "$work/from-deb" -q >"$work/from-deb.out"
head -1 "$work/from-deb.out"
echo "install test passed"
