#include "bundle/describe.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "bundle/bundle.h"
#include "support/text.h"

namespace wasmiot {

std::string_view EncodingName(uint8_t encoding) {
  switch (encoding) {
    case WASMIOT_ENCODING_NONE: return "none";
    case WASMIOT_ENCODING_COMPRESSED: return "compressed";
    case WASMIOT_ENCODING_DELTA: return "delta";
  }
  return "unknown";
}

std::string_view PayloadKindName(uint8_t kind) { return kind == WASMIOT_PAYLOAD_AOT ? "aot" : "wasm"; }

bool IsBundleDevice(const uint8_t device_id[WASMIOT_DEVICE_ID_SIZE], const Manifest* manifest) {
  return manifest && std::memcmp(DeviceIdOf(manifest->device).data(), device_id, WASMIOT_DEVICE_ID_SIZE) == 0;
}

std::string BundleVersion(uint16_t major, uint16_t minor, uint16_t patch) {
  return fmt::format("{}.{}.{}", major, minor, patch);
}

std::string BundleDevice(const wasmiot_bundle_header& h, const Manifest* manifest) {
  if (IsBundleDevice(h.device_id, manifest)) return manifest->device.vendor + "/" + manifest->device.device_class;
  return "device " + HexString(h.device_id, WASMIOT_DEVICE_ID_SIZE);
}

std::string BundleTarget(const wasmiot_bundle_header& h) {
  if (h.target == 0) return "";
  const char* name = wasmiot_target_name(h.target);
  return name ? std::string(name) : fmt::format("target #{}", h.target);
}

std::string BundleSummary(const wasmiot_bundle_header& h, const Manifest* manifest) {
  return fmt::format("{} {} (sequence {}) for {}{}", h.payload_kind == WASMIOT_PAYLOAD_AOT ? "AOT" : "wasm",
                     BundleVersion(h.version_major, h.version_minor, h.version_patch), h.sequence,
                     BundleDevice(h, manifest), h.target ? " on " + BundleTarget(h) : std::string());
}

std::string BundleRefusal(wasmiot_bundle_result r, const wasmiot_bundle_header& h, const wasmiot_device_policy& p,
                          const Manifest* manifest) {
  switch (r) {
    case WASMIOT_BUNDLE_OK: return "verified";
    case WASMIOT_BUNDLE_TRUNCATED: return "the bundle ends before its header, signature or payload is complete";
    case WASMIOT_BUNDLE_TRAILING_DATA: return "bytes follow the payload";
    case WASMIOT_BUNDLE_BAD_MAGIC: return "not a wasmiot bundle";
    case WASMIOT_BUNDLE_BAD_VERSION:
      return fmt::format("a bundle format this wasmiot does not read (it reads formats {} and {}); sign it again "
                         "with this wasmiot",
                         WASMIOT_BUNDLE_VERSION, WASMIOT_BUNDLE_ENCODED_VERSION);
    case WASMIOT_BUNDLE_MALFORMED:
      return "inconsistent header: sizes, kind, target, encoding, digests or reserved bytes";
    case WASMIOT_BUNDLE_UNKNOWN_KEY:
      return fmt::format("signed by key {}, which is not among the trusted keys", HexString(h.key_id, 8));
    case WASMIOT_BUNDLE_BAD_SIGNATURE: return "the signature does not match the header";
    case WASMIOT_BUNDLE_WRONG_DEVICE:
      return fmt::format("made for {}; this device is {}{}", BundleDevice(h, nullptr),
                         p.device_id ? HexString(p.device_id, WASMIOT_DEVICE_ID_SIZE) : "?",
                         manifest ? fmt::format(" ({}/{})", manifest->device.vendor, manifest->device.device_class)
                                  : std::string());
    case WASMIOT_BUNDLE_WRONG_KIND:
      return fmt::format("a {} payload; this device takes {}", PayloadKindName(h.payload_kind),
                         PayloadKindName(static_cast<uint8_t>(p.payload_kind)));
    case WASMIOT_BUNDLE_WRONG_TARGET: {
      std::vector<std::string> accepted;
      for (size_t i = 0; p.targets && i < p.target_count; ++i) {
        const char* name = wasmiot_target_name(p.targets[i]);
        accepted.push_back(name ? name : fmt::format("#{}", p.targets[i]));
      }
      return fmt::format("AOT code for {}; this device runs AOT code only for: {}", BundleTarget(h),
                         accepted.empty() ? std::string("none") : fmt::format("{}", fmt::join(accepted, ", ")));
    }
    case WASMIOT_BUNDLE_TOO_LARGE:
      return fmt::format("a payload of {}; the device takes at most {}",
                         Plural(std::max(h.payload_size, h.decoded_size), "byte"), p.max_payload_size);
    case WASMIOT_BUNDLE_ROLLBACK:
      return fmt::format("sequence {} is not above the installed {}", h.sequence, p.installed_sequence);
    case WASMIOT_BUNDLE_SEQUENCE_JUMP:
      return fmt::format("sequence {} is more than {} ahead of the installed {}", h.sequence, p.max_sequence_jump,
                         p.installed_sequence);
    case WASMIOT_BUNDLE_TABLE_MISMATCH: return "the chunk table does not match its digest in the signed header";
    case WASMIOT_BUNDLE_PAYLOAD_MISMATCH: return "the payload does not match its signed digests";
    case WASMIOT_BUNDLE_UNSUPPORTED_ENCODING:
      return fmt::format("a {} payload, and this device takes no such bundle: send the full bundle",
                         h.encoding == WASMIOT_ENCODING_DELTA ? "delta" : "compressed");
    case WASMIOT_BUNDLE_WRONG_BASE:
      return fmt::format("a delta from the payload {}, which is not the one this device runs{}: make the delta from "
                         "the installed bundle (wasmiot delta INSTALLED.bundle NEW.bundle), or send the full bundle",
                         HexString(h.base_digest, WASMIOT_BUNDLE_DIGEST_SIZE),
                         p.base_digest ? " (" + HexString(p.base_digest, WASMIOT_BUNDLE_DIGEST_SIZE) + ")"
                                       : std::string(" (none)"));
  }
  return "refused";
}

}  // namespace wasmiot
