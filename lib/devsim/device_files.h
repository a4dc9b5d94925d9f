// `wasmiot device`: one command on a state file. Each reads the state (every
// field checked), powers the simulated device on, does its one thing through
// the device library's C, and writes the state back atomically: what the
// flash kept, also when the power was cut (`fail_at`). docs/slots.md.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devsim/device_boot.h"
#include "devsim/device_install.h"
#include "devsim/device_state.h"
#include "devsim/device_status.h"
#include "support/diagnostics.h"

namespace wasmiot {

struct DeviceInitRequest {
  std::string state_path;     // made; never replaced
  std::string manifest_path;  // its bytes are kept in the state
  std::vector<std::array<uint8_t, 32>> keys;
  FlashGeometry geometry;     // size 0: DefaultFlashSize
  uint64_t counter = 0;       // the anti-rollback counter to start from
};

// Two metadata sectors and two slots, each room for four times the
// manifest's max_module_bytes (at least 64 KiB: AOT code is larger than its
// wasm) plus a sector for the bundle's header and chunk table.
uint64_t DefaultFlashSize(const Manifest& manifest, uint32_t sector_size);

struct DeviceRequest {
  std::string state_path;
  std::optional<uint64_t> fail_at;  // cut the power at this flash operation (from 1)
  std::string frames_path;          // install: a chunk folder or stream
  std::string scenario_path;        // boot: a scenario instead of the periodic calls
  uint32_t periodic_calls = 3;      // boot
};

// What a command did, and the device afterwards.
struct DeviceReport {
  std::shared_ptr<const Manifest> manifest;  // the device's, once the state was read
  FlashGeometry geometry;
  size_t keys = 0;
  std::optional<DeviceStatus> status;    // after the command (none after a failed read)
  std::optional<InstallOutcome> install;
  std::optional<BootOutcome> boot;
  std::optional<DecisionOutcome> decision;  // confirm or revert
  FlashRun flash;  // what the command did to the flash
  bool saved = false;  // the state file was written
};

// Codes: device-state-exists, device-geometry, manifest errors, io-error.
DeviceReport InitDeviceFile(const DeviceInitRequest& request, Diagnostics& diagnostics);
// Codes of every command: device-state-invalid, io-error, power-cut (a warning).
DeviceReport DeviceStatusFile(const DeviceRequest& request, Diagnostics& diagnostics);
// Also install-refused, install-rollback, install-incomplete, install-storage-error,
// and those of reading frames.
DeviceReport InstallDeviceFile(const DeviceRequest& request, Diagnostics& diagnostics);
// Also boot-recovered (warning), boot-reverted, no-module, and those of reading a scenario.
DeviceReport BootDeviceFile(const DeviceRequest& request, Diagnostics& diagnostics);
// Also nothing-pending, confirm-refused.
DeviceReport ConfirmDeviceFile(const DeviceRequest& request, Diagnostics& diagnostics);
DeviceReport RevertDeviceFile(const DeviceRequest& request, Diagnostics& diagnostics);

}  // namespace wasmiot
