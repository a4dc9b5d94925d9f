// wasm2c's (wabt 1.0.32) C names, which the runtime's AOT bridge and the
// firmware glue of `wasmiot gen host --lang wasm2c` both have to spell.
#pragma once

#include <string>
#include <string_view>

namespace wasmiot {

// "Z_" then the name with every byte other than [A-Za-z0-9_] (and 'Z'
// itself) as "Z" + two hex digits: "env" -> "Z_env", "Zone" -> "Z_Z5Aone".
// An import is Z_<module>Z_<field> with both parts mangled alone ("Z_envZ_log").
std::string MangleForWasm2c(std::string_view name);

}  // namespace wasmiot
