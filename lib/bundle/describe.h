// A bundle header in words, for diagnostics and reports (verify, assemble,
// inspect). A header names its device by a 16-byte id; given the manifest it
// was meant for, the vendor and class are named too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "manifest/manifest.h"
#include "wasmiot_bundle.h"

namespace wasmiot {

std::string_view PayloadKindName(uint8_t kind);  // "wasm", "aot"
std::string_view EncodingName(uint8_t encoding);  // "none", "compressed", "delta"
std::string BundleVersion(uint16_t major, uint16_t minor, uint16_t patch);
// Whether the header's device id is `manifest`'s device (false without one).
bool IsBundleDevice(const uint8_t device_id[WASMIOT_DEVICE_ID_SIZE], const Manifest* manifest);
// "acme/thermostat-t100" when `manifest` is the header's device, else
// "device 0a1b...". `manifest` may be null.
std::string BundleDevice(const wasmiot_bundle_header& header, const Manifest* manifest);
// The target's name, "" for wasm, "target #N" for an id this wasmiot does not know.
std::string BundleTarget(const wasmiot_bundle_header& header);
// One line: "wasm 1.2.0 (sequence 7) for acme/thermostat-t100 on cortex-m4f".
std::string BundleSummary(const wasmiot_bundle_header& header, const Manifest* manifest);
// Why a device with `policy` refuses a bundle, in words.
std::string BundleRefusal(wasmiot_bundle_result result, const wasmiot_bundle_header& header,
                          const wasmiot_device_policy& policy, const Manifest* manifest);

}  // namespace wasmiot
