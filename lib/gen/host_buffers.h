// The host wrappers' handling of buffer arguments (manifest "host_buffers"),
// shared by the WAMR and wasm2c generators.
#pragma once

#include <string>
#include <vector>

#include "gen/gen_common.h"

namespace wasmiot::gen {

// ---- Buffer arguments of exports (manifest "host_buffers", docs/gen.md)
//
// With host_buffers, a host wrapper wasmiot_call_<export> of an export taking
// a buffer takes host memory: it places each buffer in the module's memory
// (the reserved region, or the module's allocator), copies it in (zeros for
// one the module only writes), calls wasmiot_raw_<export> (the wrapper of
// guest addresses, static) and on WASMIOT_OK copies back what the module wrote.

// True if the manifest has host_buffers and the export takes a buffer.
bool TakesHostBuffers(const Manifest& manifest, const Signature& signature);

// WASMIOT_HOST_BUFFERS_ADDRESS and _BYTES for a reserved region, else "".
std::string HostBufferDefines(const Manifest& manifest);

// The convention, for the header's comment on the export wrappers (nothing
// without host_buffers), and a wrapper's lines on its buffers.
std::vector<std::string> HostBufferConventionDoc(const Manifest& manifest);
std::vector<std::string> HostBufferParamDoc(const Signature& signature);

// The header's declaration of every export wrapper, each with its doc comment:
// `wasmiot_status wasmiot_call_<export>(<first>, ...)`.
std::string ExportWrapperDeclarations(const Manifest& manifest, const Names& names, const std::string& first);

// What the wrappers' shared C needs of a runtime.
struct HostCallContext {
  std::string param;  // the wrappers' first parameter: "wasm_exec_env_t exec_env"
  std::string arg;    // it, as an argument: "exec_env"
  // C defining `static bool wasmiot_guest_range(<param>, uint32_t address,
  // uint32_t length, uint8_t** native)`: whether the range lies inside the
  // module's memory, and where it is now.
  std::string guest_range;
};

// The static C every such wrapper uses (after wasmiot_status_name), or ""
// when no export takes a buffer.
std::string HostBufferSupport(const Manifest& manifest, const Names& names, const HostCallContext& context);

// The public wrapper of an export taking buffers; `missing` is a C condition,
// true when the module lacks the export.
std::string HostBufferWrapper(const ExportNames& e, const HostCallContext& context, const std::string& missing);

}  // namespace wasmiot::gen
