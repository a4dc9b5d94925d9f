// The C bridge between the runtime and one wasm2c-compiled module: a few
// functions with a fixed ABI (below) that the AOT engine finds with dlsym, so
// the C++ side never needs the module's own types or symbol names.
//
//   wasmiot_instance* wasmiot_new(void* ctx, wasmiot_host_fn call, int* trap);
//   void     wasmiot_free(wasmiot_instance*);
//   int      wasmiot_call(wasmiot_instance*, uint32_t export_index, const uint64_t* args, uint64_t* results);
//   uint8_t* wasmiot_memory_data(wasmiot_instance*);   uint64_t wasmiot_memory_size(wasmiot_instance*);
//   uint64_t* wasmiot_fuel(wasmiot_instance*);          uint32_t* wasmiot_depth(wasmiot_instance*);
//   uint32_t wasmiot_glue_abi(void);
//
// Values travel as 64-bit slots (floats by their bits). `call` returns 0, or
// the wasm2c trap code; a host function that fails makes it kGlueHostTrap.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/wasm2c_names.h"
#include "module/module_info.h"
#include "support/result.h"

namespace wasmiot {

inline constexpr uint32_t kGlueAbi = 3;  // part of the cache key: bump when the glue or the C rewrite changes
inline constexpr int kGlueHostTrap = 100;
inline constexpr const char* kGlueModuleName = "m";  // wasm2c's module name: symbols are Z_m...

// Host function callback: `import_index` counts the module's function imports.
using GlueHostFn = int (*)(void* ctx, uint32_t import_index, const uint64_t* args, uint64_t* results);


// The bridge's C source for a prepared module (runtime/engine.h
// PrepareModule). Export index i is the i-th function export of `module`.
// Refused when a signature has a type other than i32, i64, f32 or f64, or the
// module imports something other than functions and one memory.
Result<std::string> GenerateGlue(const ModuleInfo& module);

}  // namespace wasmiot
