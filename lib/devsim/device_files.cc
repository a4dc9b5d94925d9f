#include "devsim/device_files.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "support/file_io.h"
#include "support/text.h"

namespace wasmiot {
namespace {

struct LoadedDevice {
  DeviceState state;
  Manifest manifest;
};

// The state file, read and checked, with the manifest it holds parsed.
std::optional<LoadedDevice> LoadDevice(const std::string& path, DeviceReport& report, Diagnostics& diagnostics) {
  Result<Bytes> file = ReadInput(path, kMaxDeviceStateBytes, "device-state-invalid", diagnostics);
  if (!file) return std::nullopt;
  Result<DeviceState> state = DecodeDeviceState(*file, path, diagnostics);
  if (!state) return std::nullopt;
  Diagnostics parsed;
  Result<Manifest> manifest = ParseManifest(state->manifest_text, path, parsed);
  if (!manifest) {
    std::string why = parsed.empty() ? manifest.error().message : parsed.list().front().message;
    diagnostics.AddError("device-state-invalid", path, "the manifest it holds does not parse: " + why).offset =
        kDeviceStateHeaderBytes;
    return std::nullopt;
  }
  report.manifest = std::make_shared<Manifest>(*manifest);
  report.geometry = state->geometry;
  report.keys = state->keys.size();
  return LoadedDevice{std::move(state).value(), std::move(manifest).value()};
}

void Save(const std::string& path, const DeviceState& state, DeviceReport& report, Diagnostics& diagnostics) {
  const Bytes bytes = EncodeDeviceState(state);
  if (Status written = WriteFileAtomically(path, bytes.data(), bytes.size()); !written) {
    diagnostics.AddError("io-error", path, written.error().message);
    return;
  }
  report.saved = true;
}

// After a command that powered the device on: the flash saved, a cut said,
// and the device as it now is.
void Finish(const std::string& path, LoadedDevice& device, const FlashRun& flash, DeviceReport& report,
            Diagnostics& diagnostics) {
  report.flash = flash;
  if (!flash.misuse.empty()) {
    diagnostics.AddError("internal-error", path, "the device library misused the flash: " + flash.misuse);
  }
  if (flash.operations > 0) Save(path, device.state, report, diagnostics);
  if (flash.power_cut) {
    diagnostics.Add(Severity::kWarning, "power-cut", path,
                    fmt::format("the power was cut at flash operation {}, as asked: the state keeps what the flash "
                                "kept; the next `wasmiot device` command powers the device on again",
                                flash.operations));
  }
  Result<DeviceStatus> status = ReadDeviceStatus(device.state, device.manifest);
  if (status) report.status = *status;
}

// A library error on the state (no slot metadata, say) as a diagnostic.
void AddStateError(const std::string& path, const Error& error, Diagnostics& diagnostics) {
  diagnostics.AddError("device-state-invalid", path, error.message);
}

std::string SlotAndSequence(uint8_t slot, uint64_t sequence) {
  return fmt::format("slot {} (sequence {})", SlotName(slot), sequence);
}

DeviceReport Decide(const DeviceRequest& request, bool confirm, Diagnostics& diagnostics) {
  DeviceReport report;
  std::optional<LoadedDevice> device = LoadDevice(request.state_path, report, diagnostics);
  if (!device) return report;
  Result<DecisionOutcome> decided = confirm ? ConfirmPending(device->state, device->manifest, request.fail_at)
                                            : RevertPending(device->state, request.fail_at);
  if (!decided) {
    AddStateError(request.state_path, decided.error(), diagnostics);
    return report;
  }
  report.decision = *decided;
  if (!decided->why.empty()) {
    const bool pending = decided->slot != WASMIOT_SLOT_NONE;
    diagnostics.AddError(pending ? "confirm-refused" : "nothing-pending", request.state_path, decided->why);
  }
  Finish(request.state_path, *device, decided->flash, report, diagnostics);
  return report;
}

}  // namespace

uint64_t DefaultFlashSize(const Manifest& manifest, uint32_t sector_size) {
  const uint64_t module = std::max<uint64_t>(manifest.budgets.max_module_bytes, 16u << 10);
  const uint64_t slot = (4 * module + sector_size + sector_size - 1) / sector_size * sector_size;
  return 2 * uint64_t{sector_size} + 2 * slot;
}

DeviceReport InitDeviceFile(const DeviceInitRequest& request, Diagnostics& diagnostics) {
  DeviceReport report;
  const std::string& path = request.state_path;
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    diagnostics.AddError("device-state-exists", path,
                         "already exists: `wasmiot device init` never replaces a device (remove the file, or name "
                         "another)");
    return report;
  }
  Result<Bytes> text = ReadInput(request.manifest_path, kMaxManifestBytes, "manifest-too-large", diagnostics);
  if (!text) return report;
  Result<Manifest> manifest = ParseManifest(std::string(text->begin(), text->end()), request.manifest_path, diagnostics);
  if (!manifest) return report;
  LoadedDevice device{DeviceState{}, std::move(manifest).value()};
  DeviceState& state = device.state;
  state.geometry = request.geometry;
  if (state.geometry.size == 0) {
    const uint64_t size = DefaultFlashSize(device.manifest, state.geometry.sector_size);
    state.geometry.size = static_cast<uint32_t>(std::min<uint64_t>(size, uint64_t{kMaxSimulatedFlash} + 1));
  }
  if (std::optional<GeometryProblem> problem = CheckGeometry(state.geometry)) {
    diagnostics.AddError("device-geometry", path, problem->message);
    return report;
  }
  if (state.geometry.write_size > WASMIOT_SLOT_STORAGE_MAX_WRITE_SIZE) {
    diagnostics.AddError("device-geometry", path,
                         fmt::format("write unit {}: the slot storage programs units of at most {} bytes",
                                     state.geometry.write_size, WASMIOT_SLOT_STORAGE_MAX_WRITE_SIZE));
    return report;
  }
  if (request.keys.empty() || request.keys.size() > kMaxDeviceKeys) {
    diagnostics.AddError("device-geometry", path, fmt::format("{} public keys: 1 to {}", request.keys.size(), kMaxDeviceKeys));
    return report;
  }
  state.manifest_text.assign(text->begin(), text->end());
  state.keys = request.keys;
  FlashModel flash(state.geometry);
  wasmiot_slots slots;
  wasmiot_slots_open(&slots, &flash.flash());
  if (wasmiot_slots_format(&slots, request.counter) != WASMIOT_SLOTS_OK) {
    diagnostics.AddError("internal-error", path, "formatting the slot metadata failed");
    return report;
  }
  state.flash = flash.contents();
  report.manifest = std::make_shared<Manifest>(device.manifest);
  report.geometry = state.geometry;
  report.keys = state.keys.size();
  report.flash.operations = flash.operations();
  Save(path, state, report, diagnostics);
  Result<DeviceStatus> status = ReadDeviceStatus(state, device.manifest);
  if (status) report.status = *status;
  return report;
}

DeviceReport DeviceStatusFile(const DeviceRequest& request, Diagnostics& diagnostics) {
  DeviceReport report;
  std::optional<LoadedDevice> device = LoadDevice(request.state_path, report, diagnostics);
  if (!device) return report;
  Result<DeviceStatus> status = ReadDeviceStatus(device->state, device->manifest);
  if (!status) {
    AddStateError(request.state_path, status.error(), diagnostics);
    return report;
  }
  report.status = *status;
  return report;
}

DeviceReport InstallDeviceFile(const DeviceRequest& request, Diagnostics& diagnostics) {
  DeviceReport report;
  const std::string& path = request.state_path;
  if (!RefuseOverwritingInputs(path, "STATE", false, {{"FRAMES", request.frames_path}}, diagnostics)) return report;
  std::optional<LoadedDevice> device = LoadDevice(path, report, diagnostics);
  if (!device) return report;
  std::vector<SourcedFrame> frames = ReadFrames(request.frames_path, diagnostics);
  if (diagnostics.HasErrors()) return report;
  Result<InstallOutcome> installed = InstallFrames(device->state, device->manifest, frames, request.fail_at);
  if (!installed) {
    AddStateError(path, installed.error(), diagnostics);
    return report;
  }
  const InstallOutcome& out = *installed;
  report.install = out;
  if (!out.flash.power_cut) {
    if (out.rollback || out.refusal == WASMIOT_BUNDLE_ROLLBACK) {
      diagnostics.AddError("install-rollback", request.frames_path,
                           fmt::format("the bundle's sequence{} is not above the device's counter {}: an update "
                                       "not newer than the confirmed one is never installed",
                                       out.rollback ? fmt::format(" {}", out.sequence) : "", out.counter));
    } else if (out.refusal != WASMIOT_BUNDLE_OK && !out.pending) {
      std::string_view fix = out.refusal == WASMIOT_BUNDLE_WRONG_BASE
                                 ? ": the delta was made from another payload than the active slot's; make it from "
                                   "the installed bundle, or send the full bundle"
                             : out.refusal == WASMIOT_BUNDLE_UNSUPPORTED_ENCODING
                                 ? ": the device runs no module yet, so it takes no delta; send the full bundle"
                                 : "";
      diagnostics.AddError("install-refused", request.frames_path,
                           fmt::format("the device refused the bundle's header: {}{}",
                                       wasmiot_bundle_result_name(out.refusal), fix));
    } else if (out.decoded && *out.decoded != WASMIOT_DELTA_OK) {
      diagnostics.AddError("install-decode-failed", request.frames_path,
                           fmt::format("the bundle came in whole, but decoding it into slot {} failed: {}; the slot "
                                       "is not made pending",
                                       SlotName(out.slot), wasmiot_delta_result_name(*out.decoded)));
    } else if (!out.pending && out.chunks > 0) {
      diagnostics.AddError("install-incomplete", request.frames_path,
                           fmt::format("{} of {} chunks are still missing: slot {} keeps the others; install the "
                                       "frames again (or the missing ones) to resume",
                                       out.missing_chunks, out.chunks, SlotName(out.slot)));
    } else if (!out.pending && out.receiver == WASMIOT_RX_STORAGE_ERROR) {
      diagnostics.AddError("install-storage-error", request.frames_path,
                           fmt::format("writing slot {} failed", SlotName(out.slot)));
    } else if (!out.pending) {
      diagnostics.AddError("install-incomplete", request.frames_path,
                           fmt::format("no bundle was received: the device's last answer was {}",
                                       wasmiot_rx_result_name(out.receiver)));
    }
  }
  Finish(path, *device, out.flash, report, diagnostics);
  return report;
}

DeviceReport BootDeviceFile(const DeviceRequest& request, Diagnostics& diagnostics) {
  DeviceReport report;
  const std::string& path = request.state_path;
  std::optional<Scenario> scenario;
  if (!request.scenario_path.empty()) {
    if (!RefuseOverwritingInputs(path, "STATE", false, {{"--scenario", request.scenario_path}}, diagnostics)) {
      return report;
    }
    Result<Scenario> loaded = LoadScenario(request.scenario_path, diagnostics);
    if (!loaded) return report;
    scenario = std::move(loaded).value();
  }
  std::optional<LoadedDevice> device = LoadDevice(path, report, diagnostics);
  if (!device) return report;
  BootOptions options;
  options.periodic_calls = request.periodic_calls;
  options.scenario = scenario ? &*scenario : nullptr;
  options.fail_at = request.fail_at;
  Result<BootOutcome> booted = BootDevice(device->state, device->manifest, options);
  if (!booted) {
    AddStateError(path, booted.error(), diagnostics);
    return report;
  }
  const BootOutcome& out = *booted;
  report.boot = out;
  if (out.recovered) {
    diagnostics.Add(Severity::kWarning, "boot-recovered", path,
                    "a test boot was cut short by a reset: its update was reverted, as one never confirmed");
  }
  if (!out.flash.power_cut) {
    if (out.reverted) {
      diagnostics.AddError("boot-reverted", path,
                           fmt::format("{} was reverted: {}", SlotAndSequence(out.tried_slot, out.tried_sequence), out.why));
    }
    if (out.running == WASMIOT_SLOT_NONE) {
      diagnostics.AddError("no-module", path,
                           out.reverted || out.why.empty()
                               ? "the device has no confirmed module to run: install one with `wasmiot device install`"
                               : "the device has no module to run: " + out.why);
    }
  }
  Finish(path, *device, out.flash, report, diagnostics);
  return report;
}

DeviceReport ConfirmDeviceFile(const DeviceRequest& request, Diagnostics& diagnostics) {
  return Decide(request, true, diagnostics);
}

DeviceReport RevertDeviceFile(const DeviceRequest& request, Diagnostics& diagnostics) {
  return Decide(request, false, diagnostics);
}

}  // namespace wasmiot
