// InspectFile (lib/pipeline/inspect.h), called directly: what inspect makes
// of a file without a key or a device.
#include <filesystem>

#include <catch2/catch.hpp>

#include "pipeline/inspect.h"
#include "support/test_support.h"

namespace wasmiot::test {

TEST_CASE("InspectFile: a file's kind by its magic number, and what can be checked without a key") {
  TempDir dir;
  WriteBytes(dir.File("m.wasm"), WatToWasm(R"((module (func (export "f") (result i32) (i32.const 1))))"));
  Diagnostics d;
  Inspection module = InspectFile(dir.File("m.wasm"), d);
  CHECK(module.kind == kInspectModule);
  REQUIRE(module.module);
  CHECK(module.module->exports.size() == 1);
  CHECK_FALSE(d.HasErrors());

  WriteText(dir.File("notes.txt"), "hello");
  Diagnostics unknown;
  Inspection none = InspectFile(dir.File("notes.txt"), unknown);
  CHECK(none.kind.empty());
  REQUIRE(unknown.list().size() == 1);
  CHECK(unknown.list()[0].code == "unknown-file-kind");
  CHECK(unknown.list()[0].offset == 0u);

  // A bundle cut short: its header is shown as written, and the cut is an error.
  WriteText(dir.File("short.bundle"), std::string("WIOT\x02", 5));
  Diagnostics cut;
  Inspection bundle = InspectFile(dir.File("short.bundle"), cut);
  CHECK(bundle.kind == kInspectBundle);
  CHECK_THAT(DiagnosticsText(cut), Catch::Contains("[bundle-truncated]"));

  // An empty folder of chunks has no header to identify its bundle.
  std::filesystem::create_directory(dir.File("chunks"));
  Diagnostics empty;
  Inspection folder = InspectFile(dir.File("chunks"), empty);
  CHECK(folder.kind == kInspectChunkFolder);
  CHECK(empty.HasErrors());
}

}  // namespace wasmiot::test
