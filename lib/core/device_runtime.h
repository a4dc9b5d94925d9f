// The runtime that runs modules on a device (the manifest's "runtime"), and
// what the reference runtime models of it: how much stack one call of a
// function takes there (docs/runtime.md, "Stack").
#pragma once

#include <cstdint>

namespace wasmiot {

enum class DeviceRuntime {
  kWasm2c,       // `wasmiot aot` output: wasm2c C on the device's CPU (the default)
  kWamrClassic,  // WAMR's classic interpreter
  kWamrFast,     // WAMR's fast interpreter
  kWamrAot,      // WAMR running wamrc output
};
// Names: DeviceRuntimeName (manifest/manifest.h), as the manifest spells them.
bool IsWamr(DeviceRuntime runtime);

// One call's frame on the device, for a function with these cells (32-bit
// units: i32, f32 and references take one, i64 and f64 two, v128 four):
//   header + cell_bytes * (params + locals + max operand stack [+ constants])
//          + block_bytes * nested blocks (the body counts as one)
// WAMR's interpreters allocate exactly this from the instance's wasm stack
// (stack_bytes) with 32-bit pointers; for native code (wasm2c, WAMR AOT) it is
// an estimate of the C frame. docs/runtime.md gives each runtime's margin.
struct FrameCostModel {
  uint32_t header_bytes = 0;
  uint32_t cell_bytes = 4;
  uint32_t block_bytes = 0;
  bool counts_constants = false;  // WAMR's fast interpreter keeps a function's constants in its frame
};
FrameCostModel FrameCostModelFor(DeviceRuntime runtime);

}  // namespace wasmiot
