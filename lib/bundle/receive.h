// What a device does with an update, run on the host with the device
// library's own C code: verify a whole bundle (`wasmiot verify`), or feed
// chunk frames to the receiver and keep the payload only once it is verified
// (`wasmiot assemble`), resuming from a stored slot.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bundle/chunks.h"
#include "bundle/device_policy.h"
#include "support/diagnostics.h"
#include "support/file_io.h"

namespace wasmiot {

struct VerifyOutcome {
  wasmiot_bundle_result result = WASMIOT_BUNDLE_OK;
  std::optional<wasmiot_bundle_header> header;  // when verified
};

// Codes: bundle-<result> (its refusal in words), bundle-too-large, io-error.
VerifyOutcome VerifyBundleFile(const std::string& path, const DevicePolicy& device, Diagnostics& diagnostics);

struct AssembleRequest {
  std::string input_path;   // a folder of .chunk files or a stream file
  std::string output_path;  // written only with a verified payload
  std::string slot_path;    // "": storage in memory only; else kept in this file between runs
  std::string base_path;    // a delta bundle's base: the bundle whose payload the device runs ("": none)
  std::vector<NamedInput> inputs;  // more files neither output may replace (keys, say); the input always
  // How the caller names its input and outputs, for diagnostics.
  std::string input_name = "the input";
  std::string output_name = "the output";
  std::string slot_name = "the slot";
  std::string base_name = "the base";
};

struct AssembleOutcome {
  size_t frames = 0;
  std::optional<AssembleReport> report;  // when the frames were fed
  std::string resumed;                   // what resuming from the slot found ("" without one)
  std::optional<wasmiot_bundle_header> header;  // of the bundle a session took
  bool complete = false;                 // the payload is verified and written
};

// Codes: chunk-<result> warnings for frames not taken, bundle-<result> for a
// refused header, chunks-incomplete, a chunks-saved note, slot-too-large,
// io-error, and those of reading frames. An encoded bundle's payload is
// written decoded: a delta's needs base_path (assemble-needs-base), and one
// that does not decode from it is assemble-decode-failed.
AssembleOutcome AssembleFiles(const AssembleRequest& request, const DevicePolicy& device, Diagnostics& diagnostics);

}  // namespace wasmiot
