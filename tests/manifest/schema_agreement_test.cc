// The C++ parser and the JSON Schema (checked by ajv, a real validator) must
// agree. good-* files: both accept. bad-* files: both refuse. beyond-schema-*
// files break rules JSON Schema cannot state (unique names across array items,
// cross-references); wasmiot refuses them and the schema, by design, accepts
// them — if the schema ever learns such a rule, move the file to bad-*.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "manifest/manifest.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace {

bool CppAccepts(const std::string& path) {
  Diagnostics d;
  return LoadManifest(path, d).ok();
}

void ExpectVerdicts(const std::vector<std::string>& files, bool schema_valid, bool cpp_valid) {
  REQUIRE_FALSE(files.empty());
  std::vector<std::string> verdicts = SchemaVerdicts("manifest.schema.json", files);
  for (size_t i = 0; i < files.size(); ++i) {
    INFO(verdicts[i]);
    CHECK((verdicts[i].rfind("valid ", 0) == 0) == schema_valid);
    CHECK(CppAccepts(files[i]) == cpp_valid);
  }
}

std::vector<std::string> Enum(const nlohmann::json& schema, const std::string& def) {
  return schema["$defs"][def]["enum"].get<std::vector<std::string>>();
}

}  // namespace

TEST_CASE("schema and parser accept every good manifest") {
  std::vector<std::string> files = DataFiles("manifests", "good-", ".json");
  for (const auto& entry : std::filesystem::directory_iterator(SourceDir() + "/templates")) {
    if (std::filesystem::exists(entry.path() / "device.json")) files.push_back((entry.path() / "device.json").string());
  }
  ExpectVerdicts(files, true, true);
}

TEST_CASE("schema and parser refuse every bad manifest") {
  ExpectVerdicts(DataFiles("manifests", "bad-", ".json"), false, false);
}

TEST_CASE("beyond-schema manifests: only the parser can refuse them") {
  ExpectVerdicts(DataFiles("manifests", "beyond-schema-", ".json"), true, false);
}

TEST_CASE("the schema's enumerations are the code's tables") {
  nlohmann::json schema = nlohmann::json::parse(ReadText(SourceDir() + "/schemas/manifest.schema.json"));
  std::vector<std::string> features;
  for (Feature f : AllFeatures()) features.emplace_back(FeatureName(f));
  CHECK(Enum(schema, "feature") == features);

  std::vector<std::string> targets(KnownAotTargetNames().begin(), KnownAotTargetNames().end());
  CHECK(Enum(schema, "aot_target") == targets);

  std::vector<std::string> sim_kinds;
  for (SimKind k : kAllSimKinds) sim_kinds.emplace_back(SimKindName(k));
  CHECK(schema["$defs"]["sim"]["properties"]["kind"]["enum"].get<std::vector<std::string>>() == sim_kinds);

  std::vector<std::string> value_types;
  for (ValueType t : {ValueType::kI32, ValueType::kI64, ValueType::kF32, ValueType::kF64}) {
    value_types.emplace_back(ValueTypeName(t));
  }
  CHECK(Enum(schema, "value_type") == value_types);
  // Parameters take the value types plus "ptr" and "string".
  value_types.push_back("ptr");
  value_types.push_back("string");
  CHECK(schema["$defs"]["param"]["properties"]["type"]["enum"].get<std::vector<std::string>>() == value_types);
  std::vector<std::string> runtimes;
  for (DeviceRuntime r : {DeviceRuntime::kWasm2c, DeviceRuntime::kWamrClassic, DeviceRuntime::kWamrFast,
                          DeviceRuntime::kWamrAot}) {
    runtimes.emplace_back(DeviceRuntimeName(r));
  }
  CHECK(schema["properties"]["runtime"]["enum"].get<std::vector<std::string>>() == runtimes);
  // Feature dependencies: the schema's if/then pairs are FeatureRequires.
  size_t dependencies = 0;
  for (Feature f : AllFeatures()) dependencies += FeatureRequires(f).has_value();
  CHECK(schema["properties"]["features"]["allOf"].size() == dependencies);
  CHECK(schema["properties"]["manifest_version"]["const"] == kManifestFormatVersion);
}
