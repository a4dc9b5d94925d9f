#include "bundle/delta_files.h"

#include <cstring>

#include <fmt/format.h>

#include "bundle/chunks.h"
#include "bundle/device_policy.h"

namespace wasmiot {
namespace {

uint64_t WireBytes(const Bytes& bundle) {
  Result<std::vector<Bytes>> frames = SliceBundle(bundle);
  uint64_t total = 0;
  if (frames) {
    for (const Bytes& f : *frames) total += f.size();
  }
  return total;
}

std::optional<wasmiot_bundle_header> HeaderOf(const Bytes& bundle) {
  wasmiot_bundle_header h{};
  if (wasmiot_bundle_parse_header(bundle.data(), bundle.size(), &h) != WASMIOT_BUNDLE_OK) return std::nullopt;
  return h;
}

// OLD and NEW must be for the same device, kind and target, NEW the newer.
bool SameLine(const DeltaRequest& r, const wasmiot_bundle_header& old_h, const wasmiot_bundle_header& new_h,
              Diagnostics& diagnostics) {
  if (std::memcmp(old_h.device_id, new_h.device_id, WASMIOT_DEVICE_ID_SIZE) != 0 ||
      old_h.payload_kind != new_h.payload_kind || old_h.target != new_h.target) {
    diagnostics.AddError("delta-mismatch", r.new_path,
                         fmt::format("{} and {} are not for the same device, payload kind and target: a delta only "
                                     "updates a device from the payload it runs",
                                     r.old_path, r.new_path));
    return false;
  }
  if (new_h.sequence <= old_h.sequence) {
    diagnostics.AddError("delta-not-newer", r.new_path,
                         fmt::format("sequence {} is not above {}'s {}: a device running that bundle refuses it",
                                     new_h.sequence, r.old_path, old_h.sequence));
    return false;
  }
  return true;
}

}  // namespace

DeltaOutcome EncodeBundleFiles(const DeltaRequest& r, const SecretKey& key, Diagnostics& diagnostics) {
  DeltaOutcome out;
  std::vector<NamedInput> inputs = r.inputs;
  inputs.push_back({"OLD", r.old_path});
  inputs.push_back({"NEW", r.new_path});
  if (!RefuseOverwritingInputs(r.output_path, "-o", false, inputs, diagnostics)) return out;
  Result<Bytes> plain = ReadInput(r.new_path, kMaxBundleFileBytes, "bundle-too-large", diagnostics);
  if (!plain) return out;
  out.plain_bytes = plain->size();
  std::optional<wasmiot_bundle_header> new_h = HeaderOf(*plain);
  if (!new_h || new_h->encoding != WASMIOT_ENCODING_NONE) {
    diagnostics.AddError("bundle-invalid", r.new_path,
                         new_h ? "the bundle is encoded already: give the plain bundle `wasmiot sign` made"
                               : "not a wasmiot bundle: give the plain bundle `wasmiot sign` made");
    return out;
  }
  std::optional<Bytes> base;
  if (!r.old_path.empty()) {
    Result<Bytes> old_bundle = ReadInput(r.old_path, kMaxBundleFileBytes, "bundle-too-large", diagnostics);
    if (!old_bundle) return out;
    Result<Bytes> old_payload = DecodedPayload(*old_bundle, nullptr);
    if (!old_payload) {
      diagnostics.AddError("bundle-invalid", r.old_path,
                           old_payload.error().message +
                               ": give the plain (or compressed) bundle of the version the devices run");
      return out;
    }
    std::optional<wasmiot_bundle_header> old_h = HeaderOf(*old_bundle);
    if (!SameLine(r, *old_h, *new_h, diagnostics)) return out;
    base = std::move(old_payload).value();
  }
  if (Result<Bytes> sound = DecodedPayload(*plain, nullptr); !sound) {
    diagnostics.AddError("bundle-invalid", r.new_path, sound.error().message);
    return out;
  }
  if (Status signed_with = CheckSignedWith(*plain, key.Public()); !signed_with) {
    diagnostics.AddError("key-invalid", r.new_path, signed_with.error().message);
    return out;
  }
  Result<EncodedBundle> encoded = EncodeBundle(*plain, base ? &*base : nullptr, key);
  if (!encoded) {
    diagnostics.AddError(encoded.error().kind == ErrorKind::kInternal ? "internal-error" : "bundle-invalid", r.new_path,
                         encoded.error().message);
    return out;
  }
  Status written = WriteFileAtomically(r.output_path, encoded->bytes.data(), encoded->bytes.size());
  if (!written) {
    diagnostics.AddError("io-error", r.output_path, written.error().message);
    return out;
  }
  out.plain_wire_bytes = WireBytes(*plain);
  out.wire_bytes = WireBytes(encoded->bytes);
  out.encoded = std::move(encoded).value();
  return out;
}

}  // namespace wasmiot
