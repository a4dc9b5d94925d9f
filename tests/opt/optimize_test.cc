#include <catch2/catch.hpp>

#include "check/check.h"
#include "opt/optimize.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace {

Manifest LoadOrFail(const std::string& path) {
  Diagnostics d;
  Result<Manifest> m = LoadManifest(path, d);
  INFO(DiagnosticsText(d));
  REQUIRE(m.ok());
  return std::move(m).value();
}

const Manifest& Thermostat() {
  static const Manifest m = LoadOrFail(SourceDir() + "/templates/thermostat/device.json");
  return m;
}
const Manifest& Minimal() {
  static const Manifest m = LoadOrFail(DataDir() + "/manifests/good-minimal.json");
  return m;
}

std::string ThermostatWat() { return ReadText(DataDir() + "/modules/thermostat.wat"); }

struct Optimized {
  Result<Bytes> wasm;
  OptimizeReport report;
  Diagnostics diagnostics;
};

Optimized Optimize(const Bytes& input, const Manifest* manifest, std::string level = "z", bool keep_debug = false) {
  OptimizeOptions options;
  options.level = level;
  options.keep_debug = keep_debug;
  options.manifest = manifest;
  OptimizeReport report;
  Diagnostics d;
  Result<Bytes> out = OptimizeModule(input, "in.wasm", options, report, d);
  return Optimized{std::move(out), report, std::move(d)};
}

ModuleInfo Describe(const Bytes& wasm) {
  Diagnostics d;
  Result<ModuleInfo> m = ReadModule(wasm, "out.wasm", d);
  INFO(DiagnosticsText(d));
  REQUIRE(m.ok());
  return std::move(m).value();
}

std::vector<std::string> ImportNames(const ModuleInfo& m) {
  std::vector<std::string> out;
  for (const ImportInfo& i : m.imports) out.push_back(i.QualifiedName() + " " + i.signature.ToString());
  std::sort(out.begin(), out.end());
  return out;
}

bool HasCustomSection(const ModuleInfo& m, const std::string& name) {
  return std::any_of(m.sections.begin(), m.sections.end(),
                     [&](const SectionInfo& s) { return s.custom && s.name == name; });
}

// A thermostat with an extra export the device never calls, and a big helper only it uses.
std::string ThermostatWithDebugExport() {
  std::string wat = ThermostatWat();
  std::string body;
  for (int i = 0; i < 40; ++i) body += "(i32.store (i32.const " + std::to_string(2048 + 4 * i) + ") (i32.const " + std::to_string(i * 7919) + "))\n";
  wat.insert(wat.rfind(')'), "(func (export \"debug_dump\") " + body + ")\n");
  return wat;
}

}  // namespace

TEST_CASE("opt with a manifest gives a module that passes check, with the same imports") {
  Bytes input = WatToWasm(ThermostatWat());
  Optimized o = Optimize(input, &Thermostat());
  INFO(DiagnosticsText(o.diagnostics));
  REQUIRE(o.wasm.ok());
  CHECK(o.diagnostics.empty());
  CHECK(o.report.input_bytes == input.size());
  CHECK(o.report.output_bytes == o.wasm->size());
  CHECK(o.report.output_bytes <= o.report.input_bytes);

  TempDir dir;
  WriteBytes(dir.File("out.wasm"), *o.wasm);
  Diagnostics check;
  REQUIRE(LoadAndCheckModule(dir.File("out.wasm"), Thermostat(), check).ok());
  INFO(DiagnosticsText(check));
  CHECK_FALSE(check.HasErrors());
  CHECK(ImportNames(Describe(*o.wasm)) == ImportNames(Describe(input)));
}

TEST_CASE("opt removes exports the device never calls, and the code only they reached") {
  Bytes input = WatToWasm(ThermostatWithDebugExport());
  Optimized pruned = Optimize(input, &Thermostat());
  Optimized plain = Optimize(input, nullptr);
  REQUIRE(pruned.wasm.ok());
  REQUIRE(plain.wasm.ok());
  CHECK(pruned.report.removed_exports == std::vector<std::string>{"debug_dump"});
  CHECK(plain.report.removed_exports.empty());
  ModuleInfo p = Describe(*pruned.wasm);
  CHECK(p.FindExport("debug_dump") == nullptr);
  CHECK(Describe(*plain.wasm).FindExport("debug_dump") != nullptr);
  CHECK(p.function_count < Describe(*plain.wasm).function_count);
  CHECK(pruned.wasm->size() + 100 < plain.wasm->size());
}

TEST_CASE("opt keeps an import nobody calls: the import set is the device contract") {
  std::string wat = ThermostatWat();
  std::string call = "(if (f32.gt (call $read_humidity) (f32.const 60))\n      (then (call $set_fan_speed (i32.const 50))))";
  REQUIRE(wat.find(call) != std::string::npos);
  wat.replace(wat.find(call), call.size(), "");
  Bytes input = WatToWasm(wat);
  for (const Manifest* manifest : {&Thermostat(), static_cast<const Manifest*>(nullptr)}) {
    Optimized o = Optimize(input, manifest);
    REQUIRE(o.wasm.ok());
    CHECK(ImportNames(Describe(*o.wasm)) == ImportNames(Describe(input)));
  }
  // Every import kind, unused, without a manifest.
  Bytes all = WatToWasm(R"((module
    (import "env" "memory" (memory 1 2))
    (import "env" "g" (global i32))
    (import "env" "unused" (func))
    (import "env" "used" (func (result i32)))
    (func (export "run") (result i32) call 1)))");
  Optimized o = Optimize(all, nullptr);
  INFO(DiagnosticsText(o.diagnostics));
  REQUIRE(o.wasm.ok());
  CHECK(Describe(*o.wasm).imports.size() == 4);
}

TEST_CASE("opt is reproducible: the same input gives the same bytes") {
  Bytes input = WatToWasm(ThermostatWithDebugExport());
  for (std::string level : {"0", "1", "2", "3", "4", "s", "z"}) {
    INFO("-O" << level);
    Optimized a = Optimize(input, &Thermostat(), level);
    Optimized b = Optimize(input, &Thermostat(), level);
    REQUIRE(a.wasm.ok());
    REQUIRE(b.wasm.ok());
    CHECK(*a.wasm == *b.wasm);
  }
}

TEST_CASE("every level gives a valid module, -Oz is no larger than -O0") {
  Bytes input = WatToWasm(ThermostatWithDebugExport());
  size_t o0 = 0;
  for (std::string level : {"0", "1", "2", "3", "4", "s", "z"}) {
    Optimized o = Optimize(input, nullptr, level);
    INFO("-O" << level << "\n" << DiagnosticsText(o.diagnostics));
    REQUIRE(o.wasm.ok());
    Describe(*o.wasm);
    if (level == "0") o0 = o.wasm->size();
    if (level == "z") CHECK(o.wasm->size() <= o0);
  }
  Optimized bad = Optimize(input, nullptr, "9");
  CHECK_FALSE(bad.wasm.ok());
}

TEST_CASE("debug and producers sections are stripped unless kept") {
  Bytes input = WatToWasm(ThermostatWat());
  // A producers section, as clang and rustc write one.
  Bytes producers{0x00, 0x0b, 0x09, 'p', 'r', 'o', 'd', 'u', 'c', 'e', 'r', 's', 0x00};
  input.insert(input.end(), producers.begin(), producers.end());
  REQUIRE(HasCustomSection(Describe(input), "producers"));
  Optimized stripped = Optimize(input, &Thermostat());
  Optimized kept = Optimize(input, &Thermostat(), "z", /*keep_debug=*/true);
  REQUIRE(stripped.wasm.ok());
  REQUIRE(kept.wasm.ok());
  CHECK_FALSE(HasCustomSection(Describe(*stripped.wasm), "producers"));
  CHECK(HasCustomSection(Describe(*kept.wasm), "producers"));
}

TEST_CASE("a feature the device lacks is lowered where Binaryen can") {
  Bytes input = WatToWasm(R"((module (memory i64 1 2)
    (func (export "run") (i32.store (i64.const 8) (i32.const 42)))))");
  REQUIRE(Describe(input).features_used.Has(Feature::kMemory64));
  Optimized o = Optimize(input, &Minimal());
  INFO(DiagnosticsText(o.diagnostics));
  REQUIRE(o.wasm.ok());
  CHECK(o.report.lowered_features == std::vector<std::string>{"memory64"});
  CHECK_FALSE(Describe(*o.wasm).features_used.Has(Feature::kMemory64));
}

TEST_CASE("a feature that cannot be lowered is refused, naming where it is used") {
  SECTION("in a function") {
    Bytes input = WatToWasm(R"((module
      (func $helper (param i32) (result i32) local.get 0 i32.extend8_s)
      (func (export "run") (drop (call $helper (i32.const 1))))))");
    Optimized o = Optimize(input, &Minimal());
    REQUIRE_FALSE(o.wasm.ok());
    REQUIRE(o.diagnostics.Count(Severity::kError) == 1);
    const Diagnostic& d = o.diagnostics.list().front();
    CHECK(d.code == "feature-not-lowerable");
    CHECK(d.item == "sign-extension");
    CHECK(d.message == "used by function 0; the device does not support it and it cannot be lowered");
  }
  SECTION("in an exported function") {
    Bytes input = WatToWasm(R"((module (func (export "run") (drop (i32.extend8_s (i32.const 1))))))");
    Optimized o = Optimize(input, &Minimal());
    REQUIRE_FALSE(o.wasm.ok());
    CHECK_THAT(o.diagnostics.list().front().message, Catch::StartsWith("used by function 0 (export \"run\")"));
  }
  SECTION("outside any function") {
    Bytes input = WatToWasm(R"((module (memory 1 1 shared) (func (export "run"))))");
    Optimized o = Optimize(input, &Minimal());
    REQUIRE_FALSE(o.wasm.ok());
    CHECK_THAT(o.diagnostics.list().front().message, Catch::StartsWith("used by the memory section"));
  }
  SECTION("a feature Binaryen 108 cannot handle at all") {
    Bytes input = WatToWasm(R"((module (memory 1) (memory 1) (func (export "run"))))");
    Optimized o = Optimize(input, nullptr);
    REQUIRE_FALSE(o.wasm.ok());
    CHECK(o.diagnostics.list().front().item == "multi-memory");
  }
}

TEST_CASE("opt refuses a module that fails check, and an invalid one") {
  std::string wat = ThermostatWat();
  wat.replace(wat.find("(memory"), 7, "(import \"env\" \"nope\" (func))\n  (memory");
  Optimized o = Optimize(WatToWasm(wat), &Thermostat());
  REQUIRE_FALSE(o.wasm.ok());
  CHECK(o.diagnostics.list().front().code == "import-unknown");

  Optimized invalid = Optimize(HexToBytes("00 61 73 6d 01 00 00 00 01 05"), nullptr);
  REQUIRE_FALSE(invalid.wasm.ok());
  CHECK(invalid.diagnostics.list().front().code == "binary-malformed");
}
