// wasmiot inspect FILE
// Recognises what FILE is by its magic number, then prints one description in
// two renderings: human text or JSON. Bundles and chunk streams join the table
// of file kinds below as they arrive.
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "bundle_printer.h"
#include "command.h"
#include "module/module_info.h"
#include "output.h"

namespace wasmiot::tool {
namespace {

struct InspectOptions {
  CommonOptions common;
  std::string path;
};

// ---- modules -----------------------------------------------------------------

nlohmann::json LimitsJson(const Limits& l) {
  nlohmann::json j = {{"initial", l.initial}, {"shared", l.shared}, {"is_64", l.is_64}};
  j["max"] = l.max ? nlohmann::json(*l.max) : nlohmann::json(nullptr);
  return j;
}

nlohmann::json SignatureJson(const FuncSignature& s) {
  return {{"params", s.params}, {"results", s.results}};
}

nlohmann::json ModuleJson(const ModuleInfo& m) {
  nlohmann::json sections = nlohmann::json::array();
  nlohmann::json customs = nlohmann::json::array();
  for (const SectionInfo& s : m.sections) {
    sections.push_back({{"id", s.id}, {"name", s.name}, {"custom", s.custom}, {"offset", s.offset}, {"size", s.size}});
    if (s.custom) customs.push_back({{"name", s.name}, {"size", s.size}});
  }
  nlohmann::json imports = nlohmann::json::array();
  for (const ImportInfo& i : m.imports) {
    nlohmann::json j = {{"module", i.module}, {"name", i.name}, {"kind", ExternKindName(i.kind)}};
    if (i.kind == ExternKind::kFunc) j["signature"] = SignatureJson(i.signature);
    if (i.kind == ExternKind::kMemory || i.kind == ExternKind::kTable) j["limits"] = LimitsJson(i.limits);
    if (i.kind == ExternKind::kGlobal) j["global"] = {{"type", i.global.type}, {"mutable", i.global.is_mutable}};
    imports.push_back(std::move(j));
  }
  nlohmann::json exports = nlohmann::json::array();
  for (const ExportInfo& e : m.exports) {
    nlohmann::json j = {{"name", e.name}, {"kind", ExternKindName(e.kind)}, {"index", e.index}};
    if (e.kind == ExternKind::kFunc) j["signature"] = SignatureJson(e.signature);
    exports.push_back(std::move(j));
  }
  nlohmann::json memories = nlohmann::json::array();
  for (const Limits& l : m.memories) memories.push_back(LimitsJson(l));
  nlohmann::json tables = nlohmann::json::array();
  for (const TableInfo& t : m.tables) tables.push_back({{"element_type", t.element_type}, {"limits", LimitsJson(t.limits)}});
  nlohmann::json globals = nlohmann::json::array();
  for (const GlobalInfo& g : m.globals) globals.push_back({{"type", g.type}, {"mutable", g.is_mutable}});
  nlohmann::json data = nlohmann::json::array();
  for (const DataSegmentInfo& d : m.data_segments) {
    data.push_back({{"index", d.index}, {"passive", d.passive}, {"size", d.size}});
  }
  return {
      {"size", m.size_bytes},
      {"sections", sections},
      {"imports", imports},
      {"exports", exports},
      {"functions", m.function_count},
      {"memories", memories},
      {"tables", tables},
      {"globals", globals},
      {"start", m.start_function ? nlohmann::json(*m.start_function) : nlohmann::json(nullptr)},
      {"custom_sections", customs},
      {"data_segments", data},
      {"features", m.features_used.Names()},
  };
}

std::string LimitsText(const Limits& l, std::string_view unit) {
  std::string out = fmt::format("initial {} {}", l.initial, unit);
  out += l.max ? fmt::format(", max {} {}", *l.max, unit) : std::string(", no max");
  if (l.shared) out += ", shared";
  if (l.is_64) out += ", 64-bit";
  return out;
}

void PrintModule(const std::string& path, const ModuleInfo& m) {
  fmt::print("{}: WebAssembly module, {} bytes\n", path, m.size_bytes);
  fmt::print("\nsections ({}):\n", m.sections.size());
  fmt::print("  {:>2}  {:<20} {:>10} {:>10}\n", "id", "name", "offset", "size");
  for (const SectionInfo& s : m.sections) {
    std::string name = s.custom ? fmt::format("\"{}\"", s.name) : s.name;
    fmt::print("  {:>2}  {:<20} {:>#10x} {:>10}\n", s.id, name, s.offset, s.size);
  }
  fmt::print("\nimports ({}):\n", m.imports.size());
  for (const ImportInfo& i : m.imports) {
    std::string detail = i.kind == ExternKind::kFunc ? i.signature.ToString()
                       : i.kind == ExternKind::kMemory ? LimitsText(i.limits, "pages")
                       : i.kind == ExternKind::kTable ? LimitsText(i.limits, "elements")
                       : i.kind == ExternKind::kGlobal ? (i.global.is_mutable ? "mut " : "") + i.global.type
                       : std::string();
    fmt::print("  {:<32} {:<6} {}\n", i.QualifiedName(), ExternKindName(i.kind), detail);
  }
  fmt::print("\nexports ({}):\n", m.exports.size());
  for (const ExportInfo& e : m.exports) {
    std::string detail = e.kind == ExternKind::kFunc ? e.signature.ToString() : fmt::format("index {}", e.index);
    fmt::print("  {:<32} {:<6} {}\n", e.name, ExternKindName(e.kind), detail);
  }
  fmt::print("\nfunctions: {} defined\n", m.function_count);
  fmt::print("memories ({}):\n", m.memories.size());
  for (size_t i = 0; i < m.memories.size(); ++i) fmt::print("  [{}] {}\n", i, LimitsText(m.memories[i], "pages"));
  fmt::print("tables ({}):\n", m.tables.size());
  for (size_t i = 0; i < m.tables.size(); ++i) {
    fmt::print("  [{}] {} {}\n", i, m.tables[i].element_type, LimitsText(m.tables[i].limits, "elements"));
  }
  fmt::print("globals ({}):\n", m.globals.size());
  for (size_t i = 0; i < m.globals.size(); ++i) {
    fmt::print("  [{}] {}{}\n", i, m.globals[i].is_mutable ? "mut " : "", m.globals[i].type);
  }
  fmt::print("start function: {}\n", m.start_function ? std::to_string(*m.start_function) : "none");
  fmt::print("data segments ({}):\n", m.data_segments.size());
  for (const DataSegmentInfo& d : m.data_segments) {
    fmt::print("  [{}] {}, {} bytes\n", d.index, d.passive ? "passive" : "active", d.size);
  }
  std::vector<std::string> features = m.features_used.Names();
  fmt::print("features: {}\n", features.empty() ? "none beyond the MVP" : fmt::format("{}", fmt::join(features, ", ")));
}

// ---- dispatch by file kind ---------------------------------------------------

struct FileKind {
  std::string_view name;
  std::string_view magic;
};
constexpr FileKind kWasmModule{"module", std::string_view("\0asm", 4)};
constexpr FileKind kBundle{"bundle", std::string_view(WASMIOT_BUNDLE_MAGIC, 8)};

int RunInspect(const InspectOptions& options) {
  Diagnostics diagnostics;
  nlohmann::json body;
  std::string kind;
  std::optional<ModuleInfo> module;
  std::optional<wasmiot_bundle_header> bundle;

  Result<Bytes> bytes = ReadInput(options.path, kMaxModuleFileBytes, "input-too-large", diagnostics);
  if (!bytes) {
    // ReadInput reported it.
  } else if (bytes->size() >= 4 && std::memcmp(bytes->data(), kWasmModule.magic.data(), 4) == 0) {
    kind = kWasmModule.name;
    Result<ModuleInfo> m = ReadModule(*bytes, options.path, diagnostics);
    if (m) module = std::move(m).value();
  } else if (bytes->size() >= 8 && std::memcmp(bytes->data(), kBundle.magic.data(), 8) == 0) {
    // Describes the header as written; `wasmiot verify` decides whether to trust it.
    kind = kBundle.name;
    wasmiot_bundle_header h{};
    wasmiot_bundle_result r = wasmiot_bundle_parse_header(bytes->data(), bytes->size(), &h);
    if (r == WASMIOT_BUNDLE_OK) {
      bundle = h;
    } else {
      diagnostics.AddError(std::string("bundle-") + wasmiot_bundle_result_name(r), options.path,
                           BundleRefusal(r, h, wasmiot_device_policy{}));
    }
  } else {
    Diagnostic& d = diagnostics.AddError("unknown-file-kind", options.path,
                                         "neither a WebAssembly module nor a wasmiot bundle (unknown magic number)");
    d.offset = 0;
  }
  int exit_code = ExitCodeFor(diagnostics);

  if (options.common.json) {
    nlohmann::json doc = JsonDocument("inspect", exit_code, diagnostics);
    doc["file"] = options.path;
    doc["kind"] = kind.empty() ? nlohmann::json(nullptr) : nlohmann::json(kind);
    if (module) doc["module"] = ModuleJson(*module);
    if (bundle) doc["bundle"] = BundleHeaderJson(*bundle);
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (module) PrintModule(options.path, *module);
  if (bundle) PrintBundleHeader(options.path, *bundle);
  return exit_code;
}

}  // namespace

void RegisterInspectCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand("inspect", "Describe a module or a bundle");
  cmd->add_option("file", options->path, "The file to describe")->required();
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Describe FILE. For a WebAssembly module: size by section, imports, exports, memories,\n"
      "tables, globals, start function, custom sections, data segment sizes, and the post-MVP\n"
      "features the module needs. The module is validated first; an invalid one is reported.\n"
      "For a bundle: its signed header as written (kind, target, version, sequence, device,\n"
      "chunks, budgets, key id); 'wasmiot verify' decides whether to trust it."
      "\n\n"
      "Examples:\n"
      "  wasmiot inspect thermostat.wasm\n"
      "  wasmiot inspect thermostat.wasm --json | jq '.module.sections'\n"
      "\n"
      "Exit status: 0 described, 1 not a valid module or bundle, 2 usage error, 3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunInspect(*options); });
}

}  // namespace wasmiot::tool
