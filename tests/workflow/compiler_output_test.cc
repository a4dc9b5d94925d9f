// Compiler output as diagnostics: clang's, rustc's and the linkers' formats,
// each error at its file:line:column, relative to where wasmiot runs.
#include <catch2/catch.hpp>

#include "support/test_support.h"
#include "workflow/compiler_output.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace {

Project InFolder(const std::string& dir, SourceLanguage language) {
  Project p;
  p.path = dir + "/wasmiot.json";
  p.dir = dir;
  p.language = language;
  return p;
}

}  // namespace

TEST_CASE("clang's errors and warnings become diagnostics at their line and column") {
  const std::string out =
      "src/t.c:38:37: error: expected ';' at end of declaration\n"
      "  float celsius = read_temperature()\n"
      "                                    ^\n"
      "src/t.c:12:7: warning: unused variable 'x' [-Wunused-variable]\n"
      "1 warning and 1 error generated.\n";
  Diagnostics d;
  AddCompilerDiagnostics(out, InFolder("proj", SourceLanguage::kC), true, d);
  CHECK(DiagnosticsText(d) ==
        "proj/src/t.c:38:37: error: expected ';' at end of declaration [compile-failed]\n"
        "proj/src/t.c:12:7: warning: unused variable 'x' [-Wunused-variable] [compiler-warning]\n");
}

TEST_CASE("rustc's errors take their location from the --> line, and lld's errors get the fix") {
  const std::string out =
      "error[E0308]: mismatched types\n"
      "   --> src/lib.rs:168:49\n"
      "    |\n"
      "error: linking with `rust-lld` failed: exit status: 1\n"
      "  |\n"
      "  = note: \"rust-lld\" \"-flavor\" \"wasm\"\n"
      "  = note: rust-lld: error: initial memory too small, 300048 bytes needed\n"
      "\n"
      "error: aborting due to 2 previous errors\n";
  Diagnostics d;
  AddCompilerDiagnostics(out, InFolder(".", SourceLanguage::kRust), true, d);
  std::string text = DiagnosticsText(d);
  CHECK_THAT(text, Catch::StartsWith("src/lib.rs:168:49: error: mismatched types [compile-failed]\n"
                                     "./wasmiot.json: error: initial memory too small, 300048 bytes needed (hint: "
                                     "the data and the stack do not fit the device's initial memory"));
  CHECK(d.Count(Severity::kError) == 2);
}

TEST_CASE("a failed compile is an error even when the compiler says nothing it can parse") {
  Diagnostics d;
  AddCompilerDiagnostics("Segmentation fault\n", InFolder("p", SourceLanguage::kC), true, d);
  CHECK(DiagnosticsText(d) == "p/wasmiot.json: error: Segmentation fault\n [compile-failed]\n");
  Diagnostics none;
  AddCompilerDiagnostics("", InFolder("p", SourceLanguage::kC), false, none);
  CHECK(none.empty());
}

TEST_CASE("an undefined symbol and a missing libc header name their fixes") {
  CHECK_THAT(CompileFailureHint("wasm-ld: error: x.o: undefined symbol: read_pressure", SourceLanguage::kC),
             Catch::Contains("declare the device's functions as imports"));
  CHECK_THAT(CompileFailureHint("src/a.c:1:10: fatal error: 'stdio.h' file not found", SourceLanguage::kC),
             Catch::Contains("there is no libc on the device"));
  CHECK(CompileFailureHint("src/a.c:1:1: error: something else", SourceLanguage::kC).empty());
}
