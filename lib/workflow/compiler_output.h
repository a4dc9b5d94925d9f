// What clang, wasm-ld and rustc print, as diagnostics: one per error or
// warning, at its file:line:column (made relative to where wasmiot runs), and
// for a failed compile the likely fix when the cause is one a device build
// often hits (memory too small, a missing import declaration, no libc).
#pragma once

#include <string>
#include <string_view>

#include "project/project.h"
#include "support/diagnostics.h"

namespace wasmiot {

// Codes: compile-failed (errors; a failed compile always gets at least one),
// compiler-warning, and notes as notes.
void AddCompilerDiagnostics(std::string_view output, const Project& project, bool failed, Diagnostics& diagnostics);

// "" when no likely cause is recognized.
std::string CompileFailureHint(std::string_view compiler_output, SourceLanguage language);

}  // namespace wasmiot
