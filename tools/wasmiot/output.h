// The output layer: diagnostics to stderr as `path: error: message`, results to
// stdout as human text or one JSON document (also on failure).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "command.h"
#include "support/diagnostics.h"

namespace wasmiot::tool {

// 1 if any error, 3 if any of them is an I/O problem, else 0.
int ExitCodeFor(const Diagnostics& diagnostics);

nlohmann::json DiagnosticToJson(const Diagnostic& diagnostic);

// The envelope every command's JSON document shares; `body` fields are merged in.
nlohmann::json JsonDocument(std::string_view command, int exit_code, const Diagnostics& diagnostics);

// Prints diagnostics to stderr (notes only when verbose).
void PrintDiagnostics(const Diagnostics& diagnostics, const CommonOptions& options);

void PrintJson(const nlohmann::json& document);

}  // namespace wasmiot::tool
