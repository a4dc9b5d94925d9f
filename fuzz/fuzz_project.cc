// fuzz_project: project file text (docs/projects.md) through ParseProject, as
// LoadProject does after reading wasmiot.json; every diagnostic formatted. A
// project that parses gets its compiler commands made for the thermostat
// device (C and Rust) and its positions used as the build uses them. The same
// bytes are also read as the build's state file (.wasmiot-build-state.json),
// the other JSON a build reads from disk, and asked about a step; and as a
// host AOT cache's interface file (runtime/aot_interface.h), which must write
// back to text that parses to the same.
#include <cstddef>
#include <cstdint>
#include <string>

#include "project/compile_flags.h"
#include "project/project.h"
#include "runtime/aot_interface.h"
#include "workflow/build_state.h"

#include "fuzz_support.h"

using namespace wasmiot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxProjectBytes) return -1;  // LoadProject's cap
  std::string text(reinterpret_cast<const char*>(data), size);
  if (Result<AotInterface> interface = ParseInterface(text)) {
    std::string again = SerializeInterface(*interface);
    Result<AotInterface> reread = ParseInterface(again);
    if (!reread || SerializeInterface(*reread) != again) fuzz::Fail("fuzz_project", "an AOT interface does not read back");
  }
  Diagnostics diagnostics;
  Result<Project> project = ParseProject(text, "fuzz/wasmiot.json", diagnostics);
  for (const Diagnostic& d : diagnostics.list()) (void)FormatDiagnostic(d);
  if (project) {
    Project p = *project;
    (void)MakeCompileCommand(p, fuzz::ThermostatManifest(), "clang", "/out/gen", "/out/m.wasm");
    if (p.language == SourceLanguage::kRust) {
      (void)MakeCompileCommand(p, fuzz::ThermostatManifest(), "rustc", "/out/gen", "/out/m.wasm");
    }
    for (const std::string& s : p.sources) (void)p.Resolve(s);
    Diagnostics at;
    for (const auto& [pointer, position] : p.positions) (void)FormatDiagnostic(p.ErrorAt(at, "x", pointer, "m"));
    (void)p.ErrorAt(at, "x", "/not/recorded", "m");
  }
  BuildState state = BuildState::FromJson(text);
  (void)state.UpToDate("compile", "key");
  (void)state.UpToDate("aot:host", "");
  return 0;
}
