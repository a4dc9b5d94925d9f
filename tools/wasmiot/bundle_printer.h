// A bundle header printed as text or JSON (verify, assemble, inspect); its
// words come from bundle/describe.h.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "bundle/describe.h"
#include "manifest/manifest.h"
#include "wasmiot_bundle.h"

namespace wasmiot::tool {

nlohmann::json BundleHeaderJson(const wasmiot_bundle_header& header, const Manifest* manifest);
// The header as written, for inspect: it says that it is not verified.
void PrintBundleHeader(const std::string& path, const wasmiot_bundle_header& header);

}  // namespace wasmiot::tool
