// The compiler command a device implies, for clang and rustc alike: the
// manifest's memory and stack budgets as linker flags, exactly the device's
// features on an MVP baseline (so a newer compiler's defaults never leak in),
// no entry point, no debug information, and the project's folder mapped to "."
// so that no build path reaches the output. docs/first-module.md explains each.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/features.h"
#include "manifest/manifest.h"
#include "project/project.h"

namespace wasmiot {

// The clang -m flag and rustc target feature for one of our features, or ""
// where neither compiler has one.
std::string_view ClangFeatureFlag(Feature feature);
std::string_view RustTargetFeature(Feature feature);

// The Debian packages a language's compiler comes in (for "not installed" errors).
std::string_view CompilerPackages(SourceLanguage language);

struct CompileCommand {
  std::vector<std::string> argv;  // argv[0] is the compiler
  std::vector<std::string> env;   // "NAME=value" to add to the compiler's environment
};

// The variable naming the folder of the generated bindings for Rust sources:
// include!(concat!(env!("WASMIOT_GEN_DIR"), "/wasmiot_guest.rs")).
inline constexpr const char* kGenDirVariable = "WASMIOT_GEN_DIR";

// Compiles the project's sources into `output` (a .wasm, an absolute path),
// with `gen_dir` (absolute) holding the generated bindings (wasmiot gen guest):
// an include folder for C, WASMIOT_GEN_DIR for Rust. Run in the project's
// folder: the sources are named relative to it.
CompileCommand MakeCompileCommand(const Project& project, const Manifest& manifest, const std::string& compiler,
                                  const std::string& gen_dir, const std::string& output);

}  // namespace wasmiot
