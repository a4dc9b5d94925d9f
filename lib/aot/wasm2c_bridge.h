// wasm2c, in process: the C source and header for a validated module.
#pragma once

#include <string>

#include "support/file_io.h"
#include "support/result.h"

namespace wasmiot {

struct GeneratedC {
  std::string source;
  std::string header;
};

// `module_name` is a C identifier: symbols are Z_<name>Z_<export>, the
// instance type Z_<name>_instance_t, and the header is included as `header_name`.
Result<GeneratedC> GenerateC(const Bytes& wasm, const std::string& module_name,
                             const std::string& header_name);

}  // namespace wasmiot
