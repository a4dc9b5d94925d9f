#include "module/module_info.h"

namespace wasmiot {

std::string_view ExternKindName(ExternKind kind) {
  switch (kind) {
    case ExternKind::kFunc: return "func";
    case ExternKind::kTable: return "table";
    case ExternKind::kMemory: return "memory";
    case ExternKind::kGlobal: return "global";
    case ExternKind::kTag: return "tag";
  }
  return "func";
}

std::string FuncSignature::ToString() const {
  return FormatTypeList(params) + " -> " + FormatTypeList(results);
}

const ExportInfo* ModuleInfo::FindExport(std::string_view name) const {
  for (const ExportInfo& e : exports) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

uint32_t ModuleInfo::FunctionImportCount() const {
  uint32_t n = 0;
  for (const ImportInfo& i : imports) n += i.kind == ExternKind::kFunc;
  return n;
}

uint32_t ModuleInfo::GlobalImportCount() const {
  uint32_t n = 0;
  for (const ImportInfo& i : imports) n += i.kind == ExternKind::kGlobal;
  return n;
}

std::optional<uint64_t> ModuleInfo::GlobalInitial(uint32_t index) const {
  uint32_t imported = GlobalImportCount();
  if (index < imported || index - imported >= globals.size()) return std::nullopt;
  return globals[index - imported].initial;
}

}  // namespace wasmiot
