// `wasmiot aot` for a device: the module is checked against the device's
// manifest first (as `wasmiot check` would), then compiled for a target the
// device accepts, with the device's memory budget. The pipeline layer chains
// the steps of lower layers, each checked against the device.
#pragma once

#include <string>

#include "aot/aot.h"
#include "manifest/manifest.h"
#include "support/diagnostics.h"
#include "support/file_io.h"

namespace wasmiot {

// The device's accepted targets and memory budget, set in `options`.
void ApplyDeviceToAot(const Manifest& manifest, AotOptions& options);

// CompileAot, after checking the module against `manifest` when one is given
// (check's codes, exit 1).
Result<AotReport> CompileAotForDevice(const Bytes& wasm, const std::string& path, const Manifest* manifest,
                                      AotOptions options, Diagnostics& diagnostics);

}  // namespace wasmiot
