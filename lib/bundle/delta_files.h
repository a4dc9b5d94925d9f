// What `wasmiot delta` decides, as one library call: the plain bundle NEW
// encoded for the wire, compressed or as a delta from the payload OLD's
// device runs, signed again with the key NEW was signed with. Reads its input
// files, writes the output atomically, and never over an input.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bundle/encoded_bundle.h"
#include "support/diagnostics.h"
#include "support/file_io.h"

namespace wasmiot {

struct DeltaRequest {
  std::string old_path;  // "": compress NEW
  std::string new_path;
  std::string output_path;
  std::vector<NamedInput> inputs;  // more files the output may not replace (the key)
};

struct DeltaOutcome {
  std::optional<EncodedBundle> encoded;  // when written
  uint64_t plain_bytes = 0;              // NEW, as a file
  uint64_t plain_wire_bytes = 0, wire_bytes = 0;  // NEW and the output as OTA frames (docs/chunks.md)
};

// Codes: bundle-invalid (an input is not a sound bundle; OLD a delta itself),
// delta-mismatch (another device, kind or target), delta-not-newer, key-invalid
// (not NEW's key), bundle-too-large, io-error, usage (an output over an input).
DeltaOutcome EncodeBundleFiles(const DeltaRequest& request, const SecretKey& key, Diagnostics& diagnostics);

}  // namespace wasmiot
