// The runtime's instrumentation (lib/runtime/metering.h) on its own: what it
// inserts, that the result is a valid module, and what it refuses. Behaviour
// at run time (fuel and depth traps on both engines) is in run_test.cc.
#include <catch2/catch.hpp>

#include "module/module_info.h"
#include "runtime/metering.h"
#include "support/test_support.h"

namespace wasmiot::test {
namespace {

ModuleInfo Read(const Bytes& wasm) {
  Diagnostics d;
  Result<ModuleInfo> m = ReadModule(wasm, "metered.wasm", d, /*instrumented=*/true);
  INFO(DiagnosticsText(d));
  REQUIRE(m.ok());
  return std::move(m).value();
}

}  // namespace

TEST_CASE("metering: one charge point per straight-line sequence, in a valid module") {
  // The body, the block, the loop, and the if's two arms: five sequences.
  Bytes wasm = WatToWasm(R"((module
    (func (export "f") (param i32) (result i32)
      (block (br_if 0 (local.get 0)))
      (loop (br_if 0 (i32.const 0)))
      (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2))))))");
  InstrumentOptions options;
  options.initial_fuel = 1000;
  Result<MeteredModule> m = InstrumentModule(wasm, options);
  REQUIRE(m.ok());
  CHECK(m->metered_sequences == 5);
  ModuleInfo info = Read(m->wasm);
  REQUIRE(info.FindExport(kFuelGlobalExport));
  CHECK(info.FindExport(kFuelGlobalExport)->kind == ExternKind::kGlobal);
  CHECK_FALSE(info.FindExport(kDepthGlobalExport));  // depth not counted: max_call_depth 0
  REQUIRE(info.FindExport("f"));
}

TEST_CASE("metering: call depth, memory budgets and the start function") {
  Bytes wasm = WatToWasm(R"((module
    (memory 1 10)
    (global $g (mut i32) (i32.const 0))
    (func $init (global.set $g (i32.const 1)))
    (start $init)
    (func (export "f") (result i32) (global.get $g))))");
  InstrumentOptions options;
  options.max_call_depth = 100;
  options.max_memory_pages = 4;
  Result<MeteredModule> m = InstrumentModule(wasm, options);
  REQUIRE(m.ok());
  ModuleInfo info = Read(m->wasm);
  CHECK(info.FindExport(kDepthGlobalExport));
  CHECK(info.FindExport(kMemoryExport));
  REQUIRE(info.memories.size() == 1);
  CHECK(info.memories[0].max == 4u);  // lowered to the budget: growth past it fails on every engine
  CHECK_FALSE(info.start_function.has_value());  // the runtime calls it, with fuel set
  CHECK(info.FindExport(kStartExport));
}

TEST_CASE("metering: what it refuses") {
  InstrumentOptions options;
  options.max_memory_pages = 1;
  // An export name the instrumentation needs for itself.
  CHECK_FALSE(InstrumentModule(WatToWasm(R"((module (global (export "wasmiot_fuel") i32 (i32.const 0))))"), {}).ok());
  // An initial memory over the budget.
  Result<MeteredModule> big = InstrumentModule(WatToWasm("(module (memory 2))"), options);
  REQUIRE_FALSE(big.ok());
  // A tail call would leave the call-depth count without counting out.
  InstrumentOptions depth;
  depth.max_call_depth = 10;
  Bytes tail = WatToWasm(R"((module (func $f (return_call $f)) (export "f" (func $f))))");
  CHECK_FALSE(InstrumentModule(tail, depth).ok());
  CHECK(InstrumentModule(tail, {}).ok());  // without depth counting it is fine
}

}  // namespace wasmiot::test
