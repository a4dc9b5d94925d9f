// One description of a bundle header, printed as text or JSON (verify, inspect).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "wasmiot_bundle.h"

namespace wasmiot::tool {

nlohmann::json BundleHeaderJson(const wasmiot_bundle_header& header);
// The header as written, for inspect: it says that it is not verified.
void PrintBundleHeader(const std::string& path, const wasmiot_bundle_header& header);

// Why a device refuses a bundle, in words.
std::string BundleRefusal(wasmiot_bundle_result result, const wasmiot_bundle_header& header,
                          const wasmiot_device_policy& policy);

}  // namespace wasmiot::tool
