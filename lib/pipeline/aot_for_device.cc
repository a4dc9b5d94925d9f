#include "pipeline/aot_for_device.h"

#include "check/check.h"

namespace wasmiot {

void ApplyDeviceToAot(const Manifest& manifest, AotOptions& options) {
  options.memory_budget_pages = manifest.budgets.max_pages;
  // At most 256 MiB (the manifest parser's limit): it fits.
  if (manifest.budgets.stack_bytes) options.stack_budget_bytes = static_cast<uint32_t>(manifest.budgets.stack_bytes);
  options.accepted_targets = &manifest.aot_targets;
}

Result<AotReport> CompileAotForDevice(const Bytes& wasm, const std::string& path, const Manifest* manifest,
                                      AotOptions options, Diagnostics& diagnostics) {
  if (manifest) {
    // The target first: an unknown one is a usage error, whatever the module.
    if (!CheckAotTarget(options.target, &manifest->aot_targets, diagnostics)) {
      return Error{ErrorKind::kInvalidInput, "cannot compile"};
    }
    (void)ReadAndCheckModule(wasm, path, *manifest, diagnostics);
    if (diagnostics.HasErrors()) return Error{ErrorKind::kInvalidInput, "cannot compile"};
    ApplyDeviceToAot(*manifest, options);
  }
  return CompileAot(wasm, path, options, diagnostics);
}

}  // namespace wasmiot
