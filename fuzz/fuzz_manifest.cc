// fuzz_manifest: device manifest text (docs/manifest.md) through ParseManifest,
// as LoadManifest does after reading the file; every diagnostic formatted as
// the tool prints it. A manifest that parses is then used the way the tools
// use one: the thermostat module (tests/data/modules/thermostat.wat) checked
// against it as `wasmiot check` does (CheckModule, then ValidateWithFeatures
// with its features), its budgets as run limits, its inputs' names, and every
// host function's and export's signature formatted, and the glue of
// `wasmiot gen` written in all four languages (refusals are diagnostics).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "check/check.h"
#include "gen/gen.h"
#include "runtime/engine.h"
#include "runtime/host.h"

#include "fuzz_support.h"

using namespace wasmiot;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fuzz::ThermostatModuleInfo();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxManifestBytes) return -1;  // LoadManifest's cap
  Diagnostics diagnostics;
  Result<Manifest> manifest =
      ParseManifest(std::string(reinterpret_cast<const char*>(data), size), "fuzz.device.json", diagnostics);
  for (const Diagnostic& d : diagnostics.list()) (void)FormatDiagnostic(d);
  if (!manifest) return 0;

  const Manifest& m = *manifest;
  Diagnostics check;
  CheckModule(fuzz::ThermostatModuleInfo(), m, "thermostat.wasm", check);
  bool feature_reported = std::any_of(check.list().begin(), check.list().end(),
                                      [](const Diagnostic& d) { return d.code == "feature-unsupported"; });
  if (!feature_reported) (void)ValidateWithFeatures(fuzz::ThermostatModule(), "thermostat.wasm", m.features, check);
  for (const Diagnostic& d : check.list()) (void)FormatDiagnostic(d);

  (void)LimitsFromManifest(&m);
  (void)SensorChannels(m);
  (void)InputStreams(m);
  (void)HostFunctionNames(m);
  for (const HostFunction& f : m.host_functions) {
    (void)FormatSignature(f.signature.WasmParams(), f.signature.WasmResults());
    (void)m.FindHostFunction(f.module, f.name);
  }
  for (const ExportSpec& e : m.exports) {
    (void)FormatSignature(e.signature.WasmParams(), e.signature.WasmResults());
    (void)m.FindExport(e.name);
  }
  (void)m.features.Names();
  for (GenLanguage language : {GenLanguage::kC, GenLanguage::kRust, GenLanguage::kWamr, GenLanguage::kWasm2c}) {
    GenRequest request;
    request.language = language;
    request.manifest = &m;
    request.manifest_name = "fuzz.device.json";
    request.module_name = "fuzzed";
    Diagnostics gen;
    (void)Generate(request, gen);
    for (const Diagnostic& d : gen.list()) (void)FormatDiagnostic(d);
  }
  return 0;
}
