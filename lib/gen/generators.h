// The four generators behind Generate (gen/gen.cc), each given the resolved names.
#pragma once

#include <vector>

#include "gen/gen_common.h"

namespace wasmiot::gen {

Result<std::vector<GeneratedFile>> GenerateGuestC(const GenRequest& request, const Names& names,
                                                  Diagnostics& diagnostics);
Result<std::vector<GeneratedFile>> GenerateGuestRust(const GenRequest& request, const Names& names,
                                                     Diagnostics& diagnostics);
Result<std::vector<GeneratedFile>> GenerateHostWamr(const GenRequest& request, const Names& names,
                                                    Diagnostics& diagnostics);
Result<std::vector<GeneratedFile>> GenerateHostWasm2c(const GenRequest& request, const Names& names,
                                                      Diagnostics& diagnostics);

}  // namespace wasmiot::gen
