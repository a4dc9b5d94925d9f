// Counted loops in two versions (runtime/loop_versioning.h): which loops are
// versioned, that the versioned module does exactly what the plain one does
// (results, trap, fuel used, memory) at every fuel budget on both engines,
// and that the C pass makes FAST's accesses unchecked.
#include <catch2/catch.hpp>

#include "aot/wasm2c_bridge.h"
#include "core/sha256.h"
#include "core/trap_kinds.h"
#include "runtime/aot_engine.h"
#include "runtime/loop_versioning.h"
#include "runtime/metering.h"
#include "support/test_support.h"
#include "support/text.h"

namespace wasmiot::test {
namespace {

uint32_t Versioned(const std::string& wat, bool version = true) {
  InstrumentOptions options;
  options.initial_fuel = 1000;
  options.max_call_depth = 100;
  options.version_loops = version;
  Result<MeteredModule> m = InstrumentModule(WatToWasm(wat), options);
  REQUIRE(m.ok());
  return m->versioned_loops;
}

// Sum of the bytes p[0..n) at offset 3: counts up, i < n (unsigned).
constexpr const char* kSum = R"((module (memory 1 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10\11\12\13\14")
  (func (export "f") (param $p i32) (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $l
        (local.set $s (i32.add (local.get $s) (i32.load8_u offset=3 (i32.add (local.get $p) (local.get $i)))))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
    (local.get $s))))";

// dst[k] = 3 * src[k] for k < n, words: a counter from -n up to 0, as clang
// rotates loops; a store and a load.
constexpr const char* kTriple = R"((module (memory 1 1)
  (data (i32.const 64) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00")
  (func (export "f") (param $dst i32) (param $n i32) (result i32) (local $i i32)
    (local.set $i (i32.sub (i32.const 0) (local.get $n)))
    (loop $l
      (i32.store offset=0
        (i32.add (local.get $dst) (i32.shl (i32.add (local.get $i) (local.get $n)) (i32.const 2)))
        (i32.mul (i32.load offset=64 (i32.shl (i32.add (local.get $i) (local.get $n)) (i32.const 2))) (i32.const 3)))
      (br_if $l (local.tee $i (i32.add (local.get $i) (i32.const 1)))))
    (i32.load (local.get $dst)))))";

// Counts down, stops early at a zero byte (a branch out of the loop), and
// counts bytes over 30 in an if: the charges of a conditional sequence.
constexpr const char* kDown = R"((module (memory 1 1)
  (data (i32.const 100) "\05\28\07\30\00\40\41")
  (func (export "f") (param $p i32) (param $n i32) (result i32) (local $c i32)
    (block $out
      (loop $l
        (br_if $out (i32.eqz (i32.load8_u offset=99 (i32.add (local.get $p) (local.get $n)))))
        (if (i32.gt_u (i32.load8_u offset=99 (i32.add (local.get $p) (local.get $n))) (i32.const 30))
          (then (local.set $c (i32.add (local.get $c) (i32.const 1)))))
        (br_if $l (i32.gt_s (local.tee $n (i32.sub (local.get $n) (i32.const 1))) (i32.const 0)))))
    (local.get $c))))";

// i <= end, signed, by 2, with the loop's value as a result.
constexpr const char* kInclusive = R"((module (memory 1 1)
  (func (export "f") (param $i i32) (param $end i32) (result i32)
    (loop $l (result i32)
      (i32.store8 offset=7 (local.get $i) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (local.get $i)
      (br_if $l (i32.le_s (local.get $i) (local.get $end)))))))";

// The call's results or trap kind, fuel used and memory digest after it.
std::string Outcome(EngineKind engine, const std::string& wat, uint64_t fuel, const std::vector<Value>& args,
                    bool version, const std::string& cache) {
  RunLimits limits;
  limits.fuel_per_call = fuel;
  limits.version_loops = version;
  AotSettings settings;
  settings.cache_dir = cache;
  Result<Instantiation> r = Instantiate(engine, WatToWasm(wat), nullptr, nullptr, limits, settings);
  REQUIRE(r.ok());
  REQUIRE(r->instance);
  CallOutcome out = r->instance->Call("f", args);
  std::optional<Bytes> memory = r->instance->ReadMemory(0, r->instance->memory_bytes());
  REQUIRE(memory);
  Sha256 digest = HashSha256(memory->data(), memory->size());
  std::string what = out.trap ? std::string(TrapKindName(out.trap->kind)) : FormatValues(out.results);
  return what + ", fuel " + std::to_string(out.fuel_used.value_or(0)) + ", memory " + HexString(digest.data(), 8);
}

// The fuel the plain module uses for the call (with plenty of it).
uint64_t FuelUsed(const std::string& wat, const std::vector<Value>& args) {
  RunLimits limits;
  limits.version_loops = false;
  Result<Instantiation> r = Instantiate(EngineKind::kInterp, WatToWasm(wat), nullptr, nullptr, limits);
  REQUIRE(r.ok());
  return r->instance->Call("f", args).fuel_used.value_or(0);
}

}  // namespace

TEST_CASE("loop versioning: which loops get a second version") {
  CHECK(Versioned(kSum) == 1);
  CHECK(Versioned(kTriple) == 1);
  CHECK(Versioned(kDown) == 1);
  CHECK(Versioned(kInclusive) == 1);
  CHECK(Versioned(kSum, /*version=*/false) == 0);
  // A call, a division, an address loaded from memory, a second branch back
  // (continue), a bound that moves, memory.grow, a trapping conversion: never.
  const char* counted = R"((module (memory 1) (func $g)
    (func (export "f") (param $n i32) (local $i i32) (local $x i32)
      (loop $l
        BODY
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))))";
  auto with = [&](const std::string& body) {
    std::string wat = counted;
    return wat.replace(wat.find("BODY"), 4, body);
  };
  CHECK(Versioned(with("(drop (i32.load (local.get $i)))")) == 1);
  CHECK(Versioned(with("(call $g)")) == 0);
  CHECK(Versioned(with("(drop (i32.div_u (local.get $i) (local.get $n)))")) == 0);
  CHECK(Versioned(with("(drop (i32.load (i32.load (local.get $i))))")) == 0);
  CHECK(Versioned(with("(br_if $l (i32.eqz (local.get $i)))")) == 0);
  CHECK(Versioned(with("(if (local.get $i) (then (local.set $n (i32.const 3))))")) == 0);
  CHECK(Versioned(with("(local.set $n (i32.add (local.get $n) (i32.const 1)))")) == 0);
  // A bound set to the same value every turn before the test is still fixed.
  CHECK(Versioned(with("(local.set $n (i32.const 3))")) == 1);
  CHECK(Versioned(with("(drop (memory.grow (i32.const 0)))")) == 0);
  CHECK(Versioned(with("(drop (i32.trunc_f32_s (f32.const 1)))")) == 0);
  // Nested: the inner loop only.
  CHECK(Versioned(with("(loop $m (br_if $m (i32.ne (local.tee $x (i32.add (local.get $x) (i32.const 4))) (i32.const 64))))")) == 1);
  // A module holding a marker constant keeps every loop as it is.
  CHECK(Versioned(with("(drop (i64.const 0x7761736d696f7400))")) == 0);
  // So does one laid out as WAMR's byte-sized memory (its accesses are rewritten).
  InstrumentOptions wamr;
  wamr.initial_fuel = 1000;
  wamr.wamr_memory = WamrMemory{};
  wamr.wamr_memory->fixed_bytes = 70000;
  wamr.wamr_memory->fixed_pages = 1;
  Result<MeteredModule> m = InstrumentModule(WatToWasm(kSum), wamr);
  REQUIRE(m.ok());
  CHECK(m->versioned_loops == 0);
}

TEST_CASE("loop versioning: the same results, traps, fuel used and memory at every budget, on the interpreter") {
  struct Case {
    const char* wat;
    std::vector<std::vector<Value>> args;
  };
  const std::vector<Case> cases = {
      {kSum, {{Value::I32(0), Value::I32(20)}, {Value::I32(65500), Value::I32(40)}, {Value::I32(5), Value::I32(0)}}},
      {kTriple, {{Value::I32(256), Value::I32(6)}, {Value::I32(65530), Value::I32(6)}, {Value::I32(256), Value::I32(0)}}},
      {kDown, {{Value::I32(0), Value::I32(7)}, {Value::I32(1), Value::I32(3)}, {Value::I32(65440), Value::I32(3)}}},
      {kInclusive, {{Value::I32(0), Value::I32(30)}, {Value::I32(-6), Value::I32(9)}, {Value::I32(65520), Value::I32(65535)},
                    {Value::I32(0x7ffffff0), Value::I32(0x7fffffff)}}},
  };
  TempDir cache;
  int compared = 0;
  for (const Case& c : cases) {
    for (const std::vector<Value>& args : c.args) {
      const uint64_t used = FuelUsed(c.wat, args);
      INFO(c.wat << "\nargs " << FormatValues(args) << ", fuel used with plenty " << used);
      for (uint64_t fuel = 1; fuel <= std::min<uint64_t>(used + 2, 1500); ++fuel) {
        INFO("fuel " << fuel);
        CHECK(Outcome(EngineKind::kInterp, c.wat, fuel, args, true, cache.path()) ==
              Outcome(EngineKind::kInterp, c.wat, fuel, args, false, cache.path()));
        ++compared;
      }
    }
  }
  CHECK(compared > 700);
}

TEST_CASE("loop versioning: the same on host AOT, with FAST's accesses unchecked") {
  TempDir cache;
  struct Case {
    const char* wat;
    std::vector<Value> args;
  };
  for (const Case& c : {Case{kSum, {Value::I32(0), Value::I32(20)}}, Case{kSum, {Value::I32(65500), Value::I32(40)}},
                        Case{kTriple, {Value::I32(256), Value::I32(6)}}, Case{kDown, {Value::I32(0), Value::I32(7)}}}) {
    const uint64_t used = FuelUsed(c.wat, c.args);
    INFO(c.wat << "\nargs " << FormatValues(c.args));
    for (uint64_t fuel : {used, used - 1, used / 2}) {
      INFO("fuel " << fuel);
      std::string plain = Outcome(EngineKind::kInterp, c.wat, fuel, c.args, false, cache.path());
      CHECK(Outcome(EngineKind::kAot, c.wat, fuel, c.args, true, cache.path()) == plain);
    }
  }
  // The C pass: the loads and the store between the markers are unchecked.
  InstrumentOptions options;
  options.initial_fuel = 1000;
  for (auto [wat, accesses] : {std::pair{kSum, 1u}, std::pair{kTriple, 2u}, std::pair{kDown, 2u}, std::pair{kInclusive, 1u}}) {
    Result<MeteredModule> m = InstrumentModule(WatToWasm(wat), options);
    REQUIRE(m.ok());
    Result<GeneratedC> c = GenerateC(m->wasm, "m", "m.h");
    REQUIRE(c.ok());
    INFO(wat);
    CHECK(RewriteFastLoopsInC(c->source) == accesses);
    CHECK(c->source.find("wasmiot_fast_data_0 = (&instance->w2c_wasmiot_memory)->data;") != std::string::npos);
  }
}

TEST_CASE("loop versioning: the C pass on wasm2c's lines, renamed slots included") {
  // wasm2c renames a stack slot that a function's name takes (w2c_f8 -> w2c_f8_0).
  std::string c = "DEFINE_LOAD(f32_load, f32, f32, f32)\n"
                  "DEFINE_STORE(i32_store8, u8, u32)\n"
                  "  w2c_j0 = 8602283677011899394ull;\n"
                  "    w2c_i8 = (u32)(w2c_j8);\n"
                  "    w2c_f8_0 = f32_load(&instance->w2c_memory, (u64)(w2c_i8));\n"
                  "    w2c_i0 = (u32)(w2c_j0_1);\n"
                  "    w2c_i1 = w2c_l13;\n"
                  "    i32_store8(&instance->w2c_memory, (u64)(w2c_i0) + 7, w2c_i1);\n"
                  "    w2c_i2 = (u32)(w2c_j2);\n"
                  "    w2c_i3 = f32_load(&instance->w2c_memory, (u64)(w2c_i9));\n"  // another address: kept checked
                  "  w2c_j0 = 8602283677011899395ull;\n"
                  "    w2c_i8 = (u32)(w2c_j8);\n"
                  "    w2c_f8_0 = f32_load(&instance->w2c_memory, (u64)(w2c_i8));\n";  // outside: kept
  CHECK(RewriteFastLoopsInC(c) == 2);
  CHECK(c.find(";u8* const wasmiot_fast_data_1 = (&instance->w2c_memory)->data;\n") != std::string::npos);
  CHECK(c.find("w2c_f8_0 = wasmiot_fast_f32_load(wasmiot_fast_data_1, w2c_j8);") != std::string::npos);
  CHECK(c.find("wasmiot_fast_i32_store8(wasmiot_fast_data_1, w2c_j0_1 + 7, w2c_i1);") != std::string::npos);
  CHECK(c.find("w2c_i3 = f32_load(&instance->w2c_memory, (u64)(w2c_i9));") != std::string::npos);
  CHECK(c.find("w2c_f8_0 = f32_load(&instance->w2c_memory, (u64)(w2c_i8));") != std::string::npos);
  CHECK(c.find("WASMIOT_FAST_LOAD(f32_load, f32, f32, f32)") != std::string::npos);
  // Without wasm2c's access definitions nothing is rewritten.
  std::string bare = "  w2c_j0 = 8602283677011899394ull;\n  w2c_j0 = 8602283677011899395ull;\n";
  CHECK(RewriteFastLoopsInC(bare) == 0);
}

}  // namespace wasmiot::test
