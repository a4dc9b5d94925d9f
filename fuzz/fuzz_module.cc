// fuzz_module: a WebAssembly binary, read and checked as `wasmiot check` does
// against the thermostat device (templates/thermostat/device.json):
// ReadModule (limits, wabt's reader and validator, feature detection), then
// CheckModule and ValidateWithFeatures with exactly the device's features
// (ReadAndCheckModule), then every diagnostic formatted as the tool prints it.
// A module that reads is also described as `wasmiot inspect` does for the
// features it needs.
#include <cstddef>
#include <cstdint>

#include "check/check.h"

#include "fuzz_support.h"

using namespace wasmiot;

// The tool reads modules of up to kMaxModuleFileBytes; libFuzzer's -max_len
// (scripts/fuzz.sh) keeps inputs far below that.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxModuleFileBytes) return -1;
  const Bytes bytes(data, data + size);
  Diagnostics diagnostics;
  Result<ModuleInfo> module = ReadAndCheckModule(bytes, "fuzz.wasm", fuzz::ThermostatManifest(), diagnostics);
  for (const Diagnostic& d : diagnostics.list()) (void)FormatDiagnostic(d);
  if (module) {
    for (Feature f : module->features_used.List()) (void)DescribeFeatureUse(bytes, "fuzz.wasm", f);
  }
  return 0;
}
