// Frame facts read from code, each runtime's frame size, and the deepest chain
// of calls: the numbers the stack model (docs/runtime.md, "Stack") rests on,
// worked out by hand here.
#include <catch2/catch.hpp>

#include "check/check.h"
#include "module/frames.h"
#include "support/test_support.h"

namespace wasmiot {
namespace {

using test::WatToWasm;

// Functions 0 (an import), 1 leaf, 2 nest, 3 down, 4 a, 5 b, 6 table.
constexpr const char* kFrames = R"((module
  (import "env" "f" (func $f (param i32)))
  (table 1 funcref)
  (func $leaf (param i32 i64) (result i32) (local f64 i32)
    local.get 0
    i64.const 5
    local.get 1
    i64.add
    i32.wrap_i64
    i32.add)
  (func $nest (block (loop (if (i32.const 1) (then nop)))))
  (func $down (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (return (i32.const 42))))
    (call $down (i32.sub (local.get 0) (i32.const 1))))
  (func $a (export "a") (call $f (i32.const 0)) (drop (call $b)))
  (func $b (result i32) (call $nest) (call $leaf (i32.const 1) (i64.const 2)))
  (func $table (call_indirect (i32.const 0)))))";

TEST_CASE("frames: parameters, locals, operand stack, blocks and constants, in cells") {
  Result<std::vector<FunctionFrame>> frames = AnalyzeFrames(WatToWasm(kFrames));
  REQUIRE(frames.ok());
  REQUIRE(frames->size() == 6);
  const FunctionFrame& leaf = (*frames)[0];
  CHECK(leaf.param_cells == 3);      // i32 + i64
  CHECK(leaf.local_cells == 3);      // f64 + i32
  CHECK(leaf.max_stack_cells == 5);  // i32, i64, i64 on the stack at once
  CHECK(leaf.max_blocks == 1);
  CHECK(leaf.const_cells == 2);
  CHECK(leaf.callees.empty());
  const FunctionFrame& nest = (*frames)[1];
  CHECK(nest.max_blocks == 4);  // the body, block, loop, if
  CHECK(nest.max_stack_cells == 1);
  const FunctionFrame& down = (*frames)[2];
  CHECK(down.param_cells == 1);
  CHECK(down.max_stack_cells == 2);
  CHECK(down.max_blocks == 2);
  CHECK(down.const_cells == 2);
  CHECK(down.callees == std::vector<uint32_t>{3});
  CHECK((*frames)[3].callees == std::vector<uint32_t>{0, 5});
  CHECK((*frames)[4].callees == std::vector<uint32_t>{1, 2});
  CHECK((*frames)[5].calls_indirect);
}

TEST_CASE("frames: each runtime's frame size") {
  FunctionFrame down{1, 0, 2, 2, 2, {}, false};
  // WAMR classic: 9 pointers of header, 4-byte cells, 16 bytes per block.
  CHECK(FrameBytes(FrameCostModelFor(DeviceRuntime::kWamrClassic), down) == 36 + 4 * 3 + 16 * 2);
  // WAMR fast: 5 words of header; constants live in the frame; no block stack.
  CHECK(FrameBytes(FrameCostModelFor(DeviceRuntime::kWamrFast), down) == 20 + 4 * 5);
  CHECK(FrameBytes(FrameCostModelFor(DeviceRuntime::kWasm2c), down) == 16 + 4 * 3);
  CHECK(FrameBytes(FrameCostModelFor(DeviceRuntime::kWamrAot), down) == 16 + 4 * 3);
}

TEST_CASE("frames: the deepest chain of calls, or why there is no bound") {
  Result<std::vector<FunctionFrame>> frames = AnalyzeFrames(WatToWasm(kFrames));
  REQUIRE(frames.ok());
  FrameCostModel model = FrameCostModelFor(DeviceRuntime::kWasm2c);
  // a (16 + 4*1) calls the host (nothing) and b (16 + 4*3: i32 and i64 for
  // leaf), which calls nest (16 + 4*1) and leaf (16 + 4*11): leaf is the deeper.
  StackBound a = WorstCaseStack(*frames, 1, 4, model);
  REQUIRE(a.bytes);
  CHECK(*a.bytes == 20 + 28 + 60);
  CHECK(a.chain == std::vector<uint32_t>{4, 5, 1});
  StackBound down = WorstCaseStack(*frames, 1, 3, model);
  CHECK_FALSE(down.bytes);
  CHECK(down.unbounded == "recursion: 3 -> 3");
  StackBound table = WorstCaseStack(*frames, 1, 6, model);
  CHECK_FALSE(table.bytes);
  CHECK(table.unbounded == "a call through a table in function 6");
  CHECK(WorstCaseStack(*frames, 1, 0, model).bytes == 0u);  // the host's own
}

std::string Device(uint64_t stack_bytes, const std::string& runtime) {
  return R"({"manifest_version": 1, "device": {"vendor": "v", "class": "c", "api_version": "1.0.0"},
    "imports": {"env": {"f": {"params": [{"name": "x", "type": "i32"}], "sim": {"kind": "actuator"}}}},
    "exports": {"a": {"required": true}},
    "budgets": {"memory": {"initial_pages": 1, "max_pages": 1}, "table": {"max_elements": 4},
      "stack_bytes": )" + std::to_string(stack_bytes) + R"(, "heap_bytes": 0, "fuel_per_call": 1000,
      "wall_ms_per_call": 10, "max_module_bytes": 4096},
    "features": [], "aot_targets": [], "runtime": ")" + runtime + R"("})";
}

TEST_CASE("check: an export whose deepest chain does not fit the device's stack, to the byte") {
  Bytes wasm = WatToWasm(kFrames);
  auto check = [&](uint64_t stack, const std::string& runtime) {
    Diagnostics d;
    Result<Manifest> m = ParseManifest(Device(stack, runtime), "device.json", d);
    REQUIRE(m.ok());
    (void)ReadAndCheckModule(wasm, "m.wasm", *m, d);
    return test::DiagnosticsText(d);
  };
  CHECK(check(108, "wasm2c").find("stack-over-budget") == std::string::npos);
  std::string over = check(107, "wasm2c");
  CHECK(over.find("a: needs up to 108 bytes of stack on wasm2c (a -> function 5 -> function 1), the device gives 107")
        != std::string::npos);
  // WAMR classic: a 36+4*1+16, b 36+4*3+16, then nest's four blocks (36+4*1+16*4)
  // outweigh leaf's cells (36+4*11+16): the deepest chain depends on the runtime.
  CHECK(check(56 + 64 + 104, "wamr-classic").find("stack-over-budget") == std::string::npos);
  CHECK(check(56 + 64 + 103, "wamr-classic").find("(a -> function 5 -> function 2), the device gives 223") !=
        std::string::npos);
}

TEST_CASE("check: on WAMR, a module that exports __heap_base and never grows memory is warned its memory shrinks") {
  auto check = [&](const std::string& runtime, const std::string& grow) {
    Bytes wasm = WatToWasm(R"((module
      (import "env" "f" (func $f (param i32)))
      (memory (export "memory") 2 2)
      (global $sp (mut i32) (i32.const 65536))
      (global (export "__data_end") i32 (i32.const 65600))
      (global (export "__heap_base") i32 (i32.const 65601))
      (func (export "a") )" + grow + R"()))");
    Diagnostics d;
    Result<Manifest> m = ParseManifest(Device(4096, runtime), "device.json", d);
    REQUIRE(m.ok());
    (void)ReadAndCheckModule(wasm, "m.wasm", *m, d);
    return test::DiagnosticsText(d);
  };
  CHECK(check("wamr-classic", "").find("wamr-classic shrinks this module's memory from 131072 bytes to 65608 bytes "
                                       "(__heap_base") != std::string::npos);
  CHECK(check("wamr-aot", "").find("[wamr-memory-shrunk]") != std::string::npos);
  CHECK(check("wasm2c", "").find("wamr-memory-shrunk") == std::string::npos);
  CHECK(check("wamr-fast", "(drop (memory.grow (i32.const 0)))").find("wamr-memory-shrunk") == std::string::npos);
}

}  // namespace
}  // namespace wasmiot
