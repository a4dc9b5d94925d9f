// The optimization levels `wasmiot opt -O` and a project's "opt_level" take:
// "0".."4", "s", "z" as in -O0..-O4, -Os, -Oz. One list for both.
#pragma once

#include <string_view>

namespace wasmiot {

inline constexpr std::string_view kOptLevels[] = {"0", "1", "2", "3", "4", "s", "z"};

}  // namespace wasmiot
