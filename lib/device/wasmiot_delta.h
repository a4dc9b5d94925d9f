/*
 * wasmiot delta stream, format v1: how a compressed or delta payload is
 * encoded, and the device-side applier (C99, no heap). docs/delta.md
 * describes the stream byte by byte.
 *
 * A stream is a sequence of operations that produce the new payload from
 * front to back:
 *
 *   op byte 00nnnnnn  INSERT    n + 1 literal bytes follow (n = 63: 64 + varint)
 *   op byte 01nnnnnn  COPY_OLD  n + 4 bytes of the old payload (n = 63: 67 + varint),
 *                               from the old cursor plus a zigzag varint
 *   op byte 10nnnnnn  COPY_NEW  n + 4 bytes of what was produced (n = 63: 67 + varint),
 *                               from varint + 1 bytes back; may overlap (a run)
 *   op byte 11nnnnnn  reserved: malformed
 *
 * Varints are unsigned LEB128 of at most 5 bytes holding a u32. The old
 * cursor starts at 0 and is left at the end of each COPY_OLD, so copying on
 * where the last copy ended costs one byte. A compressed payload is a delta
 * against nothing: it uses no COPY_OLD.
 *
 * The applier takes the stream in order, in pieces of any size (the chunks
 * of a verified bundle, read back from flash), reads the old payload through
 * the receiver's storage callbacks (wasmiot_chunks.h), and writes the new one
 * front to back through another storage, in whole 64-byte blocks but the
 * last, so each NOR write unit (a power of two up to 64) is programmed once.
 * A COPY_NEW reads back what it wrote. It never writes the old storage, and
 * never writes the new one outside [new_offset, new_offset + new_size).
 * RAM: one wasmiot_delta (WASMIOT_DELTA_BLOCK bytes of buffer and 48 of
 * state); nothing on the stack beyond a few words. After a power cut, start
 * again from the beginning: the old payload and the stream are unchanged.
 */
#ifndef WASMIOT_DELTA_H_
#define WASMIOT_DELTA_H_

#include "wasmiot_chunks.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WASMIOT_DELTA_OP_INSERT 0u
#define WASMIOT_DELTA_OP_COPY_OLD 1u
#define WASMIOT_DELTA_OP_COPY_NEW 2u
#define WASMIOT_DELTA_OP_RESERVED 3u
#define WASMIOT_DELTA_OP_SHIFT 6u
#define WASMIOT_DELTA_OP_LENGTH_MASK 0x3Fu
#define WASMIOT_DELTA_LENGTH_EXTENDED 63u   /* the op's length continues in a varint */
#define WASMIOT_DELTA_MIN_INSERT 1u
#define WASMIOT_DELTA_MIN_COPY 4u
#define WASMIOT_DELTA_VARINT_MAX_BYTES 5u
/* Payloads (old and new) below 2^31 bytes, so a cursor move fits an int32. */
#define WASMIOT_DELTA_MAX_SIZE 0x7FFFFFFFu
/* Output is written in blocks of this many bytes (every NOR write unit divides it). */
#define WASMIOT_DELTA_BLOCK 64u

typedef enum {
  WASMIOT_DELTA_OK = 0,
  WASMIOT_DELTA_MALFORMED,        /* a reserved op, or a varint over 5 bytes or u32 */
  WASMIOT_DELTA_OLD_RANGE,        /* a COPY_OLD outside the old payload */
  WASMIOT_DELTA_NEW_RANGE,        /* a COPY_NEW reaching before the start of the output */
  WASMIOT_DELTA_TOO_LONG,         /* an op would write past the declared new size */
  WASMIOT_DELTA_TOO_SHORT,        /* the stream ended before the new payload was whole */
  WASMIOT_DELTA_TRUNCATED,        /* the stream ended inside an op */
  WASMIOT_DELTA_BAD_SIZES,        /* sizes over WASMIOT_DELTA_MAX_SIZE, or outside a storage */
  WASMIOT_DELTA_STORAGE_ERROR,    /* a storage callback failed */
  WASMIOT_DELTA_FAILED,           /* an earlier call failed: the applier takes nothing more */
  /* wasmiot_decode.h only: */
  WASMIOT_DELTA_WRONG_BASE,       /* the base payload is not the one the delta was made against */
  WASMIOT_DELTA_DIGEST_MISMATCH,  /* the decoded payload differs from its signed digest */
  WASMIOT_DELTA_NOT_ENCODED       /* the bundle is plain: nothing to decode */
} wasmiot_delta_result;

const char* wasmiot_delta_result_name(wasmiot_delta_result result);

typedef struct {
  const wasmiot_storage* old_storage; /* read only; NULL when old_size is 0 */
  uint32_t old_offset, old_size;      /* the old payload in it */
  const wasmiot_storage* new_storage; /* written front to back, read back */
  uint32_t new_offset, new_size;      /* where the new payload goes, and its exact size */
} wasmiot_delta_config;

typedef struct {
  wasmiot_delta_config config;
  uint32_t produced;    /* bytes of the new payload produced so far */
  uint32_t flushed;     /* of which written to new_storage; the rest sit in block */
  uint32_t old_cursor;
  uint32_t length;      /* of the current op, once known */
  uint32_t varint;      /* the varint being read */
  uint8_t varint_shift; /* bits of it read so far (multiple of 7) */
  uint8_t state;
  uint8_t op;
  uint8_t block[WASMIOT_DELTA_BLOCK];
} wasmiot_delta;

/* Starts applying a stream. BAD_SIZES if a size exceeds WASMIOT_DELTA_MAX_SIZE
 * or a payload does not lie inside its storage's capacity. */
wasmiot_delta_result wasmiot_delta_begin(wasmiot_delta* delta, const wasmiot_delta_config* config);

/* Takes the next `size` bytes of the stream. Anything but OK is final: later
 * calls return FAILED and write nothing. */
wasmiot_delta_result wasmiot_delta_feed(wasmiot_delta* delta, const uint8_t* data, size_t size);

/* After the last byte: writes the last block. OK only if the stream ended
 * between ops with exactly new_size bytes produced; the caller then checks
 * the new payload against its signed digest, read back from storage. */
wasmiot_delta_result wasmiot_delta_finish(wasmiot_delta* delta);

#ifdef __cplusplus
}
#endif

#endif /* WASMIOT_DELTA_H_ */
