/*
 * wasmiot OTA chunk stream, format v1, and the device-side receiver (C99, no
 * heap). docs/chunks.md describes the frames byte by byte.
 *
 * A bundle (wasmiot_bundle.h) travels as frames, each 9 bytes of frame header
 * and then its data:
 *
 *   offset 0  u8   type: 0x11 header, 0x12 chunk-table part, 0x13 payload chunk
 *                  (high nibble: frame format version 1)
 *   offset 1  4    bundle id: SHA-256 of the bundle's signed header, first 4 bytes
 *   offset 5  u16  index: 0 for the header, else the part or chunk number
 *   offset 7  u16  data length
 *   offset 9       data
 *
 * The header frame carries the signed header and its signature (200 bytes;
 * 240 for an encoded bundle, format v3);
 * table part i carries chunk-table bytes [i * chunk_size, ...); payload chunk
 * i carries payload bytes [i * chunk_size, ...); every part and chunk is
 * chunk_size bytes except the last of its kind, which holds the rest.
 *
 * The bundle id only routes frames to a session; integrity comes from the
 * signature, the table digest and each chunk's table entry.
 */
#ifndef WASMIOT_CHUNKS_H_
#define WASMIOT_CHUNKS_H_

#include "wasmiot_bundle.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WASMIOT_FRAME_HEADER_SIZE 9u
#define WASMIOT_FRAME_BUNDLE_ID_SIZE 4u
#define WASMIOT_FRAME_OFF_TYPE 0u
#define WASMIOT_FRAME_OFF_BUNDLE_ID 1u
#define WASMIOT_FRAME_OFF_INDEX 5u
#define WASMIOT_FRAME_OFF_LENGTH 7u

enum {
  WASMIOT_FRAME_HEADER = 0x11,
  WASMIOT_FRAME_TABLE = 0x12,
  WASMIOT_FRAME_CHUNK = 0x13
};

/* One frame, parsed; `data` points into the frame. */
typedef struct {
  uint8_t type;
  uint8_t bundle_id[WASMIOT_FRAME_BUNDLE_ID_SIZE];
  uint16_t index;
  uint16_t length;
  const uint8_t* data;
} wasmiot_frame;

/* Parses the frame at the start of `data`. Returns the frame's whole size
 * (header and data), or 0 if `data` does not start with a well-formed frame:
 * unknown type, or a length running past `size`. */
size_t wasmiot_frame_parse(const uint8_t* data, size_t size, wasmiot_frame* out);

/* The bundle id of a signed header: its version byte says how many bytes are
 * signed (wasmiot_bundle_header_size), and the caller holds that many. */
void wasmiot_bundle_id(const uint8_t* signed_header, const wasmiot_crypto* crypto,
                       uint8_t out[WASMIOT_FRAME_BUNDLE_ID_SIZE]);

/* Number of table parts a bundle travels in, and the bytes part `index`
 * holds (0 past the count). */
uint32_t wasmiot_table_parts(const wasmiot_bundle_layout* layout);
uint32_t wasmiot_table_part_length(const wasmiot_bundle_layout* layout, uint32_t index);

/* Where the receiver keeps the bundle: a slot of `capacity` bytes laid out
 * exactly as the bundle (header and signature, chunk table, payload), so the
 * payload is at WASMIOT_BUNDLE_PAYLOAD_OFFSET(chunk_count) when complete.
 * Callbacks return 0 on success. The receiver never reads or writes outside
 * [0, capacity). `erase` may be NULL; when set it is called once per new
 * session for the bytes the bundle will occupy (NOR flash needs it). */
typedef struct {
  void* context;
  uint32_t capacity;
  int (*read)(void* context, uint32_t offset, uint8_t* data, size_t size);
  int (*write)(void* context, uint32_t offset, const uint8_t* data, size_t size);
  int (*erase)(void* context, uint32_t offset, uint32_t size);
} wasmiot_storage;

typedef struct {
  const wasmiot_storage* storage;
  const wasmiot_crypto* crypto;
  const wasmiot_device_policy* policy;
  uint8_t* bitmap;           /* one bit per table part and per chunk, owned by the caller */
  uint32_t bitmap_bytes;
  uint32_t idle_timeout_ms;    /* end a session that makes no progress for this long; 0: never */
  uint32_t session_timeout_ms; /* end a session this long after its header; 0: never */
  uint32_t decode_align;       /* an encoded payload is decoded into the slot at the first multiple of
                                  this after the bundle (wasmiot_decode.h): the erase unit; 0 or 1: none */
} wasmiot_receiver_config;

/* `value` rounded up to a multiple of `align` (0 or 1: unchanged). */
uint64_t wasmiot_align_up(uint64_t value, uint32_t align);

/* What one call did. */
typedef enum {
  WASMIOT_RX_ACCEPTED = 0,     /* new data stored */
  WASMIOT_RX_COMPLETE,         /* the bundle is whole and its payload verified */
  WASMIOT_RX_DUPLICATE,        /* same bytes as already stored: ignored */
  WASMIOT_RX_CONFLICT,         /* same index as stored data, other bytes: refused */
  WASMIOT_RX_CORRUPT,          /* a chunk that does not match its signed digest: refused */
  WASMIOT_RX_MALFORMED,        /* bad frame: type, length, index past the count */
  WASMIOT_RX_FOREIGN,          /* a frame of another bundle than the session's */
  WASMIOT_RX_NOT_READY,        /* a part that needs the header (or the table) first */
  WASMIOT_RX_BUSY,             /* another bundle's header, not newer than the session's */
  WASMIOT_RX_REFUSED,          /* the header was refused: see `refusal` */
  WASMIOT_RX_TABLE_MISMATCH,   /* all table parts in, but their digest differs: table dropped */
  WASMIOT_RX_PAYLOAD_MISMATCH, /* all chunks in, but the payload read back from storage fails its digests: dropped */
  WASMIOT_RX_STORAGE_ERROR,    /* a storage callback failed; nothing was marked received */
  WASMIOT_RX_TIMED_OUT,        /* the session ended: too slow */
  WASMIOT_RX_IDLE              /* no session */
} wasmiot_rx_result;

const char* wasmiot_rx_result_name(wasmiot_rx_result result);

enum {
  WASMIOT_RX_STATE_IDLE = 0,
  WASMIOT_RX_STATE_TABLE,    /* header verified, receiving the chunk table */
  WASMIOT_RX_STATE_PAYLOAD,  /* table verified, receiving chunks */
  WASMIOT_RX_STATE_COMPLETE
};

typedef struct {
  wasmiot_receiver_config config;
  uint8_t state;
  uint8_t bundle_id[WASMIOT_FRAME_BUNDLE_ID_SIZE];
  wasmiot_bundle_result refusal; /* why the last header was refused */
  uint64_t sequence;
  wasmiot_bundle_layout layout;
  uint32_t table_parts;
  uint32_t missing; /* bits still clear in the current stage's bitmap */
  uint32_t started_ms, last_progress_ms;
  uint8_t payload_kind;
  uint8_t encoding;
  uint8_t table_digest[WASMIOT_BUNDLE_DIGEST_SIZE];
  uint8_t module_digest[WASMIOT_BUNDLE_DIGEST_SIZE];
} wasmiot_receiver;

void wasmiot_receiver_init(wasmiot_receiver* rx, const wasmiot_receiver_config* config);

/* Rebuilds the session from storage after a restart: the header is verified
 * again against the policy, the table against its digest, and each stored
 * chunk against its table entry (a chunk cut short by power loss is simply
 * missing). IDLE if storage holds no acceptable header. `scratch` holds
 * WASMIOT_BUNDLE_MAX_TABLE_OFFSET (240) bytes: the frame buffer will do, since
 * it must hold a 249-byte header frame anyway. An encoded bundle's
 * decoded payload is not the receiver's: wasmiot_decode.h. */
wasmiot_rx_result wasmiot_receiver_resume(wasmiot_receiver* rx, uint8_t* scratch, uint32_t now_ms);

/* Takes one frame. Never trusts a size before the header is authenticated
 * and never writes outside the slot. */
wasmiot_rx_result wasmiot_receiver_accept(wasmiot_receiver* rx, const uint8_t* frame, size_t size, uint32_t now_ms);

/* Ends the session if it timed out (then TIMED_OUT), else IDLE or ACCEPTED
 * (a session is running) or COMPLETE. Call it from the firmware's tick. */
wasmiot_rx_result wasmiot_receiver_poll(wasmiot_receiver* rx, uint32_t now_ms);

/* Forgets the session (storage is left as it is). */
void wasmiot_receiver_reset(wasmiot_receiver* rx);

/* 1 if chunk `index` is stored (PAYLOAD or COMPLETE state). */
int wasmiot_receiver_has_chunk(const wasmiot_receiver* rx, uint32_t index);

#ifdef __cplusplus
}
#endif

#endif /* WASMIOT_CHUNKS_H_ */
