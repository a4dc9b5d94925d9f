// The output layer: diagnostics to stderr as `path: error: message`, results to
// stdout as human text or one JSON document (also on failure).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "command.h"
#include "manifest/manifest.h"
#include "support/diagnostics.h"

namespace wasmiot::tool {

// The exit status for a run's diagnostics: 0 without errors, else the highest
// status of its errors: 1 for a check that failed, 2 usage, 3 I/O or tools.
int ExitCodeFor(const Diagnostics& diagnostics);

// The manifest at `path`, or nothing if `path` is empty or it failed to load
// (its problems are then in `diagnostics`).
std::optional<Manifest> LoadOptionalManifest(const std::string& path, Diagnostics& diagnostics);

nlohmann::json DiagnosticToJson(const Diagnostic& diagnostic);

// The envelope every command's JSON document shares; `body` fields are merged in.
nlohmann::json JsonDocument(std::string_view command, int exit_code, const Diagnostics& diagnostics);

// Prints diagnostics to stderr (notes only when verbose).
void PrintDiagnostics(const Diagnostics& diagnostics, const CommonOptions& options);

void PrintJson(const nlohmann::json& document);

}  // namespace wasmiot::tool
