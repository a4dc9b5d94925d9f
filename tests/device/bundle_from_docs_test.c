/* The device library (lib/device/) from C99 alone, as firmware links it:
 * this program builds a bundle byte by byte from docs/bundle.md (its offsets
 * written here as the page gives them, not taken from wasmiot_bundle.h), signs
 * it with libsodium, and requires the device verifier to accept it, and to
 * refuse it, with the documented result, after each kind of damage. It checks
 * the page as much as the verifier: a firmware team writes its own signer or
 * parser from it. No heap, no C++. Exit 0 when every check holds. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "wasmiot_bundle.h"

static int failures = 0;
#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) {                                                   \
      fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                    \
    }                                                                \
  } while (0)

/* ---- the firmware's crypto, through libsodium -------------------------------- */
static void sha_init(wasmiot_sha256_ctx* ctx) { crypto_hash_sha256_init((crypto_hash_sha256_state*)ctx->opaque); }
static void sha_update(wasmiot_sha256_ctx* ctx, const uint8_t* data, size_t size) {
  crypto_hash_sha256_update((crypto_hash_sha256_state*)ctx->opaque, data, size);
}
static void sha_final(wasmiot_sha256_ctx* ctx, uint8_t out[32]) {
  crypto_hash_sha256_final((crypto_hash_sha256_state*)ctx->opaque, out);
}
static int ed_verify(const uint8_t signature[64], const uint8_t* message, size_t size, const uint8_t key[32]) {
  return crypto_sign_verify_detached(signature, message, size, key) == 0;
}
static const wasmiot_crypto kCrypto = {sha_init, sha_update, sha_final, ed_verify};

/* ---- docs/bundle.md, "Signed bundle, format 2" ---------------------------------- */
enum { kHeader = 136, kTable = 200, kChunkSize = 128, kPayloadSize = 300, kChunks = 3 };
enum { kBundleSize = kTable + 16 * kChunks + kPayloadSize };

static void put16(uint8_t* p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t* p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t* p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static void digest16(const uint8_t* data, size_t size, uint8_t* out) {
  uint8_t full[32];
  crypto_hash_sha256(full, data, size);
  memcpy(out, full, 16);
}

/* acme/thermostat-t100: 41c35fc84a4f265f6f2410a3012d4125 */
static const uint8_t kThermostatId[16] = {0x41, 0xc3, 0x5f, 0xc8, 0x4a, 0x4f, 0x26, 0x5f,
                                          0x6f, 0x24, 0x10, 0xa3, 0x01, 0x2d, 0x41, 0x25};

/* A wasm bundle (kind 1) of a 300-byte payload in 128-byte chunks, sequence 7. */
static void build(uint8_t* b, const uint8_t pk[32], const uint8_t sk[64]) {
  uint8_t* payload = b + kTable + 16 * kChunks;
  uint8_t key_hash[32];
  int i;
  memset(b, 0, kBundleSize);
  memcpy(payload, "\0asm\1\0\0\0", 8);
  for (i = 8; i < kPayloadSize; ++i) payload[i] = (uint8_t)(i * 7);
  memcpy(b + 0, "WIOT", 4);
  b[4] = 2;                  /* format */
  b[5] = 1;                  /* wasm */
  b[6] = 0;                  /* no target */
  put64(b + 8, 7);           /* sequence */
  put16(b + 16, 1); put16(b + 18, 2); put16(b + 20, 3);  /* module 1.2.3 */
  put16(b + 22, 1); put16(b + 24, 0); put16(b + 26, 0);  /* device API 1.0.0 */
  put32(b + 28, kPayloadSize);
  put16(b + 32, kChunkSize);
  put16(b + 34, kChunks);
  put32(b + 36, 2);          /* memory pages */
  put32(b + 40, 16);         /* table elements */
  put32(b + 44, 8192);       /* stack bytes */
  put32(b + 48, 0);          /* heap bytes */
  put32(b + 52, 50);         /* wall ms per call */
  put64(b + 56, 1000000);    /* fuel per call */
  crypto_hash_sha256(key_hash, pk, 32);
  memcpy(b + 64, key_hash, 8);
  memcpy(b + 72, kThermostatId, 16);
  digest16((const uint8_t*)"{}", 2, b + 88);       /* the manifest file's digest */
  digest16(payload, kPayloadSize, b + 104);        /* wasm: the module is the payload */
  for (i = 0; i < kChunks; ++i) {
    uint32_t length = i + 1 < kChunks ? kChunkSize : kPayloadSize - kChunkSize * (kChunks - 1);
    digest16(payload + kChunkSize * i, length, b + kTable + 16 * i);
  }
  digest16(b + kTable, 16 * kChunks, b + 120);
  crypto_sign_detached(b + kHeader, NULL, b, kHeader, sk);
}

static wasmiot_bundle_result verify(const uint8_t* b, size_t size, const wasmiot_device_policy* policy) {
  wasmiot_bundle_header header;
  return wasmiot_bundle_verify(b, size, &kCrypto, policy, &header);
}

int main(void) {
  static uint8_t bundle[kBundleSize + 1], copy[kBundleSize + 1];
  uint8_t pk[32], sk[64], seed[32], other_pk[32], other_sk[64], id[16];
  const uint8_t (*keys)[32] = (const uint8_t(*)[32])pk;
  wasmiot_device_policy policy;
  wasmiot_bundle_header header;
  size_t i;
  int bit;

  if (sodium_init() < 0) return 2;
  memset(seed, 0x5a, sizeof seed);
  crypto_sign_seed_keypair(pk, sk, seed);
  seed[0] ^= 1;
  crypto_sign_seed_keypair(other_pk, other_sk, seed);

  /* The device id of the page's example. */
  wasmiot_device_id(&kCrypto, "acme", "thermostat-t100", id);
  CHECK(memcmp(id, kThermostatId, 16) == 0);

  build(bundle, pk, sk);
  memset(&policy, 0, sizeof policy);
  policy.public_keys = keys;
  policy.public_key_count = 1;
  policy.device_id = kThermostatId;
  policy.payload_kind = 1;
  policy.targets = id; /* non-NULL with count 0: this device takes no AOT code */
  policy.target_count = 0;
  policy.max_payload_size = 4096;
  policy.installed_sequence = 6;

  /* Accepted, and read back as written. */
  CHECK(wasmiot_bundle_verify(bundle, kBundleSize, &kCrypto, &policy, &header) == WASMIOT_BUNDLE_OK);
  CHECK(header.sequence == 7 && header.payload_size == kPayloadSize && header.chunk_count == kChunks);
  CHECK(header.version_major == 1 && header.version_minor == 2 && header.version_patch == 3);
  CHECK(header.memory_pages == 2 && header.stack_bytes == 8192 && header.fuel_per_call == 1000000);
  CHECK(header.wall_ms_per_call == 50 && header.table_elements == 16);

  /* Every byte of the signed header and its signature, each bit flipped: refused. */
  for (i = 0; i < kTable; ++i) {
    for (bit = 0; bit < 8; ++bit) {
      memcpy(copy, bundle, kBundleSize);
      copy[i] ^= (uint8_t)(1u << bit);
      if (verify(copy, kBundleSize, &policy) == WASMIOT_BUNDLE_OK) {
        fprintf(stderr, "byte %u bit %d flipped: accepted\n", (unsigned)i, bit);
        ++failures;
      }
    }
  }
  /* The documented results. */
  memcpy(copy, bundle, kBundleSize);
  copy[kTable + 5] ^= 1;
  CHECK(verify(copy, kBundleSize, &policy) == WASMIOT_BUNDLE_TABLE_MISMATCH);
  memcpy(copy, bundle, kBundleSize);
  copy[kBundleSize - 1] ^= 1;
  CHECK(verify(copy, kBundleSize, &policy) == WASMIOT_BUNDLE_PAYLOAD_MISMATCH);
  CHECK(verify(bundle, kBundleSize - 1, &policy) == WASMIOT_BUNDLE_TRUNCATED);
  CHECK(verify(bundle, kHeader + 10, &policy) == WASMIOT_BUNDLE_TRUNCATED);
  memcpy(copy, bundle, kBundleSize);
  copy[kBundleSize] = 0;
  CHECK(verify(copy, kBundleSize + 1, &policy) == WASMIOT_BUNDLE_TRAILING_DATA);
  memcpy(copy, bundle, kBundleSize);
  copy[4] = 'B'; /* a format-1 bundle began "WIOTBNDL" */
  CHECK(verify(copy, kBundleSize, &policy) == WASMIOT_BUNDLE_BAD_VERSION);
  memcpy(copy, bundle, kBundleSize);
  copy[0] = 'X';
  CHECK(verify(copy, kBundleSize, &policy) == WASMIOT_BUNDLE_BAD_MAGIC);
  memcpy(copy, bundle, kBundleSize);
  copy[kHeader] ^= 1;
  CHECK(verify(copy, kBundleSize, &policy) == WASMIOT_BUNDLE_BAD_SIGNATURE);

  /* Signed by a key the device does not trust. */
  build(copy, other_pk, other_sk);
  CHECK(verify(copy, kBundleSize, &policy) == WASMIOT_BUNDLE_UNKNOWN_KEY);

  /* The policy, after the signature. */
  policy.installed_sequence = 7;
  CHECK(verify(bundle, kBundleSize, &policy) == WASMIOT_BUNDLE_ROLLBACK);
  policy.installed_sequence = 0;
  policy.max_sequence_jump = 6;
  CHECK(verify(bundle, kBundleSize, &policy) == WASMIOT_BUNDLE_SEQUENCE_JUMP);
  policy.max_sequence_jump = 7; /* installed 0 with a cap of 7 accepts 7 */
  CHECK(verify(bundle, kBundleSize, &policy) == WASMIOT_BUNDLE_OK);
  policy.device_id = id;
  id[0] ^= 1;
  CHECK(verify(bundle, kBundleSize, &policy) == WASMIOT_BUNDLE_WRONG_DEVICE);
  policy.device_id = kThermostatId;
  policy.payload_kind = 2;
  CHECK(verify(bundle, kBundleSize, &policy) == WASMIOT_BUNDLE_WRONG_KIND);
  policy.payload_kind = 0;
  policy.max_payload_size = kPayloadSize - 1;
  CHECK(verify(bundle, kBundleSize, &policy) == WASMIOT_BUNDLE_TOO_LARGE);
  policy.max_payload_size = kPayloadSize;
  CHECK(verify(bundle, kBundleSize, &policy) == WASMIOT_BUNDLE_OK);

  /* Names the firmware logs. */
  CHECK(strcmp(wasmiot_bundle_result_name(WASMIOT_BUNDLE_ROLLBACK), "rollback") == 0);
  CHECK(strcmp(wasmiot_target_name(8), "cortex-m4f") == 0);

  if (failures) fprintf(stderr, "%d checks failed\n", failures);
  else printf("bundle_from_docs: every check holds\n");
  return failures ? 1 : 0;
}
