// wasmiot inspect FILE
// Recognises what FILE is by its magic number, then prints one description in
// two renderings: human text or JSON. A folder is a folder of chunk files.
#include <memory>

#include <fmt/format.h>

#include "pipeline/inspect.h"
#include "bundle_printer.h"
#include "command.h"
#include "module/module_info.h"
#include "module_printer.h"
#include "output.h"

namespace wasmiot::tool {
namespace {

struct InspectOptions {
  CommonOptions common;
  std::string path;
};

// ---- chunk streams and folders -------------------------------------------------

nlohmann::json ChunksJson(const StreamSummary& s) {
  nlohmann::json j = {
      {"frames", s.frames},
      {"bytes", s.bytes},
      {"header_frames", s.header_frames},
      {"table_frames", s.table_frames},
      {"chunk_frames", s.chunk_frames},
      {"foreign", s.foreign},
      {"malformed", s.malformed},
      {"duplicates", s.duplicates},
      {"conflicts", s.conflicts},
  };
  j["bundle_id"] = s.has_header ? nlohmann::json(s.bundle_id) : nlohmann::json(nullptr);
  if (s.has_header) {
    j["table_parts"] = s.table_parts;
    j["missing_table_parts"] = s.missing_table_parts;
    j["missing_chunks"] = s.missing_chunks;
    j["corrupt_chunks"] = s.corrupt_chunks;
    j["table_ok"] = s.table_ok ? nlohmann::json(*s.table_ok) : nlohmann::json(nullptr);
    j["overhead_percent"] = 100.0 * static_cast<double>(s.bytes - s.header.payload_size) / s.header.payload_size;
  }
  return j;
}

void PrintChunks(const std::string& path, std::string_view kind, const StreamSummary& s) {
  Print("{}: wasmiot {}, {}, {}\n", path, kind == kInspectChunkStream ? "chunk stream" : "chunk folder",
        Plural(s.frames, "frame"), Plural(s.bytes, "byte"));
  if (!s.has_header) return;
  Print("  bundle {}: {}, {} of {}, {} of {} of {}\n", s.bundle_id, Plural(s.header_frames, "header"),
        s.table_parts - s.missing_table_parts.size(), Plural(s.table_parts, "table part"),
        s.header.chunk_count - s.missing_chunks.size(), Plural(s.header.chunk_count, "chunk"),
        Plural(s.header.chunk_size, "byte"));
  Print("  overhead:   {:.2f}% of the {}-byte payload\n",
        100.0 * static_cast<double>(s.bytes - s.header.payload_size) / s.header.payload_size, s.header.payload_size);
  uint64_t frames = s.foreign + s.malformed + s.duplicates + s.conflicts;
  Print("  problems:   {} foreign, {} malformed, {} duplicate, {} conflicting {}{}{}\n", s.foreign, s.malformed,
        s.duplicates, s.conflicts, frames == 1 ? "frame" : "frames",
        s.corrupt_chunks.empty() ? "" : ", " + Plural(s.corrupt_chunks.size(), "corrupt chunk"),
        s.table_ok && !*s.table_ok ? ", chunk table does not match its digest" : "");
  if (!s.missing_chunks.empty()) Print("  missing:    {}\n", Plural(s.missing_chunks.size(), "chunk"));
}

int RunInspect(const InspectOptions& options) {
  Diagnostics diagnostics;
  Inspection inspected = InspectFile(options.path, diagnostics);
  const std::string& kind = inspected.kind;
  const std::optional<ModuleInfo>& module = inspected.module;
  const std::optional<wasmiot_bundle_header>& bundle = inspected.bundle;
  const std::optional<StreamSummary>& chunks = inspected.chunks;
  int exit_code = ExitCodeFor(diagnostics);

  if (options.common.json) {
    nlohmann::json doc = JsonDocument("inspect", exit_code, diagnostics);
    doc["file"] = options.path;
    doc["kind"] = kind.empty() ? nlohmann::json(nullptr) : nlohmann::json(kind);
    if (module) doc["module"] = ModuleJson(*module);
    if (bundle) {
      doc["bundle"] = BundleHeaderJson(*bundle, nullptr);
      doc["header_verified"] = false;  // inspect has no key
    }
    if (chunks) doc["chunks"] = ChunksJson(*chunks);
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (module) PrintModule(options.path, *module);
  if (chunks) PrintChunks(options.path, kind, *chunks);
  if (bundle) {
    PrintBundleHeader(chunks ? "  signed header" : options.path, *bundle);
    if (!chunks && !diagnostics.HasErrors()) {
      Print("  integrity:  size, chunk table and payload match the header's digests\n");
    }
    Print("  signature:  NOT VERIFIED: inspect has no key, so this header is shown as written;\n"
          "              'wasmiot verify BUNDLE --pubkey KEY' authenticates it\n");
  }
  return exit_code;
}

}  // namespace

void RegisterInspectCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand("inspect", "Describe a module, a bundle or OTA chunks");
  cmd->add_option("file", options->path, "The file (or chunk folder) to describe")->required();
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Describe FILE. For a WebAssembly module: size by section, imports, exports, memories,\n"
      "tables, globals, start function, custom sections, data segment sizes, and the post-MVP\n"
      "features the module needs. The module is validated first; an invalid one is reported.\n"
      "For a bundle: its signed header as written (kind, target, version, sequence, device,\n"
      "chunks, budgets, key id), NOT VERIFIED: inspect has no key, so the signature is not\n"
      "checked ('wasmiot verify' decides whether to trust it); the bundle's size, chunk table\n"
      "and payload are checked against the header, and a truncated or inconsistent bundle\n"
      "fails (bundle-truncated, bundle-payload-mismatch, ...). For a chunk\n"
      "stream or a folder of .chunk files: the bundle it carries, frames by kind, missing,\n"
      "duplicate, conflicting, foreign and corrupt frames, and the overhead over the payload;\n"
      "'wasmiot assemble' authenticates them."
      "\n\n"
      "Examples:\n"
      "  wasmiot inspect thermostat.wasm\n"
      "  wasmiot inspect thermostat.wasm --json | jq '.module.sections'\n"
      "  wasmiot inspect thermostat.chunks\n"
      "\n"
      "Exit status: 0 described, 1 not a valid module, bundle or chunk stream (a truncated\n"
      "or inconsistent bundle too), 2 usage error, 3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunInspect(*options); });
}

}  // namespace wasmiot::tool
