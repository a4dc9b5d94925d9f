#include "bundle_printer.h"

#include <fmt/format.h>

#include "output.h"

namespace wasmiot::tool {
namespace {

std::string Hex(const uint8_t* data, size_t size) {
  std::string out;
  for (size_t i = 0; i < size; ++i) out += fmt::format("{:02x}", data[i]);
  return out;
}

std::string_view KindName(uint8_t kind) { return kind == WASMIOT_PAYLOAD_AOT ? "aot" : "wasm"; }

}  // namespace

nlohmann::json BundleHeaderJson(const wasmiot_bundle_header& h) {
  return {
      {"format_version", WASMIOT_BUNDLE_VERSION},
      {"header_size", h.header_size},
      {"payload_kind", KindName(h.payload_kind)},
      {"target", h.target},
      {"version", fmt::format("{}.{}.{}", h.version_major, h.version_minor, h.version_patch)},
      {"sequence", h.sequence},
      {"payload_size", h.payload_size},
      {"payload_sha256", Hex(h.payload_sha256, 32)},
      {"chunk_size", h.chunk_size},
      {"chunk_count", h.chunk_count},
      {"chunk_table_sha256", Hex(h.table_sha256, 32)},
      {"vendor", h.vendor},
      {"device_class", h.device_class},
      {"api_version", h.api_version},
      {"manifest_sha256", Hex(h.manifest_sha256, 32)},
      {"key_id", Hex(h.key_id, 8)},
      {"budgets",
       {{"memory_pages", h.memory_pages},
        {"table_elements", h.table_elements},
        {"stack_bytes", h.stack_bytes},
        {"heap_bytes", h.heap_bytes},
        {"fuel_per_call", h.fuel_per_call},
        {"wall_ms_per_call", h.wall_ms_per_call}}},
  };
}

void PrintBundleHeader(const std::string& path, const wasmiot_bundle_header& h) {
  Print("{}: wasmiot bundle, format {} (header not verified)\n", path, WASMIOT_BUNDLE_VERSION);
  Print("  payload:    {} {}, {}, sha256 {}\n", KindName(h.payload_kind),
        h.target[0] ? fmt::format("for {}", h.target) : std::string("module"), Plural(h.payload_size, "byte"),
        Hex(h.payload_sha256, 32));
  Print("  version:    {}.{}.{}, sequence {}\n", h.version_major, h.version_minor, h.version_patch, h.sequence);
  Print("  device:     {}/{}, API {}, manifest sha256 {}\n", h.vendor, h.device_class, h.api_version,
        Hex(h.manifest_sha256, 32));
  Print("  chunks:     {} of {}, table sha256 {}\n", h.chunk_count, Plural(h.chunk_size, "byte"), Hex(h.table_sha256, 32));
  Print("  budgets:    {}, {}, {} B stack, {} B heap, fuel {}, {} ms\n", Plural(h.memory_pages, "memory page"),
        Plural(h.table_elements, "table element"), h.stack_bytes, h.heap_bytes, h.fuel_per_call, h.wall_ms_per_call);
  Print("  signed by:  key {}\n", Hex(h.key_id, 8));
}

std::string BundleRefusal(wasmiot_bundle_result r, const wasmiot_bundle_header& h, const wasmiot_device_policy& p) {
  switch (r) {
    case WASMIOT_BUNDLE_OK: return "verified";
    case WASMIOT_BUNDLE_TRUNCATED: return "the bundle ends before its header, signature or payload is complete";
    case WASMIOT_BUNDLE_TRAILING_DATA: return "bytes follow the payload";
    case WASMIOT_BUNDLE_BAD_MAGIC: return "not a wasmiot bundle";
    case WASMIOT_BUNDLE_BAD_VERSION:
      return fmt::format("a bundle format this wasmiot does not read (it reads version {})", WASMIOT_BUNDLE_VERSION);
    case WASMIOT_BUNDLE_MALFORMED: return "inconsistent header: sizes, kind, reserved bytes or names";
    case WASMIOT_BUNDLE_UNKNOWN_KEY:
      return fmt::format("signed by key {}, which is not among the trusted keys", Hex(h.key_id, 8));
    case WASMIOT_BUNDLE_BAD_SIGNATURE: return "the signature does not match the header";
    case WASMIOT_BUNDLE_WRONG_DEVICE:
      return fmt::format("made for {}/{}; this device is {}/{}", h.vendor, h.device_class, p.vendor, p.device_class);
    case WASMIOT_BUNDLE_WRONG_KIND:
      return fmt::format("a {} payload; this device takes {}", KindName(h.payload_kind),
                         KindName(static_cast<uint8_t>(p.payload_kind)));
    case WASMIOT_BUNDLE_WRONG_TARGET:
      return fmt::format("AOT code for {}; this device is {}", h.target, p.target ? p.target : "?");
    case WASMIOT_BUNDLE_TOO_LARGE:
      return fmt::format("a payload of {}; the device takes at most {}", Plural(h.payload_size, "byte"), p.max_payload_size);
    case WASMIOT_BUNDLE_ROLLBACK:
      return fmt::format("sequence {} is not above the installed {}", h.sequence, p.installed_sequence);
    case WASMIOT_BUNDLE_SEQUENCE_JUMP:
      return fmt::format("sequence {} is more than {} ahead of the installed {}", h.sequence, p.max_sequence_jump,
                         p.installed_sequence);
    case WASMIOT_BUNDLE_TABLE_MISMATCH: return "the chunk table does not match its digest in the signed header";
    case WASMIOT_BUNDLE_PAYLOAD_MISMATCH: return "the payload does not match its signed digests";
  }
  return "refused";
}

}  // namespace wasmiot::tool
