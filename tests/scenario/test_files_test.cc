// FindTestFiles and FailureCode (lib/scenario/test_files.h): what `wasmiot
// test` runs and how a failed file counts.
#include <filesystem>

#include <catch2/catch.hpp>

#include "scenario/test_files.h"
#include "support/test_support.h"

namespace wasmiot::test {

TEST_CASE("FindTestFiles: scenario and gateway files under a folder, sorted") {
  TempDir dir;
  std::filesystem::create_directories(dir.File("b/c"));
  for (const char* f : {"b/c/z.scenario.json", "a.scenario.json", "b/g.gateway.json", "notes.json", ".scenario.json",
                        "b/x.scenario.json.bak"}) {
    WriteText(dir.File(f), "{}");
  }
  Diagnostics d;
  std::vector<std::string> files = FindTestFiles(dir.path(), d);
  CHECK_FALSE(d.HasErrors());
  CHECK(files == std::vector<std::string>{dir.File("a.scenario.json"), dir.File("b/c/z.scenario.json"),
                                          dir.File("b/g.gateway.json")});
  CHECK(IsGatewayFile(files[2]));
  CHECK_FALSE(IsGatewayFile(files[0]));

  Diagnostics empty;
  CHECK(FindTestFiles(dir.File("b/c/z.scenario.json"), empty).empty());
  CHECK_THAT(DiagnosticsText(empty), Catch::Contains("is not a folder [io-error]"));
  std::filesystem::create_directory(dir.File("none"));
  Diagnostics none;
  CHECK(FindTestFiles(dir.File("none"), none).empty());
  CHECK_THAT(DiagnosticsText(none), Catch::Contains("[scenario-missing]"));
}

TEST_CASE("FailureCode: a failed file counts as its own worst problem") {
  Diagnostics clean;
  CHECK(FailureCode(clean) == "scenario-failed");
  Diagnostics some;
  some.AddError("scenario-invalid", "s.json", "bad");
  some.AddError("io-error", "m.wasm", "missing");
  some.AddError("export-missing", "m.wasm", "no init");
  CHECK(FailureCode(some) == "io-error");
  Diagnostics first;
  first.AddError("scenario-invalid", "s.json", "bad");
  first.AddError("export-missing", "m.wasm", "no init");
  CHECK(FailureCode(first) == "scenario-invalid");
}

}  // namespace wasmiot::test
