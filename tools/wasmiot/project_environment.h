// Where `new` and `build` find what is outside the project, decided by the
// tool (the library takes it as data): the templates, the compilers, the
// signing key a project names, and the identity of this wasmiot.
#pragma once

#include <optional>
#include <string>

#include "keys/keys.h"
#include "project/project.h"
#include "support/diagnostics.h"

namespace wasmiot::tool {

// $WASMIOT_TEMPLATES, else share/wasmiot/templates beside the installed
// binary, else the source tree's templates/ (a build-tree binary).
std::string FindTemplatesDir();

// $WASMIOT_CLANG, else clang in PATH; "" if none.
std::string FindClang();
// $WASMIOT_RUSTC, else Debian's /usr/bin/rustc (a rustup rustc earlier in PATH
// lacks Debian's wasm32 standard library), else rustc in PATH; "" if none.
std::string FindRustc();

// This executable's path, size and time: a rebuilt wasmiot rebuilds every step.
std::string ToolIdentity();

// The key the project's signing names (a file relative to the project, or an
// environment variable). Problems are diagnostics at the project file's
// "signing.key" (key-invalid, io-error).
std::optional<SecretKey> LoadProjectKey(const Project& project, bool force, Diagnostics& diagnostics);

// SOURCE_DATE_EPOCH, when set to a number.
std::optional<uint64_t> SourceDateEpoch();

}  // namespace wasmiot::tool
