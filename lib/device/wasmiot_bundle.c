/* See wasmiot_bundle.h and docs/bundle.md. C99, no heap, no libc beyond memcmp, memcpy, memset and strlen. */
#include "wasmiot_bundle.h"

#include <string.h>

typedef char wasmiot_assert_header_size[(WASMIOT_BUNDLE_OFF_TABLE_DIGEST + WASMIOT_BUNDLE_DIGEST_SIZE ==
                                             WASMIOT_BUNDLE_HEADER_SIZE &&
                                         WASMIOT_BUNDLE_TABLE_OFFSET == 200u)
                                            ? 1 : -1];
typedef char wasmiot_assert_digests[(WASMIOT_BUNDLE_OFF_DEVICE_ID == WASMIOT_BUNDLE_OFF_KEY_ID + WASMIOT_BUNDLE_KEY_ID_SIZE &&
                                     WASMIOT_BUNDLE_OFF_MANIFEST_DIGEST == WASMIOT_BUNDLE_OFF_DEVICE_ID + 16u &&
                                     WASMIOT_BUNDLE_OFF_MODULE_DIGEST == WASMIOT_BUNDLE_OFF_MANIFEST_DIGEST + 16u &&
                                     WASMIOT_BUNDLE_OFF_TABLE_DIGEST == WASMIOT_BUNDLE_OFF_MODULE_DIGEST + 16u &&
                                     WASMIOT_BUNDLE_OFF_KEY_ID == WASMIOT_BUNDLE_OFF_FUEL_PER_CALL + 8u)
                                        ? 1 : -1];
typedef char wasmiot_assert_encoded_header[(WASMIOT_BUNDLE_OFF_ENCODING == WASMIOT_BUNDLE_HEADER_SIZE &&
                                            WASMIOT_BUNDLE_OFF_BASE_DIGEST + WASMIOT_BUNDLE_DIGEST_SIZE ==
                                                WASMIOT_BUNDLE_ENCODED_HEADER_SIZE &&
                                            WASMIOT_BUNDLE_ENCODED_TABLE_OFFSET == 240u)
                                               ? 1 : -1];
/* The payload offset of the largest bundle still fits in 32 bits. */
typedef char wasmiot_assert_table_fits[(WASMIOT_BUNDLE_MAX_CHUNKS * 16ull + 240u < 0x100000000ull) ? 1 : -1];
/* Target ids are one byte. */
typedef char wasmiot_assert_targets[(WASMIOT_TARGET_END_ <= 256) ? 1 : -1];

static uint16_t get16(const uint8_t* p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t get32(const uint8_t* p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t get64(const uint8_t* p) { return (uint64_t)get32(p) | ((uint64_t)get32(p + 4) << 32); }

const char* wasmiot_target_name(uint8_t id) {
#define WASMIOT_TARGET_NAME_(number, symbol, name) \
  case number: return name;
  switch (id) { WASMIOT_TARGETS(WASMIOT_TARGET_NAME_) }
#undef WASMIOT_TARGET_NAME_
  return NULL;
}

const char* wasmiot_bundle_result_name(wasmiot_bundle_result r) {
  switch (r) {
    case WASMIOT_BUNDLE_OK: return "ok";
    case WASMIOT_BUNDLE_TRUNCATED: return "truncated";
    case WASMIOT_BUNDLE_TRAILING_DATA: return "trailing-data";
    case WASMIOT_BUNDLE_BAD_MAGIC: return "bad-magic";
    case WASMIOT_BUNDLE_BAD_VERSION: return "bad-version";
    case WASMIOT_BUNDLE_MALFORMED: return "malformed";
    case WASMIOT_BUNDLE_UNKNOWN_KEY: return "unknown-key";
    case WASMIOT_BUNDLE_BAD_SIGNATURE: return "bad-signature";
    case WASMIOT_BUNDLE_WRONG_DEVICE: return "wrong-device";
    case WASMIOT_BUNDLE_WRONG_KIND: return "wrong-kind";
    case WASMIOT_BUNDLE_WRONG_TARGET: return "wrong-target";
    case WASMIOT_BUNDLE_TOO_LARGE: return "too-large";
    case WASMIOT_BUNDLE_ROLLBACK: return "rollback";
    case WASMIOT_BUNDLE_SEQUENCE_JUMP: return "sequence-jump";
    case WASMIOT_BUNDLE_TABLE_MISMATCH: return "table-mismatch";
    case WASMIOT_BUNDLE_PAYLOAD_MISMATCH: return "payload-mismatch";
    case WASMIOT_BUNDLE_UNSUPPORTED_ENCODING: return "unsupported-encoding";
    case WASMIOT_BUNDLE_WRONG_BASE: return "wrong-base";
  }
  return "unknown";
}

uint32_t wasmiot_bundle_header_size(uint8_t version) {
  if (version == WASMIOT_BUNDLE_VERSION) return WASMIOT_BUNDLE_HEADER_SIZE;
  if (version == WASMIOT_BUNDLE_ENCODED_VERSION) return WASMIOT_BUNDLE_ENCODED_HEADER_SIZE;
  return 0;
}

static int all_zero(const uint8_t* p, size_t n) {
  size_t i;
  for (i = 0; i < n; ++i) {
    if (p[i] != 0) return 0;
  }
  return 1;
}

/* The v3 fields, after the v2 ones were read. */
static wasmiot_bundle_result parse_encoding(const uint8_t* d, wasmiot_bundle_header* h) {
  h->encoding = d[WASMIOT_BUNDLE_OFF_ENCODING];
  h->decoded_size = get32(d + WASMIOT_BUNDLE_OFF_DECODED_SIZE);
  memcpy(h->decoded_digest, d + WASMIOT_BUNDLE_OFF_DECODED_DIGEST, sizeof h->decoded_digest);
  memcpy(h->base_digest, d + WASMIOT_BUNDLE_OFF_BASE_DIGEST, sizeof h->base_digest);
  if (h->encoding != WASMIOT_ENCODING_COMPRESSED && h->encoding != WASMIOT_ENCODING_DELTA) {
    return WASMIOT_BUNDLE_MALFORMED;
  }
  if (!all_zero(d + WASMIOT_BUNDLE_OFF_ENCODING_RESERVED, 3) || h->decoded_size == 0) return WASMIOT_BUNDLE_MALFORMED;
  if (h->encoding == WASMIOT_ENCODING_COMPRESSED && !all_zero(h->base_digest, sizeof h->base_digest)) {
    return WASMIOT_BUNDLE_MALFORMED;
  }
  /* A wasm payload is the module: both digests name the same bytes. */
  if (h->payload_kind == WASMIOT_PAYLOAD_WASM &&
      memcmp(h->decoded_digest, h->module_digest, WASMIOT_BUNDLE_DIGEST_SIZE) != 0) {
    return WASMIOT_BUNDLE_MALFORMED;
  }
  return WASMIOT_BUNDLE_OK;
}

wasmiot_bundle_result wasmiot_bundle_parse_header(const uint8_t* d, size_t size, wasmiot_bundle_header* h) {
  uint32_t chunks_needed, header_size;
  if (size < WASMIOT_BUNDLE_OFF_VERSION + 1u) return WASMIOT_BUNDLE_TRUNCATED;
  if (memcmp(d, WASMIOT_BUNDLE_MAGIC, WASMIOT_BUNDLE_MAGIC_SIZE) != 0) return WASMIOT_BUNDLE_BAD_MAGIC;
  header_size = wasmiot_bundle_header_size(d[WASMIOT_BUNDLE_OFF_VERSION]);
  if (header_size == 0) return WASMIOT_BUNDLE_BAD_VERSION;
  if (size < header_size) return WASMIOT_BUNDLE_TRUNCATED;
  memset(h, 0, sizeof *h);
  h->format = d[WASMIOT_BUNDLE_OFF_VERSION];
  h->header_size = header_size;
  h->table_offset = header_size + WASMIOT_BUNDLE_SIGNATURE_SIZE;
  h->payload_kind = d[WASMIOT_BUNDLE_OFF_KIND];
  h->target = d[WASMIOT_BUNDLE_OFF_TARGET];
  h->sequence = get64(d + WASMIOT_BUNDLE_OFF_SEQUENCE);
  h->version_major = get16(d + WASMIOT_BUNDLE_OFF_VERSION_MAJOR);
  h->version_minor = get16(d + WASMIOT_BUNDLE_OFF_VERSION_MINOR);
  h->version_patch = get16(d + WASMIOT_BUNDLE_OFF_VERSION_PATCH);
  h->api_major = get16(d + WASMIOT_BUNDLE_OFF_API_MAJOR);
  h->api_minor = get16(d + WASMIOT_BUNDLE_OFF_API_MINOR);
  h->api_patch = get16(d + WASMIOT_BUNDLE_OFF_API_PATCH);
  h->payload_size = get32(d + WASMIOT_BUNDLE_OFF_PAYLOAD_SIZE);
  h->chunk_size = get16(d + WASMIOT_BUNDLE_OFF_CHUNK_SIZE);
  h->chunk_count = get16(d + WASMIOT_BUNDLE_OFF_CHUNK_COUNT);
  h->memory_pages = get32(d + WASMIOT_BUNDLE_OFF_MEMORY_PAGES);
  h->table_elements = get32(d + WASMIOT_BUNDLE_OFF_TABLE_ELEMENTS);
  h->stack_bytes = get32(d + WASMIOT_BUNDLE_OFF_STACK_BYTES);
  h->heap_bytes = get32(d + WASMIOT_BUNDLE_OFF_HEAP_BYTES);
  h->wall_ms_per_call = get32(d + WASMIOT_BUNDLE_OFF_WALL_MS_PER_CALL);
  h->fuel_per_call = get64(d + WASMIOT_BUNDLE_OFF_FUEL_PER_CALL);
  memcpy(h->key_id, d + WASMIOT_BUNDLE_OFF_KEY_ID, sizeof h->key_id);
  memcpy(h->device_id, d + WASMIOT_BUNDLE_OFF_DEVICE_ID, sizeof h->device_id);
  memcpy(h->manifest_digest, d + WASMIOT_BUNDLE_OFF_MANIFEST_DIGEST, sizeof h->manifest_digest);
  memcpy(h->module_digest, d + WASMIOT_BUNDLE_OFF_MODULE_DIGEST, sizeof h->module_digest);
  memcpy(h->table_digest, d + WASMIOT_BUNDLE_OFF_TABLE_DIGEST, sizeof h->table_digest);

  /* Sizes must agree with each other before anything is trusted or allocated. */
  if (h->payload_kind != WASMIOT_PAYLOAD_WASM && h->payload_kind != WASMIOT_PAYLOAD_AOT) return WASMIOT_BUNDLE_MALFORMED;
  /* A target exactly for AOT; an id this code does not know is another CPU's
   * (wrong-target once authenticated), not a malformed header. */
  if ((h->payload_kind == WASMIOT_PAYLOAD_AOT) != (h->target != 0)) return WASMIOT_BUNDLE_MALFORMED;
  if (d[WASMIOT_BUNDLE_OFF_RESERVED] != 0) return WASMIOT_BUNDLE_MALFORMED;
  if (h->chunk_size < WASMIOT_BUNDLE_MIN_CHUNK_SIZE || h->payload_size == 0) return WASMIOT_BUNDLE_MALFORMED;
  chunks_needed = h->payload_size / h->chunk_size + (h->payload_size % h->chunk_size != 0);
  if (h->chunk_count != chunks_needed) return WASMIOT_BUNDLE_MALFORMED;
  if (h->format == WASMIOT_BUNDLE_VERSION) {
    h->decoded_size = h->payload_size;
    return WASMIOT_BUNDLE_OK;
  }
  return parse_encoding(d, h);
}

static int target_accepted(const wasmiot_device_policy* policy, uint8_t target) {
  size_t i;
  if (!policy->targets) return 1;
  for (i = 0; i < policy->target_count; ++i) {
    if (policy->targets[i] == target) return 1;
  }
  return 0;
}

wasmiot_bundle_result wasmiot_bundle_verify_header(const uint8_t* d, size_t size, const wasmiot_crypto* crypto,
                                                   const wasmiot_device_policy* policy, wasmiot_bundle_header* h) {
  uint8_t digest[32];
  const uint8_t* key = NULL;
  size_t i;
  wasmiot_bundle_result r = wasmiot_bundle_parse_header(d, size, h);
  if (r != WASMIOT_BUNDLE_OK) return r;
  if (size < h->table_offset) return WASMIOT_BUNDLE_TRUNCATED;
  /* The signature first: nothing unauthenticated decides anything below. */
  for (i = 0; i < policy->public_key_count && !key; ++i) {
    wasmiot_sha256(crypto, policy->public_keys[i], 32, digest);
    if (memcmp(digest, h->key_id, WASMIOT_BUNDLE_KEY_ID_SIZE) == 0) key = policy->public_keys[i];
  }
  if (!key) return WASMIOT_BUNDLE_UNKNOWN_KEY;
  if (!crypto->ed25519_verify(d + h->header_size, d, h->header_size, key)) {
    return WASMIOT_BUNDLE_BAD_SIGNATURE;
  }
  if (policy->device_id && memcmp(h->device_id, policy->device_id, WASMIOT_DEVICE_ID_SIZE) != 0) {
    return WASMIOT_BUNDLE_WRONG_DEVICE;
  }
  if (policy->payload_kind && h->payload_kind != policy->payload_kind) return WASMIOT_BUNDLE_WRONG_KIND;
  if (h->payload_kind == WASMIOT_PAYLOAD_AOT && !target_accepted(policy, h->target)) return WASMIOT_BUNDLE_WRONG_TARGET;
  if (h->payload_size > policy->max_payload_size || h->decoded_size > policy->max_payload_size) {
    return WASMIOT_BUNDLE_TOO_LARGE;
  }
  if (h->sequence <= policy->installed_sequence) return WASMIOT_BUNDLE_ROLLBACK;
  /* sequence > installed here, so the difference cannot wrap. */
  if (policy->max_sequence_jump && h->sequence - policy->installed_sequence > policy->max_sequence_jump) {
    return WASMIOT_BUNDLE_SEQUENCE_JUMP;
  }
  if (h->encoding != WASMIOT_ENCODING_NONE && !(policy->encodings & (1u << h->encoding))) {
    return WASMIOT_BUNDLE_UNSUPPORTED_ENCODING;
  }
  if (h->encoding == WASMIOT_ENCODING_DELTA && policy->base_digest &&
      memcmp(policy->base_digest, h->base_digest, WASMIOT_BUNDLE_DIGEST_SIZE) != 0) {
    return WASMIOT_BUNDLE_WRONG_BASE;
  }
  return WASMIOT_BUNDLE_OK;
}

void wasmiot_sha256(const wasmiot_crypto* crypto, const uint8_t* data, size_t size, uint8_t out[32]) {
  wasmiot_sha256_ctx ctx;
  crypto->sha256_init(&ctx);
  crypto->sha256_update(&ctx, data, size);
  crypto->sha256_final(&ctx, out);
}

void wasmiot_device_id(const wasmiot_crypto* crypto, const char* vendor, const char* device_class,
                       uint8_t out[WASMIOT_DEVICE_ID_SIZE]) {
  static const uint8_t label[] = "wasmiot-device"; /* with its NUL */
  static const uint8_t nul = 0;
  uint8_t digest[32];
  wasmiot_sha256_ctx ctx;
  crypto->sha256_init(&ctx);
  crypto->sha256_update(&ctx, label, sizeof label);
  crypto->sha256_update(&ctx, (const uint8_t*)vendor, strlen(vendor));
  crypto->sha256_update(&ctx, &nul, 1);
  crypto->sha256_update(&ctx, (const uint8_t*)device_class, strlen(device_class));
  crypto->sha256_final(&ctx, digest);
  memcpy(out, digest, WASMIOT_DEVICE_ID_SIZE);
}

wasmiot_bundle_layout wasmiot_bundle_layout_of(const wasmiot_bundle_header* h) {
  wasmiot_bundle_layout l;
  l.table_offset = h->table_offset;
  l.payload_size = h->payload_size;
  l.chunk_size = h->chunk_size;
  l.chunk_count = h->chunk_count;
  return l;
}

uint32_t wasmiot_bundle_payload_offset(const wasmiot_bundle_layout* l) {
  return l->table_offset + WASMIOT_BUNDLE_TABLE_SIZE(l->chunk_count);
}

uint64_t wasmiot_bundle_end(const wasmiot_bundle_layout* l) {
  return (uint64_t)wasmiot_bundle_payload_offset(l) + l->payload_size;
}

uint32_t wasmiot_bundle_chunk_length(const wasmiot_bundle_layout* h, uint32_t index) {
  if (index >= h->chunk_count) return 0;
  /* index < chunk_count = ceil(payload_size / chunk_size): no overflow, no underflow. */
  return index + 1 < h->chunk_count ? h->chunk_size : h->payload_size - index * h->chunk_size;
}

int wasmiot_bundle_chunk_ok(const wasmiot_bundle_layout* h, uint32_t index, const uint8_t* chunk, size_t size,
                            const uint8_t table_entry[16], const wasmiot_crypto* crypto) {
  uint8_t digest[32];
  if (index >= h->chunk_count || size != wasmiot_bundle_chunk_length(h, index)) return 0;
  wasmiot_sha256(crypto, chunk, size, digest);
  return memcmp(digest, table_entry, WASMIOT_BUNDLE_CHUNK_DIGEST_SIZE) == 0;
}

wasmiot_bundle_result wasmiot_bundle_check_body(const uint8_t* d, size_t size, const wasmiot_bundle_header* h,
                                                const wasmiot_crypto* crypto) {
  uint8_t digest[32];
  const uint8_t* table = d + h->table_offset;
  const uint8_t* payload;
  wasmiot_bundle_layout layout = wasmiot_bundle_layout_of(h);
  size_t payload_offset = wasmiot_bundle_payload_offset(&layout);
  uint32_t i;
  if (size < payload_offset || size - payload_offset < h->payload_size) return WASMIOT_BUNDLE_TRUNCATED;
  if (size - payload_offset > h->payload_size) return WASMIOT_BUNDLE_TRAILING_DATA;
  wasmiot_sha256(crypto, table, WASMIOT_BUNDLE_TABLE_SIZE(h->chunk_count), digest);
  if (memcmp(digest, h->table_digest, WASMIOT_BUNDLE_DIGEST_SIZE) != 0) return WASMIOT_BUNDLE_TABLE_MISMATCH;
  payload = d + payload_offset;
  for (i = 0; i < h->chunk_count; ++i) {
    if (!wasmiot_bundle_chunk_ok(&layout, i, payload + (size_t)i * h->chunk_size, wasmiot_bundle_chunk_length(&layout, i),
                                 table + (size_t)i * WASMIOT_BUNDLE_CHUNK_DIGEST_SIZE, crypto)) {
      return WASMIOT_BUNDLE_PAYLOAD_MISMATCH;
    }
  }
  /* A plain wasm payload is the module itself. */
  if (h->payload_kind == WASMIOT_PAYLOAD_WASM && h->encoding == WASMIOT_ENCODING_NONE) {
    wasmiot_sha256(crypto, payload, h->payload_size, digest);
    if (memcmp(digest, h->module_digest, WASMIOT_BUNDLE_DIGEST_SIZE) != 0) return WASMIOT_BUNDLE_PAYLOAD_MISMATCH;
  }
  return WASMIOT_BUNDLE_OK;
}

wasmiot_bundle_result wasmiot_bundle_verify(const uint8_t* d, size_t size, const wasmiot_crypto* crypto,
                                            const wasmiot_device_policy* policy, wasmiot_bundle_header* h) {
  wasmiot_bundle_result r = wasmiot_bundle_verify_header(d, size, crypto, policy, h);
  return r != WASMIOT_BUNDLE_OK ? r : wasmiot_bundle_check_body(d, size, h, crypto);
}
