#include "manifest/manifest.h"

#include "json/json_walker.h"
#include "manifest/enum_names.h"
#include "wasmiot_bundle.h"

namespace wasmiot {

using json_walker::EnumName;
using namespace manifest_enums;

std::string_view BufferAccessName(BufferAccess access) { return EnumName(kAccesses, access); }
std::string_view SimKindName(SimKind kind) { return EnumName(kSimKinds, kind); }
std::string_view ClockUnitName(ClockUnit unit) { return EnumName(kClockUnits, unit); }
std::string_view ExportKindName(ExportKind kind) { return EnumName(kExportKinds, kind); }
std::string_view DeviceRuntimeName(DeviceRuntime runtime) { return EnumName(kDeviceRuntimes, runtime); }

std::optional<std::vector<uint32_t>> PlaceInReservedRegion(const HostBuffers& region,
                                                            const std::vector<uint32_t>& lengths) {
  std::vector<uint32_t> out;
  uint64_t offset = 0;
  for (uint32_t length : lengths) {
    offset = (offset + 7) / 8 * 8;
    if (length > region.bytes || offset > region.bytes - length) return std::nullopt;
    out.push_back(static_cast<uint32_t>(region.address + offset));
    offset += length;
  }
  return out;
}

std::vector<ValueType> Signature::WasmParams() const {
  std::vector<ValueType> out;
  for (const Param& p : params) {
    out.push_back(p.type);
    if (p.is_pointer) out.push_back(ValueType::kI32);
  }
  return out;
}

bool Signature::TakesBuffers() const {
  for (const Param& p : params) {
    if (p.is_pointer) return true;
  }
  return false;
}

std::vector<ValueType> Signature::WasmResults() const {
  std::vector<ValueType> out;
  for (const NamedResult& r : results) out.push_back(r.type);
  return out;
}

std::string FormatTypes(const std::vector<ValueType>& types) {
  std::string out = "(";
  for (size_t i = 0; i < types.size(); ++i) {
    if (i) out += ", ";
    out += ValueTypeName(types[i]);
  }
  return out + ")";
}

std::string FormatSignature(const std::vector<ValueType>& params,
                            const std::vector<ValueType>& results) {
  return FormatTypes(params) + " -> " + FormatTypes(results);
}

const HostFunction* Manifest::FindHostFunction(std::string_view module, std::string_view name) const {
  for (const HostFunction& f : host_functions) {
    if (f.module == module && f.name == name) return &f;
  }
  return nullptr;
}

const ExportSpec* Manifest::FindExport(std::string_view name) const {
  for (const ExportSpec& e : exports) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const std::vector<std::string_view>& KnownAotTargetNames() {
  // The device library's one list of target ids and names (wasmiot_bundle.h),
  // in id order: the same names lib/aot compiles for.
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (unsigned id = 1; id < 256; ++id) {
      if (const char* name = wasmiot_target_name(static_cast<uint8_t>(id))) out.push_back(name);
    }
    return out;
  }();
  return names;
}

}  // namespace wasmiot
