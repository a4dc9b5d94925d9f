#!/usr/bin/env bash
# Builds wasmiot's libFuzzer targets (fuzz/, docs/fuzzing.md) with clang, ASan
# and UBSan in build-fuzz/, makes their seed corpora with the project's own
# files and tools, replays fuzz/regressions/, and fuzzes every target.
#
#   bash scripts/fuzz.sh                   CI mode: each target FUZZ_SECONDS (default 60)
#   bash scripts/fuzz.sh --campaign HOURS  campaign: each target HOURS hours (fractions allowed)
#   bash scripts/fuzz.sh --replay          build, seed and replay the regressions only
#
# Environment:
#   FUZZ_SECONDS   seconds per target in CI mode (default 60)
#   FUZZ_JOBS      targets fuzzed at the same time (default 2: one per core)
#   FUZZ_TARGETS   the targets to run, space separated (default: all of them)
#   FUZZ_KEEP_GOING=1  fuzz on past crashes (libFuzzer's -fork=1 -ignore_crashes=1) for the
#                  whole time, e.g. while a known defect is not fixed yet; crashes still fail the run
#   BUILD_JOBS     ninja -j (default 2)
# Exits 1 if a regression input or a fuzzer crashes, hangs, leaks or runs out
# of memory; crashing inputs are in build-fuzz/artifacts/TARGET/, the corpus
# each run grew in build-fuzz/work/TARGET/ (kept between runs; delete it to
# start over). Runs as root (no sudo needed) or as a user with sudo.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-fuzz

all_targets=(module manifest scenario gateway keys bundle receiver pgm runtime project slots device delta)
mode=ci
hours=
case "${1:-}" in
  "") ;;
  --campaign)
    mode=campaign
    hours=${2:-}
    if ! [[ $hours =~ ^[0-9]+([.][0-9]+)?$ ]] || [ "$(awk -v h="$hours" 'BEGIN { print (h > 0) }')" != 1 ]; then
      echo "fuzz.sh: --campaign needs a number of hours, e.g. --campaign 8" >&2
      exit 2
    fi
    ;;
  --replay) mode=replay ;;
  -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac
seconds=${FUZZ_SECONDS:-60}
[ "$mode" = campaign ] && seconds=$(awk -v h="$hours" 'BEGIN { printf "%d", h * 3600 }')
jobs=${FUZZ_JOBS:-2}
read -r -a targets <<< "${FUZZ_TARGETS:-${all_targets[*]}}"

started=$(date +%s)
phase_start=$started
timings=()
phase() {  # records how long the previous phase took
  local now
  now=$(date +%s)
  timings+=("$(printf '%-28s %5ds' "$1" $((now - phase_start)))")
  phase_start=$now
}

# ---- dependencies (Debian packages) ----------------------------------------------
# clang 14 and its libFuzzer/ASan/UBSan runtimes, wasm-ld for the workload
# seeds, the libraries wasmiot links, wat2wasm for seeds.
bash "$root/scripts/install-deps.sh" \
  cmake ninja-build pkg-config \
  clang lld libclang-rt-14-dev \
  wabt binaryen \
  libcli11-dev libsodium-dev libfmt-dev nlohmann-json3-dev
phase "dependencies"

# ---- build ---------------------------------------------------------------------
# OSS-Fuzz's flags: -O1 and line tables only (symbolized stacks, half the
# compile time of -O2 -g), and no NDEBUG, so that assertions in header
# libraries (nlohmann-json's, libstdc++'s with _GLIBCXX_ASSERTIONS) stop on
# misuse that would otherwise be silent undefined behaviour.
flags="-O1 -gline-tables-only"
nice cmake -S "$root" -B "$build" -G Ninja -DWASMIOT_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$flags -D_GLIBCXX_ASSERTIONS" >/dev/null
nice ninja -C "$build" -j "${BUILD_JOBS:-2}" fuzz
phase "build"

# ---- seed corpora --------------------------------------------------------------
# The wasmiot tool of this build makes keys, bundles and chunk streams; leaks
# at its exit are not what is being fuzzed here.
export ASAN_OPTIONS=detect_leaks=0
wasmiot=$build/tools/wasmiot/wasmiot
seedgen=$build/fuzz/fuzz_seed_corpus
thermostat=$root/templates/thermostat/device.json
corpus=$build/corpus
tmp=$build/seed-work
rm -rf "$corpus" "$tmp"
for t in "${all_targets[@]}"; do mkdir -p "$corpus/$t"; done
mkdir -p "$tmp/wasm"

# Modules: tests/data (.wat compiled by wabt, commented hex decoded) and the
# chapter's workloads compiled from C (templates/workloads.tsv).
for wat in "$root"/tests/data/*/*.wat; do
  name=$(basename "${wat%.wat}")
  wat2wasm --enable-all "$wat" -o "$tmp/wasm/$name.wasm" 2>/dev/null || echo "fuzz.sh: note: wat2wasm refused $wat"
done
for hex in "$root"/tests/data/binaries/*.hex; do
  "$seedgen" hex "$hex" "$tmp/wasm/$(basename "${hex%.hex}").wasm"
done
if WASMIOT="$wasmiot" bash "$root/scripts/build-workloads.sh" "$tmp/workloads" >/dev/null 2>&1; then
  cp "$tmp"/workloads/*.wasm "$tmp/wasm/"
else
  echo "fuzz.sh: note: the C workloads did not build; their modules are not seeds"
fi
cp "$tmp"/wasm/*.wasm "$corpus/module/"
cp "$tmp"/wasm/*.wasm "$corpus/runtime/"

# Manifests, scenarios (and the gateway's tenants, which are scenarios), gateways.
cp "$root"/tests/data/manifests/*.json "$corpus/manifest/"
for f in "$root"/templates/*/device.json; do
  cp "$f" "$corpus/manifest/$(basename "$(dirname "$f")").device.json"
done
for f in "$root"/templates/*/tests/*.scenario.json "$root"/templates/gateway/*.tenant.json; do
  cp "$f" "$corpus/scenario/$(basename "$f")"
done
cp "$root"/templates/gateway/*.json "$corpus/gateway/"
# fuzz_scenario: after a NUL byte, the contents of series.csv and series.json.
calls='"calls":[{"export":"init"},{"export":"control_loop","every_ms":100},{"export":"get_status","at_ms":900,"args":[1024,64]}]'
printf '{"scenario_version":1,"duration_ms":1000,%s,"sensors":{"temperature":{"file":"series.csv"},"humidity":40},"expect":{"host_calls":[{"function":"env.set_hvac_mode","args":[1],"at_ms":0}],"results":[{"export":"get_status","values":[0],"memory":{"at":1024,"hex":"00"}}]}}\0# ms,celsius\nms,value\n0,18.5\n400,22\n\n800,25.25\n' \
  "$calls" > "$corpus/scenario/series-csv"
printf '{"scenario_version":1,"duration_ms":1000,%s,"sensors":{"temperature":{"file":"series.json"}},"expect":{"traps":[{"export":"control_loop","at_ms":500,"kind":"host"}]}}\0[[0,18.5],[400,22],[800,25.25]]' \
  "$calls" > "$corpus/scenario/series-json"

# Keys: keygen's own (plain and password-protected, at its real cost), every
# pubkey format, and the fixed fuzzing key (fuzz_seed_corpus) in clear and
# encrypted cheaply enough for fuzz_keys to decrypt.
"$wasmiot" keygen -o "$tmp/plain" >/dev/null
WASMIOT_FUZZ_PASSWORD=correct-horse "$wasmiot" keygen -o "$tmp/protected" --password-env WASMIOT_FUZZ_PASSWORD >/dev/null
for format in pem raw c rust; do "$wasmiot" pubkey "$tmp/plain.key" --format "$format" -o "$tmp/plain.pub.$format" >/dev/null; done
"$seedgen" secret-key "$tmp/fixed.key"
"$seedgen" public-key "$tmp/fixed.pub.pem"
"$seedgen" encrypted-key "$tmp/fixed-encrypted.key"
cp "$tmp"/plain.key "$tmp"/plain.pub.* "$tmp"/protected.key "$tmp"/protected.pub.pem "$tmp"/fixed*.key "$tmp"/fixed.pub.pem \
  "$corpus/keys/"

# Bundles signed with the fixed key (fuzz_bundle and fuzz_receiver trust it),
# one with keygen's key (unknown to them), and their chunk streams.
bundle() {  # NAME MODULE [sign options...]
  local name=$1 module=$2
  shift 2
  "$wasmiot" sign "$module" --key "$tmp/fixed.key" --manifest "$thermostat" --version 1.2.3 --seq 7 \
    -o "$tmp/$name.bundle" "$@" >/dev/null
  "$wasmiot" chunk "$tmp/$name.bundle" -o "$tmp/$name.chunks" --stream "$tmp/$name.stream" >/dev/null
  cp "$tmp/$name.bundle" "$corpus/bundle/"
  "$seedgen" receiver "$tmp/$name.bundle" "$tmp/$name.stream" "$corpus/receiver"
}
"$seedgen" slots "$corpus/slots"
"$seedgen" delta "$corpus/delta"
bundle contract "$tmp/wasm/thermostat.wasm"
bundle contract-64 "$tmp/wasm/thermostat.wasm" --chunk-size 64
bundle contract-aot "$tmp/wasm/thermostat.wasm" --target cortex-m4f --chunk-size 100
if [ -f "$tmp/workloads/thermostat.wasm" ]; then
  bundle workload "$tmp/workloads/thermostat.wasm" --chunk-size 256
fi
"$wasmiot" sign "$tmp/wasm/thermostat.wasm" --key "$tmp/plain.key" --manifest "$thermostat" --version 1.0.0 --seq 1 \
  -o "$corpus/bundle/unknown-key.bundle" >/dev/null

# Device states (fuzz_device) on 4 KiB of flash with 256-byte sectors: new,
# an update pending, confirmed, a trapping one pending, its test boot cut
# short, and recovered.
device_update() {  # NAME WAT SEQUENCE: a stream of the module signed with the fixed key
  wat2wasm "$2" -o "$tmp/$1.wasm"
  "$wasmiot" sign "$tmp/$1.wasm" --key "$tmp/fixed.key" --manifest "$thermostat" --version "1.0.$3" --seq "$3" \
    --chunk-size 64 -o "$tmp/$1.bundle" >/dev/null
  "$wasmiot" chunk "$tmp/$1.bundle" --stream "$tmp/$1.stream" >/dev/null
}
sed 's/(func (export "init")/(func (export "init") unreachable/' "$root/tests/data/modules/thermostat.wat" > "$tmp/trap.wat"
device_update device-good "$root/tests/data/modules/thermostat.wat" 7
device_update device-trap "$tmp/trap.wat" 8
# Encoded bundles (format 3) for fuzz_bundle and fuzz_receiver: compressed, and a delta.
encoded() {  # NAME [delta arguments...]
  local name=$1
  shift
  "$wasmiot" delta "$@" --key "$tmp/fixed.key" -o "$tmp/$name.bundle" >/dev/null
  "$wasmiot" chunk "$tmp/$name.bundle" --stream "$tmp/$name.stream" >/dev/null
  cp "$tmp/$name.bundle" "$corpus/bundle/"
  "$seedgen" receiver "$tmp/$name.bundle" "$tmp/$name.stream" "$corpus/receiver"
}
encoded encoded-compressed --compress "$tmp/contract-64.bundle"
encoded encoded-delta "$tmp/device-good.bundle" "$tmp/device-trap.bundle"
device=$tmp/device.state
"$wasmiot" device init "$device" -m "$thermostat" -p "$tmp/fixed.pub.pem" --flash-size 4096 --sector-size 256 >/dev/null
cp "$device" "$corpus/device/new.state"
"$wasmiot" device install "$device" "$tmp/device-good.stream" >/dev/null
cp "$device" "$corpus/device/pending.state"
"$wasmiot" device boot "$device" >/dev/null 2>&1
cp "$device" "$corpus/device/confirmed.state"
"$wasmiot" device install "$device" "$tmp/device-trap.stream" >/dev/null
cp "$device" "$corpus/device/trap-pending.state"
"$wasmiot" device boot "$device" --fail-at 2 >/dev/null 2>&1 || [ $? -eq 4 ]
cp "$device" "$corpus/device/trial-cut.state"
"$wasmiot" device boot "$device" >/dev/null 2>&1
cp "$device" "$corpus/device/recovered.state"

# PGM camera frames, binary (P5) and text (P2), with comments.
# shellcheck disable=SC2059 # the format is the byte, as an octal escape
{ printf 'P5\n# a 16x12 gradient\n16 12\n255\n'; for ((i = 0; i < 192; i++)); do printf "\\$(printf '%03o' $((i % 256)))"; done; } \
  > "$corpus/pgm/gradient.pgm"
printf 'P5 4 2 15\n\x00\x01\x02\x03\x0c\x0d\x0e\x0f' > "$corpus/pgm/maxval15.pgm"
printf 'P2\n# 4x3, maxval 9\n4 3\n9\n0 1 2 3\n4 5 6 7\n8 9 0 1\n' > "$corpus/pgm/text.pgm"
printf 'P2 2 2 255 0 128 255 7' > "$corpus/pgm/one-line.pgm"
printf 'P5\n0 0\n255\n' > "$corpus/pgm/empty.pgm"

# Project files as `wasmiot new` writes them (C and Rust, signed and not), and
# a build state file.
for t in thermostat sensor-node; do
  "$wasmiot" new "$t" "$tmp/project-$t" --no-key >/dev/null
  cp "$tmp/project-$t/wasmiot.json" "$corpus/project/$t.json"
  "$wasmiot" new "$t" "$tmp/project-$t-rust" --lang rust >/dev/null
  cp "$tmp/project-$t-rust/wasmiot.json" "$corpus/project/$t-rust.json"
done
printf '{"project_version":1,"name":"m","version":"1.2.3","language":"c","sources":["a.c","b/c.c"],"compile_flags":["-DX"],"manifest":"../d.json","targets":["host"],"signing":{"key":{"env":"K"},"sequence":7},"chunk_size":64}' \
  > "$corpus/project/env-key.json"
printf '{"state_version":1,"steps":{"compile":{"key":"key","outputs":[["/tmp/x.wasm",12,1700000000000000000]]},"aot:host":{"key":"","outputs":[]}}}' \
  > "$corpus/project/state.json"
printf 'wasmiot-aot-interface 1\nlibrary 0a1b\nstart 1\nmemory 70000\nimport 0 656e76 6e6f775f6d73 - 1\nimport 2 656e76 6d656d6f7279 - -\nexport 0 66 0,1 3\nexport 0 - - -\nend\n' \
  > "$corpus/project/aot-interface.txt"
rm -rf "$tmp"
phase "seed corpora"

# ---- regressions ----------------------------------------------------------------
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failures=()
replayed=0
rm -rf "$build/regressions"
for t in "${all_targets[@]}"; do
  for hex in "$root"/fuzz/regressions/"$t"/*.hex; do
    [ -e "$hex" ] || continue
    mkdir -p "$build/regressions/$t"
    input=$build/regressions/$t/$(basename "${hex%.hex}")
    "$seedgen" hex "$hex" "$input"
    replayed=$((replayed + 1))
    if ! "$build/fuzz/fuzz_$t" -rss_limit_mb=2048 -timeout=60 "$input" > "$input.log" 2>&1; then
      echo "fuzz.sh: REGRESSION FAILS: fuzz/regressions/$t/$(basename "$hex") (log: $input.log)"
      grep -m2 -E 'ERROR|runtime error|Assertion|fuzz_[a-z]+: [^R]' "$input.log" | cut -c1-220 | sed 's/^/    /' || true
      failures+=("regression $t/$(basename "$hex")")
    fi
  done
done
echo "fuzz.sh: replayed $replayed regression inputs, ${#failures[@]} failed"
phase "regressions"
if [ "$mode" = replay ]; then
  printf '%s\n' "${timings[@]}"
  [ ${#failures[@]} -eq 0 ] || exit 1
  exit 0
fi

# ---- fuzzing ---------------------------------------------------------------------
max_len() {
  case $1 in
    gateway|keys|project) echo 4096 ;;
    slots) echo 512 ;;
    manifest|scenario|pgm|runtime|device|delta) echo 16384 ;;
    *) echo 65536 ;;
  esac
}
dictionary() {
  case $1 in
    module|runtime) echo wasm ;;
    receiver) echo bundle ;;
    *) echo "$1" ;;
  esac
}

fuzz_one() {  # TARGET: runs it, leaves its log and a summary line in build-fuzz/logs/
  local t=$1 dict args
  mkdir -p "$build/work/$t" "$build/artifacts/$t" "$build/logs"
  args=(-max_total_time="$seconds" -max_len="$(max_len "$t")" -rss_limit_mb=2048 -timeout=30
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$t/")
  dict=$root/fuzz/dictionaries/$(dictionary "$t").dict
  [ -f "$dict" ] && args+=(-dict="$dict")
  [ "${FUZZ_KEEP_GOING:-0}" = 1 ] && args+=(-fork=1 -ignore_crashes=1)
  local rc=0
  nice "$build/fuzz/fuzz_$t" "${args[@]}" "$build/work/$t" "$build/corpus/$t" > "$build/logs/$t.log" 2>&1 || rc=$?
  local log=$build/logs/$t.log
  local done_line execs rate cov ft corp crashes=
  if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
    # Fork mode: "#EXECS: cov: C ft: F corp: N exec/s R oom/timeout/crash: O/T/X time: Ss job: J"
    done_line=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
    execs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' <<< "$done_line")
    local took
    took=$(sed -n 's/.* time: \([0-9]*\)s.*/\1/p' <<< "$done_line")
    [ -n "$execs" ] && [ -n "$took" ] && [ "$took" -gt 0 ] && rate=$((execs / took))
    crashes=$(sed -n 's|.* oom/timeout/crash: \([0-9/]*\).*|\1|p' <<< "$done_line")
    [ -n "$crashes" ] && echo "oom/timeout/crash $crashes" > "$build/logs/$t.why"
  else
    done_line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1 || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  fi
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$done_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$done_line")
  corp=$(sed -n 's/.* corp: \([0-9]*\(\/[0-9a-zA-Z]*\)\{0,1\}\).*/\1/p' <<< "$done_line")
  local verdict=ok
  if [ "${FUZZ_KEEP_GOING:-0}" = 1 ] && [ -n "${crashes:-}" ] && [ "$crashes" != 0/0/0 ] && [ $rc -eq 0 ]; then
    rc=1  # fork mode ignores timeouts and running out of memory: they fail the run all the same
  fi
  if [ $rc -ne 0 ]; then
    verdict="FAILED (exit $rc)"
    [ "${FUZZ_KEEP_GOING:-0}" = 1 ] || grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|Assertion|fuzz_[a-z]+: ' "$log" \
      | cut -c1-220 > "$build/logs/$t.why" || true
  fi
  printf '%-9s %-18s exec/s %-7s execs %-9s cov %-6s ft %-6s corp %-12s\n' "$t" "$verdict" "${rate:-?}" \
    "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" > "$build/logs/$t.summary"
  return 0
}

echo "fuzz.sh: fuzzing ${targets[*]} for ${seconds}s each, $jobs at a time"
rm -f "$build"/logs/*.summary "$build"/logs/*.why
running=0
for t in "${targets[@]}"; do
  if [ ! -x "$build/fuzz/fuzz_$t" ]; then echo "fuzz.sh: no target '$t'" >&2; exit 2; fi
  fuzz_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait
phase "fuzzing"

echo
echo "target    verdict            exec/s         executions      coverage (cov, ft, corpus)"
for t in "${targets[@]}"; do
  cat "$build/logs/$t.summary"
  if [ -s "$build/logs/$t.why" ]; then
    sed 's/^/          /' "$build/logs/$t.why"
    # shellcheck disable=SC2012 # libFuzzer names its artifacts crash-SHA1 and the like
    echo "          log: build-fuzz/logs/$t.log, input: $(ls -t "$build/artifacts/$t" | head -1 | sed "s|^|build-fuzz/artifacts/$t/|")"
  fi
  grep -q FAILED "$build/logs/$t.summary" && failures+=("fuzz_$t")
done
echo
printf '%s\n' "${timings[@]}"
printf '%-28s %5ds\n' "total" $(($(date +%s) - started))
if [ ${#failures[@]} -gt 0 ]; then
  echo "fuzz.sh: FAILED: ${failures[*]}"
  exit 1
fi
echo "fuzz.sh: no crash, hang, leak or sanitizer report"
