// Signed bundles (format v2, lib/device/wasmiot_bundle.h, docs/bundle.md): the
// host side builds and signs them; verification is the device's own C code,
// run with a libsodium backend, so the tool checks exactly as firmware does.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <string>
#include <vector>

#include "keys/keys.h"
#include "manifest/manifest.h"
#include "wasmiot_bundle.h"

namespace wasmiot {

struct SemanticVersion {
  uint16_t major = 0, minor = 0, patch = 0;
  std::string ToString() const;
};
// "1.2.3", each part at most 65535.
Result<SemanticVersion> ParseSemanticVersion(const std::string& text);

struct BundleSpec {
  Bytes payload;
  int kind = WASMIOT_PAYLOAD_WASM;
  std::string target;  // AOT only: a name wasmiot_target_name() knows
  uint64_t sequence = 0;
  SemanticVersion version;
  const Manifest* manifest = nullptr;  // identity and budgets
  Sha256 manifest_digest{};
  Sha256 module_digest{};  // AOT: the wasm module it was compiled from (wasm: the payload's own)
  uint32_t chunk_size = WASMIOT_BUNDLE_DEFAULT_CHUNK_SIZE;
  bool allow_huge_sequence = false;  // above WASMIOT_BUNDLE_MAX_PLAIN_SEQUENCE
};

// Sequence numbers start at 1; above WASMIOT_BUNDLE_MAX_PLAIN_SEQUENCE only
// when allowed, since a device that installs 2^64-1 can never be updated again.
Status CheckSequence(uint64_t sequence, bool allow_huge);

using DeviceId = std::array<uint8_t, WASMIOT_DEVICE_ID_SIZE>;
// The 16-byte id a bundle names its device by (wasmiot_device_id).
DeviceId DeviceIdOf(const DeviceIdentity& device);

// The WASMIOT_TARGET_* id of a target name, 0 if there is none.
uint8_t TargetId(std::string_view name);

// The chunk table of `payload`: a truncated SHA-256 per chunk.
Bytes ChunkTable(const Bytes& payload, uint32_t chunk_size);

// Deterministic: the same spec and key give the same bytes (Ed25519 is).
Result<Bytes> BuildBundle(const BundleSpec& spec, const SecretKey& key);

}  // namespace wasmiot
