// The reference runtime (wabt's interpreter) through `wasmiot run`, and its
// values and simulated host as a library: results, traps, budgets, host
// functions from a manifest, and the bad inputs of issue 5.
#include <cmath>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/aot_engine.h"
#include "runtime/engine.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace {

// A device with one host function of each simulation kind.
constexpr const char* kLabDevice = R"({
  "manifest_version": 1,
  "device": { "vendor": "acme", "class": "lab-bench", "api_version": "1.0.0" },
  "imports": {
    "env": {
      "read_level": { "results": [{ "name": "v", "type": "f32" }], "sim": { "kind": "sensor", "channel": "level" } },
      "read_cell": { "params": [{ "name": "i", "type": "i32" }], "results": [{ "name": "v", "type": "i32" }],
                     "sim": { "kind": "sensor", "channel": "cells", "indexed_by": "i" } },
      "set_valve": { "params": [{ "name": "open", "type": "i32" }], "results": [{ "name": "ok", "type": "i32" }],
                     "sim": { "kind": "actuator", "returns": 1 } },
      "log": { "params": [{ "name": "m", "type": "ptr", "len": "n", "access": "read" }], "sim": { "kind": "log" } },
      "now_ms": { "results": [{ "name": "t", "type": "i64" }], "sim": { "kind": "clock", "unit": "ms" } },
      "read_frame": { "params": [{ "name": "b", "type": "ptr", "len": "n", "access": "write" }],
                      "results": [{ "name": "got", "type": "i32" }], "sim": { "kind": "buffer_in", "stream": "frames" } },
      "send": { "params": [{ "name": "b", "type": "ptr", "len": "n", "access": "read" }],
                "sim": { "kind": "buffer_out", "stream": "radio" } }
    }
  },
  "exports": {},
  "budgets": {
    "memory": { "initial_pages": 1, "max_pages": 2 },
    "table": { "max_elements": 4 },
    "stack_bytes": 4096, "heap_bytes": 0, "fuel_per_call": 1000000, "wall_ms_per_call": 20,
    "max_module_bytes": 65536
  },
  "features": [],
  "aot_targets": ["host"]
})";

constexpr const char* kLabModule = R"((module
  (import "env" "read_level" (func $level (result f32)))
  (import "env" "read_cell" (func $cell (param i32) (result i32)))
  (import "env" "set_valve" (func $valve (param i32) (result i32)))
  (import "env" "log" (func $log (param i32 i32)))
  (import "env" "now_ms" (func $now (result i64)))
  (import "env" "read_frame" (func $frame (param i32 i32) (result i32)))
  (import "env" "send" (func $send (param i32 i32)))
  (memory (export "memory") 1 2)
  (data (i32.const 16) "tank low")
  (func (export "level") (result f32) (call $level))
  (func (export "cell") (param i32) (result i32) (call $cell (local.get 0)))
  (func (export "open") (result i32) (call $valve (i32.const 1)))
  (func (export "hello") (call $log (i32.const 16) (i32.const 8)))
  (func (export "log_at") (param i32 i32) (call $log (local.get 0) (local.get 1)))
  (func (export "now") (result i64) (call $now))
  (func (export "echo") (param i32) (result i32)
    (local $n i32)
    (local.set $n (call $frame (i32.const 100) (local.get 0)))
    (call $send (i32.const 100) (local.get $n))
    (local.get $n))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "grow_then_log") (param i32) (result i32)
    (drop (memory.grow (i32.const 1)))
    (call $log (i32.const 65536) (local.get 0))
    (memory.size)))
)";

// `wasmiot ARGS --engine ENGINE`: "both" runs on the interpreter and host
// AOT, prints the interpreter's outcome, and fails if the two disagree.
RunResult RunOn(const std::string& engine, std::vector<std::string> args) {
  args.insert(args.end(), {"--engine", engine});
  return RunWasmiot(args);
}

struct Lab {
  explicit Lab(std::string on) : engine(std::move(on)) {
    WriteText(device, kLabDevice);
    WriteBytes(module, WatToWasm(kLabModule));
  }
  RunResult Run(std::vector<std::string> args) {
    std::vector<std::string> all = {"run", module, "-m", device};
    all.insert(all.end(), args.begin(), args.end());
    return RunOn(engine, all);
  }
  nlohmann::json Json(std::vector<std::string> args) {
    args.push_back("--json");
    RunResult r = Run(args);
    CHECK(MatchesSchema("run-output.schema.json", r.out, dir));
    return nlohmann::json::parse(r.out);
  }
  std::string engine;
  TempDir dir;
  std::string device = dir.File("lab.device.json");
  std::string module = dir.File("lab.wasm");
};

std::string Module(TempDir& dir, const std::string& name, const std::string& wat) {
  std::string path = dir.File(name);
  WriteBytes(path, WatToWasm(wat));
  return path;
}

}  // namespace

TEST_CASE("values: parsed by type, refused when out of range") {
  CHECK(ParseValue("5", ValueType::kI32)->i32() == 5u);
  CHECK(ParseValue("-1", ValueType::kI32)->i32() == 0xFFFFFFFFu);
  CHECK(ParseValue("0xffffffff", ValueType::kI32)->i32() == 0xFFFFFFFFu);
  CHECK(ParseValue("-2147483648", ValueType::kI32)->i32() == 0x80000000u);
  CHECK(ParseValue("-9223372036854775808", ValueType::kI64)->i64() == 0x8000000000000000ull);
  CHECK(ParseValue("2.5", ValueType::kF32)->f32() == 2.5f);
  CHECK(std::isnan(ParseValue("nan", ValueType::kF64)->f64()));
  CHECK(std::isinf(ParseValue("-inf", ValueType::kF64)->f64()));
  for (const char* bad : {"", "-", "4294967296", "-2147483649", "1.5", "abc", "0x", "5x", "+5", " 5"}) {
    INFO(bad);
    CHECK_FALSE(ParseValue(bad, ValueType::kI32).ok());
  }
  CHECK_FALSE(ParseValue("18446744073709551616", ValueType::kI64).ok());
  CHECK_FALSE(ParseValue("1.5e", ValueType::kF64).ok());
  CHECK(FormatValue(Value::I32(0xFFFFFFFFu)) == "i32:4294967295");
  CHECK(FormatValue(Value::F32(2.5f)) == "f32:2.5");
  CHECK(Value::FromNumber(ValueType::kI32, 1e12).i32() == 0x7FFFFFFFu);  // saturates
  CHECK(Value::FromNumber(ValueType::kI32, -3.9).i32() == static_cast<uint32_t>(-3));
  CHECK(Value::FromNumber(ValueType::kI64, NAN).i64() == 0);
}

TEST_CASE("run: a module without imports needs no manifest") {
  const std::string engine = GENERATE(as<std::string>{}, "interp", "both");
  TempDir dir;
  std::string m = Module(dir, "add.wasm", R"((module
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "pair") (param i64 f64) (result f64 i64) (local.get 1) (local.get 0))))");
  RunResult r = RunOn(engine, {"run", m, "--invoke", "add", "2", "3"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "add(i32:2, i32:3) => i32:5\n");
  CHECK(RunOn(engine, {"run", m, "--invoke", "add", "-1", "3"}).out == "add(i32:4294967295, i32:3) => i32:2\n");
  CHECK(RunOn(engine, {"run", m, "--invoke", "pair", "7", "0.25"}).out ==
        "pair(i64:7, f64:0.25) => f64:0.25, i64:7\n");
  // Wrong arguments are usage errors; an unknown export is refused.
  RunResult few = RunOn(engine, {"run", m, "--invoke", "add", "2"});
  CHECK(few.exit_code == 2);
  CHECK_THAT(few.err, Catch::Contains("add takes 2 arguments (i32, i32) -> (i32), not 1"));
  RunResult bad = RunOn(engine, {"run", m, "--invoke", "add", "2", "x"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("argument 2: \"x\" is not an i32 value"));
  RunResult unknown = RunOn(engine, {"run", m, "--invoke", "sub"});
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.err, Catch::Contains("no exported function \"sub\" [export-unknown]"));
  CHECK(RunOn(engine, {"run", dir.File("missing.wasm"), "--invoke", "add"}).exit_code == 3);
  WriteText(dir.File("junk.wasm"), "not wasm");
  CHECK(RunOn(engine, {"run", dir.File("junk.wasm"), "--invoke", "add"}).exit_code == 1);
}

TEST_CASE("run: traps are named, the host survives them") {
  const std::string engine = GENERATE(as<std::string>{}, "interp", "both");
  TempDir dir;
  std::string m = Module(dir, "traps.wasm", R"((module
    (memory 1 1)
    (table 1 funcref)
    (type $v (func))
    (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
    (func (export "overflow") (result i32) (i32.div_s (i32.const 0x80000000) (i32.const -1)))
    (func (export "convert") (result i32) (i32.trunc_f32_s (f32.const nan)))
    (func (export "boom") unreachable)
    (func (export "oob") (result i32) (i32.load (i32.const 65535)))
    (func $rec (export "recurse") (param i32) (result i32) (call $rec (i32.add (local.get 0) (i32.const 1))))
    (func (export "null_call") (call_indirect (type $v) (i32.const 0)))
    (func (export "loop_forever_not") (result i32) (i32.const 1))))");
  const std::pair<const char*, const char*> cases[] = {
      {"overflow", "trap-integer-overflow"}, {"convert", "trap-invalid-conversion"},
      {"boom", "trap-unreachable"},          {"oob", "trap-memory-out-of-bounds"},
      {"null_call", "trap-indirect-call"},
  };
  for (const auto& [name, code] : cases) {
    RunResult r = RunOn(engine, {"run", m, "--invoke", name});
    INFO(name << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(std::string(name) + ": trap: ") && Catch::Contains("[" + std::string(code) + "]"));
  }
  RunResult div = RunOn(engine, {"run", m, "--invoke", "div", "1", "0"});
  CHECK(div.err == m + ": error: div: trap: integer divide by zero [trap-divide-by-zero]\n");
  RunResult deep = RunOn(engine, {"run", m, "--invoke", "recurse", "0"});
  CHECK(deep.exit_code == 1);
  CHECK_THAT(deep.err, Catch::Contains("[trap-stack-exhausted]"));

  // A start function that traps: the module never becomes an instance.
  std::string start = Module(dir, "start.wasm", R"((module
    (func $s unreachable) (start $s) (func (export "f"))))");
  RunResult s = RunOn(engine, {"run", start, "--invoke", "f"});
  CHECK(s.exit_code == 1);
  CHECK_THAT(s.err, Catch::Contains("trap while instantiating: unreachable executed [trap-unreachable]"));
}

TEST_CASE("run: memory and table budgets") {
  const std::string engine = GENERATE(as<std::string>{}, "interp", "both");
  Lab lab(engine);
  // memory 1 2 in the module, budget 2 pages: growth to 2 works, past it returns -1.
  CHECK(lab.Run({"--invoke", "grow", "1"}).out == "grow(i32:1) => i32:1\n");
  CHECK(lab.Run({"--invoke", "grow", "2"}).out == "grow(i32:2) => i32:4294967295\n");
  CHECK(lab.Run({"--invoke", "grow", "1", "--max-pages", "1"}).out == "grow(i32:1) => i32:4294967295\n");
  // Initial memory or table over the budget refuses instantiation.
  TempDir dir;
  std::string big = Module(dir, "big.wasm", R"((module (memory 3) (func (export "f"))))");
  RunResult refused = RunOn(engine, {"run", big, "--invoke", "f", "--max-pages", "2"});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("the module's initial memory is 3 pages, over the budget of 2 [instantiation-refused]"));
  // An unbounded memory is bounded by the budget: a memory bomb gets -1, never the host's RAM.
  std::string bomb = Module(dir, "bomb.wasm", R"((module (memory 1)
    (func (export "bomb") (result i32) (memory.grow (i32.const 65535)))))");
  CHECK(RunOn(engine, {"run", bomb, "--invoke", "bomb", "--max-pages", "16"}).out == "bomb() => i32:4294967295\n");
  CHECK(RunOn(engine, {"run", bomb, "--invoke", "bomb"}).out == "bomb() => i32:4294967295\n");
}

TEST_CASE("run: host functions come from the manifest") {
  const std::string engine = GENERATE(as<std::string>{}, "interp", "both");
  Lab lab(engine);
  RunResult level = lab.Run({"--sensor", "level=17.5", "--invoke", "level"});
  CHECK(level.exit_code == 0);
  CHECK(level.out == "called host env.read_level() => f32:17.5\nlevel() => f32:17.5\n");
  CHECK(lab.Run({"--sensor", "cells=4,5,6", "--invoke", "cell", "2"}).out ==
        "called host env.read_cell(i32:2) => i32:6\ncell(i32:2) => i32:6\n");
  CHECK(lab.Run({"--invoke", "open"}).out == "called host env.set_valve(i32:1) => i32:1\nopen() => i32:1\n");
  CHECK(lab.Run({"--invoke", "hello"}).out == "called host env.log(i32:16, i32:8) =>\n  log: tank low\nhello() =>\n");
  CHECK(lab.Run({"--invoke", "now"}).out == "called host env.now_ms() => i64:0\nnow() => i64:0\n");

  // Buffers in and out.
  WriteText(lab.dir.File("frames.bin"), "ABCDEFGHIJ");
  nlohmann::json echo = lab.Json({"--input", "frames=" + lab.dir.File("frames.bin"), "--invoke", "echo", "4"});
  CHECK(echo["results"][0]["value"] == 4);
  REQUIRE(echo["host_calls"].size() == 2);
  CHECK(echo["host_calls"][0]["function"] == "env.read_frame");
  CHECK(echo["host_calls"][0]["bytes"] == 4);
  CHECK(echo["host_calls"][1]["kind"] == "buffer_out");
  nlohmann::json empty = lab.Json({"--invoke", "echo", "4"});  // no stream: nothing to read
  CHECK(empty["results"][0]["value"] == 0);

  // A sensor without a value is a clean trap naming the call.
  RunResult none = lab.Run({"--invoke", "level"});
  CHECK(none.exit_code == 1);
  CHECK_THAT(none.err, Catch::Contains("level: trap: env.read_level: sensor channel \"level\" has no value [trap-host]"));
  RunResult past = lab.Run({"--sensor", "cells=1", "--invoke", "cell", "1"});
  CHECK_THAT(past.err, Catch::Contains("sensor channel \"cells\" has no element 1 [trap-host]"));
  CHECK(lab.Run({"--sensor", "level=x", "--invoke", "level"}).exit_code == 2);
  CHECK(lab.Run({"--sensor", "=1", "--invoke", "level"}).exit_code == 2);
  CHECK(lab.Run({"--input", "frames=" + lab.dir.File("missing.bin"), "--invoke", "echo", "1"}).exit_code == 3);
}

TEST_CASE("run: guest buffers are checked before the host touches them") {
  const std::string engine = GENERATE(as<std::string>{}, "interp", "both");
  Lab lab(engine);
  // Past the end of memory, and wrapping past 2^32.
  for (std::vector<std::string> args : {std::vector<std::string>{"65530", "7"}, {"65536", "1"},
                                        {"4294967295", "2"}, {"4294967040", "512"}}) {
    RunResult r = lab.Run({"--invoke", "log_at", args[0], args[1]});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("log_at: trap: env.log: buffer [") &&
                          Catch::Contains("is outside linear memory (65536 bytes) [trap-host]"));
  }
  CHECK(lab.Run({"--invoke", "log_at", "65530", "6"}).exit_code == 0);  // exactly to the end
  CHECK(lab.Run({"--invoke", "log_at", "65536", "0"}).exit_code == 0);  // empty, at the end
  // After memory.grow the host sees the new size, not a stale one.
  RunResult grown = lab.Run({"--invoke", "grow_then_log", "4"});
  CHECK(grown.exit_code == 0);
  CHECK_THAT(grown.out, Catch::EndsWith("grow_then_log(i32:4) => i32:2\n"));

  // A module without memory that passes a buffer.
  TempDir dir;
  std::string nomem = Module(dir, "nomem.wasm", R"((module
    (import "env" "log" (func $log (param i32 i32)))
    (func (export "f") (call $log (i32.const 0) (i32.const 4)))))");
  RunResult r = RunOn(engine, {"run", nomem, "-m", lab.device, "--invoke", "f"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("env.log: the module has no linear memory for its buffer [trap-host]"));
}

TEST_CASE("run: imports need a device that provides them") {
  const std::string engine = GENERATE(as<std::string>{}, "interp", "both");
  Lab lab(engine);
  RunResult bare = RunOn(engine, {"run", lab.module, "--invoke", "open"});
  CHECK(bare.exit_code == 1);
  CHECK_THAT(bare.err, Catch::Contains("the module imports env.read_level: give the device with --manifest [manifest-required]"));
  // With a device the module must pass check first.
  RunResult other = RunOn(engine, {"run", lab.module, "-m", SourceDir() + "/templates/thermostat/device.json",
                                "--invoke", "open"});
  CHECK(other.exit_code == 1);
  CHECK_THAT(other.err, Catch::Contains("[import-unknown]"));
  CHECK(other.out.empty());
}

TEST_CASE("run: the thermostat's control loop with simulated sensors") {
  const std::string engine = GENERATE(as<std::string>{}, "interp", "both");
  TempDir dir;
  std::string m = Module(dir, "t.wasm", ReadText(DataDir() + "/modules/thermostat.wat"));
  std::string device = SourceDir() + "/templates/thermostat/device.json";
  RunResult cold = RunOn(engine, {"run", m, "-m", device, "--sensor", "temperature=17.5", "--sensor", "humidity=70",
                               "--invoke", "control_loop"});
  CHECK(cold.exit_code == 0);
  CHECK(cold.out ==
        "called host env.read_temperature() => f32:17.5\n"
        "called host env.set_hvac_mode(i32:1) =>\n"
        "called host env.set_fan_speed(i32:60) =>\n"
        "called host env.read_humidity() => f32:70\n"
        "called host env.set_fan_speed(i32:50) =>\n"
        "control_loop() =>\n");
  CHECK(RunOn(engine, {"run", m, "-m", device, "--invoke", "init"}).out ==
        "called host env.log(i32:1024, i32:16) =>\n  log: thermostat ready\ninit() =>\n");
}

TEST_CASE("runtime library: instances are independent and report memory") {
  EngineKind engine = GENERATE(EngineKind::kInterp, EngineKind::kAot);
  INFO(EngineKindName(engine));
  Bytes wasm = WatToWasm(R"((module (memory (export "memory") 1 3)
    (global $n (mut i32) (i32.const 0))
    (func (export "bump") (result i32) (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n))
    (func (export "grow") (result i32) (memory.grow (i32.const 1)))))");
  RunLimits limits;
  limits.max_memory_pages = 2;
  Result<Instantiation> a = Instantiate(engine, wasm, nullptr, nullptr, limits);
  Result<Instantiation> b = Instantiate(engine, wasm, nullptr, nullptr, limits);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->instance->Call("bump", {}).results[0].i32() == 1);
  CHECK(a->instance->Call("bump", {}).results[0].i32() == 2);
  CHECK(b->instance->Call("bump", {}).results[0].i32() == 1);
  CHECK(a->instance->memory_bytes() == 65536);
  CHECK(a->instance->Call("grow", {}).results[0].i32() == 1);
  CHECK(a->instance->Call("grow", {}).results[0].i32() == 0xFFFFFFFFu);  // budget 2, declared max 3
  CHECK(a->instance->memory_bytes() == 2 * 65536);
  CallOutcome missing = a->instance->Call("nothing", {});
  REQUIRE(missing.trap);
  CHECK(missing.trap->kind == TrapKind::kOther);
}

TEST_CASE("fuel: metering counts instructions and stops a call at the same one every run") {
  const std::string engine = GENERATE(as<std::string>{}, "interp", "both");
  TempDir dir;
  std::string m = Module(dir, "spin.wasm", R"((module
    (func (export "three") (result i32) i32.const 1 i32.const 2 i32.add)
    (func (export "spin") (loop (br 0)))
    (func (export "count") (param i32) (result i32) (local i32)
      (block (loop
        (br_if 1 (i32.ge_u (local.get 1) (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br 0)))
      (local.get 1))
    (func (export "boom") unreachable)))");
  auto fuel_used = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"run", m});
    args.push_back("--json");
    nlohmann::json j = nlohmann::json::parse(RunOn(engine, args).out);
    return j["fuel"]["used"];
  };
  // Exactly the instructions executed: 3; then 2 + 1 + 9 per loop turn (11 turns).
  CHECK(fuel_used({"--invoke", "three"}) == 3);
  CHECK(fuel_used({"--invoke", "count", "10"}) == 102);
  CHECK(fuel_used({"--invoke", "count", "0"}) == 12);
  // The budget is inclusive: 3 runs "three", 2 does not.
  CHECK(RunOn(engine, {"run", m, "--invoke", "three", "--fuel", "3"}).exit_code == 0);
  RunResult short_of = RunOn(engine, {"run", m, "--invoke", "three", "--fuel", "2"});
  CHECK(short_of.exit_code == 1);
  CHECK(short_of.err == m + ": error: three: trap: fuel exhausted: the budget of 2 instructions ran out [trap-fuel-exhausted]\n");
  // An endless loop stops, deterministically; the module's own unreachable stays itself.
  for (int run = 0; run < 2; ++run) {
    RunResult spin = RunOn(engine, {"run", m, "--invoke", "spin", "--fuel", "5000"});
    CHECK(spin.exit_code == 1);
    CHECK_THAT(spin.err, Catch::Contains("[trap-fuel-exhausted]"));
  }
  CHECK(fuel_used({"--invoke", "spin", "--fuel", "5000"}) == 5000);
  CHECK_THAT(RunOn(engine, {"run", m, "--invoke", "boom", "--fuel", "5000"}).err, Catch::Contains("[trap-unreachable]"));
  // With -v the fuel a call used is printed.
  CHECK_THAT(RunOn(engine, {"run", m, "--invoke", "three", "-v"}).err,
             Catch::Contains("three: 3 of 10000000 instructions of fuel [fuel-used]"));
}

TEST_CASE("fuel: after another trap, the fuel used counts up to the trapping function's last call") {
  // Each function keeps its fuel in a local, written back to the fuel global
  // at calls and exits. A trap other than fuel exhaustion (here an
  // out-of-bounds load) reports what was written back last: the charges
  // before the trapping function's last call, and the callee's.
  const std::string engine = GENERATE(as<std::string>{}, "interp", "both");
  TempDir dir;
  std::string m = Module(dir, "oob.wasm", R"((module
    (memory 1 1)
    (func $leaf (result i32) i32.const 1)
    (func (export "late") (result i32)
      (drop (call $leaf))
      (block (drop (i32.load (i32.const 70000))))
      (i32.const 0))
    (func (export "early") (result i32)
      (drop (i32.load (i32.const 70000)))
      (i32.const 0))))");
  auto used = [&](const char* name) {
    RunResult r = RunOn(engine, {"run", m, "--invoke", name, "--json"});
    CHECK(r.exit_code == 1);
    nlohmann::json j = nlohmann::json::parse(r.out);
    CHECK(j["trap"]["kind"] == "memory-out-of-bounds");
    return j["fuel"]["used"];
  };
  // late: its body (call, drop, block, i32.const: 4) and $leaf (1) were
  // written back at the call; the block's own 3 were not.
  CHECK(used("late") == 5);
  // early: no call, so nothing of its body: the fuel the caller (the host) gave.
  CHECK(used("early") == 0);
}

TEST_CASE("run: a module with exceptions is refused, not run into wabt's broken catch") {
  // wabt 1.0.32's interpreter aborted on a local access in a taken catch.
  TempDir dir;
  std::string m = Module(dir, "throw.wasm", R"((module
    (tag $e)
    (func (export "caught") (param i32) (result i32)
      (try (do (throw $e)) (catch $e))
      (local.get 0))))");
  for (const char* engine : {"interp", "aot"}) {
    RunResult r = RunOn(engine, {"run", m, "--invoke", "caught", "1"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("the module uses exceptions (it has a tag), which neither engine can run"));
  }
}

TEST_CASE("fuel: host calls happen the same number of times before the budget runs out") {
  const std::string engine = GENERATE(as<std::string>{}, "interp", "both");
  Lab lab(engine);
  std::string m = lab.dir.File("valves.wasm");
  WriteBytes(m, WatToWasm(R"((module
    (import "env" "set_valve" (func $valve (param i32) (result i32)))
    (memory (export "memory") 1 1)
    (func (export "flap") (loop (drop (call $valve (i32.const 1))) (br 0)))))"));
  std::vector<size_t> counts;
  for (int run = 0; run < 2; ++run) {
    RunResult r = RunOn(engine, {"run", m, "-m", lab.device, "--invoke", "flap", "--fuel", "1000", "--json"});
    nlohmann::json j = nlohmann::json::parse(r.out);
    CHECK(j["trap"]["kind"] == "fuel-exhausted");
    counts.push_back(j["host_calls"].size());
  }
  // 1 (the body: a loop) + 4 per turn (const, call, drop, br): the 250th charge fails before its call.
  CHECK(counts[0] == 249);
  CHECK(counts[1] == counts[0]);
}

TEST_CASE("fuel: the start function is metered too, names the metering uses are refused") {
  const std::string engine = GENERATE(as<std::string>{}, "interp", "both");
  TempDir dir;
  std::string start = Module(dir, "start.wasm", R"((module
    (global $g (mut i32) (i32.const 0))
    (func $s (loop (global.set $g (i32.add (global.get $g) (i32.const 1))) (br 0)))
    (start $s)
    (func (export "f"))))");
  RunResult s = RunOn(engine, {"run", start, "--invoke", "f", "--fuel", "100"});
  CHECK(s.exit_code == 1);
  CHECK_THAT(s.err, Catch::Contains("trap while instantiating: fuel exhausted") && Catch::Contains("[trap-fuel-exhausted]"));
  std::string ok_start = Module(dir, "ok.wasm", R"((module
    (global $g (mut i32) (i32.const 0))
    (func $s (global.set $g (i32.const 7)))
    (start $s)
    (func (export "g") (result i32) (global.get $g))))");
  CHECK(RunOn(engine, {"run", ok_start, "--invoke", "g", "--fuel", "100"}).out == "g() => i32:7\n");
  std::string clash = Module(dir, "clash.wasm", R"((module (global (export "wasmiot_fuel") i64 (i64.const 0))
    (func (export "f"))))");
  RunResult c = RunOn(engine, {"run", clash, "--invoke", "f"});
  CHECK(c.exit_code == 1);
  CHECK_THAT(c.err, Catch::Contains("the module already exports \"wasmiot_fuel\" [instantiation-refused]"));
}

TEST_CASE("call depth: counted in the module, exact, and every exit counts out") {
  const std::string engine = GENERATE(as<std::string>{}, "interp", "both");
  TempDir dir;
  std::string m = Module(dir, "depth.wasm", R"((module
    (func $rec (export "rec") (param i32) (result i32) (call $rec (i32.add (local.get 0) (i32.const 1))))
    (func $down (export "down") (param i32) (result i32)
      (if (i32.eqz (local.get 0)) (then (return (i32.const 42))))
      (block (loop (br_if 1 (i32.const 1)) (return (i32.const 7))))
      (call $down (i32.sub (local.get 0) (i32.const 1))))
    (func (export "twice") (param i32) (result i32)
      (drop (call $down (local.get 0)))
      (call $down (local.get 0)))
    (func (export "two") (param i32) (result i32 i64)
      (if (local.get 0) (then (return (i32.const 1) (i64.const 2))))
      (i32.const 3) (i64.const 4))
    (func (export "brfn") (param i32) (result i32)
      (block (drop (br_if 1 (i32.const 9) (local.get 0))))
      (i32.const 5))))");
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"run", m});
    return RunOn(engine, args);
  };
  // down(n) nests n + 1 calls: 1000 is the default limit.
  CHECK(run({"--invoke", "down", "999"}).out == "down(i32:999) => i32:42\n");
  RunResult over = run({"--invoke", "down", "1000"});
  CHECK(over.exit_code == 1);
  CHECK(over.err == m + ": error: down: trap: call stack exhausted: more than 1000 nested calls [trap-stack-exhausted]\n");
  CHECK(run({"--invoke", "down", "9", "--max-call-depth", "10"}).exit_code == 0);
  CHECK(run({"--invoke", "down", "10", "--max-call-depth", "10"}).exit_code == 1);
  // Returns from nested blocks and branches to the function's label count out:
  // twice(998) goes 999 deep twice within the limit.
  CHECK(run({"--invoke", "twice", "998"}).out == "twice(i32:998) => i32:42\n");
  CHECK(run({"--invoke", "two", "1"}).out == "two(i32:1) => i32:1, i64:2\n");
  CHECK(run({"--invoke", "two", "0"}).out == "two(i32:0) => i32:3, i64:4\n");
  CHECK(run({"--invoke", "brfn", "1"}).out == "brfn(i32:1) => i32:9\n");
  CHECK(run({"--invoke", "brfn", "0"}).out == "brfn(i32:0) => i32:5\n");
  // Unbounded recursion stops at the limit, the same way every run.
  for (int i = 0; i < 2; ++i) CHECK_THAT(run({"--invoke", "rec", "0"}).err, Catch::Contains("more than 1000 nested calls"));
  CHECK(run({"--invoke", "rec", "0", "--max-call-depth", "0"}).exit_code == 2);
}

TEST_CASE("run: --sensor, --input and --host-latency must name what the device has") {
  Lab lab("interp");
  // A typo in a name is a usage error with the nearest name, not an input silently ignored.
  RunResult sensor = lab.Run({"--sensor", "levl=1", "--invoke", "level"});
  CHECK(sensor.exit_code == 2);
  CHECK(sensor.err == "wasmiot: error: --sensor \"levl=1\": the device has no sensor channel \"levl\" (did you mean "
                      "\"level\"?) [usage]\n");
  CHECK(sensor.out.empty());
  // An unknown stream's file is not even read: the usage error wins over the missing file.
  RunResult input = lab.Run({"--input", "frame=" + lab.dir.File("missing.bin"), "--invoke", "echo", "1"});
  CHECK(input.exit_code == 2);
  CHECK_THAT(input.err, Catch::Contains("--input \"frame=") &&
                            Catch::Contains("no buffer_in function of the device reads a stream \"frame\" (did you "
                                            "mean \"frames\"?) [usage]"));
  CHECK_THAT(input.err, !Catch::Contains("io-error"));
  RunResult slow = lab.Run({"--host-latency", "env.sned=5", "--invoke", "open"});
  CHECK(slow.exit_code == 2);
  CHECK_THAT(slow.err, Catch::Contains("--host-latency \"env.sned=5\": the device has no host function env.sned (did "
                                       "you mean \"env.send\"?) [usage]"));
  // A bare function name is a common slip: the qualified one is suggested.
  CHECK_THAT(lab.Run({"--host-latency", "set_valve=5", "--invoke", "open"}).err,
             Catch::Contains("(did you mean \"env.set_valve\"?) [usage]"));
  // Far from every name: no hint.
  RunResult far = lab.Run({"--sensor", "barometric_pressure=1", "--invoke", "level"});
  CHECK(far.exit_code == 2);
  CHECK_THAT(far.err, Catch::EndsWith("no sensor channel \"barometric_pressure\" [usage]\n"));
  // Every problem is reported, and --json is still one document.
  nlohmann::json j = lab.Json({"--sensor", "levl=1", "--host-latency", "env.nope=1", "--invoke", "level"});
  CHECK(j["exit_code"] == 2);
  REQUIRE(j["diagnostics"].size() == 2);
  CHECK(j["diagnostics"][0]["code"] == "usage");
  CHECK(j["diagnostics"][1]["code"] == "usage");
  // Known names still work.
  CHECK(lab.Run({"--sensor", "level=2", "--host-latency", "env.read_level=1", "--invoke", "level"}).exit_code == 0);
  // Without a device there is nothing for them to feed.
  TempDir dir;
  std::string add = Module(dir, "add.wasm", R"((module (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))))");
  RunResult bare = RunWasmiot({"run", add, "--invoke", "add", "1", "2", "--sensor", "level=1"});
  CHECK(bare.exit_code == 2);
  CHECK_THAT(bare.err, Catch::Contains("give the device with --manifest [usage]"));
}

TEST_CASE("run: the module's strings reach the terminal escaped, and JSON as they are") {
  Lab lab("interp");
  std::string m = lab.dir.File("loud.wasm");
  // A log message with an escape sequence, a newline that would forge a line, DEL and a byte that is not UTF-8.
  WriteBytes(m, WatToWasm(R"((module
    (import "env" "log" (func $log (param i32 i32)))
    (memory (export "memory") 1 1)
    (data (i32.const 0) "\1b[2Jred\0aPASS\7f\ff ok \c3\a9")
    (func (export "shout") (call $log (i32.const 0) (i32.const 20)))
    (func (export "\1b[31m") (call $log (i32.const 0) (i32.const 3)))))"));
  RunResult r = RunWasmiot({"run", m, "-m", lab.device, "--invoke", "shout"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "called host env.log(i32:0, i32:20) =>\n"
                 "  log: \\x1b[2Jred\\x0aPASS\\x7f\\xff ok \xc3\xa9\n"
                 "shout() =>\n");
  // A name from the command line, echoed in a diagnostic, is escaped too.
  RunResult none = RunWasmiot({"run", m, "-m", lab.device, "--invoke", "\x1b]0;title\x07"});
  CHECK(none.exit_code == 1);
  CHECK_THAT(none.err, Catch::Contains("no exported function \"\\x1b]0;title\\x07\" [export-unknown]"));
  CHECK(none.err.find('\x1b') == std::string::npos);
  CHECK(RunWasmiot({"run", m, "-m", lab.device, "--invoke", "\x1b[31m"}).out.find('\x1b') == std::string::npos);
  // JSON escapes in its own way and keeps the bytes (invalid UTF-8 replaced).
  nlohmann::json j = nlohmann::json::parse(RunWasmiot({"run", m, "-m", lab.device, "--invoke", "shout", "--json"}).out);
  CHECK(j["host_calls"][0]["text"] == "\x1b[2Jred\nPASS\x7f\xef\xbf\xbd ok \xc3\xa9");
  // A scenario's trace and its divergence quote the log the same way.
  std::string s = lab.dir.File("loud.scenario.json");
  WriteText(s, R"({ "scenario_version": 1, "duration_ms": 10, "calls": [{ "export": "shout" }],
    "expect": { "host_calls": [{ "function": "env.log", "text": "quiet\u001b[0m" }] } })");
  RunResult trace = RunWasmiot({"run", m, "-m", lab.device, "--scenario", s});
  CHECK(trace.exit_code == 1);
  CHECK(trace.out.find('\x1b') == std::string::npos);
  CHECK(trace.err.find('\x1b') == std::string::npos);
  CHECK_THAT(trace.out, Catch::Contains("called host env.log(i32:0, i32:20) => \"\\x1b[2Jred\\x0aPASS\\x7f\\xff ok \xc3\xa9\"\n"));
  CHECK_THAT(trace.out, Catch::Contains("env.log(...) with text \"quiet\\x1b[0m\""));
}

TEST_CASE("run: counts in messages are singular for one") {
  TempDir dir;
  std::string m = Module(dir, "one.wasm", R"((module (memory 1)
    (func (export "id") (param i32) (result i32) (local.get 0))
    (func (export "nop"))))");
  RunResult few = RunWasmiot({"run", m, "--invoke", "id"});
  CHECK(few.exit_code == 2);
  CHECK_THAT(few.err, Catch::Contains("id takes 1 argument (i32) -> (i32), not 0 [usage]"));
  RunResult budget = RunWasmiot({"run", m, "--invoke", "nop", "--max-pages", "0"});
  CHECK(budget.exit_code == 1);
  CHECK_THAT(budget.err, Catch::Contains("the module's initial memory is 1 page, over the budget of 0"));
  CHECK_THAT(RunWasmiot({"run", m, "--invoke", "nop", "--fuel", "1", "-v"}).err,
             Catch::Contains("nop: 0 of 1 instruction of fuel [fuel-used]"));
}

TEST_CASE("run: a buffer_out's negative status reaches the module as that negative number") {
  TempDir dir;
  WriteText(dir.File("d.json"), R"({
  "manifest_version": 1,
  "device": { "vendor": "acme", "class": "uplink", "api_version": "1.0.0" },
  "imports": { "env": {
    "publish": { "params": [{ "name": "b", "type": "ptr", "len": "n", "access": "read" }],
                 "results": [{ "name": "status", "type": "i32" }],
                 "sim": { "kind": "buffer_out", "stream": "uplink", "status": -5 } } } },
  "exports": {},
  "budgets": { "memory": { "initial_pages": 1, "max_pages": 1 }, "table": { "max_elements": 0 },
               "stack_bytes": 1024, "heap_bytes": 0, "fuel_per_call": 100000, "wall_ms_per_call": 20,
               "max_module_bytes": 4096 },
  "features": [], "aot_targets": ["host"] })");
  std::string module = Module(dir, "m.wasm", R"((module
  (import "env" "publish" (func $publish (param i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (func (export "send") (result i32) (call $publish (i32.const 0) (i32.const 4))))
)");
  for (const char* engine : {"interp", "aot"}) {
    INFO(engine);
    RunResult r = RunOn(engine, {"run", module, "-m", dir.File("d.json"), "--invoke", "send", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    nlohmann::json doc = nlohmann::json::parse(r.out);
    CHECK(doc["results"][0]["value"] == -5);  // was 2147483647: -5 as uint32, saturated
  }
}

TEST_CASE("stack: the device's stack_bytes stops recursion at the same call on both engines, per runtime") {
  // down(n) nests n + 1 frames of one param cell, two operand cells, two blocks
  // and two constant cells (tests/module/frames_test.cc works out each size).
  auto [runtime, frame] = GENERATE(table<std::string, uint64_t>(
      {{"wamr-classic", 36 + 4 * 3 + 16 * 2}, {"wamr-fast", 20 + 4 * 5}, {"wasm2c", 16 + 4 * 3}, {"wamr-aot", 16 + 4 * 3}}));
  INFO(runtime);
  TempDir dir;
  std::string m = Module(dir, "down.wasm", R"((module
    (func $down (export "down") (param i32) (result i32)
      (if (i32.eqz (local.get 0)) (then (return (i32.const 42))))
      (call $down (i32.sub (local.get 0) (i32.const 1))))))");
  std::string device = dir.File("device.json");
  WriteText(device, R"({"manifest_version": 1, "device": {"vendor": "v", "class": "c", "api_version": "1.0.0"},
    "imports": {}, "exports": {"down": {"required": true, "params": [{"name": "n", "type": "i32"}],
                                        "results": [{"name": "r", "type": "i32"}]}},
    "budgets": {"memory": {"initial_pages": 0, "max_pages": 0}, "table": {"max_elements": 0},
      "stack_bytes": )" + std::to_string(10 * frame) + R"(, "heap_bytes": 0, "fuel_per_call": 100000,
      "wall_ms_per_call": 1000, "max_module_bytes": 4096},
    "features": [], "aot_targets": [], "runtime": ")" + runtime + R"("})");
  auto run = [&](const std::string& n) { return RunOn("both", {"run", m, "-m", device, "--invoke", "down", n}); };
  // Ten frames fit exactly; the eleventh is refused, on both engines alike.
  CHECK(run("9").out == "down(i32:9) => i32:42\n");
  RunResult over = run("10");
  CHECK(over.exit_code == 1);
  CHECK(over.err == m + ": error: down: trap: stack exhausted: the calls need more than the device's " +
                        std::to_string(10 * frame) + " bytes of stack (" + runtime + " frames) [trap-stack-exhausted]\n");
  // In one instance, as a device calls: after the trap the count starts again.
  std::string scenario = dir.File("down.scenario.json");
  WriteText(scenario, R"({"scenario_version": 1, "duration_ms": 10,
    "calls": [{"export": "down", "args": [10]}, {"export": "down", "args": [9], "at_ms": 1}],
    "expect": {"traps": [{"export": "down", "kind": "stack-exhausted", "at_ms": 0}],
               "results": [{"export": "down", "at_ms": 1, "values": [42]}]}})");
  RunResult again = RunOn("both", {"run", m, "-m", device, "--scenario", scenario});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
}

TEST_CASE("heap: on WAMR runtimes the app heap is appended to memory, unless the module brings malloc and free") {
  TempDir dir;
  auto module = [&](const std::string& name, const std::string& extra) {
    return Module(dir, name, R"((module (memory (export "memory") 1 2)
      (func (export "size") (result i32) (memory.size))
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))" + extra + ")");
  };
  std::string plain = module("plain.wasm", "");
  std::string allocator = module("alloc.wasm", R"((func (export "malloc") (param i32) (result i32) (i32.const 0))
      (func (export "free") (param i32)))");
  auto device = [&](const std::string& runtime) {
    std::string path = dir.File(runtime + ".json");
    WriteText(path, R"({"manifest_version": 1, "device": {"vendor": "v", "class": "c", "api_version": "1.0.0"},
      "imports": {}, "exports": {"memory": {"kind": "memory", "required": true}},
      "budgets": {"memory": {"initial_pages": 1, "max_pages": 2}, "table": {"max_elements": 0},
        "stack_bytes": 4096, "heap_bytes": 70000, "fuel_per_call": 100000,
        "wall_ms_per_call": 1000, "max_module_bytes": 4096},
      "features": [], "aot_targets": [], "runtime": ")" + runtime + R"("})");
    return path;
  };
  auto call = [&](const std::string& m, const std::string& runtime, std::vector<std::string> invoke) {
    std::vector<std::string> args{"run", m, "-m", device(runtime), "--invoke"};
    args.insert(args.end(), invoke.begin(), invoke.end());
    return RunOn("both", args).out;
  };
  // 70000 bytes take two pages: memory.size and the growth limit both move by two.
  CHECK(call(plain, "wamr-classic", {"size"}) == "size() => i32:3\n");
  CHECK(call(plain, "wamr-aot", {"grow", "1"}) == "grow(i32:1) => i32:3\n");
  CHECK(call(plain, "wamr-fast", {"grow", "2"}) == "grow(i32:2) => i32:4294967295\n");  // -1: past max 2 + 2
  // wasm2c has no app heap; WAMR uses the module's own allocator instead of one.
  CHECK(call(plain, "wasm2c", {"size"}) == "size() => i32:1\n");
  CHECK(call(allocator, "wamr-classic", {"size"}) == "size() => i32:1\n");
}

TEST_CASE("wamr memory: a shrunk memory traps one byte past the device's size, on both engines, host calls too") {
  // __heap_base 65601: WAMR gives the module 65608 bytes, then the app heap.
  TempDir dir;
  std::string m = Module(dir, "shrunk.wasm", R"((module
    (import "env" "log" (func $log (param i32 i32)))
    (memory (export "memory") 2 2)
    (global $sp (mut i32) (i32.const 1024))
    (global (export "__data_end") i32 (i32.const 65600))
    (global (export "__heap_base") i32 (i32.const 65601))
    (func (export "store32") (param i32) (i32.store (local.get 0) (i32.const 7)))
    (func (export "load64") (param i32) (result i64) (i64.load offset=8 (local.get 0)))
    (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
    (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 1) (local.get 1)))
    (func (export "copy_from") (param i32 i32) (memory.copy (i32.const 0) (local.get 0) (local.get 1)))
    (func (export "log_at") (param i32 i32) (call $log (local.get 0) (local.get 1)))))");
  auto device = [&](const std::string& runtime, uint64_t heap) {
    std::string path = dir.File(runtime + std::to_string(heap) + ".json");
    WriteText(path, R"({"manifest_version": 1, "device": {"vendor": "v", "class": "c", "api_version": "1.0.0"},
      "imports": {"env": {"log": {"params": [{"name": "m", "type": "ptr", "len": "n", "access": "read"}],
                                  "sim": {"kind": "log"}}}},
      "exports": {},
      "budgets": {"memory": {"initial_pages": 2, "max_pages": 2}, "table": {"max_elements": 0},
        "stack_bytes": 4096, "heap_bytes": )" + std::to_string(heap) + R"(, "fuel_per_call": 100000,
        "wall_ms_per_call": 1000, "max_module_bytes": 4096},
      "features": ["bulk-memory"], "aot_targets": [], "runtime": ")" + runtime + R"("})");
    return path;
  };
  auto call = [&](const std::string& runtime, uint64_t heap, std::vector<std::string> invoke) {
    std::vector<std::string> args{"run", m, "-m", device(runtime, heap), "--invoke"};
    args.insert(args.end(), invoke.begin(), invoke.end());
    RunResult r = RunOn("both", args);
    INFO(r.out << r.err);
    CHECK((r.exit_code == 0 || r.err.find("[trap-memory-out-of-bounds]") != std::string::npos ||
           r.err.find("[trap-host]") != std::string::npos));
    return r.exit_code == 0 ? std::string("ok") : r.err.find("[trap-host]") != std::string::npos ? "host" : "oob";
  };
  const std::string runtime = GENERATE(as<std::string>{}, "wamr-classic", "wamr-fast", "wamr-aot");
  INFO(runtime);
  // The last four bytes, and one past; a load with an offset; bulk fill and copy.
  CHECK(call(runtime, 0, {"store32", "65604"}) == "ok");
  CHECK(call(runtime, 0, {"store32", "65605"}) == "oob");
  CHECK(call(runtime, 0, {"load64", "65592"}) == "ok");
  CHECK(call(runtime, 0, {"load64", "65593"}) == "oob");
  CHECK(call(runtime, 0, {"load8", "4294967295"}) == "oob");
  CHECK(call(runtime, 0, {"fill", "65600", "8"}) == "ok");
  CHECK(call(runtime, 0, {"fill", "65600", "9"}) == "oob");
  CHECK(call(runtime, 0, {"fill", "65608", "0"}) == "ok");
  CHECK(call(runtime, 0, {"copy_from", "65000", "608"}) == "ok");
  CHECK(call(runtime, 0, {"copy_from", "65000", "609"}) == "oob");
  // A host function gets no more of memory than the device has.
  CHECK(call(runtime, 0, {"log_at", "65600", "8"}) == "ok");
  CHECK(call(runtime, 0, {"log_at", "65600", "9"}) == "host");
  // The app heap lies right above: 1000 bytes more.
  CHECK(call(runtime, 1000, {"store32", "66604"}) == "ok");
  CHECK(call(runtime, 1000, {"store32", "66605"}) == "oob");
  // wasm2c keeps the module's two pages.
  CHECK(call("wasm2c", 1000, {"store32", "131068"}) == "ok");
  CHECK(call("wasm2c", 1000, {"store32", "131069"}) == "oob");
}

TEST_CASE("wamr memory: a one-page memory says one page with the heap at its end, and __heap_base moves past a heap") {
  TempDir dir;
  auto device = [&](uint64_t heap, uint32_t pages) {
    std::string path = dir.File("d" + std::to_string(heap) + ".json");
    WriteText(path, R"({"manifest_version": 1, "device": {"vendor": "v", "class": "c", "api_version": "1.0.0"},
      "imports": {}, "exports": {},
      "budgets": {"memory": {"initial_pages": 2, "max_pages": )" + std::to_string(pages) + R"(}, "table": {"max_elements": 0},
        "stack_bytes": 4096, "heap_bytes": )" + std::to_string(heap) + R"(, "fuel_per_call": 100000,
        "wall_ms_per_call": 1000, "max_module_bytes": 4096},
      "features": [], "aot_targets": [], "runtime": "wamr-classic"})");
    return path;
  };
  std::string one = Module(dir, "one.wasm", R"((module (memory (export "memory") 1 1)
    (func (export "size") (result i32) (memory.size))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "store8") (param i32) (i32.store8 (local.get 0) (i32.const 1)))))");
  auto run = [&](const std::string& m, const std::string& d, std::vector<std::string> invoke) {
    std::vector<std::string> args{"run", m, "-m", d, "--invoke"};
    args.insert(args.end(), invoke.begin(), invoke.end());
    RunResult r = RunOn("both", args);
    return r.exit_code == 0 ? r.out : r.err;
  };
  std::string d = device(70000, 2);
  CHECK(run(one, d, {"size"}) == "size() => i32:1\n");  // one page of 65536 + 70000 bytes
  CHECK(run(one, d, {"grow", "0"}) == "grow(i32:0) => i32:1\n");
  CHECK(run(one, d, {"grow", "1"}) == "grow(i32:1) => i32:4294967295\n");
  CHECK(run(one, d, {"store8", "135535"}) == "store8(i32:135535) =>\n");
  CHECK_THAT(run(one, d, {"store8", "135536"}), Catch::Contains("[trap-memory-out-of-bounds]"));

  // A growing module with __heap_base inside its memory: the heap goes there, __heap_base above it.
  std::string at = Module(dir, "at.wasm", R"((module (memory (export "memory") 2 8)
    (global $sp (mut i32) (i32.const 1024))
    (global (export "__data_end") i32 (i32.const 66000))
    (global $hb (export "__heap_base") i32 (i32.const 70000))
    (func (export "heap_base") (result i32) (global.get $hb))
    (func (export "size") (result i32) (memory.size))))");
  d = device(100000, 8);
  CHECK(run(at, d, {"heap_base"}) == "heap_base() => i32:170000\n");
  CHECK(run(at, d, {"size"}) == "size() => i32:3\n");
}
