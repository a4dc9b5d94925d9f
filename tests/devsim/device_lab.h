// What the simulated-device tests share: the thermostat device, a state
// formatted on 64 KiB of flash (1 KiB sectors, 8-byte units) trusting one
// key, and bundles signed with it, as frames.
#pragma once

#include <catch2/catch.hpp>

#include "bundle/bundle.h"
#include "bundle/chunks.h"
#include "devsim/device_state.h"
#include "keys/sodium_bridge.h"
#include "support/test_support.h"

namespace wasmiot::test {

inline std::string ThermostatText() { return ReadText(SourceDir() + "/templates/thermostat/device.json"); }

inline const Manifest& Thermostat() {
  static Manifest m = [] {
    Diagnostics d;
    Result<Manifest> r = ParseManifest(ThermostatText(), "device.json", d);
    REQUIRE(r.ok());
    return std::move(r).value();
  }();
  return m;
}

struct DeviceLab {
  DeviceLab() {
    REQUIRE(InitCrypto().ok());
    state.geometry = {64 * 1024, 1024, 8};
    state.manifest_text = ThermostatText();
    const PublicKey public_key = key.Public();  // one object: begin and end of the same bytes
    std::array<uint8_t, 32> pk{};
    std::copy(public_key.begin(), public_key.end(), pk.begin());
    state.keys.push_back(pk);
    FlashModel flash(state.geometry);
    wasmiot_slots slots;
    wasmiot_slots_open(&slots, &flash.flash());
    REQUIRE(wasmiot_slots_format(&slots, 0) == WASMIOT_SLOTS_OK);
    state.flash = flash.contents();
  }
  std::vector<SourcedFrame> Frames(const Bytes& payload, uint64_t sequence, const Manifest& manifest = Thermostat(),
                                   uint32_t chunk_size = 256) {
    return FramesOf(Bundle(payload, sequence, manifest, chunk_size));
  }
  Bytes Bundle(const Bytes& payload, uint64_t sequence, const Manifest& manifest, uint32_t chunk_size) {
    BundleSpec spec;
    spec.payload = payload;
    spec.kind = WASMIOT_PAYLOAD_WASM;
    spec.sequence = sequence;
    spec.version = SemanticVersion{1, 0, static_cast<uint16_t>(sequence)};
    spec.manifest = &manifest;
    spec.chunk_size = chunk_size;
    Result<Bytes> bundle = BuildBundle(spec, key);
    REQUIRE(bundle.ok());
    return std::move(bundle).value();
  }
  static std::vector<SourcedFrame> FramesOf(const Bytes& bundle) {
    Result<std::vector<Bytes>> sliced = SliceBundle(bundle);
    REQUIRE(sliced.ok());
    std::vector<SourcedFrame> out;
    for (Bytes& f : *sliced) out.push_back(SourcedFrame{std::move(f), "frames", 0});
    return out;
  }
  wasmiot_slots_state Slots() {
    FlashModel flash(state.geometry, state.flash);
    wasmiot_slots slots;
    REQUIRE(wasmiot_slots_open(&slots, &flash.flash()) == WASMIOT_SLOTS_OK);
    return slots.state;
  }
  SecretKey key = SecretKey::Generate();
  DeviceState state;
};

}  // namespace wasmiot::test
