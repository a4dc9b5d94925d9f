#!/usr/bin/env bash
# Delta and compressed updates on the wire (issue 16): real version pairs of
# the thermostat template, in C and in Rust (-Oz as `wasmiot new` makes it, and
# an unoptimized Rust build: a module of realistic size), each changed as a
# maintainer would (a threshold constant, a new log line, a new function, a
# refactored loop) and rebuilt with `wasmiot build`; for the wasm bundle and
# the cortex-m4f AOT bundle of each pair, the bytes on the wire (chunk frames
# included) of the full bundle, the compressed bundle and the delta bundle
# (`wasmiot delta`), beside Debian's bsdiff and xdelta3 patches of the same
# payloads.
#   bash bench/delta.sh     (after scripts/build.sh; needs bsdiff, xdelta3)
# Prints markdown tables; docs/benchmarks.md records a run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wasmiot=$root/build/tools/wasmiot/wasmiot
bash "$root/scripts/install-deps.sh" bsdiff xdelta3 >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The changes, as perl substitutions on the template's source.
c_change() {  # KIND FILE
  case $1 in
    constant) perl -0pi -e 's/kHumidityFanThreshold = 60\.0f/kHumidityFanThreshold = 65.0f/' "$2" ;;
    log) perl -0pi -e 's/(    env_set_hvac_mode\(kHvacHeat\);\n)/$1    Log("heating", 7);\n/' "$2" ;;
    function) perl -0pi -e 's/(void control_loop\(void\) \{)/__attribute__((noinline)) static int HumidityFanOn(float humidity) {\n  return humidity > kHumidityFanThreshold && humidity <= 100.0f;\n}\n\n$1/; s/if \(humidity > kHumidityFanThreshold\)/if (HumidityFanOn(humidity))/' "$2" ;;
    loop) perl -0pi -e 's/  for \(; \*text; \+\+text\) \{\n    if \(\*at >= limit\) return 0;\n    out\[\(\*at\)\+\+\] = \*text;\n  \}/  int32_t n = 0;\n  while (text[n] != 0) ++n;\n  if (n > limit - *at) return 0;\n  for (int32_t i = 0; i < n; ++i) out[*at + i] = text[i];\n  *at += n;/' "$2" ;;
  esac
}
rust_change() {  # KIND FILE
  case $1 in
    constant) perl -0pi -e 's/HUMIDITY_FAN_THRESHOLD: f32 = 60\.0/HUMIDITY_FAN_THRESHOLD: f32 = 65.0/' "$2" ;;
    log) perl -0pi -e 's/(        set_hvac_mode\(HvacMode::Heat\);\n)/$1        env::log(b"heating");\n/' "$2" ;;
    function) perl -0pi -e 's/(#\[no_mangle\]\npub extern "C" fn control_loop)/#[inline(never)]\nfn humidity_fan_on(humidity: f32) -> bool {\n    humidity > HUMIDITY_FAN_THRESHOLD && humidity <= 100.0\n}\n\n$1/; s/if humidity > HUMIDITY_FAN_THRESHOLD \{/if humidity_fan_on(humidity) {/' "$2" ;;
    loop) perl -0pi -e 's/        if value >= 10 \{\n            self\.push_decimal\(value \/ 10\)\?;\n        \}\n        self\.push\(b.0. \+ \(value % 10\) as u8\)/        let mut digits = [0u8; 10];\n        let (mut n, mut rest) = (0, value);\n        loop {\n            digits[n] = b\x270\x27 + (rest % 10) as u8;\n            n += 1;\n            rest \/= 10;\n            if rest == 0 {\n                break;\n            }\n        }\n        digits[..n].iter().rev().try_for_each(|\&digit| self.push(digit))/' "$2" ;;
  esac
}

# A project: `wasmiot new`, built as version 1.0.0; then each change built as 1.0.1.
project() {  # NAME LANG [unoptimized]
  local name=$1 lang=$2 dir=$work/$1
  "$wasmiot" new thermostat "$dir" --lang "$lang" -q >/dev/null
  perl -0pi -e 's/"version": "0\.1\.0"/"version": "1.0.0"/; s/"targets": \[\n    "cortex-m4f",\n    "host"\n  \]/"targets": ["cortex-m4f"]/' "$dir/wasmiot.json"
  if [ "${3:-}" = unoptimized ]; then
    perl -0pi -e 's/"opt_level": "z",/"opt_level": "0",\n  "compile_flags": ["-Copt-level=0"],/' "$dir/wasmiot.json"
    perl -0pi -e 's/"max_module_bytes": \d+/"max_module_bytes": 262144/' "$dir/device.json"
  fi
  "$wasmiot" build "$dir" -q -j1 >/dev/null
  mkdir -p "$work/out/$name"
  cp "$dir/build/thermostat.bundle" "$work/out/$name/v1.bundle"
  cp "$dir/build/thermostat-cortex-m4f.bundle" "$work/out/$name/v1-m4.bundle"
  local source=$dir/src/thermostat.c
  [ "$lang" = rust ] && source=$dir/src/lib.rs
  cp "$source" "$work/$name.orig"
  for kind in constant log function loop; do
    cp "$work/$name.orig" "$source"
    "${lang}_change" "$kind" "$source"
    if cmp -s "$source" "$work/$name.orig"; then echo "bench/delta.sh: the $kind change did not apply to $source" >&2; exit 1; fi
    perl -0pi -e 's/"version": "1\.0\.0"/"version": "1.0.1"/' "$dir/wasmiot.json"
    "$wasmiot" build "$dir" -q -j1 >/dev/null
    perl -0pi -e 's/"version": "1\.0\.1"/"version": "1.0.0"/' "$dir/wasmiot.json"
    cp "$dir/build/thermostat.bundle" "$work/out/$name/$kind.bundle"
    cp "$dir/build/thermostat-cortex-m4f.bundle" "$work/out/$name/$kind-m4.bundle"
  done
  cp "$dir/keys/dev.key" "$work/out/$name/key"
}

wire() { "$wasmiot" chunk "$1" --stream "$1.stream" >/dev/null; stat -c %s "$1.stream"; }
payload() {  # BUNDLE KEY: the payload it carries (plain bundles only)
  "$wasmiot" chunk "$1" --stream "$1.stream" >/dev/null
  "$wasmiot" assemble "$1.stream" -p "$2" -o "$1.payload" -q >/dev/null
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", 100 * a / b }'; }

row() {  # PROJECT CHANGE SUFFIX
  local out=$work/out/$1 old=$work/out/$1/v1$3.bundle new=$work/out/$1/$2$3.bundle key=$work/out/$1/key
  "$wasmiot" delta "$old" "$new" --key "$key" -o "$new.patch" >/dev/null
  "$wasmiot" delta --compress "$new" --key "$key" -o "$new.z" >/dev/null
  local full zipped patched
  full=$(wire "$new"); zipped=$(wire "$new.z"); patched=$(wire "$new.patch")
  payload "$old" "$key" && payload "$new" "$key"
  bsdiff "$old.payload" "$new.payload" "$new.bsdiff"
  xdelta3 -9 -e -f -s "$old.payload" "$new.payload" "$new.xdelta"
  local size stream bs xd
  size=$(stat -c %s "$new.payload")
  stream=$("$wasmiot" inspect "$new.patch" --json | awk -F'[:,]' '/"payload_size"/ { gsub(/ /, "", $2); print $2; exit }')
  bs=$(stat -c %s "$new.bsdiff"); xd=$(stat -c %s "$new.xdelta")
  echo "| $1 | $2 | $size | $full | $zipped ($(pct "$zipped" "$full")) | $patched ($(pct "$patched" "$full")) | $stream | $bs | $xd |"
  rm -f "$old.payload"
}

project c c
project rust rust
project rust-O0 rust unoptimized
for suffix in "" -m4; do
  if [ -z "$suffix" ]; then echo "## wasm bundles"; else echo; echo "## cortex-m4f AOT bundles (libNAME.a)"; fi
  echo
  echo "| module | change | payload | full (wire) | compressed (wire) | delta (wire) | delta stream | bsdiff | xdelta3 -9 |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for p in c rust rust-O0; do
    for kind in constant log function loop; do row "$p" "$kind" "$suffix"; done
  done
done
