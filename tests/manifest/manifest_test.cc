#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "manifest/manifest.h"
#include "core/limits.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace {

struct Parsed {
  Result<Manifest> manifest;
  Diagnostics diagnostics;
};

Parsed ParseFile(const std::string& path) {
  Diagnostics diagnostics;
  Result<Manifest> m = LoadManifest(path, diagnostics);
  return Parsed{std::move(m), std::move(diagnostics)};
}


}  // namespace

TEST_CASE("the thermostat manifest reads as the chapter's corrected contract") {
  Parsed p = ParseFile(SourceDir() + "/templates/thermostat/device.json");
  INFO(DiagnosticsText(p.diagnostics));
  REQUIRE(p.manifest.ok());
  const Manifest& m = *p.manifest;
  CHECK(m.device.vendor == "acme");
  CHECK(m.device.device_class == "thermostat-t100");
  CHECK(m.device.api_version == "1.0.0");
  REQUIRE(m.host_functions.size() == 5);

  const HostFunction* temp = m.FindHostFunction("env", "read_temperature");
  REQUIRE(temp);
  CHECK(temp->signature.WasmParams().empty());
  CHECK(temp->signature.WasmResults() == std::vector<ValueType>{ValueType::kF32});
  CHECK(temp->sim.kind == SimKind::kSensor);
  CHECK(temp->sim.channel == "temperature");
  CHECK(temp->position.line > 1);

  const HostFunction* log = m.FindHostFunction("env", "log");
  REQUIRE(log);
  REQUIRE(log->signature.params.size() == 1);
  CHECK(log->signature.params[0].is_pointer);
  CHECK(log->signature.params[0].length_name == "message_len");
  CHECK(log->signature.WasmParams() == std::vector<ValueType>{ValueType::kI32, ValueType::kI32});
  CHECK(FormatSignature(log->signature.WasmParams(), log->signature.WasmResults()) == "(i32, i32) -> ()");

  const ExportSpec* init = m.FindExport("init");
  REQUIRE(init);
  CHECK(init->required);
  const ExportSpec* status = m.FindExport("get_status");
  REQUIRE(status);
  CHECK_FALSE(status->required);
  CHECK(status->signature.params[0].access == BufferAccess::kWrite);
  CHECK(m.FindExport("memory")->kind == ExportKind::kMemory);
  CHECK(m.budgets.initial_pages == 2);
  CHECK(m.budgets.max_pages == 4);
  CHECK(m.budgets.max_module_bytes == 16384);
  CHECK(m.features.Has(Feature::kSignExtension));
  CHECK_FALSE(m.features.Has(Feature::kSimd));
  CHECK(m.aot_targets == std::vector<std::string>{"cortex-m4f", "host"});
}

TEST_CASE("every bundled device manifest and good-* manifest parses") {
  std::vector<std::string> files = DataFiles("manifests", "good-", ".json");
  for (const auto& entry : std::filesystem::directory_iterator(SourceDir() + "/templates")) {
    if (std::filesystem::exists(entry.path() / "device.json")) files.push_back((entry.path() / "device.json").string());
  }
  REQUIRE(files.size() >= 8);
  for (const std::string& file : files) {
    Parsed p = ParseFile(file);
    INFO(file << "\n" << DiagnosticsText(p.diagnostics));
    CHECK(p.manifest.ok());
    CHECK(p.diagnostics.empty());
  }
}

TEST_CASE("good-every-feature exercises every simulation kind") {
  Parsed p = ParseFile(DataDir() + "/manifests/good-every-feature.json");
  REQUIRE(p.manifest.ok());
  const Manifest& m = *p.manifest;
  for (SimKind kind : kAllSimKinds) {
    INFO(SimKindName(kind));
    CHECK(std::any_of(m.host_functions.begin(), m.host_functions.end(),
                      [&](const HostFunction& f) { return f.sim.kind == kind; }));
  }
  const HostFunction* channel = m.FindHostFunction("env", "read_channel");
  REQUIRE(channel);
  CHECK(channel->sim.channel == "adc");
  CHECK(channel->sim.indexed_by == "id");
  CHECK(m.FindHostFunction("env", "set_led")->sim.returns == -1);
  CHECK(m.FindHostFunction("env", "now_us")->sim.unit == ClockUnit::kMicroseconds);
  CHECK(m.FindHostFunction("env", "drain")->sim.stream == "drain");  // defaults to the name
  CHECK(m.FindHostFunction("sys.v1", "reboot") != nullptr);
  REQUIRE(m.memory_import.has_value());
  CHECK(m.memory_import->name == "memory");
  CHECK(m.device.class_uuid == "7c9e6679-7425-40de-944b-e07fc1f90ae7");
  CHECK(m.FindExport("pair")->signature.WasmResults().size() == 2);
}

std::optional<std::vector<uint32_t>> Addresses(std::vector<uint32_t> a) { return a; }

TEST_CASE("host_buffers: a reserved region, or an allocator whose exports join the exports, required") {
  Parsed reserved = ParseFile(DataDir() + "/manifests/good-host-buffers-reserved.json");
  REQUIRE(reserved.manifest.ok());
  REQUIRE(reserved.manifest->host_buffers);
  const HostBuffers& region = *reserved.manifest->host_buffers;
  CHECK(region.kind == HostBufferKind::kReserved);
  CHECK(region.address == 64512);
  CHECK(region.bytes == 1024);
  // Buffers one after another, each 8-aligned from the region's start; nothing when they do not fit.
  CHECK(PlaceInReservedRegion(region, {5, 3, 1000}) == Addresses({64512, 64520, 64528}));
  CHECK(PlaceInReservedRegion(region, {1024}) == Addresses({64512}));
  CHECK_FALSE(PlaceInReservedRegion(region, {1025}));
  CHECK_FALSE(PlaceInReservedRegion(region, {1, 1017}));  // the second starts at 8: 1025 in all
  CHECK(PlaceInReservedRegion(region, {0, 0}) == Addresses({64512, 64512}));

  Parsed allocator = ParseFile(DataDir() + "/manifests/good-host-buffers-allocator.json");
  REQUIRE(allocator.manifest.ok());
  const Manifest& m = *allocator.manifest;
  REQUIRE(m.host_buffers);
  CHECK(m.host_buffers->kind == HostBufferKind::kAllocator);
  CHECK(m.FindExport("get_status")->signature.TakesBuffers());
  CHECK_FALSE(m.FindExport("buffer_free")->signature.TakesBuffers());
  const ExportSpec* alloc = m.FindExport("buffer_alloc");
  REQUIRE(alloc);
  CHECK(alloc->required);
  CHECK(FormatSignature(alloc->signature.WasmParams(), alloc->signature.WasmResults()) == "(i32) -> (i32)");
  const ExportSpec* free = m.FindExport("buffer_free");
  REQUIRE(free);
  CHECK(FormatSignature(free->signature.WasmParams(), free->signature.WasmResults()) == "(i32) -> ()");
}

// Each bad manifest: the first error's text and where it points.
TEST_CASE("bad manifests are refused with line and column") {
  auto [file, message, line, column] = GENERATE(table<std::string, std::string, uint32_t, uint32_t>({
      {"bad-empty.json", "unexpected end of input", 1, 1},
      {"bad-not-object.json", "expected an object, got an array", 1, 1},
      {"bad-malformed.json", "expected string literal", 57, 1},
      {"bad-duplicate-key.json", "duplicate key \"stack_bytes\"", 51, 5},
      {"bad-duplicate-function.json", "duplicate key \"log\"", 22, 7},
      {"bad-overflow.json", "fuel_per_call: 18446744073709551616 is above the maximum 1000000000000", 51, 22},
      {"bad-huge-float.json", "number overflow parsing '1e400'", 53, 29},
      {"bad-deep-nesting.json", "nesting deeper than 32 levels", 56, 49},
      {"bad-unknown-field.json", "unknown field \"budget\" (did you mean \"budgets\"?)", 57, 3},
      {"bad-unknown-nested-field.json", "budgets/memory/initial_page: unknown field \"initial_page\" (did you mean \"initial_pages\"?)", 45, 7},
      {"bad-wrong-type.json", "budgets/stack_bytes: expected an integer, got a string", 49, 20},
      {"bad-negative.json", "budgets/heap_bytes: -1 is below the minimum 0", 50, 19},
      {"bad-absurd-pages.json", "budgets/memory/max_pages: 100000 is above the maximum 65536", 44, 20},
      {"bad-absurd-module-size.json", "budgets/max_module_bytes: 4294967296 is above the maximum 268435456", 53, 25},
      {"bad-fraction.json", "budgets/wall_ms_per_call: expected an integer, got 2.5", 52, 25},
      {"bad-value-type.json", "unknown value type \"u32\": expected one of i32, i64, f32, f64", 14, 21},
      {"bad-pointer-without-length.json", "pointer \"message\" has no length", 25, 21},
      {"bad-len-on-scalar.json", "\"len\" is only for parameters of type \"ptr\"", 0, 0},
      {"bad-manifest-version.json", "unsupported manifest_version 2", 2, 23},
      {"bad-unknown-feature.json", "unknown feature \"simd128\"", 0, 0},
      {"bad-feature-dependency.json", "feature \"reference-types\" requires \"bulk-memory\"", 0, 0},
      {"bad-duplicate-feature.json", "feature \"simd\" is listed twice", 0, 0},
      {"bad-aot-target.json", "unknown AOT target \"cortex-m5\"", 0, 0},
      {"bad-runtime.json", "unknown runtime \"wamr\"", 0, 0},
      {"bad-sim-kind.json", "unknown simulation kind \"thermometer\"", 0, 0},
      {"bad-sim-missing.json", "missing required field \"sim\"", 0, 0},
      {"bad-sensor-without-result.json", "a sensor returns exactly one result", 0, 0},
      {"bad-log-shape.json", "a log takes one \"ptr\" parameter", 0, 0},
      {"bad-clock-without-unit.json", "missing required field \"unit\"", 0, 0},
      {"bad-sim-unknown-field.json", "unknown field \"stream\"", 0, 0},
      {"bad-function-name.json", "\"read-temp\" is not an identifier", 0, 0},
      {"bad-vendor.json", "\"ACME Corp\" is not lower-case letters", 0, 0},
      {"bad-api-version.json", "\"1.0\" is not a version MAJOR.MINOR.PATCH", 0, 0},
      {"bad-api-version-part.json", "\"1.65536.0\" is not a version MAJOR.MINOR.PATCH (each part at most 65535)", 0, 0},
      {"bad-missing-exports.json", "missing required field \"exports\"", 1, 1},
      {"bad-memory-export-signature.json", "a memory export has no signature", 0, 0},
      {"bad-required-not-boolean.json", "expected a boolean, got a string", 0, 0},
      {"bad-too-many-params.json", "more than 16 parameters", 0, 0},
      {"beyond-schema-duplicate-param.json", "duplicate name \"x\"", 0, 0},
      {"beyond-schema-length-name-clash.json", "duplicate name \"n\"", 0, 0},
      {"beyond-schema-indexed-by.json", "\"sensor_id\" must name the function's only parameter", 0, 0},
      {"beyond-schema-initial-over-max.json", "4 is more than max_pages (2)", 0, 0},
      {"beyond-schema-multi-value.json", "more than one result needs the \"multi-value\" feature", 0, 0},
      {"beyond-schema-two-buffers.json", "takes exactly one \"ptr\" parameter", 0, 0},
      {"bad-host-buffers-kind.json", "unknown kind \"heap\"", 0, 0},
      {"bad-host-buffers-field.json", "host_buffers/alloc: unknown field \"alloc\"", 0, 0},
      {"beyond-schema-host-buffers-outside.json", "the region [65000, 66024) ends past the initial memory budget (65536 bytes)", 0, 0},
      {"beyond-schema-host-buffers-signature.json", "exports.run must be a required function (i32) -> (i32)", 0, 0},
  }));
  std::string path = DataDir() + "/manifests/" + file;
  Parsed p = ParseFile(path);
  INFO(file << "\n" << DiagnosticsText(p.diagnostics));
  REQUIRE_FALSE(p.manifest.ok());
  REQUIRE(p.diagnostics.HasErrors());
  const Diagnostic& first = p.diagnostics.list().front();
  CHECK(first.path == path);
  CHECK(first.code == "manifest-invalid");
  CHECK_THAT(first.message, Catch::Contains(message));
  REQUIRE(first.position.has_value());
  if (line != 0) {
    CHECK(first.position->line == line);
    CHECK(first.position->column == column);
  } else {
    CHECK(first.position->line > 1);  // points into the file, not at its start
  }
}

TEST_CASE("the bad-manifest table covers every bad-* and beyond-schema-* file") {
  // A new bad file without an expectation would otherwise go untested.
  size_t files = DataFiles("manifests", "bad-", ".json").size() +
                 DataFiles("manifests", "beyond-schema-", ".json").size();
  CHECK(files == 48);
}

TEST_CASE("one run reports every problem in a manifest") {
  std::string text = R"({
  "manifest_version": 1,
  "device": {"vendor": "Bad Vendor", "class": "x", "api_version": "1"},
  "imports": {"env": {"f": {"params": [{"name": "p", "type": "u8"}], "sim": {"kind": "actuator"}}}},
  "exports": {},
  "budgets": {"memory": {"initial_pages": 1, "max_pages": 1}, "table": {"max_elements": 0},
              "stack_bytes": -5, "heap_bytes": 0, "fuel_per_call": 0, "wall_ms_per_call": 1,
              "max_module_bytes": 100},
  "features": ["nope"],
  "aot_targets": []
})";
  Diagnostics d;
  REQUIRE_FALSE(ParseManifest(text, "x.json", d).ok());
  INFO(DiagnosticsText(d));
  CHECK(d.Count(Severity::kError) == 6);  // vendor, api_version, u8, stack_bytes, fuel, feature
}

TEST_CASE("manifest files are capped in size and must be UTF-8") {
  TempDir dir;
  SECTION("over 1 MiB is refused before parsing") {
    std::string path = dir.File("big.json");
    WriteText(path, "{\"doc\": \"" + std::string(kMaxManifestBytes, 'x') + "\"}");
    Parsed p = ParseFile(path);
    REQUIRE_FALSE(p.manifest.ok());
    CHECK_THAT(p.diagnostics.list().front().message, Catch::Contains("more than the limit"));
  }
  SECTION("invalid UTF-8 in a string") {
    std::string path = dir.File("utf8.json");
    WriteText(path, "{\n  \"manifest_version\": 1,\n  \"device\": {\"vendor\": \"a\xc3\x28\"}\n}");
    Parsed p = ParseFile(path);
    REQUIRE_FALSE(p.manifest.ok());
    const Diagnostic& d = p.diagnostics.list().front();
    CHECK_THAT(d.message, Catch::Contains("ill-formed UTF-8"));
    CHECK(d.position->line == 3);
  }
  SECTION("missing, a directory, /dev/zero: I/O errors") {
    for (std::string path : {dir.File("missing.json"), dir.path(), std::string("/dev/zero")}) {
      Parsed p = ParseFile(path);
      REQUIRE_FALSE(p.manifest.ok());
      CHECK(p.diagnostics.list().front().code == "io-error");
    }
  }
}

namespace {

// Every "maximum" of a property named `key`, anywhere in a JSON Schema.
void MaximaOf(const nlohmann::json& node, const std::string& key, std::vector<uint64_t>& out) {
  if (node.is_object()) {
    for (const auto& [name, child] : node.items()) {
      if (name == key && child.is_object() && child.contains("maximum")) out.push_back(child["maximum"].get<uint64_t>());
      MaximaOf(child, key, out);
    }
  } else if (node.is_array()) {
    for (const auto& child : node) MaximaOf(child, key, out);
  }
}

}  // namespace

TEST_CASE("the schemas cap fuel and wall-clock budgets where the code does") {
  for (const char* schema : {"manifest.schema.json", "scenario.schema.json"}) {
    INFO(schema);
    nlohmann::json j = nlohmann::json::parse(ReadText(SourceDir() + "/schemas/" + schema));
    std::vector<uint64_t> fuel, wall;
    MaximaOf(j, "fuel_per_call", fuel);
    MaximaOf(j, "wall_ms_per_call", wall);
    CHECK(fuel == std::vector<uint64_t>{kMaxFuelPerCall});
    CHECK(wall == std::vector<uint64_t>{kMaxWallMsPerCall});
  }
  nlohmann::json scenario = nlohmann::json::parse(ReadText(SourceDir() + "/schemas/scenario.schema.json"));
  std::vector<uint64_t> latency;
  MaximaOf(scenario, "additionalProperties", latency);  // host_latency_ms: MODULE.NAME -> ms
  CHECK(latency == std::vector<uint64_t>{kMaxWallMsPerCall});
}
