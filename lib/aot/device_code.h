// wasm2c's C tuned for a microcontroller (bare-metal targets; docs/aot.md,
// "Device code"). wasm2c 1.0.32 defines its memory accesses as static inline
// helpers, which gcc -Os keeps as calls once a module uses them often; and
// it checks every access against the memory's current size, read from RAM,
// even when the module can never grow its memory. Forcing the helpers inline
// and, for a memory that cannot grow, checking against a constant halved the
// instructions of the CoreMark-like kernel on a Cortex-M4 (bench/cortexm.sh).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "module/module_info.h"
#include "support/result.h"

namespace wasmiot {

// The size in bytes memory 0 keeps for the instance's whole life: it is the
// module's own (not imported), and its maximum is its initial size or no
// function executes memory.grow. Nothing otherwise (or without a memory).
std::optional<uint64_t> FixedMemoryBytes(const ModuleInfo& module);

// Rewrites wasm2c's .c output in place. An error (and `c` unchanged): the
// output is not the wasm2c 1.0.32 this code was written against.
Status TuneDeviceCode(std::string& c, std::optional<uint64_t> fixed_memory_bytes);

// For code whose every access is bounds-checked explicitly (no guard pages):
// removes the empty asm wasm2c puts after each load so that a load whose
// value is unused still faults on a guard page; with explicit checks it only
// keeps gcc from optimizing (the host AOT engine). Same error as above.
Status DropForcedReads(std::string& c);

}  // namespace wasmiot
