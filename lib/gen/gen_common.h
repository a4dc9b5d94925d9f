// What the four generators share: the naming rule, the first line, doc
// comments, C types, the budget constants and the status codes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gen/gen.h"

namespace wasmiot::gen {

// A manifest name as a C and Rust symbol part, predictably: each byte outside
// [A-Za-z0-9_] becomes '_', a leading digit gets a '_' before it, and a keyword
// of C, C++ or Rust gets a '_' after it ("my-key" -> "my_key", "type" -> "type_").
std::string SymbolPart(std::string_view name);

struct ImportNames {
  const HostFunction* function = nullptr;
  std::string c_name;       // <module>_<name>: the guest's import and the host's typed function
  std::string rust_module;  // the Rust module holding it
  std::string rust_name;    // its name there
};

struct ExportNames {
  const ExportSpec* spec = nullptr;
  std::string c_name;  // the guest's definition; the host wrapper is wasmiot_call_<c_name>
};

struct Names {
  std::vector<ImportNames> imports;  // manifest order
  std::vector<ExportNames> exports;  // functions only, manifest order
  std::vector<std::string> import_modules;  // distinct, in manifest order
};

// Every name the generators write, or gen-name-collision / gen-name-reserved.
Result<Names> ResolveNames(const Manifest& manifest, Diagnostics& diagnostics);

// The first line of every file: the manifest and its digest.
std::string FirstLine(const GenRequest& request, std::string_view language_name);

// Free text safe inside a /* */ comment or after "///" or " * ": "*/" broken,
// control characters as spaces, one entry per line.
std::vector<std::string> CommentLines(std::string_view text);
// A C block comment ("/** ... */") at `indent`, empty if there is nothing to say.
std::string CDocComment(const std::vector<std::string>& lines, std::string_view indent = "");
std::string RustDocComment(const std::vector<std::string>& lines, std::string_view indent);

// int32_t, int64_t, float, double.
std::string_view CType(ValueType type);
// i32, i64, f32, f64.
std::string_view RustType(ValueType type);
// WAMR's signature letter: i, I, f, F.
char WamrLetter(ValueType type);

// A C parameter list: `first` (the glue's own, or empty), then each parameter,
// a buffer as `const uint8_t*` (read) or `uint8_t*` and its uint32_t length.
std::string CParams(const Signature& signature, std::string first);
// The host's export wrapper parameters: `first`, then each parameter with a
// buffer as its guest address and length (uint32_t), or with `host_memory` as
// in CParams, then a pointer per result.
std::string WrapperParams(const Signature& signature, std::string first, bool host_memory = false);

// Doc lines for a function: its doc, then one tag per parameter and result.
struct DocOptions {
  bool host_side = true;   // a host function (the host touches its buffers), else an export
  bool slices = false;     // Rust's safe wrappers: a buffer is one slice, no length
  std::string status;      // a last sentence of the description ("Required.")
};
std::vector<std::string> FunctionDoc(const std::string& doc, const Signature& signature, const DocOptions& options);

// #defines for the device identity and budgets (WASMIOT_MEMORY_MAX_PAGES ...).
std::string BudgetDefines(const Manifest& manifest);

// The wasmiot_status enum (WASMIOT_OK, one WASMIOT_TRAP_* per trap kind of
// `wasmiot run`, WASMIOT_MISSING_EXPORT, and with host_buffers
// WASMIOT_NO_HOST_BUFFER) for a header, and its name function for a source file.
std::string StatusEnumDeclaration(const Manifest& manifest);
std::string StatusNameDefinition(const Manifest& manifest);

// A refusal when a function has more than one result (no C, Rust or WAMR
// native ABI for it here).
bool RefuseMultiResult(const std::string& what, const Signature& signature, GenLanguage language,
                       Diagnostics& diagnostics);

}  // namespace wasmiot::gen
