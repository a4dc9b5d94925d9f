// `wasmiot gen`: the glue both sides of a device need, written from its
// manifest so that no declaration is typed twice (docs/gen.md).
//
//   guest c      wasmiot_guest.h     imports with import_module/import_name, exports
//                                    with export_name, budgets as constants
//   guest rust   wasmiot_guest.rs    extern "C" blocks per import module, safe
//                                    wrappers taking slices, export fn types
//   host wamr    wasmiot_wamr.h/.c   NativeSymbol tables, registration, install
//                                    checks, instantiate, typed export calls
//   host wasm2c  wasmiot_wasm2c.h/.c import implementations for `wasmiot aot`
//                                    output (bounds-checked), typed export calls
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/sha256.h"
#include "manifest/manifest.h"
#include "support/diagnostics.h"
#include "support/file_io.h"
#include "support/result.h"

namespace wasmiot {

enum class GenLanguage { kC, kRust, kWamr, kWasm2c };
std::string_view GenLanguageName(GenLanguage language);  // "c", "rust", "wamr", "wasm2c"
bool IsGuestLanguage(GenLanguage language);               // c, rust (else host: wamr, wasm2c)

struct GenRequest {
  GenLanguage language = GenLanguage::kC;
  const Manifest* manifest = nullptr;
  std::string manifest_name;  // shown in the first line: the file name, not its folder
  Sha256 manifest_digest{};   // of the manifest file's bytes, as bundles bind it
  // wasm2c: the module's name as given to `wasmiot aot --name` (its C symbols
  // are Z_<name>...), and the import modules it imports from (wasm2c's
  // instantiate takes one argument per module, in name order); nothing = all
  // the manifest declares.
  std::string module_name;
  std::optional<std::set<std::string>> module_import_modules;
};

struct GeneratedFile {
  std::string name;  // a file name, no folder
  std::string text;
};

// Codes: gen-name-collision (two manifest names become one symbol),
// gen-unsupported (a signature the language or runtime cannot express, e.g.
// several results), gen-name-reserved (a manifest name using the wasmiot_
// prefix the glue keeps for itself), usage (wasm2c without a module name).
Result<std::vector<GeneratedFile>> Generate(const GenRequest& request, Diagnostics& diagnostics);

// `wasmiot gen`: reads the manifest (and the module, when given, for the
// import modules wasm2c's instantiate takes), generates, and writes the files
// into output_dir, each whole (staged, then renamed), never over an input.
struct GenFilesRequest {
  GenLanguage language = GenLanguage::kC;
  std::string manifest_path;
  std::string module_name;  // wasm2c
  std::string module_path;  // wasm2c, optional
  std::string output_dir;
  std::vector<NamedInput> inputs;  // files no output may replace (the manifest and module are added)
};

struct GenFilesReport {
  std::vector<std::string> files;  // paths written, in order
  Sha256 manifest_digest{};
};

// Codes: as Generate, the manifest's and module reader's, io-error.
Result<GenFilesReport> GenerateFiles(const GenFilesRequest& request, Diagnostics& diagnostics);

}  // namespace wasmiot
