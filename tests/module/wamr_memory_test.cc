// WAMR's layout of memory 0, case by case, with the numbers worked out by hand
// from WAMR's loader and memory_instantiate (docs/runtime.md, "Heap and WAMR's memory").
#include <catch2/catch.hpp>

#include "module/wamr_memory.h"
#include "support/test_support.h"

namespace wasmiot {
namespace {

using test::WatToWasm;

WamrMemory Layout(const std::string& fields, uint64_t heap_bytes) {
  Diagnostics d;
  Result<ModuleInfo> info = ReadModule(WatToWasm("(module " + fields + ")"), "m.wasm", d);
  REQUIRE(info.ok());
  return WamrMemoryLayout(*info, heap_bytes);
}

// __data_end and __heap_base as wasm-ld exports them, and the stack pointer.
std::string Symbols(uint32_t data_end, uint32_t heap_base) {
  return "(global $sp (mut i32) (i32.const 1024)) (global (export \"__data_end\") i32 (i32.const " +
         std::to_string(data_end) + ")) (global $hb (export \"__heap_base\") i32 (i32.const " +
         std::to_string(heap_base) + "))";
}

constexpr const char* kGrows = "(func (drop (memory.grow (i32.const 0))))";
constexpr const char* kSizes = "(func (drop (memory.size)))";
constexpr const char* kAllocator =
    "(func (export \"malloc\") (param i32) (result i32) (i32.const 0)) (func (export \"free\") (param i32))";

TEST_CASE("wamr memory: a module that never grows memory is shrunk to __heap_base, the heap right above") {
  WamrMemory m = Layout("(memory 2 4) " + Symbols(65600, 65601), 1000);
  REQUIRE(m.shrunk_from);
  CHECK(*m.shrunk_from == 131072);
  CHECK(m.heap_offset == 65608);  // 65601 rounded up to 8
  CHECK(m.heap_bytes == 1000);
  CHECK(m.fixed_bytes == std::optional<uint64_t>(66608));
  CHECK(m.fixed_pages == 1);
  CHECK(m.added_pages == 0);
  // No heap: just the shrunk memory. An imported memory is shrunk the same way.
  CHECK(Layout("(memory 2) " + Symbols(65600, 65601), 0).fixed_bytes == std::optional<uint64_t>(65608));
  CHECK(Layout("(import \"env\" \"memory\" (memory 2)) " + Symbols(65600, 65601), 0).fixed_bytes ==
        std::optional<uint64_t>(65608));
}

TEST_CASE("wamr memory: what stops the shrinking") {
  // memory.size or memory.grow anywhere: pages stay pages (and the heap is inserted at __heap_base).
  CHECK_FALSE(Layout("(memory 2 4) " + Symbols(65600, 65601) + kSizes, 0).shrunk_from);
  CHECK_FALSE(Layout("(memory 2 4) " + Symbols(65600, 65601) + kGrows, 0).changed());
  // __heap_base below __data_end rounded up to 16; a mutable or missing symbol; __heap_base past memory.
  CHECK_FALSE(Layout("(memory 2) " + Symbols(65601, 65610), 0).shrunk_from);
  CHECK_FALSE(Layout("(memory 2) (global (export \"__heap_base\") i32 (i32.const 100))", 0).shrunk_from);
  CHECK_FALSE(
      Layout("(memory 2) (global (export \"__data_end\") i32 (i32.const 16)) (global (export \"__heap_base\") (mut i32) "
             "(i32.const 100))", 0).shrunk_from);
  CHECK_FALSE(Layout("(memory 1) " + Symbols(65600, 65601), 0).shrunk_from);
  // Not shrunk but never grown: the memory is one page of all its bytes, the heap at its end.
  WamrMemory whole = Layout("(memory 3 5)", 4096);
  CHECK(whole.fixed_bytes == std::optional<uint64_t>(3 * 65536 + 4096));
  CHECK(whole.heap_offset == 3 * 65536);
  // ... which is the module's own memory when there is no heap: nothing to model.
  CHECK_FALSE(Layout("(memory 3 5)", 0).changed());
}

TEST_CASE("wamr memory: a memory of at most one page takes the heap at its end, in bytes") {
  WamrMemory one = Layout(std::string("(memory 1 1) ") + kGrows, 5000);
  CHECK(one.fixed_bytes == std::optional<uint64_t>(65536 + 5000));
  CHECK(one.fixed_pages == 1);
  CHECK(one.heap_offset == 65536);
  WamrMemory none = Layout(std::string("(memory 0 0) ") + kGrows, 5000);
  CHECK(none.fixed_bytes == std::optional<uint64_t>(5000));
  CHECK(none.heap_offset == 0);
  CHECK_FALSE(Layout(std::string("(memory 0 0) ") + kGrows, 0).changed());
}

TEST_CASE("wamr memory: a growing memory takes the heap at __heap_base, which moves, or in new pages") {
  // __heap_base 70000 in a two-page memory: 61072 bytes to the page end, so
  // 100000 bytes need one more page; 170000 ends 26608 before a page end.
  WamrMemory at = Layout("(memory 2 8) " + Symbols(66000, 70000) + kGrows, 100000);
  CHECK(at.added_pages == 1);
  CHECK(at.heap_offset == 70000);
  CHECK(at.heap_bytes == 100000);
  REQUIRE(at.heap_base_global);
  CHECK(*at.heap_base_global == 2);
  CHECK(at.heap_base_value == 170000);
  CHECK_FALSE(at.fixed_bytes);
  // Ending less than a KiB before a page end: a KiB more, and a page more.
  WamrMemory tight = Layout("(memory 2 8) " + Symbols(66000, 70000) + kGrows, 126000);  // ends at 196000
  CHECK(tight.added_pages == 2);
  CHECK(tight.heap_base_value == 197024);
  // Without __heap_base: whole new pages, a KiB of the last one kept back.
  WamrMemory pages = Layout(std::string("(memory 1 4) ") + kGrows, 70000);
  CHECK(pages.added_pages == 2);
  CHECK(pages.heap_offset == 65536);
  CHECK(pages.heap_bytes == 2 * 65536 - 1024);
  // The module's own malloc and free: no app heap at all.
  CHECK_FALSE(Layout(std::string("(memory 1 4) ") + kGrows + kAllocator, 70000).changed());
  CHECK(Layout(std::string("(memory 1 4) ") + kGrows + "(func (export \"malloc\") (param i32) (result i32) (i32.const 0))",
               70000).added_pages == 2);  // malloc without free is not an allocator
}

}  // namespace
}  // namespace wasmiot
