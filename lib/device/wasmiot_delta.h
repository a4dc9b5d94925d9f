/*
 * wasmiot delta stream, format 2: how a compressed or delta payload is
 * encoded, and the device-side applier (C99, no heap). docs/delta.md
 * describes the stream bit by bit.
 *
 * Two layers. The op layer is a sequence of operations that produce the new
 * payload from front to back, ended by END:
 *
 *   op byte 00nnnnnn  INSERT    n + 1 literal bytes follow (n = 63: 64 + varint)
 *   op byte 01nnnnnn  COPY_OLD  n + 4 bytes of the old payload (n = 63: 67 + varint),
 *                               from the old cursor plus a zigzag varint
 *   op byte 10nnnnnn  COPY_NEW  n + 4 bytes of what was produced (n = 63: 67 + varint),
 *                               from varint + 1 bytes back; may overlap (a run)
 *   op byte 11111111  END       the last byte of the op layer
 *   op byte 11nnnnnn  (others)  reserved: malformed
 *
 * Varints are unsigned LEB128 of at most 5 bytes holding a u32. The old
 * cursor starts at 0 and is left at the end of each COPY_OLD, so copying on
 * where the last copy ended costs one byte. A compressed payload is a delta
 * against nothing: it uses no COPY_OLD.
 *
 * The coding layer carries the op layer's bytes through an adaptive binary
 * range coder: each byte is 8 binary decisions (most significant bit first)
 * in one of three models, chosen by where the op layer's grammar stands
 * (wasmiot_delta_ops): op bytes, varint bytes, literal bytes.
 *
 * The applier takes the coded stream in order, in pieces of any size (a
 * verified bundle's payload read back from flash), reads the old payload
 * through the receiver's storage callbacks (wasmiot_chunks.h), and writes the
 * new one front to back through another storage, in whole 64-byte blocks but
 * the last, so each NOR write unit (a power of two up to 64) is programmed
 * once. A COPY_NEW reads back what it wrote. It never writes the old storage,
 * and never writes the new one outside [new_offset, new_offset + new_size).
 * RAM: one wasmiot_delta (640 bytes of models, a 64-byte block, an 8-byte
 * input queue and its state: under 800 bytes); about 100 bytes of stack. After a power cut,
 * start again from the beginning: the old payload and the stream are
 * unchanged.
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
#define WASMIOT_DELTA_OP_END_BYTE 0xFFu   /* END: the last byte of the op layer */
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
/* The coding layer: 8-bit probabilities, each the chance of a 0 bit in 256ths,
 * starting at 128 and moving 1/16 of the way to each bit seen, in three
 * models. Op bytes and literal bytes go down a bit tree of 255 nodes (1..255;
 * entry 0 unused); a varint byte's top bit (more follow) has one probability
 * (entry 0) and its 7 low bits a tree of 127 (1..127). The coder starts with 5
 * bytes: 0, then the code. */
#define WASMIOT_DELTA_MODEL_OP 0u
#define WASMIOT_DELTA_MODEL_VARINT 1u
#define WASMIOT_DELTA_MODEL_LITERAL 2u
#define WASMIOT_DELTA_MODELS 3u
#define WASMIOT_DELTA_OP_MODEL_AT 0u         /* where each model starts in `models` */
#define WASMIOT_DELTA_LITERAL_MODEL_AT 256u
#define WASMIOT_DELTA_VARINT_MODEL_AT 512u
#define WASMIOT_DELTA_MODEL_BYTES 640u
#define WASMIOT_DELTA_PROBABILITY_START 128u
#define WASMIOT_DELTA_ADAPT_SHIFT 4u
#define WASMIOT_DELTA_CODER_START_BYTES 5u
#define WASMIOT_DELTA_CODER_TOP 0x01000000u  /* the range is kept at least this */
/* Coded bytes queued before a byte of the op layer is decoded: one per bit. */
#define WASMIOT_DELTA_QUEUE 8u

typedef enum {
  WASMIOT_DELTA_OK = 0,
  WASMIOT_DELTA_MALFORMED,        /* a reserved op, a varint over 5 bytes or u32, a coder start
                                     byte other than 0, or coded bytes after END */
  WASMIOT_DELTA_OLD_RANGE,        /* a COPY_OLD outside the old payload */
  WASMIOT_DELTA_NEW_RANGE,        /* a COPY_NEW reaching before the start of the output */
  WASMIOT_DELTA_TOO_LONG,         /* an op would write past the declared new size */
  WASMIOT_DELTA_TOO_SHORT,        /* END came before the new payload was whole */
  WASMIOT_DELTA_TRUNCATED,        /* the coded stream ended before END */
  WASMIOT_DELTA_BAD_SIZES,        /* sizes over WASMIOT_DELTA_MAX_SIZE, or outside a storage */
  WASMIOT_DELTA_STORAGE_ERROR,    /* a storage callback failed */
  WASMIOT_DELTA_FAILED,           /* an earlier call failed: the applier takes nothing more */
  /* wasmiot_decode.h only: */
  WASMIOT_DELTA_WRONG_BASE,       /* the base payload is not the one the delta was made against */
  WASMIOT_DELTA_DIGEST_MISMATCH,  /* the decoded payload differs from its signed digest */
  WASMIOT_DELTA_NOT_ENCODED       /* the bundle is plain: nothing to decode */
} wasmiot_delta_result;

const char* wasmiot_delta_result_name(wasmiot_delta_result result);

/* The op layer's grammar alone: which model codes the next byte, and what each
 * byte completes. The applier runs one; the encoder runs one to code a stream
 * exactly as the applier will decode it. */
typedef enum {
  WASMIOT_DELTA_EVENT_NONE = 0,  /* more bytes of the same op follow */
  WASMIOT_DELTA_EVENT_LENGTH,    /* the op and its length are known (`op`, `length`) */
  WASMIOT_DELTA_EVENT_COPY,      /* a copy's argument is complete (`varint`) */
  WASMIOT_DELTA_EVENT_LITERAL,   /* the byte is one of an INSERT's */
  WASMIOT_DELTA_EVENT_END,       /* END */
  WASMIOT_DELTA_EVENT_MALFORMED  /* a reserved op, or a varint over 5 bytes or 32 bits */
} wasmiot_delta_event;

typedef struct {
  uint8_t state;
  uint8_t op;
  uint8_t varint_shift; /* bits of `varint` read so far (a multiple of 7) */
  uint32_t varint;
  uint64_t length;      /* the op's length; for an INSERT, its literal bytes still to come */
} wasmiot_delta_ops;

void wasmiot_delta_ops_init(wasmiot_delta_ops* ops);
/* WASMIOT_DELTA_MODEL_* of the next byte. */
uint8_t wasmiot_delta_ops_model(const wasmiot_delta_ops* ops);
wasmiot_delta_event wasmiot_delta_ops_step(wasmiot_delta_ops* ops, uint8_t byte);

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
  wasmiot_delta_ops ops;
  uint8_t state;        /* running, ended (END seen), done (finished or failed) */
  uint8_t start_left;   /* coder start bytes still to read */
  uint8_t queued, queue_head; /* coded bytes waiting (at most 8), and where the first is */
  uint32_t range, code; /* the range decoder */
  uint8_t queue[WASMIOT_DELTA_QUEUE];
  uint8_t models[WASMIOT_DELTA_MODEL_BYTES];
  uint8_t block[WASMIOT_DELTA_BLOCK];
} wasmiot_delta;

/* Starts applying a stream. BAD_SIZES if a size exceeds WASMIOT_DELTA_MAX_SIZE
 * or a payload does not lie inside its storage's capacity. */
wasmiot_delta_result wasmiot_delta_begin(wasmiot_delta* delta, const wasmiot_delta_config* config);

/* Takes the next `size` bytes of the stream. Anything but OK is final: later
 * calls return FAILED and write nothing. */
wasmiot_delta_result wasmiot_delta_feed(wasmiot_delta* delta, const uint8_t* data, size_t size);

/* After the last byte: decodes what is queued and writes the last block. OK
 * only if the op layer ended (END) with exactly new_size bytes produced and no
 * coded byte after it; the caller then checks the new payload against its
 * signed digest, read back from storage. */
wasmiot_delta_result wasmiot_delta_finish(wasmiot_delta* delta);

#ifdef __cplusplus
}
#endif

#endif /* WASMIOT_DELTA_H_ */
