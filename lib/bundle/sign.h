// What `wasmiot sign` decides, as one library call: nothing is signed that
// fails check against the device; AOT code is what `wasmiot aot` makes of the
// module for a target the device lists (compiled here, and a given payload must
// be exactly that); the sequence number is one a device can still move past.
// Reads its input files; writes nothing but a scratch folder it removes.
#pragma once

#include <optional>
#include <string>

#include "bundle/bundle.h"
#include "manifest/manifest.h"
#include "support/diagnostics.h"

namespace wasmiot {

struct SignRequest {
  std::string module_path;
  const Manifest* manifest = nullptr;
  std::string manifest_path;  // its bytes are what the header's manifest digest covers
  SemanticVersion version;
  uint64_t sequence = 0;
  bool allow_huge_sequence = false;
  uint32_t chunk_size = WASMIOT_BUNDLE_DEFAULT_CHUNK_SIZE;
  // AOT code for `target` instead of the module ("" for a wasm bundle):
  std::string target;
  std::string module_name;   // the C name of its symbols ("" from module_path)
  std::string payload_path;  // a library `aot` wrote, held to what this compile makes ("" to use the compile)
  // The caller compiled payload_path itself, from this module with the device's
  // budget, in this process (`wasmiot build`): it is signed as it is, not compiled again.
  bool payload_compiled_by_caller = false;
  std::string scratch_beside;  // the compile's scratch folder goes beside this path
  // How the caller names these inputs, for the fixes diagnostics suggest.
  std::string payload_option = "a payload file";
  std::string chunk_size_option = "the chunk size";
};

struct SignedBundle {
  Bytes bytes;
  BundleSpec spec;  // what the header says (its payload included)
};

// Codes: check's and aot's, target-not-accepted, payload-not-from-module,
// payload-too-large, manifest-invalid, io-error.
Result<SignedBundle> SignModule(const SignRequest& request, const SecretKey& key, Diagnostics& diagnostics);

}  // namespace wasmiot
