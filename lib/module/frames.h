// What one call of each function takes on a device's stack: the facts of its
// frame (module/frames.cc reads them from the code) and, with a runtime's
// FrameCostModel (core/device_runtime.h), its size in bytes, and the deepest
// chain of calls from an export where the call graph allows a bound.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/device_runtime.h"
#include "support/file_io.h"
#include "support/result.h"

namespace wabt {
struct Module;  // only module/ includes wabt (README, "Layers")
}  // namespace wabt

namespace wasmiot {

// In 32-bit cells: i32, f32 and references one, i64 and f64 two, v128 four.
struct FunctionFrame {
  uint32_t param_cells = 0;
  uint32_t local_cells = 0;      // declared locals, beyond the parameters
  uint32_t max_stack_cells = 0;  // the operand stack at its deepest
  uint32_t max_blocks = 1;       // nested blocks, loops, ifs and trys, the body counting as one
  uint32_t const_cells = 0;      // constants in the code
  std::vector<uint32_t> callees;  // function indices (imports first) called directly, sorted, once each
  bool calls_indirect = false;    // call_indirect, call_ref or their tail-call forms
  bool sizes_memory = false;      // memory.size or memory.grow (WAMR's "possible memory grow")
  bool grows_memory = false;      // memory.grow: without one anywhere, memory keeps its initial size
};

// One per defined function, in order (function index = function imports + i).
// The module must be valid; refused if wabt cannot read it.
Result<std::vector<FunctionFrame>> AnalyzeFrames(const Bytes& wasm);
// The same on a module wabt has read (module/wasm_reader.cc reads it once).
Result<std::vector<FunctionFrame>> AnalyzeFrames(wabt::Module& module);

// The model's bytes for one call of the function.
uint64_t FrameBytes(const FrameCostModel& model, const FunctionFrame& frame);

// The most stack any chain of calls from `function` (an index counting
// imports) takes: the sum of its frames, and the chain. No bound when the
// chain can recurse or call through a table (then `unbounded` says where).
// Host functions count nothing.
struct StackBound {
  std::optional<uint64_t> bytes;
  std::vector<uint32_t> chain;  // function indices, outermost first
  std::string unbounded;        // "recursion: 3 -> 5 -> 3", "a call through a table in function 4"
};
StackBound WorstCaseStack(const std::vector<FunctionFrame>& frames, uint32_t function_imports, uint32_t function,
                          const FrameCostModel& model);

}  // namespace wasmiot
