#include "bundle_printer.h"

#include <cstring>

#include <fmt/format.h>

#include "bundle/bundle.h"
#include "bundle/describe.h"
#include "output.h"
#include "support/text.h"

namespace wasmiot::tool {
namespace {




}  // namespace



nlohmann::json BundleHeaderJson(const wasmiot_bundle_header& h, const Manifest* manifest) {
  const char* target = wasmiot_target_name(h.target);
  nlohmann::json doc = {
      {"format_version", h.format},
      {"header_size", h.header_size},
      {"payload_kind", PayloadKindName(h.payload_kind)},
      {"target", h.target == 0 ? nlohmann::json("") : target ? nlohmann::json(target) : nlohmann::json(nullptr)},
      {"target_id", h.target},
      {"version", BundleVersion(h.version_major, h.version_minor, h.version_patch)},
      {"sequence", h.sequence},
      {"payload_size", h.payload_size},
      {"chunk_size", h.chunk_size},
      {"chunk_count", h.chunk_count},
      {"device_id", HexString(h.device_id, WASMIOT_DEVICE_ID_SIZE)},
      {"device", IsBundleDevice(h.device_id, manifest) ? nlohmann::json(BundleDevice(h, manifest)) : nlohmann::json(nullptr)},
      {"api_version", BundleVersion(h.api_major, h.api_minor, h.api_patch)},
      {"manifest_digest", HexString(h.manifest_digest, WASMIOT_BUNDLE_DIGEST_SIZE)},
      {"module_digest", HexString(h.module_digest, WASMIOT_BUNDLE_DIGEST_SIZE)},
      {"chunk_table_digest", HexString(h.table_digest, WASMIOT_BUNDLE_DIGEST_SIZE)},
      {"key_id", HexString(h.key_id, WASMIOT_BUNDLE_KEY_ID_SIZE)},
      {"budgets",
       {{"memory_pages", h.memory_pages},
        {"table_elements", h.table_elements},
        {"stack_bytes", h.stack_bytes},
        {"heap_bytes", h.heap_bytes},
        {"fuel_per_call", h.fuel_per_call},
        {"wall_ms_per_call", h.wall_ms_per_call}}},
  };
  doc["encoding"] = EncodingName(h.encoding);
  if (h.encoding != WASMIOT_ENCODING_NONE) {
    doc["decoded_size"] = h.decoded_size;
    doc["decoded_digest"] = HexString(h.decoded_digest, WASMIOT_BUNDLE_DIGEST_SIZE);
    if (h.encoding == WASMIOT_ENCODING_DELTA) doc["base_digest"] = HexString(h.base_digest, WASMIOT_BUNDLE_DIGEST_SIZE);
  }
  return doc;
}

void PrintBundleHeader(const std::string& path, const wasmiot_bundle_header& h) {
  Print("{}: wasmiot bundle, format {} (header not verified)\n", path, h.format);
  Print("  payload:    {} {}, {}\n", PayloadKindName(h.payload_kind),
        h.target ? fmt::format("for {}", BundleTarget(h)) : std::string("module"), Plural(h.payload_size, "byte"));
  if (h.encoding != WASMIOT_ENCODING_NONE) {
    Print("  encoding:   {}, decodes to {} (digest {}){}\n", EncodingName(h.encoding), Plural(h.decoded_size, "byte"),
          HexString(h.decoded_digest, WASMIOT_BUNDLE_DIGEST_SIZE),
          h.encoding == WASMIOT_ENCODING_DELTA
              ? fmt::format(", from the payload {}", HexString(h.base_digest, WASMIOT_BUNDLE_DIGEST_SIZE))
              : std::string());
  }
  Print("  module:     digest {}\n", HexString(h.module_digest, WASMIOT_BUNDLE_DIGEST_SIZE));
  Print("  version:    {}, sequence {}\n", BundleVersion(h.version_major, h.version_minor, h.version_patch), h.sequence);
  Print("  device:     id {}, API {}, manifest digest {}\n", HexString(h.device_id, WASMIOT_DEVICE_ID_SIZE),
        BundleVersion(h.api_major, h.api_minor, h.api_patch), HexString(h.manifest_digest, WASMIOT_BUNDLE_DIGEST_SIZE));
  Print("  chunks:     {} of {}, table digest {}\n", h.chunk_count, Plural(h.chunk_size, "byte"),
        HexString(h.table_digest, WASMIOT_BUNDLE_DIGEST_SIZE));
  Print("  budgets:    {}, {}, {} B stack, {} B heap, fuel {}, {} ms\n", Plural(h.memory_pages, "memory page"),
        Plural(h.table_elements, "table element"), h.stack_bytes, h.heap_bytes, h.fuel_per_call, h.wall_ms_per_call);
  Print("  signed by:  key {}\n", HexString(h.key_id, WASMIOT_BUNDLE_KEY_ID_SIZE));
}



}  // namespace wasmiot::tool
