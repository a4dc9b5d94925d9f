// The host AOT engine: its cache, its glue's name mangling, modules side by
// side, a missing compiler, deep recursion on the native stack, and the
// engines' comparison.
// (Every `wasmiot run` test in run_test.cc also runs with --engine both.)
#include <filesystem>

#include <catch2/catch.hpp>

#include "runtime/aot_engine.h"
#include "runtime/aot_glue.h"
#include "runtime/aot_interface.h"
#include "scenario/scenario.h"
#include "scenario/session.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace fs = std::filesystem;

namespace {

std::string ReplaceFirst(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

int CacheEntries(const std::string& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.is_directory();
  return n;
}

}  // namespace

TEST_CASE("aot: wasm2c's names for wasm names") {
  CHECK(MangleForWasm2c("control_loop") == "Z_control_loop");
  CHECK(MangleForWasm2c("a-b.c") == "Z_aZ2DbZ2Ec");
  CHECK(MangleForWasm2c("Zap\xc3\xa9") == "Z_Z5AapZC3ZA9");
  CHECK(MangleForWasm2c("") == "Z_");
}

TEST_CASE("aot: compiled once, then loaded from the cache, a broken entry rebuilt") {
  TempDir cache;
  AotSettings settings;
  settings.cache_dir = cache.File("aot");
  // Odd export names, several results, every value type, an import module other than env.
  Bytes wasm = WatToWasm(R"((module
    (memory 1)
    (func (export "mix-it.Z") (param i32 i64 f32 f64) (result f64 i32 i64 f32)
      (local.get 3) (local.get 0) (local.get 1) (local.get 2))
    (func (export "sum") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))))");
  RunLimits limits;
  AotLoad first, second, third;
  Result<Instantiation> a = InstantiateAot(wasm, nullptr, nullptr, limits, settings, &first);
  REQUIRE(a.ok());
  CHECK_FALSE(first.cache_hit);
  CallOutcome mix = a->instance->Call("mix-it.Z", {Value::I32(7), Value::I64(1ull << 40), Value::F32(2.5f), Value::F64(-0.125)});
  REQUIRE_FALSE(mix.trap);
  CHECK(FormatValues(mix.results) == "f64:-0.125, i32:7, i64:1099511627776, f32:2.5");
  CHECK(mix.fuel_used == 4u);

  Result<Instantiation> b = InstantiateAot(wasm, nullptr, nullptr, limits, settings, &second);
  REQUIRE(b.ok());
  CHECK(second.cache_hit);
  CHECK(second.library == first.library);
  CHECK(CacheEntries(settings.cache_dir) == 1);
  CHECK(b->instance->Call("sum", {Value::I32(2), Value::I32(3)}).results[0].i32() == 5u);

  // Another budget is another module: its own entry.
  RunLimits other = limits;
  other.fuel_per_call = 77;
  REQUIRE(InstantiateAot(wasm, nullptr, nullptr, other, settings).ok());
  CHECK(CacheEntries(settings.cache_dir) == 2);

  // A torn entry (a truncated object) is compiled again, not trusted. (Once
  // nothing has it loaded: a mapped object changed in place would fault.)
  a = Error{ErrorKind::kInternal, "released"};
  b = Error{ErrorKind::kInternal, "released"};
  WriteText(first.library, "not an object");
  Result<Instantiation> c = InstantiateAot(wasm, nullptr, nullptr, limits, settings, &third);
  REQUIRE(c.ok());
  CHECK_FALSE(third.cache_hit);
  CHECK(c->instance->Call("sum", {Value::I32(1), Value::I32(1)}).results[0].i32() == 2u);
}

TEST_CASE("aot: modules loaded together: an out-of-bounds access traps its own call, nothing else") {
  // Bounds are checked in the code, no signal handler is installed (a gateway
  // holds several modules in one process): one module's fault cannot reach
  // another's memory, hang the process, or leave an instance unusable.
  TempDir cache;
  AotSettings settings;
  settings.cache_dir = cache.File("aot");
  Bytes faulty = WatToWasm(R"((module (memory 1 1)
    (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
    (func (export "poke") (param i32 i32) (i32.store (local.get 0) (local.get 1)))))");
  Bytes counter = WatToWasm(R"((module (memory 1 1)
    (func (export "bump") (result i32)
      (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
      (i32.load (i32.const 0)))))");
  RunLimits limits;
  Result<Instantiation> a = InstantiateAot(faulty, nullptr, nullptr, limits, settings);
  Result<Instantiation> a2 = InstantiateAot(faulty, nullptr, nullptr, limits, settings);  // the same object, loaded once
  Result<Instantiation> b = InstantiateAot(counter, nullptr, nullptr, limits, settings);
  REQUIRE(a.ok());
  REQUIRE(a2.ok());
  REQUIRE(b.ok());
  auto bump = [&] {
    CallOutcome out = b->instance->Call("bump", {});
    REQUIRE_FALSE(out.trap);
    return out.results.at(0).i32();
  };
  CHECK(bump() == 1u);
  REQUIRE_FALSE(a->instance->Call("poke", {Value::I32(8), Value::I32(77)}).trap);
  for (uint32_t address : {65533u, 65536u, 0xFFFFFFFFu}) {
    CallOutcome oob = a->instance->Call("peek", {Value::I32(address)});
    REQUIRE(oob.trap);
    CHECK(oob.trap->kind == TrapKind::kMemoryOutOfBounds);
    CHECK(bump() == 1u + (address == 65533u ? 1u : address == 65536u ? 2u : 3u));
  }
  CallOutcome oob2 = a2->instance->Call("poke", {Value::I32(65535), Value::I32(1)});
  REQUIRE(oob2.trap);
  CHECK(oob2.trap->kind == TrapKind::kMemoryOutOfBounds);
  // Each instance kept its own memory, and runs on.
  CallOutcome kept = a->instance->Call("peek", {Value::I32(8)});
  REQUIRE_FALSE(kept.trap);
  CHECK(kept.results.at(0).i32() == 77u);
  CHECK(a2->instance->Call("peek", {Value::I32(8)}).results.at(0).i32() == 0u);
  CHECK(bump() == 5u);
}

TEST_CASE("aot: a cached start keeps the prepared module's interface, and distrusts a bad one") {
  TempDir cache;
  AotSettings settings;
  settings.cache_dir = cache.File("aot");
  Bytes plain = WatToWasm(R"((module (global $g (mut i32) (i32.const 0)) (func $init (global.set $g (i32.const 5)))
    (start $init) (func (export "g") (result i32) (global.get $g))))");
  auto prepared_files = [&] {
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(settings.cache_dir)) {
      if (e.path().filename().string().rfind("prepared-", 0) == 0) files.push_back(e.path().string());
    }
    return files;
  };
  AotLoad load;
  REQUIRE(InstantiateAot(plain, nullptr, nullptr, RunLimits{}, settings, &load).ok());
  std::vector<std::string> files = prepared_files();
  REQUIRE(files.size() == 1);
  const std::string text = ReadText(files[0]);
  Result<AotInterface> parsed = ParseInterface(text);
  REQUIRE(parsed.ok());
  CHECK(parsed->has_start);
  CHECK(SerializeInterface(*parsed) == text);
  // From the cache: the start function runs, the export is bound.
  Result<Instantiation> again = InstantiateAot(plain, nullptr, nullptr, RunLimits{}, settings, &load);
  REQUIRE(again.ok());
  CHECK(load.cache_hit);
  CHECK(again->instance->Call("g", {}).results[0].i32() == 5u);
  // Other limits are another prepared module: another file.
  RunLimits other;
  other.max_call_depth = 77;
  REQUIRE(InstantiateAot(plain, nullptr, nullptr, other, settings).ok());
  CHECK(prepared_files().size() == 2);
  // A garbled file, or one naming code that is not there, is prepared again and rewritten.
  for (const std::string& bad : {std::string("garbage"), ReplaceFirst(text, "start 1", "start 2"),
                                 ReplaceFirst(text, "library ", "library 00")}) {
    WriteText(files[0], bad);
    Result<Instantiation> r = InstantiateAot(plain, nullptr, nullptr, RunLimits{}, settings);
    REQUIRE(r.ok());
    CHECK(r->instance->Call("g", {}).results[0].i32() == 5u);
    CHECK(ReadText(files[0]) == text);
  }
}

TEST_CASE("aot: interface files read back as written, and nothing else") {
  AotInterface i;
  i.library = "00ff";
  i.memory_bytes = 70000;
  ImportInfo f;
  f.module = "env";
  f.name = "odd name\n\x01";
  f.signature.params = {WasmType::kI32, WasmType::kF64};
  i.imports.push_back(f);
  ImportInfo m;
  m.kind = ExternKind::kMemory;
  m.module = "";
  m.name = "memory";
  i.imports.push_back(m);
  ExportInfo e;
  e.name = "";
  e.signature.results = {WasmType::kI64};
  i.exports.push_back(e);
  const std::string text = SerializeInterface(i);
  Result<AotInterface> back = ParseInterface(text);
  REQUIRE(back.ok());
  CHECK(SerializeInterface(*back) == text);
  CHECK(back->imports[0].name == f.name);
  CHECK(back->imports[1].module.empty());
  CHECK(back->exports[0].signature.results == e.signature.results);
  CHECK(back->memory_bytes == 70000u);
  for (const std::string& bad : {std::string(""), ReplaceFirst(text, "wasmiot-aot-interface 1", "wasmiot-aot-interface 2"),
                                 ReplaceFirst(text, "end\n", ""), text + "export 0 66 - -\n",
                                 ReplaceFirst(text, "import 0", "import 9"), ReplaceFirst(text, "656e76", "656e7"),
                                 ReplaceFirst(text, "656e76", "zz6e76"), ReplaceFirst(text, "0,3", "0,99"),
                                 ReplaceFirst(text, "memory 70000", "memory 99999999999999999999"),
                                 ReplaceFirst(text, "library 00ff", "library ../x")}) {
    INFO(bad);
    CHECK_FALSE(ParseInterface(bad).ok());
  }
}

TEST_CASE("aot: a cached start runs no compiler, and a changed compiler is asked again") {
  TempDir dir;
  // A compiler that logs each run, then is cc.
  const std::string cc = dir.File("logging-cc"), log = dir.File("runs.log");
  WriteText(cc, "#!/bin/sh\necho \"$*\" >> " + log + "\nexec cc \"$@\"\n");
  fs::permissions(cc, fs::perms::owner_all);
  AotSettings settings{cc, dir.File("aot")};
  auto runs = [&] { return fs::exists(log) ? ReadText(log) : std::string(); };
  Result<HostCompiler> first = FindHostCompiler(settings);
  REQUIRE(first.ok());
  CHECK(runs() == "--version\n");
  Result<HostCompiler> second = FindHostCompiler(settings);
  REQUIRE(second.ok());
  CHECK(second->identity == first->identity);
  CHECK(runs() == "--version\n");  // remembered: not run again
  Bytes wasm = WatToWasm("(module (func (export \"f\") (result i32) i32.const 7))");
  REQUIRE(InstantiateAot(wasm, nullptr, nullptr, RunLimits{}, settings).ok());  // compiles: runs it
  const std::string compiled = runs();
  REQUIRE(InstantiateAot(wasm, nullptr, nullptr, RunLimits{}, settings).ok());
  CHECK(runs() == compiled);  // a cached start: no run at all
  // Another compiler file (an upgrade) is another identity, asked again.
  WriteText(cc, "#!/bin/sh\necho \"$*\" >> " + log + "\nexec cc \"$@\"  # upgraded\n");
  Result<HostCompiler> third = FindHostCompiler(settings);
  REQUIRE(third.ok());
  CHECK(runs() == compiled + "--version\n");
}

TEST_CASE("aot: deep recursion traps at the limit on the native stack, never crashes") {
  Bytes wasm = WatToWasm(R"((module
    (func $rec (export "rec") (param i32) (result i32)
      (local f64 f64 f64 f64 f64 f64 f64 f64)
      (call $rec (i32.add (local.get 0) (i32.const 1))))))");
  for (uint32_t depth : {10u, 1000u, 100000u}) {
    RunLimits limits;
    limits.max_call_depth = depth;
    limits.fuel_per_call = 100'000'000;
    Result<Instantiation> inst = Instantiate(EngineKind::kAot, wasm, nullptr, nullptr, limits);
    REQUIRE(inst.ok());
    CallOutcome out = inst->instance->Call("rec", {Value::I32(0)});
    REQUIRE(out.trap);
    CHECK(out.trap->kind == TrapKind::kStackExhausted);
    CHECK(out.trap->message == "call stack exhausted: more than " + std::to_string(depth) + " nested calls");
  }
}

TEST_CASE("aot: a missing compiler is a clear error, and auto falls back to the interpreter") {
  TempDir dir;
  std::string m = dir.File("add.wasm");
  WriteBytes(m, WatToWasm(R"((module (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))))"));
  std::vector<std::string> run = {"env", "WASMIOT_CC=no-such-cc", WasmiotExe(), "run", m, "--invoke", "add", "2", "3"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = run;
    argv.insert(argv.end(), extra.begin(), extra.end());
    return Run(argv);
  };
  RunResult aot = with({"--engine", "aot"});
  CHECK(aot.exit_code == 3);
  CHECK_THAT(aot.err, Catch::Contains("no C compiler \"no-such-cc\" for the AOT engine") &&
                          Catch::Contains("[compiler-missing]"));
  CHECK(aot.out.empty());
  CHECK(with({"--engine", "both"}).exit_code == 3);
  RunResult fallback = with({"--engine", "auto", "-v"});
  CHECK(fallback.exit_code == 0);
  CHECK(fallback.out == "add(i32:2, i32:3) => i32:5\n");
  CHECK_THAT(fallback.err, Catch::Contains("running on the interpreter [engine-fallback]"));
  Result<HostCompiler> none = FindHostCompiler(AotSettings{"/nonexistent/cc", ""});
  CHECK_FALSE(none.ok());
}

TEST_CASE("aot: modules the AOT engine cannot compile are refused, not miscompiled") {
  Bytes simd = WatToWasm(R"((module (func (export "v") (result i32)
    (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4)))))");
  Result<Instantiation> r = Instantiate(EngineKind::kAot, simd, nullptr, nullptr, RunLimits{});
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains("cannot compile simd"));
  Bytes ref_param = WatToWasm(R"((module (func (export "r") (param externref))))");
  Result<Instantiation> e = Instantiate(EngineKind::kAot, ref_param, nullptr, nullptr, RunLimits{});
  REQUIRE_FALSE(e.ok());
}

TEST_CASE("engines compared: the first difference in results, traps, fuel or host calls") {
  ScenarioReport a, b;
  ScenarioEvent ev;
  ev.time_ms = 100;
  ev.export_name = "control_loop";
  ev.outcome.results = {Value::I32(1)};
  ev.outcome.fuel_used = 40;
  a.events = {ev};
  b.events = {ev};
  CHECK(FirstEngineDifference(a, "interp", b, "aot").empty());
  b.events[0].outcome.results = {Value::I32(2)};
  CHECK(FirstEngineDifference(a, "interp", b, "aot") ==
        "the engines disagree at 100 ms, control_loop: results i32:1 vs i32:2 (interp vs aot)");
  b.events[0].outcome = a.events[0].outcome;
  b.events[0].outcome.fuel_used = 41;
  CHECK_THAT(FirstEngineDifference(a, "interp", b, "aot"), Catch::Contains("fuel used 40 vs 41"));
  b.events[0].outcome.fuel_used = 40;
  b.events[0].outcome.trap = Trap{TrapKind::kMemoryOutOfBounds, "oob", "control_loop"};
  CHECK_THAT(FirstEngineDifference(a, "interp", b, "aot"), Catch::Contains("no trap vs trap memory-out-of-bounds"));
  // Arithmetic NaNs (quiet bit set) are the same result whatever their sign and
  // payload, as the specification lets engines differ there; a signalling NaN
  // comes only from bit-exact instructions and must match exactly.
  CallOutcome x, y;
  auto same = [&](ValueType type, uint64_t a_bits, uint64_t b_bits) {
    x.results = {Value{type, a_bits}};
    y.results = {Value{type, b_bits}};
    return CompareOutcomes(x, y).empty();
  };
  CHECK(same(ValueType::kF32, 0x7fc00000, 0x7fc00001));
  CHECK(same(ValueType::kF32, 0x7fc00000, 0xffc00000));
  CHECK(same(ValueType::kF64, 0x7ff8000000000000, 0xfff8000000000123));
  CHECK_FALSE(same(ValueType::kF32, 0x7fc00000, 0x7f800001));  // quiet vs signalling
  CHECK_FALSE(same(ValueType::kF32, 0x7f800001, 0x7f800002));  // two signalling NaNs
  CHECK(same(ValueType::kF32, 0x7f800001, 0x7f800001));
  CHECK_FALSE(same(ValueType::kF64, 0x7ff0000000000001, 0xfff8000000000000));
  CHECK_FALSE(same(ValueType::kF32, 0x7fc00000, 0x7f800000));  // NaN vs infinity
  b.events.push_back(ev);
  CHECK_THAT(FirstEngineDifference(a, "interp", b, "aot"), Catch::Contains("different numbers of calls"));
}

TEST_CASE("engines compared: host calls, one by one, in the one comparison run, scenarios and gateways use") {
  HostFunction heater{"env", "set_heater", {}, {}, "", {}};
  heater.sim.kind = SimKind::kActuator;
  HostCall on{1000, &heater, {Value::I32(1)}, {}, "", {}};
  HostCall off = on;
  off.args = {Value::I32(0)};
  CallOutcome done;
  std::vector<HostCall> a = {on, on}, b = {on, off};
  CHECK(CompareCalls({done, a.data(), 2}, {done, a.data(), 2}).empty());
  CHECK(CompareCalls({done, a.data(), 2}, {done, b.data(), 2}) ==
        "host call 2: called host env.set_heater(i32:1) => vs called host env.set_heater(i32:0) =>");
  CHECK(CompareCalls({done, a.data(), 2}, {done, a.data(), 1}) == "2 vs 1 host calls");
  b[1].time_us = 2000;
  b[1].args = on.args;
  CHECK_THAT(CompareCalls({done, a.data(), 2}, {done, b.data(), 2}), Catch::StartsWith("host call 2: "));
  // The outcome comes first.
  CallOutcome trapped;
  trapped.trap = Trap{TrapKind::kUnreachable, "unreachable", "control_loop"};
  CHECK(CompareCalls({done, a.data(), 2}, {trapped, b.data(), 1}) == "no trap vs trap unreachable");

  // In a scenario report: the event's own slice of the host calls.
  ScenarioReport x, y;
  ScenarioEvent ev;
  ev.time_ms = 100;
  ev.export_name = "control_loop";
  ev.host_call_count = 2;
  x.events = y.events = {ev};
  x.host_calls = a;
  y.host_calls = {on, off};
  CHECK(FirstEngineDifference(x, "interp", y, "aot") ==
        "the engines disagree at 100 ms, control_loop: host call 2: called host env.set_heater(i32:1) => vs "
        "called host env.set_heater(i32:0) => (interp vs aot)");
}
