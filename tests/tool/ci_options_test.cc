// What CI pipelines use: --warnings-as-errors, -q, test --junit, --version.
#include <filesystem>

#include <catch2/catch.hpp>

#include "support/test_support.h"

using namespace wasmiot::test;
namespace fs = std::filesystem;

namespace {

// The thermostat module with its memory's maximum removed: a memory-unbounded warning.
std::string UnboundedModule(const TempDir& dir) {
  std::string wat = ReadText(DataDir() + "/modules/thermostat.wat");
  const std::string bounded = "(memory (export \"memory\") 2 2)";
  size_t at = wat.find(bounded);
  REQUIRE(at != std::string::npos);
  wat.replace(at, bounded.size(), "(memory (export \"memory\") 2)");
  std::string path = dir.File("unbounded.wasm");
  WriteBytes(path, WatToWasm(wat));
  return path;
}

std::string Thermostat() { return SourceDir() + "/templates/thermostat/device.json"; }

}  // namespace

TEST_CASE("check --warnings-as-errors fails on a warning, which alone passes") {
  TempDir dir;
  std::string module = UnboundedModule(dir);
  RunResult plain = RunWasmiot({"check", module, "-m", Thermostat()});
  INFO(plain.err);
  CHECK(plain.exit_code == 0);
  CHECK_THAT(plain.err, Catch::Contains("warning: memory[0]: declares no maximum"));
  RunResult strict = RunWasmiot({"check", module, "-m", Thermostat(), "--warnings-as-errors"});
  CHECK(strict.exit_code == 1);
  CHECK_THAT(strict.err, Catch::Contains("error: memory[0]: declares no maximum"));
  CHECK_THAT(strict.err, Catch::Contains("[memory-unbounded]"));
}

TEST_CASE("quiet (-q): no notes and each kind of warning once, with a count of the rest") {
  TempDir dir;
  RunResult made = RunWasmiot({"new", "blank", dir.File("p")});
  REQUIRE(made.exit_code == 0);
  // Three unused variables: three compiler warnings of one kind.
  std::string source = dir.File("p/src/blank.c");
  std::string text = ReadText(source);
  size_t at = text.find("void update(void) {");
  REQUIRE(at != std::string::npos);
  text.insert(at + 19, " int a; int b; int c;");
  WriteText(source, text);
  RunResult loud = RunWasmiot({"build", dir.File("p")});
  CHECK(loud.exit_code == 0);
  CHECK_THAT(loud.err, Catch::Contains("unused variable 'c'"));
  RunResult quiet = RunWasmiot({"build", dir.File("p"), "--rebuild", "-q"});
  CHECK(quiet.exit_code == 0);
  CHECK_THAT(quiet.err, Catch::Contains("unused variable 'a'"));
  CHECK_THAT(quiet.err, !Catch::Contains("unused variable 'c'"));
  CHECK_THAT(quiet.err, Catch::Contains("2 more warnings [compiler-warning] not shown (--quiet)"));
  RunResult strict = RunWasmiot({"build", dir.File("p"), "--rebuild", "--warnings-as-errors"});
  CHECK(strict.exit_code == 1);
  CHECK_THAT(strict.out, Catch::Contains("FAILED at compile"));
  CHECK_THAT(strict.err, Catch::Contains("error: unused variable 'a'"));
}

TEST_CASE("test --junit writes one test case per file, a failure with its first divergence") {
  TempDir dir;
  REQUIRE(RunWasmiot({"new", "thermostat", dir.File("p")}).exit_code == 0);
  REQUIRE(RunWasmiot({"build", dir.File("p")}).exit_code == 0);
  std::string report = dir.File("report.xml");
  RunResult ok = RunWasmiot({"test", dir.File("p/tests"), "--module-dir", dir.File("p/build"), "--junit", report});
  CHECK(ok.exit_code == 0);
  std::string xml = ReadText(report);
  CHECK_THAT(xml, Catch::Contains("<testsuite name=\"wasmiot test " + dir.File("p/tests") +
                                  "\" tests=\"1\" failures=\"0\""));
  CHECK_THAT(xml, Catch::Contains("<testcase classname=\"scenario\" name=\"" + dir.File("p/tests/thermostat.scenario.json")));

  std::string scenario = dir.File("p/tests/thermostat.scenario.json");
  std::string text = ReadText(scenario);
  text.replace(text.find("thermostat ready"), 16, "thermostat <ok>");
  WriteText(scenario, text);
  RunResult failed = RunWasmiot({"test", dir.File("p/tests"), "--module-dir", dir.File("p/build"), "--junit", report});
  CHECK(failed.exit_code == 1);
  xml = ReadText(report);
  CHECK_THAT(xml, Catch::Contains("failures=\"1\""));
  CHECK_THAT(xml, Catch::Contains("<failure message=\"expected host call 1 of 12"));
  CHECK_THAT(xml, Catch::Contains("text &quot;thermostat &lt;ok&gt;&quot;"));

  // The report never replaces a test file.
  RunResult over = RunWasmiot({"test", dir.File("p/tests"), "--module-dir", dir.File("p/build"), "--junit", scenario});
  CHECK(over.exit_code == 2);
  CHECK(ReadText(scenario) == text);
}

TEST_CASE("wasmiot --version names the libraries and the compilers in use") {
  RunResult r = RunWasmiot({"--version"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("wasmiot "));
  CHECK_THAT(r.out, Catch::Contains("wabt 1.0.32"));
  CHECK_THAT(r.out, Catch::Contains("Binaryen "));
  CHECK_THAT(r.out, Catch::Contains("C modules:    Debian clang version"));
  CHECK_THAT(r.out, Catch::Contains("Rust modules: rustc 1.63"));
}
