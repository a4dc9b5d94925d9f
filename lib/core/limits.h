// What wasmiot accepts in a module, beyond the WebAssembly spec: limits that
// keep every later step (validation, instrumentation, Binaryen, wasm2c and the
// C compiler, the interpreter) inside bounded time, stack and memory. The
// values follow the limits web engines agree on (V8, SpiderMonkey); a module
// for a device is far inside them. docs/limits.md lists them.
#pragma once

#include <cstdint>

namespace wasmiot {

// WebAssembly's page of linear memory.
inline constexpr uint32_t kWasmPageBytes = 65536;

// Parameters plus declared locals of one function. A 36-byte module may
// declare 2 x 0x7fffffff locals, which engines that expand them turn into
// gigabytes.
inline constexpr uint64_t kMaxLocalsPerFunction = 50'000;

// Nested block, loop, if and try in one function body. wasm2c's C writer and
// wabt's IR recurse once per level; C compilers need about 1 KiB of stack a
// level. LLVM nests one block per switch case, so this leaves room for
// switches of thousands of cases.
inline constexpr uint32_t kMaxControlDepth = 10'000;

// Levels the reference runtime's instrumentation adds around and inside a
// function body (the call-depth block, the fuel check's `if`).
inline constexpr uint32_t kInstrumentationDepth = 2;

// Budgets of one call of an export: instructions (fuel) and wall-clock
// milliseconds spent in host calls. One definition for manifests, scenarios,
// gateways and the command line; the JSON schemas are tested against them.
inline constexpr uint64_t kMaxFuelPerCall = 1'000'000'000'000;  // 1e12: hours of interpretation
inline constexpr uint64_t kMaxWallMsPerCall = 3'600'000;        // one hour

// Elements of a table, initially or at its declared maximum (without a
// declared maximum a table may grow to kMaxTableElements at run time).
inline constexpr uint64_t kMaxTableElements = 10'000'000;

// Bytes of one function body.
inline constexpr uint64_t kMaxFunctionBodyBytes = 7'654'321;

// Stack a thread gets for the steps that recurse once per nesting level of a
// module (wabt's IR, its writer, wasm2c): enough for kMaxControlDepth levels
// with sanitizers on, reserved (not committed) until used.
inline constexpr uint64_t kDeepRecursionStackBytes = 512ull << 20;

}  // namespace wasmiot
