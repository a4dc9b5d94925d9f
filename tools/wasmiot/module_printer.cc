#include "module_printer.h"

#include <fmt/format.h>

#include "output.h"

namespace wasmiot::tool {
namespace {

nlohmann::json LimitsJson(const Limits& l) {
  nlohmann::json j = {{"initial", l.initial}, {"shared", l.shared}, {"is_64", l.is_64}};
  j["max"] = l.max ? nlohmann::json(*l.max) : nlohmann::json(nullptr);
  return j;
}

// Types by name: a WasmType given to nlohmann::json would become its number.
nlohmann::json TypesJson(const std::vector<WasmType>& types) {
  nlohmann::json out = nlohmann::json::array();
  for (WasmType t : types) out.push_back(WasmTypeName(t));
  return out;
}

nlohmann::json SignatureJson(const FuncSignature& s) {
  return {{"params", TypesJson(s.params)}, {"results", TypesJson(s.results)}};
}

std::string LimitsText(const Limits& l, std::string_view unit) {
  std::string out = "initial " + Plural(l.initial, unit);
  out += l.max ? ", max " + Plural(*l.max, unit) : std::string(", no max");
  if (l.shared) out += ", shared";
  if (l.is_64) out += ", 64-bit";
  return out;
}

}  // namespace

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
    if (i.kind == ExternKind::kGlobal) j["global"] = {{"type", WasmTypeName(i.global.type)}, {"mutable", i.global.is_mutable}};
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
  for (const TableInfo& t : m.tables) tables.push_back({{"element_type", WasmTypeName(t.element_type)}, {"limits", LimitsJson(t.limits)}});
  nlohmann::json globals = nlohmann::json::array();
  for (const GlobalInfo& g : m.globals) globals.push_back({{"type", WasmTypeName(g.type)}, {"mutable", g.is_mutable}});
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

// `unit` in the singular: "page", "element".
void PrintModule(const std::string& path, const ModuleInfo& m) {
  Print("{}: WebAssembly module, {}\n", path, Plural(m.size_bytes, "byte"));
  Print("\nsections ({}):\n", m.sections.size());
  Print("  {:>2}  {:<20} {:>10} {:>10}\n", "id", "name", "offset", "size");
  for (const SectionInfo& s : m.sections) {
    std::string name = s.custom ? fmt::format("\"{}\"", s.name) : s.name;
    Print("  {:>2}  {:<20} {:>#10x} {:>10}\n", s.id, name, s.offset, s.size);
  }
  Print("\nimports ({}):\n", m.imports.size());
  for (const ImportInfo& i : m.imports) {
    std::string detail = i.kind == ExternKind::kFunc ? i.signature.ToString()
                       : i.kind == ExternKind::kMemory ? LimitsText(i.limits, "page")
                       : i.kind == ExternKind::kTable ? LimitsText(i.limits, "element")
                       : i.kind == ExternKind::kGlobal ? (i.global.is_mutable ? "mut " : "") + std::string(WasmTypeName(i.global.type))
                       : std::string();
    Print("  {:<32} {:<6} {}\n", i.QualifiedName(), ExternKindName(i.kind), detail);
  }
  Print("\nexports ({}):\n", m.exports.size());
  for (const ExportInfo& e : m.exports) {
    std::string detail = e.kind == ExternKind::kFunc ? e.signature.ToString() : fmt::format("index {}", e.index);
    Print("  {:<32} {:<6} {}\n", e.name, ExternKindName(e.kind), detail);
  }
  Print("\nfunctions: {} defined\n", m.function_count);
  Print("memories ({}):\n", m.memories.size());
  for (size_t i = 0; i < m.memories.size(); ++i) Print("  [{}] {}\n", i, LimitsText(m.memories[i], "page"));
  Print("tables ({}):\n", m.tables.size());
  for (size_t i = 0; i < m.tables.size(); ++i) {
    Print("  [{}] {} {}\n", i, WasmTypeName(m.tables[i].element_type), LimitsText(m.tables[i].limits, "element"));
  }
  Print("globals ({}):\n", m.globals.size());
  for (size_t i = 0; i < m.globals.size(); ++i) {
    Print("  [{}] {}{}\n", i, m.globals[i].is_mutable ? "mut " : "", WasmTypeName(m.globals[i].type));
  }
  Print("start function: {}\n", m.start_function ? std::to_string(*m.start_function) : "none");
  Print("data segments ({}):\n", m.data_segments.size());
  for (const DataSegmentInfo& d : m.data_segments) {
    Print("  [{}] {}, {}\n", d.index, d.passive ? "passive" : "active", Plural(d.size, "byte"));
  }
  std::vector<std::string> features = m.features_used.Names();
  Print("features: {}\n", features.empty() ? "none beyond the MVP" : fmt::format("{}", fmt::join(features, ", ")));
}

}  // namespace wasmiot::tool
