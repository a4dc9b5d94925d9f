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
//             table-over-budget, module-too-large
//   warnings: export-optional-missing, memory-unbounded, table-unbounded
//   notes:    host-function-unused
void CheckModule(const ModuleInfo& module, const Manifest& manifest, const std::string& module_path,
                 Diagnostics& diagnostics);

}  // namespace wasmiot
