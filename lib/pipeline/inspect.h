// `wasmiot inspect`: what a file is, by its magic number (a WebAssembly
// module, a signed bundle, a chunk stream, or a folder of chunk files), and
// what can be checked about it without a key or a device.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bundle/chunks.h"
#include "module/module_info.h"
#include "support/diagnostics.h"

namespace wasmiot {

inline constexpr std::string_view kInspectModule = "module";
inline constexpr std::string_view kInspectBundle = "bundle";
inline constexpr std::string_view kInspectChunkStream = "chunk-stream";
inline constexpr std::string_view kInspectChunkFolder = "chunk-folder";

struct Inspection {
  std::string kind;  // one of the kInspect* names; "" when unknown
  std::optional<ModuleInfo> module;
  std::optional<wasmiot_bundle_header> bundle;  // as written: no signature checked
  std::optional<StreamSummary> chunks;
};

// A bundle's header consistency, size, chunk table and payload are checked
// against its own digests (bundle-<result>); chunk problems a device would
// refuse are warnings (chunks-*). Codes besides: unknown-file-kind,
// input-too-large, chunks-malformed, and the module reader's.
Inspection InspectFile(const std::string& path, Diagnostics& diagnostics);

}  // namespace wasmiot
