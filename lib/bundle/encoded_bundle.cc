#include "bundle/encoded_bundle.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "bundle/bundle.h"

namespace wasmiot {
namespace {

void Put32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

bool SameDigest(const uint8_t* a, const Sha256& b) { return std::memcmp(a, b.data(), WASMIOT_BUNDLE_DIGEST_SIZE) == 0; }

Error Invalid(std::string message) { return Error{ErrorKind::kInvalidInput, std::move(message)}; }

// A sound bundle's header (sizes, table and chunk digests; not its signature).
Result<wasmiot_bundle_header> SoundHeader(const Bytes& bundle) {
  wasmiot_bundle_header h{};
  wasmiot_bundle_result r = wasmiot_bundle_parse_header(bundle.data(), bundle.size(), &h);
  if (r == WASMIOT_BUNDLE_OK) r = wasmiot_bundle_check_body(bundle.data(), bundle.size(), &h, &HostCrypto());
  if (r != WASMIOT_BUNDLE_OK) return Invalid(fmt::format("not a sound bundle ({})", wasmiot_bundle_result_name(r)));
  return h;
}

Bytes PayloadOf(const Bytes& bundle, const wasmiot_bundle_header& h) {
  wasmiot_bundle_layout layout = wasmiot_bundle_layout_of(&h);
  return Bytes(bundle.begin() + wasmiot_bundle_payload_offset(&layout), bundle.end());
}

}  // namespace

Status CheckSignedWith(const Bytes& bundle, const PublicKey& key) {
  Result<wasmiot_bundle_header> parsed = SoundHeader(bundle);
  if (!parsed) return parsed.error();
  const wasmiot_bundle_header& h = *parsed;
  KeyId id = KeyIdOf(key);
  KeyId signer;
  std::memcpy(signer.data(), h.key_id, signer.size());
  if (id != signer) {
    return Invalid(fmt::format("the bundle was signed with key {}, and the key given is {}: sign the encoded bundle "
                               "with the same key",
                               KeyIdHex(signer), KeyIdHex(id)));
  }
  Ed25519Signature signature;
  std::copy(bundle.begin() + h.header_size, bundle.begin() + h.table_offset, signature.begin());
  if (!VerifySignature(key, signature, bundle.data(), h.header_size)) {
    return Invalid("the bundle's signature does not verify with the key given: it is not the bundle that key signed");
  }
  return Ok{};
}

Result<EncodedBundle> EncodeBundle(const Bytes& plain, const Bytes* base, const SecretKey& key) {
  Result<wasmiot_bundle_header> parsed = SoundHeader(plain);
  if (!parsed) return parsed.error();
  const wasmiot_bundle_header& h = *parsed;
  if (h.format != WASMIOT_BUNDLE_VERSION) {
    return Invalid("the bundle is encoded already: give the plain bundle `wasmiot sign` or `wasmiot build` made");
  }
  if (Status signed_with = CheckSignedWith(plain, key.Public()); !signed_with) return signed_with.error();
  if (base && base->empty()) return Invalid("the base payload is empty");
  Bytes payload = PayloadOf(plain, h);
  EncodedBundle out;
  Result<Bytes> stream = EncodeDelta(base ? *base : Bytes{}, payload, &out.stats);
  if (!stream) return stream.error();
  // What the device will do, done here first.
  DeltaApplied applied = ApplyDelta(base ? *base : Bytes{}, *stream, static_cast<uint32_t>(payload.size()));
  if (applied.result != WASMIOT_DELTA_OK || applied.produced != payload) {
    return Error{ErrorKind::kInternal, fmt::format("the encoded payload does not decode to the payload ({})",
                                                   wasmiot_delta_result_name(applied.result))};
  }
  uint64_t chunks = (stream->size() + h.chunk_size - 1) / h.chunk_size;
  if (stream->empty()) return Error{ErrorKind::kInternal, "an empty encoded payload"};
  if (chunks > WASMIOT_BUNDLE_MAX_CHUNKS || stream->size() > UINT32_MAX) {
    return Invalid(fmt::format("the encoded payload needs {} chunks of {} bytes, more than a header lists: sign the "
                               "bundle with larger chunks",
                               chunks, h.chunk_size));
  }

  Bytes b(plain.begin(), plain.begin() + WASMIOT_BUNDLE_HEADER_SIZE);
  b.resize(WASMIOT_BUNDLE_ENCODED_HEADER_SIZE, 0);
  b[WASMIOT_BUNDLE_OFF_VERSION] = WASMIOT_BUNDLE_ENCODED_VERSION;
  Put32(b, WASMIOT_BUNDLE_OFF_PAYLOAD_SIZE, static_cast<uint32_t>(stream->size()));
  b[WASMIOT_BUNDLE_OFF_CHUNK_COUNT] = static_cast<uint8_t>(chunks);  // u16
  b[WASMIOT_BUNDLE_OFF_CHUNK_COUNT + 1] = static_cast<uint8_t>(chunks >> 8);
  Bytes table = ChunkTable(*stream, h.chunk_size);
  Sha256 table_digest = HashSha256(table.data(), table.size());
  std::memcpy(b.data() + WASMIOT_BUNDLE_OFF_TABLE_DIGEST, table_digest.data(), WASMIOT_BUNDLE_DIGEST_SIZE);
  b[WASMIOT_BUNDLE_OFF_ENCODING] = base ? WASMIOT_ENCODING_DELTA : WASMIOT_ENCODING_COMPRESSED;
  Put32(b, WASMIOT_BUNDLE_OFF_DECODED_SIZE, static_cast<uint32_t>(payload.size()));
  Sha256 decoded = HashSha256(payload.data(), payload.size());
  std::memcpy(b.data() + WASMIOT_BUNDLE_OFF_DECODED_DIGEST, decoded.data(), WASMIOT_BUNDLE_DIGEST_SIZE);
  if (base) {
    Sha256 base_digest = HashSha256(base->data(), base->size());
    std::memcpy(b.data() + WASMIOT_BUNDLE_OFF_BASE_DIGEST, base_digest.data(), WASMIOT_BUNDLE_DIGEST_SIZE);
  }
  Ed25519Signature signed_again = SignMessage(key.seed(), b.data(), b.size());
  b.insert(b.end(), signed_again.begin(), signed_again.end());
  b.insert(b.end(), table.begin(), table.end());
  b.insert(b.end(), stream->begin(), stream->end());
  Result<wasmiot_bundle_header> check = SoundHeader(b);
  if (!check) return Error{ErrorKind::kInternal, "the encoded bundle is " + check.error().message};
  out.bytes = std::move(b);
  out.header = *check;
  return out;
}

Result<Bytes> DecodePayload(const wasmiot_bundle_header& h, const Bytes& payload, const Bytes* base) {
  if (h.encoding == WASMIOT_ENCODING_NONE) return payload;
  if (h.encoding == WASMIOT_ENCODING_DELTA) {
    if (!base) return Invalid("a delta bundle: decoding it needs the payload it was made from");
    if (!SameDigest(h.base_digest, HashSha256(base->data(), base->size()))) {
      return Invalid("a delta from another payload than the base given (wrong-base)");
    }
  }
  DeltaApplied applied = ApplyDelta(h.encoding == WASMIOT_ENCODING_DELTA ? *base : Bytes{}, payload, h.decoded_size);
  if (applied.result != WASMIOT_DELTA_OK) {
    return Invalid(fmt::format("the encoded payload does not decode ({})", wasmiot_delta_result_name(applied.result)));
  }
  if (!SameDigest(h.decoded_digest, HashSha256(applied.produced.data(), applied.produced.size()))) {
    return Invalid("the decoded payload does not match its signed digest (digest-mismatch)");
  }
  return std::move(applied.produced);
}

Result<Bytes> DecodedPayload(const Bytes& bundle, const Bytes* base) {
  Result<wasmiot_bundle_header> parsed = SoundHeader(bundle);
  if (!parsed) return parsed.error();
  return DecodePayload(*parsed, PayloadOf(bundle, *parsed), base);
}

}  // namespace wasmiot
