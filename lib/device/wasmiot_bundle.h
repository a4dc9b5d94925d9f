/*
 * wasmiot signed bundle, format v1: the one definition of its layout, shared
 * by the host tools and by firmware (C99, no heap). docs/bundle.md describes
 * it byte by byte. All integers are little-endian.
 *
 *   [0, 376)             signed header (fixed size)
 *   [376, 440)           Ed25519 signature over the signed header
 *   [440, 440 + 16 n)    chunk table: a 16-byte digest (truncated SHA-256) per
 *                        chunk; the SHA-256 of the whole table is signed
 *   [440 + 16 n, end)    payload (a wasm module or an AOT artifact)
 *
 * Only the fixed header is signed, so a device checks the signature with 440
 * bytes in RAM however large the bundle is; the table is bound through its
 * digest and each chunk through its table entry, so a receiver checks each
 * chunk as it arrives once it holds the header and the table.
 */
#ifndef WASMIOT_BUNDLE_H_
#define WASMIOT_BUNDLE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WASMIOT_BUNDLE_MAGIC "WIOTBNDL"
#define WASMIOT_BUNDLE_VERSION 1u

/* Offsets of the signed header. */
#define WASMIOT_BUNDLE_OFF_MAGIC 0u          /* 8 bytes */
#define WASMIOT_BUNDLE_OFF_VERSION 8u        /* u16 */
#define WASMIOT_BUNDLE_OFF_HEADER_SIZE 10u   /* u16: bytes signed, 376 in v1 */
#define WASMIOT_BUNDLE_OFF_KIND 12u          /* u8: WASMIOT_PAYLOAD_* */
#define WASMIOT_BUNDLE_OFF_RESERVED0 13u     /* 3 bytes, zero */
#define WASMIOT_BUNDLE_OFF_SEQUENCE 16u      /* u64: monotonic, anti-rollback */
#define WASMIOT_BUNDLE_OFF_VERSION_MAJOR 24u /* u16 x 3: semantic version */
#define WASMIOT_BUNDLE_OFF_VERSION_MINOR 26u
#define WASMIOT_BUNDLE_OFF_VERSION_PATCH 28u
#define WASMIOT_BUNDLE_OFF_RESERVED1 30u     /* u16, zero */
#define WASMIOT_BUNDLE_OFF_PAYLOAD_SIZE 32u  /* u32 */
#define WASMIOT_BUNDLE_OFF_CHUNK_SIZE 36u    /* u32: payload bytes per chunk */
#define WASMIOT_BUNDLE_OFF_CHUNK_COUNT 40u   /* u32 */
#define WASMIOT_BUNDLE_OFF_RESERVED2 44u     /* u32, zero */
#define WASMIOT_BUNDLE_OFF_PAYLOAD_SHA256 48u   /* 32 bytes */
#define WASMIOT_BUNDLE_OFF_TABLE_SHA256 80u     /* 32 bytes: SHA-256 of the chunk table */
#define WASMIOT_BUNDLE_OFF_MANIFEST_SHA256 112u /* 32 bytes: the manifest file it was checked against */
#define WASMIOT_BUNDLE_OFF_KEY_ID 144u          /* 8 bytes: SHA-256(public key)[0..8) */
#define WASMIOT_BUNDLE_OFF_VENDOR 152u          /* 64 bytes, NUL-padded */
#define WASMIOT_BUNDLE_OFF_DEVICE_CLASS 216u    /* 64 bytes, NUL-padded */
#define WASMIOT_BUNDLE_OFF_API_VERSION 280u     /* 32 bytes, NUL-padded "MAJOR.MINOR.PATCH" */
#define WASMIOT_BUNDLE_OFF_TARGET 312u          /* 32 bytes, NUL-padded; all zero for wasm */
#define WASMIOT_BUNDLE_OFF_MEMORY_PAGES 344u    /* u32: budgets the device must grant */
#define WASMIOT_BUNDLE_OFF_TABLE_ELEMENTS 348u  /* u32 */
#define WASMIOT_BUNDLE_OFF_STACK_BYTES 352u     /* u32 */
#define WASMIOT_BUNDLE_OFF_HEAP_BYTES 356u      /* u32 */
#define WASMIOT_BUNDLE_OFF_FUEL_PER_CALL 360u   /* u64 */
#define WASMIOT_BUNDLE_OFF_WALL_MS_PER_CALL 368u /* u32 */
#define WASMIOT_BUNDLE_OFF_RESERVED3 372u       /* u32, zero */
#define WASMIOT_BUNDLE_HEADER_SIZE 376u         /* the signed bytes */

#define WASMIOT_BUNDLE_SIGNATURE_SIZE 64u
#define WASMIOT_BUNDLE_TABLE_OFFSET (WASMIOT_BUNDLE_HEADER_SIZE + WASMIOT_BUNDLE_SIGNATURE_SIZE) /* 440 */
#define WASMIOT_BUNDLE_CHUNK_DIGEST_SIZE 16u
#define WASMIOT_BUNDLE_NAME_SIZE 64u
#define WASMIOT_BUNDLE_SHORT_NAME_SIZE 32u
#define WASMIOT_BUNDLE_DEFAULT_CHUNK_SIZE 1024u
#define WASMIOT_BUNDLE_MIN_CHUNK_SIZE 64u
/* Chunk numbers and chunk lengths travel as u16 in OTA frames (wasmiot_chunks.h). */
#define WASMIOT_BUNDLE_MAX_CHUNK_SIZE 0xFFFFu
#define WASMIOT_BUNDLE_MAX_CHUNKS 0xFFFFu
/* The largest sequence number signed without an explicit override: 2^53, the
 * largest integer every JSON reader keeps exact, still leaves a device more
 * updates than it will ever take, while 2^64-1 would leave it none. */
#define WASMIOT_BUNDLE_MAX_PLAIN_SEQUENCE ((uint64_t)1 << 53)

enum {
  WASMIOT_PAYLOAD_WASM = 1,
  WASMIOT_PAYLOAD_AOT = 2
};

/* What a verification found. Every refusal has its own code. */
typedef enum {
  WASMIOT_BUNDLE_OK = 0,
  WASMIOT_BUNDLE_TRUNCATED,          /* shorter than its header says */
  WASMIOT_BUNDLE_TRAILING_DATA,      /* longer than header + signature + payload */
  WASMIOT_BUNDLE_BAD_MAGIC,
  WASMIOT_BUNDLE_BAD_VERSION,        /* a format version this code does not know */
  WASMIOT_BUNDLE_MALFORMED,          /* inconsistent sizes, non-zero reserved bytes, bad kind */
  WASMIOT_BUNDLE_UNKNOWN_KEY,        /* signed by a key the device does not hold */
  WASMIOT_BUNDLE_BAD_SIGNATURE,
  WASMIOT_BUNDLE_WRONG_DEVICE,       /* vendor or device class differ */
  WASMIOT_BUNDLE_WRONG_KIND,         /* wasm where AOT is wanted, or the reverse */
  WASMIOT_BUNDLE_WRONG_TARGET,       /* AOT for another CPU */
  WASMIOT_BUNDLE_TOO_LARGE,          /* payload over the device's maximum */
  WASMIOT_BUNDLE_ROLLBACK,           /* sequence not above the installed one */
  WASMIOT_BUNDLE_SEQUENCE_JUMP,      /* sequence absurdly far ahead */
  WASMIOT_BUNDLE_TABLE_MISMATCH,     /* the chunk table differs from its signed digest */
  WASMIOT_BUNDLE_PAYLOAD_MISMATCH    /* payload or a chunk differs from its digest */
} wasmiot_bundle_result;

const char* wasmiot_bundle_result_name(wasmiot_bundle_result result);

/* Crypto is the firmware's: any SHA-256 and Ed25519 verify (a libsodium
 * backend serves the host tools). SHA-256 is incremental so that data in
 * flash is hashed through a small buffer; a backend whose state does not fit
 * in the context keeps it elsewhere and stores a pointer here. */
typedef struct {
  uint64_t opaque[16];
} wasmiot_sha256_ctx;

typedef struct {
  void (*sha256_init)(wasmiot_sha256_ctx* ctx);
  void (*sha256_update)(wasmiot_sha256_ctx* ctx, const uint8_t* data, size_t size);
  void (*sha256_final)(wasmiot_sha256_ctx* ctx, uint8_t out[32]);
  int (*ed25519_verify)(const uint8_t signature[64], const uint8_t* message, size_t size,
                        const uint8_t public_key[32]); /* 1 if valid */
} wasmiot_crypto;

/* SHA-256 of one buffer through the backend. */
void wasmiot_sha256(const wasmiot_crypto* crypto, const uint8_t* data, size_t size, uint8_t out[32]);

/* What this device accepts. */
typedef struct {
  const uint8_t (*public_keys)[32]; /* trusted keys */
  size_t public_key_count;
  const char* vendor;       /* firmware always sets both; NULL accepts any (host tools */
  const char* device_class; /* reassembling without a manifest) */
  int payload_kind;         /* 0: any, else WASMIOT_PAYLOAD_* */
  const char* target;       /* for AOT payloads: this device's target name, or NULL for any */
  uint32_t max_payload_size;
  uint64_t installed_sequence;
  uint64_t max_sequence_jump; /* the largest accepted sequence - installed_sequence; 0: no limit */
} wasmiot_device_policy;

/* The parsed fixed header (strings NUL-terminated). */
typedef struct {
  uint16_t header_size;
  uint8_t payload_kind;
  uint64_t sequence;
  uint16_t version_major, version_minor, version_patch;
  uint32_t payload_size, chunk_size, chunk_count;
  uint8_t payload_sha256[32];
  uint8_t table_sha256[32];
  uint8_t manifest_sha256[32];
  uint8_t key_id[8];
  char vendor[WASMIOT_BUNDLE_NAME_SIZE + 1];
  char device_class[WASMIOT_BUNDLE_NAME_SIZE + 1];
  char api_version[WASMIOT_BUNDLE_SHORT_NAME_SIZE + 1];
  char target[WASMIOT_BUNDLE_SHORT_NAME_SIZE + 1];
  uint32_t memory_pages, table_elements, stack_bytes, heap_bytes, wall_ms_per_call;
  uint64_t fuel_per_call;
} wasmiot_bundle_header;

/* Size of the chunk table and offset of the payload in a bundle. */
#define WASMIOT_BUNDLE_TABLE_SIZE(chunk_count) ((uint32_t)(chunk_count) * WASMIOT_BUNDLE_CHUNK_DIGEST_SIZE)
#define WASMIOT_BUNDLE_PAYLOAD_OFFSET(chunk_count) (WASMIOT_BUNDLE_TABLE_OFFSET + WASMIOT_BUNDLE_TABLE_SIZE(chunk_count))

/* Parses and sanity-checks the signed header in the first `size` bytes (which
 * may be the start of a bundle still arriving). No signature check. */
wasmiot_bundle_result wasmiot_bundle_parse_header(const uint8_t* data, size_t size, wasmiot_bundle_header* out);

/* Authenticates the signed header and holds it against the device's policy:
 * the order a device should use before accepting any payload. `data` holds at
 * least the header and its signature (WASMIOT_BUNDLE_TABLE_OFFSET bytes). */
wasmiot_bundle_result wasmiot_bundle_verify_header(const uint8_t* data, size_t size, const wasmiot_crypto* crypto,
                                                   const wasmiot_device_policy* policy,
                                                   wasmiot_bundle_header* out);

/* The rest of a whole bundle in memory, after its header was parsed (and, on a
 * device, verified): exact size, the table's digest, the payload's digest and
 * every chunk's digest. */
wasmiot_bundle_result wasmiot_bundle_check_body(const uint8_t* data, size_t size, const wasmiot_bundle_header* header,
                                                const wasmiot_crypto* crypto);

/* verify_header, then check_body. */
wasmiot_bundle_result wasmiot_bundle_verify(const uint8_t* data, size_t size, const wasmiot_crypto* crypto,
                                            const wasmiot_device_policy* policy, wasmiot_bundle_header* out);

/* How a payload is cut into chunks: all a receiver keeps of the header to
 * place and check them. */
typedef struct {
  uint32_t payload_size, chunk_size, chunk_count;
} wasmiot_bundle_layout;

wasmiot_bundle_layout wasmiot_bundle_layout_of(const wasmiot_bundle_header* header);

/* Bytes chunk number `index` holds: chunk_size, except the last; 0 past the count. */
uint32_t wasmiot_bundle_chunk_length(const wasmiot_bundle_layout* layout, uint32_t index);

/* 1 if `chunk` (chunk number `index`) has its expected length and its
 * truncated SHA-256 equals `table_entry`, its 16-byte entry in the chunk table. */
int wasmiot_bundle_chunk_ok(const wasmiot_bundle_layout* layout, uint32_t index, const uint8_t* chunk, size_t size,
                            const uint8_t table_entry[16], const wasmiot_crypto* crypto);

#ifdef __cplusplus
}
#endif

#endif /* WASMIOT_BUNDLE_H_ */
