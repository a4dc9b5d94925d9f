#include "aot/device_code.h"

#include <fmt/format.h>

namespace wasmiot {
namespace {

// Replaces every occurrence of `from` in `text`, which must occur `expected` times.
bool ReplaceExactly(std::string& text, std::string_view from, std::string_view to, size_t expected) {
  size_t count = 0;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + from.size())) ++count;
  if (count != expected) return false;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return true;
}

// wasm2c's function entry and exit without a depth count, and ours: the stack
// pointer against the runtime's limit (wasmiot_rt_static.h), or no check when
// a hardware limit does it (Armv8-M's MSPLIM, WASMIOT_RT_STACK_CHECK 0). The
// exit's empty asm stays in both: it keeps a body's last call a call, without
// which gcc turns a recursion such as `n + f(n - 1)` into a loop whose stack
// never reaches any limit (the module then runs on where it should trap).
constexpr std::string_view kNoStackCheck =
    "#else\n"
    "#define FUNC_PROLOGUE\n\n"
    "#define FUNC_EPILOGUE\n"
    "#endif\n";
constexpr std::string_view kStackCheck =
    "#elif WASMIOT_RT_STACK_CHECK\n"
    "#define FUNC_PROLOGUE \\\n"
    "  if (UNLIKELY(wasmiot_rt_stack_pointer() < wasmiot_rt_stack_limit)) TRAP(EXHAUSTION)\n"
    "#define FUNC_EPILOGUE __asm__ volatile(\"\")\n"
    "#else\n"
    "#define FUNC_PROLOGUE\n\n"
    "#define FUNC_EPILOGUE __asm__ volatile(\"\")\n"
    "#endif\n";

}  // namespace

std::optional<uint64_t> FixedMemoryBytes(const ModuleInfo& module) {
  if (module.memories.empty()) return std::nullopt;  // none, or imported: sized by the embedder
  const Limits& memory = module.memories.front();
  if (memory.is_64) return std::nullopt;
  bool grows = false;
  for (const FunctionFrame& f : module.frames) grows = grows || f.grows_memory;
  if (grows && memory.max != memory.initial) return std::nullopt;
  return memory.initial * 65536;
}

Status TuneDeviceCode(std::string& c, std::optional<uint64_t> fixed_memory_bytes) {
  std::string out = c;
  // Before wasm2c's own macros: the attribute its access helpers get, and the
  // size checks compare against.
  std::string prelude =
      "/* wasmiot device code (docs/aot.md): stack pointer checked, accesses inlined";
  prelude += fixed_memory_bytes ? fmt::format(", memory fixed at {} bytes */\n", *fixed_memory_bytes) : " */\n";
  prelude += "#include \"wasmiot_rt_static.h\"\n#define WASMIOT_ACCESS __attribute__((always_inline))\n";
  if (fixed_memory_bytes) prelude += fmt::format("#define WASMIOT_MEMORY_BYTES UINT64_C({})\n", *fixed_memory_bytes);
  bool ok = ReplaceExactly(out, "#define TRAP(x)", prelude + "#define TRAP(x)", 1) &&
            ReplaceExactly(out, kNoStackCheck, kStackCheck, 1) &&
            ReplaceExactly(out, "static inline t3 name(", "static inline WASMIOT_ACCESS t3 name(", 2) &&
            ReplaceExactly(out, "static inline void name(", "static inline WASMIOT_ACCESS void name(", 2);
  if (ok && fixed_memory_bytes) {
    // Both halves, so that a length above the size cannot wrap the subtraction.
    ok = ReplaceExactly(out, "if (UNLIKELY(offset + (uint64_t)len > mem->size))",
                        "if (UNLIKELY((uint64_t)len > WASMIOT_MEMORY_BYTES || "
                        "offset > WASMIOT_MEMORY_BYTES - (uint64_t)len))",
                        1);
  }
  if (!ok) return Error{ErrorKind::kInternal, "wasm2c's output is not what device code expects (wabt 1.0.32)"};
  c = std::move(out);
  return Ok{};
}

Status DropForcedReads(std::string& c) {
  if (!ReplaceExactly(c, "wasm_asm(\"\" ::\"r\"(result));", "", 2)) {
    return Error{ErrorKind::kInternal, "wasm2c's output is not what the AOT engine expects (wabt 1.0.32)"};
  }
  return Ok{};
}

}  // namespace wasmiot
