// Sources `wasmiot aot` writes next to the generated C, embedded at build time
// (see lib/CMakeLists.txt) so the tool ships exactly the files firmware links:
// wabt's wasm-rt.h and Linux runtime, and wasmiot's static bare-metal runtime.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wasmiot {

extern const std::string_view kWasmRtHeader;         // wabt: wasm-rt.h
extern const std::string_view kWasmRtImplSource;     // wabt: wasm-rt-impl.c
extern const std::string_view kWasmRtImplHeader;     // wabt: wasm-rt-impl.h
// SHA-256 of the three above (as patched), computed at build time: the host
// AOT cache's key names the runtime without hashing 60 KB at every start.
extern const std::string_view kWasmRtDigest;
extern const std::string_view kStaticRuntimeSource;  // lib/device/wasmiot_rt_static.c
extern const std::string_view kStaticRuntimeHeader;  // lib/device/wasmiot_rt_static.h

// lib/device/freestanding/*.h, for targets without a C library: {file, text}.
const std::vector<std::pair<std::string, std::string_view>>& FreestandingHeaders();

}  // namespace wasmiot
