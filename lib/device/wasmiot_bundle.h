/*
 * wasmiot signed bundle, formats v2 and v3: the one definition of their
 * layout, shared by the host tools and by firmware (C99, no heap).
 * docs/bundle.md describes them byte by byte. All integers are little-endian.
 *
 *   [0, H)               signed header: H = 136 (v2) or 176 (v3)
 *   [H, H + 64)          Ed25519 signature over the signed header
 *   [T, T + 16 n)        chunk table (T = H + 64): a 16-byte digest (truncated
 *                        SHA-256) per chunk; the table's digest is signed
 *   [T + 16 n, end)      payload (a wasm module or an AOT artifact)
 *
 * v2 carries the payload as it runs. v3 (an encoded bundle) carries it
 * compressed, or as a delta against the payload the device runs now
 * (docs/delta.md); its header adds the encoding, the size and digest of the
 * payload it decodes to, and for a delta the digest of the payload it applies
 * to, so a device refuses a patch for another payload at its header.
 *
 * Only the fixed header is signed, so a device checks the signature with 200
 * bytes in RAM however large the bundle is; the table is bound through its
 * digest and each chunk through its table entry, so a receiver checks each
 * chunk as it arrives once it holds the header and the table.
 *
 * Every digest in the header is SHA-256 truncated to 16 bytes (128 bits: a
 * second preimage still costs 2^128), and the device is named by a 16-byte id
 * derived from vendor and class rather than by the names themselves: 200
 * bytes instead of v1's 440 on every bundle sent.
 */
#ifndef WASMIOT_BUNDLE_H_
#define WASMIOT_BUNDLE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WASMIOT_BUNDLE_MAGIC "WIOT"
#define WASMIOT_BUNDLE_MAGIC_SIZE 4u
#define WASMIOT_BUNDLE_VERSION 2u         /* a plain payload */
#define WASMIOT_BUNDLE_ENCODED_VERSION 3u /* an encoded payload: the header goes on below */

/* Offsets of the signed header. */
#define WASMIOT_BUNDLE_OFF_MAGIC 0u            /* 4 bytes "WIOT" */
#define WASMIOT_BUNDLE_OFF_VERSION 4u          /* u8: format version, 2 */
#define WASMIOT_BUNDLE_OFF_KIND 5u             /* u8: WASMIOT_PAYLOAD_* */
#define WASMIOT_BUNDLE_OFF_TARGET 6u           /* u8: WASMIOT_TARGET_* for AOT, 0 for wasm */
#define WASMIOT_BUNDLE_OFF_RESERVED 7u         /* u8, zero */
#define WASMIOT_BUNDLE_OFF_SEQUENCE 8u         /* u64: monotonic, anti-rollback */
#define WASMIOT_BUNDLE_OFF_VERSION_MAJOR 16u   /* u16 x 3: the module's semantic version */
#define WASMIOT_BUNDLE_OFF_VERSION_MINOR 18u
#define WASMIOT_BUNDLE_OFF_VERSION_PATCH 20u
#define WASMIOT_BUNDLE_OFF_API_MAJOR 22u       /* u16 x 3: the manifest's api_version */
#define WASMIOT_BUNDLE_OFF_API_MINOR 24u
#define WASMIOT_BUNDLE_OFF_API_PATCH 26u
#define WASMIOT_BUNDLE_OFF_PAYLOAD_SIZE 28u    /* u32 */
#define WASMIOT_BUNDLE_OFF_CHUNK_SIZE 32u      /* u16: payload bytes per chunk */
#define WASMIOT_BUNDLE_OFF_CHUNK_COUNT 34u     /* u16 */
#define WASMIOT_BUNDLE_OFF_MEMORY_PAGES 36u    /* u32: budgets the device must grant */
#define WASMIOT_BUNDLE_OFF_TABLE_ELEMENTS 40u  /* u32 */
#define WASMIOT_BUNDLE_OFF_STACK_BYTES 44u     /* u32 */
#define WASMIOT_BUNDLE_OFF_HEAP_BYTES 48u      /* u32 */
#define WASMIOT_BUNDLE_OFF_WALL_MS_PER_CALL 52u /* u32 */
#define WASMIOT_BUNDLE_OFF_FUEL_PER_CALL 56u   /* u64 */
#define WASMIOT_BUNDLE_OFF_KEY_ID 64u          /* 8 bytes: SHA-256(public key)[0..8) */
#define WASMIOT_BUNDLE_OFF_DEVICE_ID 72u       /* 16: wasmiot_device_id(vendor, class) */
#define WASMIOT_BUNDLE_OFF_MANIFEST_DIGEST 88u /* 16: the manifest file it was checked against */
#define WASMIOT_BUNDLE_OFF_MODULE_DIGEST 104u  /* 16: the wasm module checked (and, for AOT, compiled) */
#define WASMIOT_BUNDLE_OFF_TABLE_DIGEST 120u   /* 16: the chunk table */
#define WASMIOT_BUNDLE_HEADER_SIZE 136u        /* the signed bytes of v2 */
/* v3 only: */
#define WASMIOT_BUNDLE_OFF_ENCODING 136u       /* u8: WASMIOT_ENCODING_COMPRESSED or _DELTA */
#define WASMIOT_BUNDLE_OFF_ENCODING_RESERVED 137u /* 3 bytes, zero */
#define WASMIOT_BUNDLE_OFF_DECODED_SIZE 140u   /* u32: the payload it decodes to */
#define WASMIOT_BUNDLE_OFF_DECODED_DIGEST 144u /* 16: of that payload (wasm: the module digest) */
#define WASMIOT_BUNDLE_OFF_BASE_DIGEST 160u    /* 16: a delta's old payload; zero when compressed */
#define WASMIOT_BUNDLE_ENCODED_HEADER_SIZE 176u /* the signed bytes of v3 */

#define WASMIOT_BUNDLE_DIGEST_SIZE 16u
#define WASMIOT_BUNDLE_KEY_ID_SIZE 8u
#define WASMIOT_BUNDLE_SIGNATURE_SIZE 64u
#define WASMIOT_BUNDLE_TABLE_OFFSET (WASMIOT_BUNDLE_HEADER_SIZE + WASMIOT_BUNDLE_SIGNATURE_SIZE) /* 200: v2 */
#define WASMIOT_BUNDLE_ENCODED_TABLE_OFFSET \
  (WASMIOT_BUNDLE_ENCODED_HEADER_SIZE + WASMIOT_BUNDLE_SIGNATURE_SIZE) /* 240: v3 */
/* The most bytes a header and its signature take: a resuming receiver's scratch. */
#define WASMIOT_BUNDLE_MAX_TABLE_OFFSET WASMIOT_BUNDLE_ENCODED_TABLE_OFFSET
#define WASMIOT_BUNDLE_CHUNK_DIGEST_SIZE WASMIOT_BUNDLE_DIGEST_SIZE
#define WASMIOT_BUNDLE_DEFAULT_CHUNK_SIZE 1024u
#define WASMIOT_BUNDLE_MIN_CHUNK_SIZE 64u
/* Chunk sizes and counts are u16 in the header and in OTA frames. */
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

/* How a v3 payload is encoded (wasmiot_delta.h). A v2 payload is plain. */
enum {
  WASMIOT_ENCODING_NONE = 0,
  WASMIOT_ENCODING_COMPRESSED = 1, /* a delta stream against nothing */
  WASMIOT_ENCODING_DELTA = 2       /* a delta stream against the base payload */
};

/* AOT targets by number: the one list of ids and names (lib/aot/targets.cc
 * describes how to compile for each). Ids are never reused or renumbered. */
#define WASMIOT_TARGETS(X)                  \
  X(1, HOST, "host")                        \
  X(2, X86_64_LINUX, "x86_64-linux")        \
  X(3, AARCH64_LINUX, "aarch64-linux")      \
  X(4, ARMV7_LINUX, "armv7-linux")          \
  X(5, RISCV64_LINUX, "riscv64-linux")      \
  X(6, CORTEX_M0PLUS, "cortex-m0plus")      \
  X(7, CORTEX_M3, "cortex-m3")              \
  X(8, CORTEX_M4F, "cortex-m4f")            \
  X(9, CORTEX_M7, "cortex-m7")              \
  X(10, CORTEX_M33, "cortex-m33")           \
  X(11, RISCV32IMAC, "riscv32imac")         \
  X(12, XTENSA_LX106, "xtensa-lx106")

#define WASMIOT_TARGET_ENUM_(id, symbol, name) WASMIOT_TARGET_##symbol = id,
enum { WASMIOT_TARGETS(WASMIOT_TARGET_ENUM_) WASMIOT_TARGET_END_ };
#undef WASMIOT_TARGET_ENUM_

/* The name of target `id`, or NULL for an id this code does not know. */
const char* wasmiot_target_name(uint8_t id);

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
  WASMIOT_BUNDLE_PAYLOAD_MISMATCH,   /* payload or a chunk differs from its digest */
  WASMIOT_BUNDLE_UNSUPPORTED_ENCODING, /* compressed or delta, and this device takes no such bundle */
  WASMIOT_BUNDLE_WRONG_BASE          /* a delta for another payload than the one the device runs */
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

/* A device's 16-byte id: SHA-256("wasmiot-device" 0 vendor 0 class), first
 * 16 bytes. Firmware may compute it once or store the value `wasmiot inspect
 * --manifest` prints. */
#define WASMIOT_DEVICE_ID_SIZE 16u
void wasmiot_device_id(const wasmiot_crypto* crypto, const char* vendor, const char* device_class,
                       uint8_t out[WASMIOT_DEVICE_ID_SIZE]);

/* What this device accepts. */
typedef struct {
  const uint8_t (*public_keys)[32]; /* trusted keys */
  size_t public_key_count;
  const uint8_t* device_id; /* 16 bytes; firmware always sets it; NULL accepts any (host
                               tools reassembling without a manifest) */
  int payload_kind;         /* 0: any, else WASMIOT_PAYLOAD_* */
  const uint8_t* targets;   /* the AOT targets this device runs (WASMIOT_TARGET_*); */
  size_t target_count;      /* NULL: any (host tools); non-NULL with count 0: no AOT at all */
  uint32_t max_payload_size;
  uint64_t installed_sequence;
  uint64_t max_sequence_jump; /* the largest accepted sequence - installed_sequence; 0: no limit */
  unsigned encodings;         /* bit (1 << WASMIOT_ENCODING_*) per encoding this device decodes; 0: plain only */
  const uint8_t* base_digest; /* 16 bytes: the digest of the payload the device runs, the one a delta
                                 must apply to. NULL: any (host tools, which have no slot). Firmware
                                 that takes deltas sets it: decoding checks the base again
                                 (wasmiot_decode.h), but only after the whole patch came in.
                                 Verifying a bundle already in a slot, set it to that bundle's
                                 own base digest: its decoded payload stands on its signed digest. */
} wasmiot_device_policy;

/* The parsed fixed header. */
typedef struct {
  uint8_t format;       /* WASMIOT_BUNDLE_VERSION or WASMIOT_BUNDLE_ENCODED_VERSION */
  uint32_t header_size; /* signed bytes: 136 or 176 */
  uint32_t table_offset; /* header_size + the signature */
  uint8_t payload_kind;
  uint8_t target; /* WASMIOT_TARGET_*, 0 for wasm */
  uint64_t sequence;
  uint16_t version_major, version_minor, version_patch;
  uint16_t api_major, api_minor, api_patch;
  uint32_t payload_size, chunk_size, chunk_count;
  uint32_t memory_pages, table_elements, stack_bytes, heap_bytes, wall_ms_per_call;
  uint64_t fuel_per_call;
  uint8_t key_id[WASMIOT_BUNDLE_KEY_ID_SIZE];
  uint8_t device_id[WASMIOT_DEVICE_ID_SIZE];
  uint8_t manifest_digest[WASMIOT_BUNDLE_DIGEST_SIZE];
  uint8_t module_digest[WASMIOT_BUNDLE_DIGEST_SIZE];
  uint8_t table_digest[WASMIOT_BUNDLE_DIGEST_SIZE];
  /* v3; a v2 header reads as encoding NONE, decoded_size = payload_size, digests zero. */
  uint8_t encoding;
  uint32_t decoded_size;
  uint8_t decoded_digest[WASMIOT_BUNDLE_DIGEST_SIZE];
  uint8_t base_digest[WASMIOT_BUNDLE_DIGEST_SIZE];
} wasmiot_bundle_header;

/* Size of the chunk table, and offset of the payload in a v2 bundle (any
 * bundle: wasmiot_bundle_payload_offset). */
#define WASMIOT_BUNDLE_TABLE_SIZE(chunk_count) ((uint32_t)(chunk_count) * WASMIOT_BUNDLE_CHUNK_DIGEST_SIZE)
#define WASMIOT_BUNDLE_PAYLOAD_OFFSET(chunk_count) (WASMIOT_BUNDLE_TABLE_OFFSET + WASMIOT_BUNDLE_TABLE_SIZE(chunk_count))

/* The signed header's size for the format version byte `version`, 0 for a
 * version this code does not know. */
uint32_t wasmiot_bundle_header_size(uint8_t version);

/* Parses and sanity-checks the signed header in the first `size` bytes (which
 * may be the start of a bundle still arriving). No signature check. A v3
 * header must name an encoding, zero reserved bytes, a decoded size, no base
 * digest unless a delta, and for wasm a decoded digest equal to the module
 * digest. */
wasmiot_bundle_result wasmiot_bundle_parse_header(const uint8_t* data, size_t size, wasmiot_bundle_header* out);

/* Authenticates the signed header and holds it against the device's policy:
 * the order a device should use before accepting any payload. `data` holds at
 * least the header and its signature (header_size + 64 bytes). The encoding
 * comes last: UNSUPPORTED_ENCODING, then for a delta WRONG_BASE. Both the
 * encoded and the decoded size count against max_payload_size. */
wasmiot_bundle_result wasmiot_bundle_verify_header(const uint8_t* data, size_t size, const wasmiot_crypto* crypto,
                                                   const wasmiot_device_policy* policy,
                                                   wasmiot_bundle_header* out);

/* The rest of a whole bundle in memory, after its header was parsed (and, on a
 * device, verified): exact size, the table's digest, every chunk's digest and,
 * for a plain wasm payload, the module digest. An encoded payload's decoded
 * bytes are checked where they are decoded (wasmiot_decode.h). */
wasmiot_bundle_result wasmiot_bundle_check_body(const uint8_t* data, size_t size, const wasmiot_bundle_header* header,
                                                const wasmiot_crypto* crypto);

/* verify_header, then check_body. */
wasmiot_bundle_result wasmiot_bundle_verify(const uint8_t* data, size_t size, const wasmiot_crypto* crypto,
                                            const wasmiot_device_policy* policy, wasmiot_bundle_header* out);

/* How a payload is cut into chunks: all a receiver keeps of the header to
 * place and check them. */
typedef struct {
  uint32_t table_offset, payload_size, chunk_size, chunk_count;
} wasmiot_bundle_layout;

wasmiot_bundle_layout wasmiot_bundle_layout_of(const wasmiot_bundle_header* header);

/* Where the payload starts, and where the bundle ends. */
uint32_t wasmiot_bundle_payload_offset(const wasmiot_bundle_layout* layout);
uint64_t wasmiot_bundle_end(const wasmiot_bundle_layout* layout);

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
