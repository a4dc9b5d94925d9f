#include <catch2/catch.hpp>

#include "check/check.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace {

const Manifest& Thermostat() {
  static const Manifest manifest = [] {
    Diagnostics d;
    Result<Manifest> m = LoadManifest(SourceDir() + "/templates/thermostat/device.json", d);
    REQUIRE(m.ok());
    return std::move(m).value();
  }();
  return manifest;
}

std::string ThermostatWat() { return ReadText(DataDir() + "/modules/thermostat.wat"); }

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

Diagnostics Check(const std::string& wat, const Manifest& manifest = Thermostat()) {
  Diagnostics d;
  Result<ModuleInfo> m = ReadModule(WatToWasm(wat), "m.wasm", d);
  REQUIRE(m.ok());
  CheckModule(*m, manifest, "m.wasm", d);
  return d;
}


// The one error in `d`; fails the test unless there is exactly one.
Diagnostic OnlyError(const Diagnostics& d) {
  INFO(DiagnosticsText(d));
  REQUIRE(d.Count(Severity::kError) == 1);
  for (const Diagnostic& x : d.list()) {
    if (x.severity == Severity::kError) return x;
  }
  FAIL("unreachable");
  return d.list().front();
}

}  // namespace

TEST_CASE("the thermostat module fits the thermostat device") {
  Diagnostics d = Check(ThermostatWat());
  INFO(DiagnosticsText(d));
  CHECK(d.empty());
}

TEST_CASE("a WASI import says the device offers no WASI and how to build without it") {
  std::string wat = Replace(ThermostatWat(), "(memory",
                            "(import \"wasi_snapshot_preview1\" \"fd_write\" (func (param i32 i32 i32 i32) (result i32)))\n  (memory");
  const Diagnostic e = OnlyError(Check(wat));
  CHECK(e.code == "import-unknown");
  CHECK_THAT(e.message, Catch::Contains("the device offers no WASI"));
  CHECK_THAT(e.message, Catch::Contains("-nostdlib"));
  CHECK_THAT(e.message, Catch::Contains("wasm32-unknown-unknown"));
}

TEST_CASE("an undeclared import is one error") {
  std::string wat = Replace(ThermostatWat(), "(memory",
                            "(import \"env\" \"read_pressure\" (func (result f32)))\n  (memory");
  const Diagnostic e = OnlyError(Check(wat));
  CHECK(e.code == "import-unknown");
  CHECK(e.item == "env.read_pressure");
  CHECK(e.message == "the device provides no such function");
  CHECK(FormatDiagnostic(e) == "m.wasm: error: env.read_pressure: the device provides no such function [import-unknown]");
}

TEST_CASE("an import from a module the device does not have names the module") {
  std::string wat = Replace(ThermostatWat(), "(memory",
                            "(import \"wasi_snapshot_preview1\" \"fd_write\" (func (param i32 i32 i32 i32) (result i32)))\n  (memory");
  const Diagnostic e = OnlyError(Check(wat));
  CHECK(e.code == "import-unknown");
  CHECK_THAT(e.message, Catch::Contains("no import module \"wasi_snapshot_preview1\""));
}

TEST_CASE("read_temperature returning f64 is one error naming both types") {
  std::string wat = Replace(ThermostatWat(), "(func $read_temperature (result f32))",
                            "(func $read_temperature (result f64))");
  wat = Replace(wat, "(local.set $t (call $read_temperature))",
                "(local.set $t (f32.demote_f64 (call $read_temperature)))");
  const Diagnostic e = OnlyError(Check(wat));
  CHECK(e.code == "import-signature-mismatch");
  CHECK(e.item == "env.read_temperature");
  CHECK(e.message == "result type f64, device provides f32");
}

TEST_CASE("parameter mismatches name the declared parameter") {
  std::string wat = Replace(ThermostatWat(), "(func $set_fan_speed (param i32))", "(func $set_fan_speed (param i64))");
  wat = Replace(wat, "(call $set_fan_speed (i32.const 60)))\n      (else",
                "(call $set_fan_speed (i64.const 60)))\n      (else");
  wat = Replace(wat, "(then (call $set_hvac_mode (i32.const 2)) (call $set_fan_speed (i32.const 60)))",
                "(then (call $set_hvac_mode (i32.const 2)) (call $set_fan_speed (i64.const 60)))");
  wat = Replace(wat, "(then (call $set_fan_speed (i32.const 50)))", "(then (call $set_fan_speed (i64.const 50)))");
  const Diagnostic e = OnlyError(Check(wat));
  CHECK(e.message == "parameter 0 (percent) type i64, device provides i32");

  std::string log = Replace(ThermostatWat(), "(func $log (param i32 i32))", "(func $log (param i32))");
  log = Replace(log, "(call $log (i32.const 1024) (i32.const 16))", "(call $log (i32.const 1024))");
  const Diagnostic e2 = OnlyError(Check(log));
  CHECK(e2.message == "takes 1 parameter (i32), device provides 2 (i32, i32)");
}

TEST_CASE("a missing required export is one error") {
  std::string wat = Replace(ThermostatWat(), "(func (export \"control_loop\")", "(func");
  const Diagnostic e = OnlyError(Check(wat));
  CHECK(e.code == "export-missing");
  CHECK(e.item == "control_loop");
  CHECK(e.message == "required func export is missing");
}

TEST_CASE("memory over budget is one error") {
  std::string wat = Replace(ThermostatWat(), "(memory (export \"memory\") 2 2)", "(memory (export \"memory\") 8 8)");
  Diagnostics d = Check(wat);
  INFO(DiagnosticsText(d));
  // Both the initial and the maximum size are over: still one problem per limit.
  REQUIRE(d.Count(Severity::kError) == 2);
  CHECK(d.list()[0].code == "memory-over-budget");
  CHECK(d.list()[0].item == "memory[0]");
  CHECK(d.list()[0].message == "initial size 8 pages (512 KiB), budget allows 2 pages: link with --initial-memory=131072 "
                                "(clang: -Wl,--initial-memory=131072; rustc: -C link-arg=--initial-memory=131072)");
  CHECK(d.list()[1].message == "maximum size 8 pages, budget allows 4 pages: link with --max-memory=262144 (clang: "
                                "-Wl,--max-memory=262144; rustc: -C link-arg=--max-memory=262144)");

  std::string initial_only = Replace(ThermostatWat(), "(memory (export \"memory\") 2 2)", "(memory (export \"memory\") 3 4)");
  const Diagnostic e = OnlyError(Check(initial_only));
  CHECK(e.code == "memory-over-budget");
  CHECK_THAT(e.message, Catch::StartsWith("initial size 3 pages (192 KiB), budget allows 2 pages: link with "
                                          "--initial-memory=131072"));
}

TEST_CASE("a memory without a maximum is a warning, not an error") {
  std::string wat = Replace(ThermostatWat(), "(memory (export \"memory\") 2 2)", "(memory (export \"memory\") 2)");
  Diagnostics d = Check(wat);
  CHECK_FALSE(d.HasErrors());
  REQUIRE(d.Count(Severity::kWarning) == 1);
  CHECK(d.list().front().code == "memory-unbounded");
}

TEST_CASE("export signature and kind mismatches") {
  std::string sig = Replace(ThermostatWat(), "(func (export \"set_target_temperature\") (param f32)",
                            "(func (export \"set_target_temperature\") (param f64)");
  sig = Replace(sig, "(global.set $target (local.get 0))", "(global.set $target (f32.demote_f64 (local.get 0)))");
  const Diagnostic e = OnlyError(Check(sig));
  CHECK(e.code == "export-signature-mismatch");
  CHECK(e.message == "parameter 0 (celsius) type f64, device expects f32");

  std::string kind = Replace(ThermostatWat(), "(memory (export \"memory\") 2 2)", "(memory 2 2) (global (export \"memory\") i32 (i32.const 0))");
  const Diagnostic k = OnlyError(Check(kind));
  CHECK(k.code == "export-kind-mismatch");
  CHECK(k.message == "exported as a global, the device expects a memory");
}

TEST_CASE("imports of kinds the device cannot provide") {
  SECTION("a global") {
    std::string wat = Replace(ThermostatWat(), "(memory", "(import \"env\" \"g\" (global i32))\n  (memory");
    const Diagnostic e = OnlyError(Check(wat));
    CHECK(e.code == "import-kind-unsupported");
    CHECK(e.message == "the device provides no imported globals");
  }
  SECTION("a memory") {
    std::string wat = Replace(ThermostatWat(), "(memory (export \"memory\") 2 2)",
                              "(import \"env\" \"memory\" (memory 2 2)) (export \"memory\" (memory 0))");
    const Diagnostic e = OnlyError(Check(wat));
    CHECK(e.code == "import-kind-unsupported");
    CHECK(e.message == "the device does not provide an imported memory");
  }
  SECTION("a host function imported as something else") {
    std::string wat = Replace(ThermostatWat(), "(import \"env\" \"log\" (func $log (param i32 i32)))",
                              "(import \"env\" \"log\" (global i32))");
    wat = Replace(wat, "(memory", "(func $log (param i32 i32))\n  (memory");
    Diagnostics d = Check(wat);
    const Diagnostic e = OnlyError(d);
    CHECK(e.code == "import-kind-mismatch");
    CHECK(e.message == "imported as a global, the device provides a function");
  }
}

TEST_CASE("an imported memory where the device provides one is held to the budget") {
  Diagnostics md;
  Result<Manifest> manifest = LoadManifest(DataDir() + "/manifests/good-every-feature.json", md);
  REQUIRE(manifest.ok());
  std::string wat = R"((module (import "env" "memory" (memory 1 2)) (func (export "run"))))";
  CHECK_FALSE(Check(wat, *manifest).HasErrors());
  std::string big = R"((module (import "env" "memory" (memory 1 3)) (func (export "run"))))";
  const Diagnostic e = OnlyError(Check(big, *manifest));
  CHECK(e.code == "memory-over-budget");
  CHECK(e.item == "env.memory");
}

TEST_CASE("tables, size and features are held to the device") {
  SECTION("a table over budget") {
    std::string wat = Replace(ThermostatWat(), "(memory", "(table 32 32 funcref)\n  (memory");
    Diagnostics d = Check(wat);
    INFO(DiagnosticsText(d));
    REQUIRE(d.Count(Severity::kError) == 2);
    CHECK(d.list()[0].code == "table-over-budget");
    CHECK(d.list()[0].message == "initial size 32 elements, budget allows 16");
  }
  SECTION("a module over its size budget") {
    std::string wat = Replace(ThermostatWat(), "(data (i32.const 1024) \"thermostat ready\")",
                              "(data (i32.const 1024) \"thermostat ready\") (data (i32.const 4096) \"" +
                                  std::string(20000, 'x') + "\")");
    const Diagnostic e = OnlyError(Check(wat));
    CHECK(e.code == "module-too-large");
    CHECK_THAT(e.message, Catch::Contains("bytes, budget allows 16384: `wasmiot opt --manifest` shrinks it"));
  }
  SECTION("a feature the device does not support") {
    std::string wat = Replace(ThermostatWat(), "(memory", "(func (result v128) v128.const i32x4 0 0 0 0)\n  (memory");
    const Diagnostic e = OnlyError(Check(wat));
    CHECK(e.code == "feature-unsupported");
    CHECK(e.item == "simd");
    CHECK_THAT(e.message, Catch::Contains("-mcpu=mvp"));
    CHECK_THAT(e.message, Catch::Contains("-C target-cpu=mvp"));
  }
  SECTION("a feature the device supports") {
    std::string wat = Replace(ThermostatWat(), "(memory", "(func (param i32) (result i32) local.get 0 i32.extend8_s)\n  (memory");
    CHECK_FALSE(Check(wat).HasErrors());
  }
}

TEST_CASE("optional exports and unused host functions are only warnings and notes") {
  std::string wat = Replace(ThermostatWat(), "(func (export \"get_status\")", "(func");
  wat = Replace(wat, "(import \"env\" \"read_humidity\" (func $read_humidity (result f32)))", "");
  wat = Replace(wat, "(memory", "(func $read_humidity (result f32) f32.const 0)\n  (memory");
  Diagnostics d = Check(wat);
  INFO(DiagnosticsText(d));
  CHECK_FALSE(d.HasErrors());
  REQUIRE(d.Count(Severity::kWarning) == 1);
  REQUIRE(d.Count(Severity::kNote) == 1);
  for (const Diagnostic& x : d.list()) {
    if (x.severity == Severity::kWarning) {
      CHECK(x.code == "export-optional-missing");
      CHECK(x.item == "get_status");
    } else {
      CHECK(x.code == "host-function-unused");
      CHECK(x.item == "env.read_humidity");
    }
  }
}

TEST_CASE("LoadAndCheckModule validates with exactly the device's features") {
  TempDir dir;
  std::string path = dir.File("m.wasm");
  SECTION("a module the device can run") {
    WriteBytes(path, WatToWasm(ThermostatWat()));
    Diagnostics d;
    REQUIRE(LoadAndCheckModule(path, Thermostat(), d).ok());
    INFO(DiagnosticsText(d));
    CHECK(d.empty());
  }
  SECTION("an unsupported feature is reported once, by name, not also as a wabt error") {
    WriteBytes(path, WatToWasm(Replace(ThermostatWat(), "(memory",
                                       "(func $tail (param i32 i32) (result i32) local.get 0 local.get 1 return_call $tail)\n  (memory")));
    Diagnostics d;
    REQUIRE(LoadAndCheckModule(path, Thermostat(), d).ok());
    const Diagnostic e = OnlyError(d);
    CHECK(e.code == "feature-unsupported");
    CHECK(e.item == "tail-call");
  }
  SECTION("a file that is not there") {
    Diagnostics d;
    REQUIRE_FALSE(LoadAndCheckModule(dir.File("none.wasm"), Thermostat(), d).ok());
    CHECK(OnlyError(d).code == "io-error");
  }
}

TEST_CASE("every problem is reported in one run") {
  std::string wat = Replace(ThermostatWat(), "(func (export \"control_loop\")", "(func");
  wat = Replace(wat, "(memory (export \"memory\") 2 2)", "(memory (export \"memory\") 3 3)");
  wat = Replace(wat, "(memory", "(import \"env\" \"nope\" (func))\n  (memory");
  Diagnostics d = Check(wat);
  INFO(DiagnosticsText(d));
  std::vector<std::string> codes;
  for (const Diagnostic& x : d.list()) {
    if (x.severity == Severity::kError) codes.push_back(x.code);
  }
  CHECK(codes == std::vector<std::string>{"import-unknown", "export-missing", "memory-over-budget"});
}

TEST_CASE("host_buffers: the reserved region must be memory the module has on the device and leaves alone") {
  // The thermostat reserves [130048, 131072), the last KiB of its two initial pages.
  auto with = [](const std::string& runtime, uint64_t heap) {
    Manifest m = Thermostat();
    m.runtime = runtime == "wamr-classic" ? DeviceRuntime::kWamrClassic : DeviceRuntime::kWasm2c;
    m.budgets.heap_bytes = heap;
    return m;
  };
  auto codes = [](const Diagnostics& d) {
    std::string out;
    for (const Diagnostic& x : d.list()) out += x.code + " ";
    return out;
  };
  CHECK(codes(Check(ThermostatWat())) == "");
  // One page of memory: the region is past it.
  Diagnostic small = OnlyError(Check(Replace(ThermostatWat(), "(memory (export \"memory\") 2 2)",
                                             "(memory (export \"memory\") 1 2)")));
  CHECK(small.code == "host-buffers-outside-memory");
  CHECK(small.item == "host_buffers");
  CHECK(small.message == "the host's buffers [130048, 131072) end past its initial memory (65536 bytes): move the "
                         "region down, or give the module more initial memory");
  // Data there: the host would overwrite it.
  Diagnostic data = OnlyError(Check(Replace(ThermostatWat(), "(memory (export \"memory\") 2 2)",
                                            "(memory (export \"memory\") 2 2) (data (i32.const 131000) \"xyz\")")));
  CHECK(data.code == "host-buffers-overlap-data");
  CHECK_THAT(data.message, Catch::Contains("overlap data segment 0 at [131000, 131003)"));
  // A stack pointer starting inside it: a warning.
  Diagnostics stack = Check(Replace(ThermostatWat(), "(memory (export \"memory\") 2 2)",
                                    "(memory (export \"memory\") 2 2) (global $sp (mut i32) (i32.const 131072))"));
  CHECK(codes(stack) == "host-buffers-overlap-stack ");
  // WAMR: shrunk to __heap_base, the region is gone; a never-growing memory's heap is at its end, not in it.
  std::string exports_heap_base = Replace(ThermostatWat(), "(memory (export \"memory\") 2 2)",
                                          "(memory (export \"memory\") 2 2) (global (export \"__data_end\") i32 "
                                          "(i32.const 2048)) (global (export \"__heap_base\") i32 (i32.const 4096))");
  Diagnostics shrunk = Check(exports_heap_base, with("wamr-classic", 0));
  CHECK(codes(shrunk) == "wamr-memory-shrunk host-buffers-outside-memory ");
  CHECK_THAT(shrunk.list()[1].message,
             Catch::Contains("end past what wamr-classic leaves of its memory after shrinking it to __heap_base (4096 "
                             "bytes): use host_buffers of kind \"allocator\", or do not export __heap_base"));
  CHECK(codes(Check(exports_heap_base, with("wasm2c", 0))) == "");
  CHECK(codes(Check(ThermostatWat(), with("wamr-classic", 4096))) == "");
}
