// fuzz_bundle: a bundle's bytes through the device library's verifier
// (lib/device/wasmiot_bundle.c) with the host's libsodium backend, as the
// tools call it:
//  - `wasmiot inspect`: wasmiot_bundle_parse_header, then (no key)
//    wasmiot_bundle_check_body against the header's digests;
//  - `wasmiot verify`: wasmiot_bundle_verify under two device policies, the
//    thermostat's (its device id and size budget, wasm only) and a lax one
//    (any device, AOT or wasm for cortex-m4f, installed sequence 3, at most
//    100 ahead, compressed and delta bundles from any base), both trusting the fixed fuzzing key that signed the seeds;
//  - `wasmiot chunk`: SliceBundle, whose frames must split back out of their
//    concatenation unchanged and describe a whole, sound bundle.
// Mutating the signed header breaks its signature, so the parse and body
// checks are the ones that see mutated headers.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bundle/bundle.h"
#include "bundle/chunks.h"
#include "keys/keys.h"
#include "manifest/manifest.h"

#include "fuzz_support.h"

using namespace wasmiot;

namespace {

// The largest bundle `wasmiot verify` reads: a 64 MiB AOT payload and 2 MiB.
constexpr size_t kMaxBundleBytes = (64u << 20) + 0x200000;

struct Policies {
  PublicKey key = fuzz::FixedPublicKey();
  DeviceId device_id = DeviceIdOf(fuzz::ThermostatManifest().device);
  uint8_t m4 = WASMIOT_TARGET_CORTEX_M4F;
  wasmiot_device_policy thermostat{};
  wasmiot_device_policy lax{};
  Policies() {
    const Manifest& m = fuzz::ThermostatManifest();
    thermostat.public_keys = reinterpret_cast<const uint8_t(*)[32]>(key.data());
    thermostat.public_key_count = 1;
    thermostat.device_id = device_id.data();
    thermostat.payload_kind = WASMIOT_PAYLOAD_WASM;
    thermostat.max_payload_size = static_cast<uint32_t>(m.budgets.max_module_bytes);
    lax = thermostat;
    lax.device_id = nullptr;
    lax.payload_kind = 0;
    lax.targets = &m4;
    lax.target_count = 1;
    lax.max_payload_size = 64u << 20;
    lax.installed_sequence = 3;
    lax.max_sequence_jump = 100;
    lax.encodings = (1u << WASMIOT_ENCODING_COMPRESSED) | (1u << WASMIOT_ENCODING_DELTA);
  }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::InitOnce();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxBundleBytes) return -1;
  static const Policies policies;
  const wasmiot_crypto* crypto = &HostCrypto();

  // inspect
  wasmiot_bundle_header h{};
  wasmiot_bundle_result parsed = wasmiot_bundle_parse_header(data, size, &h);
  (void)wasmiot_bundle_result_name(parsed);
  wasmiot_bundle_result body = parsed;
  if (parsed == WASMIOT_BUNDLE_OK) {
    body = wasmiot_bundle_check_body(data, size, &h, crypto);
    wasmiot_bundle_layout layout = wasmiot_bundle_layout_of(&h);
    for (uint32_t i : {0u, 1u, layout.chunk_count - 1, layout.chunk_count, layout.chunk_count + 1}) {
      (void)wasmiot_bundle_chunk_length(&layout, i);
    }
  }

  // verify
  for (const wasmiot_device_policy* policy : {&policies.thermostat, &policies.lax}) {
    wasmiot_bundle_header v{};
    wasmiot_bundle_result r = wasmiot_bundle_verify(data, size, crypto, policy, &v);
    if (r == WASMIOT_BUNDLE_OK && body != WASMIOT_BUNDLE_OK) {
      fuzz::Fail("fuzz_bundle", std::string("verified, but its body is ") + wasmiot_bundle_result_name(body));
    }
  }

  // chunk
  Bytes bundle(data, data + size);
  Result<std::vector<Bytes>> frames = SliceBundle(bundle);
  if (frames.ok() != (body == WASMIOT_BUNDLE_OK)) {
    fuzz::Fail("fuzz_bundle", std::string("SliceBundle ") + (frames ? "took" : "refused") + " a bundle whose body is " +
         wasmiot_bundle_result_name(body));
  }
  if (frames) {
    Bytes stream;
    for (const Bytes& f : *frames) stream.insert(stream.end(), f.begin(), f.end());
    Result<std::vector<SourcedFrame>> back = SplitStream(stream, "fuzz.stream");
    if (!back || back->size() != frames->size()) fuzz::Fail("fuzz_bundle", "the frames of a bundle do not split back out");
    for (size_t i = 0; i < frames->size(); ++i) {
      if ((*back)[i].bytes != (*frames)[i]) fuzz::Fail("fuzz_bundle", "a frame changed in the stream");
    }
    StreamSummary s = DescribeFrames(*back);
    if (!s.has_header || !s.table_ok || !*s.table_ok || !s.missing_chunks.empty() || !s.corrupt_chunks.empty() ||
        !s.missing_table_parts.empty() || s.malformed || s.foreign || s.conflicts || s.duplicates) {
      fuzz::Fail("fuzz_bundle", "the frames of a sound bundle do not describe it whole");
    }
  }
  return 0;
}
