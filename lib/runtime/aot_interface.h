// What the host AOT engine needs of a prepared module to instantiate its
// compiled code: its imports and exports with their types, whether it has a
// start function, and memory 0's size on the device. Kept beside the compiled
// code in the AOT cache, so a cached start reads neither the module nor its
// instrumented copy (runtime/aot_engine.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "module/module_info.h"
#include "support/result.h"

namespace wasmiot {

struct AotInterface {
  std::vector<ImportInfo> imports;  // module, name, kind, and a function's signature
  std::vector<ExportInfo> exports;  // name, kind, and a function's signature
  bool has_start = false;           // exports kStartExport (runtime/metering.h)
  std::optional<uint64_t> memory_bytes;  // PreparedModule::memory_bytes
  std::string library;              // the compiled code's folder in the cache (its name)
};

AotInterface InterfaceOf(const ModuleInfo& info);

// A text of lines, names in hex; Parse refuses anything else it did not write.
std::string SerializeInterface(const AotInterface& interface);
Result<AotInterface> ParseInterface(const std::string& text);

}  // namespace wasmiot
