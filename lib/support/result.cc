#include "support/result.h"

#include <cstdio>
#include <cstdlib>

namespace wasmiot::detail {

void ResultMisuse(const std::string& what) {
  std::fprintf(stderr, "wasmiot: internal error: %s\n", what.c_str());
  std::abort();
}

}  // namespace wasmiot::detail
