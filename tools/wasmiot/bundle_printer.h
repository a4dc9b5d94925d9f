// One description of a bundle header, printed as text or JSON (verify,
// assemble, inspect). A header names its device by a 16-byte id; given the
// manifest it was meant for, the vendor and class are shown too.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "manifest/manifest.h"
#include "wasmiot_bundle.h"

namespace wasmiot::tool {

// "acme/thermostat-t100" when `manifest` is the header's device, else
// "device 0a1b...". `manifest` may be null.
std::string BundleDevice(const wasmiot_bundle_header& header, const Manifest* manifest);
// The target's name, "" for wasm, "target #N" for an id this wasmiot does not know.
std::string BundleTarget(const wasmiot_bundle_header& header);

nlohmann::json BundleHeaderJson(const wasmiot_bundle_header& header, const Manifest* manifest);
// The header as written, for inspect: it says that it is not verified.
void PrintBundleHeader(const std::string& path, const wasmiot_bundle_header& header);
// One line: "wasm 1.2.0 (sequence 7) for acme/thermostat-t100 on cortex-m4f".
std::string BundleSummary(const wasmiot_bundle_header& header, const Manifest* manifest);

// Why a device refuses a bundle, in words.
std::string BundleRefusal(wasmiot_bundle_result result, const wasmiot_bundle_header& header,
                          const wasmiot_device_policy& policy, const Manifest* manifest);

}  // namespace wasmiot::tool
