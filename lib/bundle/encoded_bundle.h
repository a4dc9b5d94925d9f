// Encoded bundles (format v3, lib/device/wasmiot_bundle.h, docs/bundle.md):
// a plain bundle's payload compressed, or as a delta from the payload a device
// runs, under a header that keeps every field the plain bundle signed and adds
// the encoding, the decoded payload's size and digest and the base's digest.
#pragma once

#include <cstdint>

#include "bundle/delta.h"
#include "keys/keys.h"
#include "support/result.h"
#include "wasmiot_bundle.h"

namespace wasmiot {

struct EncodedBundle {
  Bytes bytes;
  wasmiot_bundle_header header{};
  DeltaStats stats;
};

// Whether the sound bundle `bundle` carries a valid signature by `key`.
Status CheckSignedWith(const Bytes& bundle, const PublicKey& key);

// `plain` (a sound, plain bundle signed by `key`) with its payload encoded:
// compressed when `base` is null, else a delta from `*base`, the payload the
// device runs. Signed again by `key`; the chunk size stays. The stream is
// applied back by the device's own applier and must give the payload, and the
// result must pass the device's verifier, before it is returned.
Result<EncodedBundle> EncodeBundle(const Bytes& plain, const Bytes* base, const SecretKey& key);

// The payload a device runs from a bundle with header `header` whose payload
// (as carried) is `payload`: as DecodedPayload, for a payload reassembled from
// frames.
Result<Bytes> DecodePayload(const wasmiot_bundle_header& header, const Bytes& payload, const Bytes* base);

// The payload a bundle's device runs: a plain bundle's own payload. For an
// encoded bundle it needs its base (none when compressed): a delta's base must
// match the signed base digest, and the result its signed digest.
Result<Bytes> DecodedPayload(const Bytes& bundle, const Bytes* base);

}  // namespace wasmiot
