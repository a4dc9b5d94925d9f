#include "devsim/device_state.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "manifest/manifest.h"
#include "support/text.h"

namespace wasmiot {
namespace {

void PutU32(Bytes& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint32_t GetU32(const Bytes& in, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(in[at + i]) << (8 * i);
  return v;
}

bool PowerOfTwo(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

std::optional<GeometryProblem> CheckGeometry(const FlashGeometry& g) {
  if (!PowerOfTwo(g.sector_size) || g.sector_size < 256 || g.sector_size > 65536) {
    return GeometryProblem{GeometryProblem::kSector, fmt::format("sector size {}: a power of two from 256 to 65536", g.sector_size)};
  }
  if (!PowerOfTwo(g.write_size) || g.write_size > WASMIOT_SLOTS_RECORD_SIZE) {
    return GeometryProblem{GeometryProblem::kWrite,
                           fmt::format("write unit {}: a power of two from 1 to {}", g.write_size, WASMIOT_SLOTS_RECORD_SIZE)};
  }
  if (g.size > kMaxSimulatedFlash || g.size % g.sector_size != 0 || g.size / g.sector_size < 4) {
    return GeometryProblem{GeometryProblem::kSize, fmt::format("flash size {}: whole sectors, at least 4 of them, at most {}",
                                                               g.size, kMaxSimulatedFlash)};
  }
  return std::nullopt;
}

PowerOn::PowerOn(DeviceState& state, std::optional<uint64_t> fail_at)
    : state_(state), flash_(state.geometry, state.flash) {
  flash_.CutPowerAt(fail_at);
}

Status PowerOn::OpenSlots() {
  if (wasmiot_slots_open(&slots_, &flash_.flash()) == WASMIOT_SLOTS_OK) return Ok{};
  return Error{ErrorKind::kInvalidInput, "the flash holds no slot metadata: make the state with `wasmiot device init`"};
}

FlashRun PowerOn::Save() {
  state_.flash = flash_.contents();
  return FlashRun{!flash_.powered(), flash_.operations(), flash_.misuse()};
}

Bytes EncodeDeviceState(const DeviceState& state) {
  Bytes out(kDeviceStateMagic, kDeviceStateMagic + 8);
  PutU32(out, kDeviceStateVersion);
  PutU32(out, state.geometry.size);
  PutU32(out, state.geometry.sector_size);
  PutU32(out, state.geometry.write_size);
  PutU32(out, static_cast<uint32_t>(state.manifest_text.size()));
  PutU32(out, static_cast<uint32_t>(state.keys.size()));
  out.insert(out.end(), state.manifest_text.begin(), state.manifest_text.end());
  for (const auto& key : state.keys) out.insert(out.end(), key.begin(), key.end());
  out.insert(out.end(), state.flash.begin(), state.flash.end());
  return out;
}

Result<DeviceState> DecodeDeviceState(const Bytes& file, const std::string& path, Diagnostics& diagnostics) {
  auto refuse = [&](uint64_t offset, std::string message) -> Result<DeviceState> {
    diagnostics.AddError("device-state-invalid", path, std::move(message)).offset = offset;
    return Error{ErrorKind::kInvalidInput, "invalid device state"};
  };
  if (file.size() < kDeviceStateHeaderBytes) {
    return refuse(file.size(), fmt::format("{}, shorter than the {}-byte header of a device state (made by `wasmiot "
                                           "device init`)", Plural(file.size(), "byte"), kDeviceStateHeaderBytes));
  }
  if (std::memcmp(file.data(), kDeviceStateMagic, 8) != 0) {
    return refuse(0, "not a device state: it does not start with \"WIOTDEV1\" (make one with `wasmiot device init`)");
  }
  if (GetU32(file, 8) != kDeviceStateVersion) {
    return refuse(8, fmt::format("device state version {}: this wasmiot reads version {}", GetU32(file, 8),
                                 kDeviceStateVersion));
  }
  DeviceState state;
  state.geometry = {GetU32(file, 12), GetU32(file, 16), GetU32(file, 20)};
  if (std::optional<GeometryProblem> p = CheckGeometry(state.geometry)) {
    return refuse(p->field == GeometryProblem::kSize ? 12 : p->field == GeometryProblem::kSector ? 16 : 20, p->message);
  }
  const uint32_t manifest_bytes = GetU32(file, 24), keys = GetU32(file, 28);
  if (manifest_bytes > kMaxManifestBytes) {
    return refuse(24, fmt::format("a manifest of {}, over the {} a manifest may have", Plural(manifest_bytes, "byte"),
                                  kMaxManifestBytes));
  }
  if (keys == 0 || keys > kMaxDeviceKeys) return refuse(28, fmt::format("{} public keys: 1 to {}", keys, kMaxDeviceKeys));
  const uint64_t expected = uint64_t{kDeviceStateHeaderBytes} + manifest_bytes + uint64_t{keys} * 32 + state.geometry.size;
  if (file.size() != expected) {
    return refuse(std::min<uint64_t>(file.size(), expected),
                  fmt::format("{}, where its fields make {}: {}", Plural(file.size(), "byte"), Plural(expected, "byte"),
                              file.size() < expected ? "cut short" : "more after the flash"));
  }
  size_t at = kDeviceStateHeaderBytes;
  state.manifest_text.assign(file.begin() + static_cast<std::ptrdiff_t>(at),
                             file.begin() + static_cast<std::ptrdiff_t>(at + manifest_bytes));
  at += manifest_bytes;
  for (uint32_t k = 0; k < keys; ++k, at += 32) {
    std::array<uint8_t, 32> key{};
    std::copy_n(file.begin() + static_cast<std::ptrdiff_t>(at), 32, key.begin());
    state.keys.push_back(key);
  }
  state.flash.assign(file.begin() + static_cast<std::ptrdiff_t>(at), file.end());
  return state;
}

}  // namespace wasmiot
