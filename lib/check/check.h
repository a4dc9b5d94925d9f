// Holds a module against a device manifest: the contract check behind
// `wasmiot check`, and later the gate before `opt`, `sign` and `run`.
#pragma once

#include <string>

#include "manifest/manifest.h"
#include "module/module_info.h"
#include "support/diagnostics.h"

namespace wasmiot {

// Adds one diagnostic per problem, each naming its item (`env.log`, `control_loop`,
// `memory[0]`) and carrying a stable code:
//   errors:   feature-unsupported, import-unknown, import-kind-mismatch,
//             import-signature-mismatch, import-kind-unsupported, export-missing,
//             export-kind-mismatch, export-signature-mismatch, memory-over-budget,
//             table-over-budget, module-too-large, stack-over-budget,
//             host-buffers-outside-memory, host-buffers-overlap-heap,
//             host-buffers-overlap-data
//   warnings: export-optional-missing, memory-unbounded, table-unbounded,
//             wamr-memory-shrunk, host-buffers-overlap-stack
//   notes:    host-function-unused, stack-unbounded
void CheckModule(const ModuleInfo& module, const Manifest& manifest, const std::string& module_path,
                 Diagnostics& diagnostics);

// Reads the module at `path` (I/O problems become diagnostics too), checks it
// against the manifest and, unless a feature was already found unsupported,
// validates it with exactly the device's features. Returns the module's
// description when it could be read.
Result<ModuleInfo> LoadAndCheckModule(const std::string& path, const Manifest& manifest,
                                      Diagnostics& diagnostics);

// The same for a module already in memory (read from `path`).
Result<ModuleInfo> ReadAndCheckModule(const Bytes& bytes, const std::string& path, const Manifest& manifest,
                                      Diagnostics& diagnostics);

}  // namespace wasmiot
