#include "module/wamr_memory.h"

#include <string_view>

#include "core/limits.h"

namespace wasmiot {

const Limits* FirstMemory(const ModuleInfo& module) {
  for (const ImportInfo& i : module.imports) {
    if (i.kind == ExternKind::kMemory) return &i.limits;
  }
  return module.memories.empty() ? nullptr : &module.memories[0];
}

namespace {

uint64_t AlignUp(uint64_t v, uint64_t to) { return (v + to - 1) / to * to; }

// A linker symbol as WAMR recognises one: an exported, defined, immutable i32
// global set by a constant. Its value, and its global index.
struct Symbol {
  uint32_t value = 0;
  uint32_t global = 0;
};
std::optional<Symbol> LinkerSymbol(const ModuleInfo& module, std::string_view name) {
  const ExportInfo* e = module.FindExport(name);
  if (!e || e->kind != ExternKind::kGlobal) return std::nullopt;
  uint32_t imported = module.GlobalImportCount();
  if (e->index < imported || e->index - imported >= module.globals.size()) return std::nullopt;
  const GlobalInfo& g = module.globals[e->index - imported];
  if (g.type != WasmType::kI32 || g.is_mutable || !g.initial) return std::nullopt;
  return Symbol{static_cast<uint32_t>(*g.initial), e->index};
}

// An exported function defined in the module with exactly this signature.
bool ExportsFunction(const ModuleInfo& module, std::string_view name, const FuncSignature& signature) {
  const ExportInfo* e = module.FindExport(name);
  return e && e->kind == ExternKind::kFunc && e->index >= module.FunctionImportCount() && e->signature == signature;
}

// WAMR then uses the module's allocator and gives it no app heap.
bool ExportsAllocator(const ModuleInfo& module) {
  const WasmType i32 = WasmType::kI32;
  bool malloc = ExportsFunction(module, "malloc", {{i32}, {i32}}) ||
                (ExportsFunction(module, "__new", {{i32, i32}, {i32}}) &&  // AssemblyScript
                 (ExportsFunction(module, "__retain", {{i32}, {i32}}) || ExportsFunction(module, "__pin", {{i32}, {i32}})));
  bool free = false;
  for (std::string_view name : {"free", "__release", "__unpin"}) free = free || ExportsFunction(module, name, {{i32}, {}});
  return malloc && free;
}

bool SizesMemory(const ModuleInfo& module) {
  for (const FunctionFrame& f : module.frames) {
    if (f.sizes_memory) return true;
  }
  return false;
}

}  // namespace

WamrMemory WamrMemoryLayout(const ModuleInfo& module, uint64_t heap_bytes) {
  WamrMemory out;
  const Limits* memory = FirstMemory(module);
  if (!memory || memory->is_64) return out;
  // WAMR's view, as its loader leaves it: bytes per page, initial and maximum pages.
  uint64_t page = kWasmPageBytes;
  uint64_t initial = memory->initial;
  uint64_t max = memory->max.value_or(kWasmPageBytes);
  std::optional<Symbol> heap_base = LinkerSymbol(module, "__heap_base");
  std::optional<Symbol> data_end = LinkerSymbol(module, "__data_end");
  if (!(heap_base && data_end && AlignUp(data_end->value, 16) <= heap_base->value)) heap_base.reset();
  const bool sizes_memory = SizesMemory(module);
  if (!sizes_memory) {
    uint64_t shrunk = heap_base ? AlignUp(heap_base->value, 8) : 0;
    if (heap_base && shrunk <= page * initial) {
      out.shrunk_from = page * initial;
      page = shrunk;
      initial = 1;
    }
    if (initial < kWasmPageBytes) {  // one page of all its bytes
      page *= initial;
      initial = max = initial > 0 ? 1 : 0;
    }
  }
  const uint64_t heap = ExportsAllocator(module) ? 0 : heap_bytes;
  out.heap_offset = page * initial;
  if (initial == 1 && max == 1) {  // the heap at the end of the one page
    out.heap_offset = page;
    out.heap_bytes = heap;
    out.fixed_bytes = page + heap;
    out.fixed_pages = 1;
  } else if (heap > 0 && initial == 0 && max == 0) {  // a page of just the heap
    out.heap_offset = 0;
    out.heap_bytes = heap;
    out.fixed_bytes = heap;
    out.fixed_pages = 1;
  } else if (heap > 0 && heap_base && heap_base->value < page * initial) {
    // The heap goes at __heap_base, which moves above it (and a KiB further
    // when less than that would be left of its page); pages as needed.
    uint64_t base = heap_base->value;
    auto to_page_end = [page](uint64_t at) { return at % page == 0 ? 0 : page - at % page; };
    uint64_t room = to_page_end(base);
    out.added_pages = heap > room ? (heap - room + page - 1) / page : 0;
    out.heap_offset = base;
    out.heap_bytes = heap;
    base += heap;
    if (to_page_end(base) < 1024) {
      base += 1024;
      ++out.added_pages;
    }
    out.heap_base_global = heap_base->global;
    out.heap_base_value = static_cast<uint32_t>(base);
  } else if (heap > 0) {  // new pages for the heap, less a KiB
    out.added_pages = (heap + page - 1) / page;
    out.heap_bytes = out.added_pages * page - 1024;
  }
  // Nothing to model where the device's memory is the module's own.
  if (out.fixed_bytes && *out.fixed_bytes == memory->initial * kWasmPageBytes &&
      (!sizes_memory || out.fixed_pages == memory->initial)) {
    out.fixed_bytes.reset();
  }
  return out;
}

}  // namespace wasmiot
