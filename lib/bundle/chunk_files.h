// `wasmiot chunk`: a signed bundle sliced into OTA frames and written as a
// folder of numbered chunk files, a stream file, or both; a folder appears
// (or is replaced) whole, so it never holds frames of two bundles.
#pragma once

#include <cstdint>
#include <string>

#include "support/diagnostics.h"
#include "support/result.h"
#include "wasmiot_chunks.h"

namespace wasmiot {

inline constexpr uint64_t kMaxChunkedBundleBytes = 64u << 20;

struct ChunkRequest {
  std::string bundle_path;
  std::string output_dir;   // "": no folder
  std::string stream_path;  // "": no stream file
  bool replace_chunks = false;  // an output folder holding chunk files only may be replaced
  // How the caller names its inputs and the replacing, for diagnostics.
  std::string bundle_name = "the bundle";
  std::string output_name = "the output folder";
  std::string stream_name = "the stream file";
  std::string replace_hint = "ask to replace them";
};

struct ChunkReport {
  std::string bundle_id;  // hex
  uint64_t frames = 0;
  uint32_t table_parts = 0;
  uint32_t chunks = 0;
  uint32_t chunk_size = 0;
  uint64_t payload_bytes = 0;
  uint64_t stream_bytes = 0;  // all frames together
  uint64_t overhead_bytes = 0;
  double overhead_percent = 0;
  double per_chunk_overhead_percent = 0;  // frame header and table entry per full chunk
};

// Codes: usage, output-exists, bundle-too-large, bundle-malformed, io-error,
// internal-error; nothing is written unless every frame can be.
Result<ChunkReport> WriteChunks(const ChunkRequest& request, Diagnostics& diagnostics);

}  // namespace wasmiot
