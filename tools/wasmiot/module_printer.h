// One description of a module (sections, imports, exports, memories, tables,
// globals, custom sections, data segments, features), as text or JSON
// (inspect).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "module/module_info.h"

namespace wasmiot::tool {

nlohmann::json ModuleJson(const ModuleInfo& module);
void PrintModule(const std::string& path, const ModuleInfo& module);

}  // namespace wasmiot::tool
