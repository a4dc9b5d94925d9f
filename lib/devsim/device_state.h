// The simulated device's state file (`wasmiot device`, docs/slots.md "The
// state file"): the flash geometry, the manifest it was made for, its trusted
// public keys and the whole flash image, in one file. Every field is checked
// before anything is allocated from it.
//
//   0   8  magic "WIOTDEV1"
//   8   4  u32 format version 1
//  12   4  u32 flash size (at most kMaxSimulatedFlash)
//  16   4  u32 sector size
//  20   4  u32 write unit
//  24   4  u32 manifest bytes (at most kMaxManifestBytes)
//  28   4  u32 public keys (1 to kMaxDeviceKeys)
//  32      the manifest file's bytes, then 32 bytes per key, then the flash
// All little-endian; the file ends exactly after the flash.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "devsim/flash_model.h"
#include "manifest/manifest.h"
#include "support/diagnostics.h"
#include "support/file_io.h"
#include "support/result.h"

namespace wasmiot {

inline constexpr char kDeviceStateMagic[] = "WIOTDEV1";
inline constexpr uint32_t kDeviceStateVersion = 1;
inline constexpr uint32_t kDeviceStateHeaderBytes = 32;
inline constexpr uint32_t kMaxSimulatedFlash = 64u << 20;
inline constexpr uint32_t kMaxDeviceKeys = 8;

struct DeviceState {
  FlashGeometry geometry;
  std::string manifest_text;
  std::vector<std::array<uint8_t, 32>> keys;
  Bytes flash;  // geometry.size bytes
};

// A flash a state may have: sectors a power of two from 256 to 65536 bytes,
// write units a power of two up to a slot record (64), at least 4 sectors,
// at most kMaxSimulatedFlash. What is wrong, else nothing.
struct GeometryProblem {
  enum Field { kSize, kSector, kWrite } field;
  std::string message;
};
std::optional<GeometryProblem> CheckGeometry(const FlashGeometry& geometry);

// The largest state file: its header, a manifest, keys and flash at their limits.
inline constexpr uint64_t kMaxDeviceStateBytes =
    uint64_t{kDeviceStateHeaderBytes} + kMaxManifestBytes + kMaxDeviceKeys * 32 + kMaxSimulatedFlash;

Bytes EncodeDeviceState(const DeviceState& state);

// What one power-on did to the flash.
struct FlashRun {
  bool power_cut = false;   // the power went off (fail_at) before the end
  uint64_t operations = 0;  // writes and erases
  std::string misuse;       // a write the flash refused (over unerased bytes, misaligned): a bug; "" if none
};

// One power-on of the device: the flash model over the state's flash (the
// power cut at `fail_at`, counting from this power-on) and its slots, opened.
// Save() puts back what the flash kept.
class PowerOn {
 public:
  PowerOn(DeviceState& state, std::optional<uint64_t> fail_at);
  Status OpenSlots();  // an error: the flash holds no slot metadata
  FlashRun Save();
  FlashModel& flash() { return flash_; }
  wasmiot_slots& slots() { return slots_; }

 private:
  DeviceState& state_;
  FlashModel flash_;
  wasmiot_slots slots_{};
};

// Refused with `device-state-invalid` at the byte offset of the first field
// that is wrong: magic, version, a geometry wasmiot_slots cannot use, sizes
// past their limits or past the file, a file longer than its fields.
Result<DeviceState> DecodeDeviceState(const Bytes& file, const std::string& path, Diagnostics& diagnostics);

}  // namespace wasmiot
