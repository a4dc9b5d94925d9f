// How WAMR lays out memory 0 of a module on the device, read off its loader
// and memory_instantiate (WAMR 2.x, without multi-module; docs/runtime.md,
// "Heap and WAMR's memory"):
// - a module with neither memory.size nor memory.grow ("never grows") gets
//   its initial memory as one page of that many bytes, shrunk first to
//   __heap_base rounded up to 8 when it exports __heap_base and __data_end
//   (WASM_ENABLE_SHRUNK_MEMORY, on by default);
// - the app heap (heap_bytes; none when the module exports malloc and free)
//   goes at the end of a memory of one page at most, which then has a size in
//   bytes no page count expresses; otherwise before __heap_base (moving it) or
//   in new pages, adding pages to the initial size and the maximum.
#pragma once

#include <cstdint>
#include <optional>

#include "module/module_info.h"

namespace wasmiot {

struct WamrMemory {
  // Memory 0's size in bytes when WAMR fixes it (see above); accesses at or
  // past it trap, memory.size says `fixed_pages` and memory.grow of more than
  // nothing fails.
  std::optional<uint64_t> fixed_bytes;
  uint32_t fixed_pages = 0;  // 1, or 0 for a memory of no bytes
  // When shrunk: the bytes of the module's initial memory before.
  std::optional<uint64_t> shrunk_from;
  uint64_t added_pages = 0;  // otherwise: pages added to the initial size and the maximum
  // __heap_base's value once WAMR put the heap below it (global index, value).
  std::optional<uint32_t> heap_base_global;
  uint32_t heap_base_value = 0;
  uint64_t heap_offset = 0;  // where the app heap starts
  uint64_t heap_bytes = 0;   // its size (0: none)
  bool changed() const { return fixed_bytes || added_pages > 0 || heap_base_global; }
};

// Memory 0's limits (imported or defined); nothing without a memory.
const Limits* FirstMemory(const ModuleInfo& module);

// `module` needs its frames (ReadModule fills them). heap_bytes: the
// manifest's budget.
WamrMemory WamrMemoryLayout(const ModuleInfo& module, uint64_t heap_bytes);

}  // namespace wasmiot
