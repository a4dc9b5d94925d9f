/* See wasmiot_delta.h and docs/delta.md. C99, no heap. */
#include "wasmiot_delta.h"

#include <string.h>

/* wasmiot_delta_ops.state */
enum {
  OPS_OP = 0,    /* expecting an op byte */
  OPS_LENGTH,    /* reading an extended length */
  OPS_ARGUMENT,  /* reading a copy's varint */
  OPS_LITERAL,   /* reading an insert's bytes */
  OPS_END        /* END was read: nothing may follow */
};

/* wasmiot_delta.state */
enum {
  RUNNING = 0,
  ENDED,  /* END decoded: only finish remains */
  DONE    /* finished, or failed: takes nothing more */
};

/* feed queues a byte when fewer than 8 wait, and decodes while 8 do. */
typedef char wasmiot_assert_coder[(WASMIOT_DELTA_QUEUE >= 8u) ? 1 : -1];

const char* wasmiot_delta_result_name(wasmiot_delta_result result) {
  switch (result) {
    case WASMIOT_DELTA_OK: return "ok";
    case WASMIOT_DELTA_MALFORMED: return "malformed";
    case WASMIOT_DELTA_OLD_RANGE: return "old-range";
    case WASMIOT_DELTA_NEW_RANGE: return "new-range";
    case WASMIOT_DELTA_TOO_LONG: return "too-long";
    case WASMIOT_DELTA_TOO_SHORT: return "too-short";
    case WASMIOT_DELTA_TRUNCATED: return "truncated";
    case WASMIOT_DELTA_BAD_SIZES: return "bad-sizes";
    case WASMIOT_DELTA_STORAGE_ERROR: return "storage-error";
    case WASMIOT_DELTA_FAILED: return "failed";
    case WASMIOT_DELTA_WRONG_BASE: return "wrong-base";
    case WASMIOT_DELTA_DIGEST_MISMATCH: return "digest-mismatch";
    case WASMIOT_DELTA_NOT_ENCODED: return "not-encoded";
  }
  return "unknown";
}

/* ---- the op layer's grammar ------------------------------------------------ */

void wasmiot_delta_ops_init(wasmiot_delta_ops* ops) { memset(ops, 0, sizeof *ops); }

uint8_t wasmiot_delta_ops_model(const wasmiot_delta_ops* ops) {
  if (ops->state == OPS_LENGTH || ops->state == OPS_ARGUMENT) return WASMIOT_DELTA_MODEL_VARINT;
  return ops->state == OPS_LITERAL ? WASMIOT_DELTA_MODEL_LITERAL : WASMIOT_DELTA_MODEL_OP;
}

static void start_varint(wasmiot_delta_ops* ops, uint8_t state) {
  ops->varint = 0;
  ops->varint_shift = 0;
  ops->state = state;
}

static uint32_t minimum_length(uint8_t op) {
  return op == WASMIOT_DELTA_OP_INSERT ? WASMIOT_DELTA_MIN_INSERT : WASMIOT_DELTA_MIN_COPY;
}

/* The op's length is known: an INSERT's literals or a copy's argument follow. */
static wasmiot_delta_event length_known(wasmiot_delta_ops* ops, uint64_t length) {
  ops->length = length;
  if (ops->op == WASMIOT_DELTA_OP_INSERT) {
    ops->state = OPS_LITERAL;
  } else {
    start_varint(ops, OPS_ARGUMENT);
  }
  return WASMIOT_DELTA_EVENT_LENGTH;
}

wasmiot_delta_event wasmiot_delta_ops_step(wasmiot_delta_ops* ops, uint8_t byte) {
  switch (ops->state) {
    case OPS_OP: {
      uint32_t n = byte & WASMIOT_DELTA_OP_LENGTH_MASK;
      if (byte == WASMIOT_DELTA_OP_END_BYTE) {
        ops->state = OPS_END;
        return WASMIOT_DELTA_EVENT_END;
      }
      ops->op = (uint8_t)(byte >> WASMIOT_DELTA_OP_SHIFT);
      if (ops->op == WASMIOT_DELTA_OP_RESERVED) return WASMIOT_DELTA_EVENT_MALFORMED;
      if (n == WASMIOT_DELTA_LENGTH_EXTENDED) {
        start_varint(ops, OPS_LENGTH);
        return WASMIOT_DELTA_EVENT_NONE;
      }
      return length_known(ops, (uint64_t)n + minimum_length(ops->op));
    }
    case OPS_LENGTH:
    case OPS_ARGUMENT:
      /* The fifth byte holds the top 4 bits and ends the varint. */
      if (ops->varint_shift == 28 && (byte & 0xF0u) != 0) return WASMIOT_DELTA_EVENT_MALFORMED;
      ops->varint |= (uint32_t)(byte & 0x7Fu) << ops->varint_shift;
      if (byte & 0x80u) {
        ops->varint_shift = (uint8_t)(ops->varint_shift + 7);
        return WASMIOT_DELTA_EVENT_NONE;
      }
      if (ops->state == OPS_LENGTH) {
        return length_known(ops, (uint64_t)ops->varint + WASMIOT_DELTA_LENGTH_EXTENDED + minimum_length(ops->op));
      }
      ops->state = OPS_OP;
      return WASMIOT_DELTA_EVENT_COPY;
    case OPS_LITERAL:
      if (--ops->length == 0) ops->state = OPS_OP;
      return WASMIOT_DELTA_EVENT_LITERAL;
    default:
      return WASMIOT_DELTA_EVENT_MALFORMED;  /* a byte after END */
  }
}

/* ---- the applier ----------------------------------------------------------- */

static int inside(const wasmiot_storage* storage, uint32_t offset, uint32_t size) {
  return storage && storage->read && (uint64_t)offset + size <= storage->capacity;
}

wasmiot_delta_result wasmiot_delta_begin(wasmiot_delta* delta, const wasmiot_delta_config* config) {
  memset(delta, 0, sizeof *delta);
  delta->config = *config;
  delta->state = DONE;
  if (config->old_size > WASMIOT_DELTA_MAX_SIZE || config->new_size > WASMIOT_DELTA_MAX_SIZE) {
    return WASMIOT_DELTA_BAD_SIZES;
  }
  if (config->old_size && !inside(config->old_storage, config->old_offset, config->old_size)) {
    return WASMIOT_DELTA_BAD_SIZES;
  }
  if (!inside(config->new_storage, config->new_offset, config->new_size) || !config->new_storage->write) {
    return WASMIOT_DELTA_BAD_SIZES;
  }
  wasmiot_delta_ops_init(&delta->ops);
  memset(delta->models, WASMIOT_DELTA_PROBABILITY_START, sizeof delta->models);
  delta->range = 0xFFFFFFFFu;
  delta->start_left = WASMIOT_DELTA_CODER_START_BYTES;
  delta->state = RUNNING;
  return WASMIOT_DELTA_OK;
}

static wasmiot_delta_result fail(wasmiot_delta* delta, wasmiot_delta_result result) {
  delta->state = DONE;
  return result;
}
/* Writes the block's bytes to the new payload's storage. */
static int flush(wasmiot_delta* delta) {
  uint32_t fill = delta->produced - delta->flushed;
  const wasmiot_storage* out = delta->config.new_storage;
  if (fill && out->write(out->context, delta->config.new_offset + delta->flushed, delta->block, fill) != 0) return 0;
  delta->flushed = delta->produced;
  return 1;
}

/* Counts `n` bytes just placed in the block as produced; writes a full block. */
static int produce(wasmiot_delta* delta, uint32_t n) {
  delta->produced += n;
  return delta->produced - delta->flushed < WASMIOT_DELTA_BLOCK || flush(delta);
}

/* A copy of `length` bytes whose argument is `argument`. */
static wasmiot_delta_result copy_old(wasmiot_delta* delta, uint32_t length, uint32_t argument) {
  /* Zigzag: 0, -1, 1, -2, ... as 0, 1, 2, 3, ... */
  int64_t move = (int64_t)(argument >> 1) ^ -(int64_t)(argument & 1u);
  int64_t from = (int64_t)delta->old_cursor + move;
  uint32_t done = 0;
  const wasmiot_storage* old = delta->config.old_storage;
  if (from < 0 || (uint64_t)from + length > delta->config.old_size) return WASMIOT_DELTA_OLD_RANGE;
  while (done < length) {
    uint32_t fill = delta->produced - delta->flushed;
    uint32_t n = length - done;
    if (n > WASMIOT_DELTA_BLOCK - fill) n = WASMIOT_DELTA_BLOCK - fill;
    if (old->read(old->context, delta->config.old_offset + (uint32_t)from + done, delta->block + fill, n) != 0 ||
        !produce(delta, n)) {
      return WASMIOT_DELTA_STORAGE_ERROR;
    }
    done += n;
  }
  delta->old_cursor = (uint32_t)from + length;
  return WASMIOT_DELTA_OK;
}

static wasmiot_delta_result copy_new(wasmiot_delta* delta, uint32_t length, uint32_t argument) {
  uint64_t distance = (uint64_t)argument + 1u;
  uint32_t from, done = 0;
  const wasmiot_storage* out = delta->config.new_storage;
  if (distance > delta->produced) return WASMIOT_DELTA_NEW_RANGE;
  from = delta->produced - (uint32_t)distance;
  while (done < length) {
    uint32_t at = from + done, fill = delta->produced - delta->flushed;
    uint32_t n = length - done, i;
    if (n > WASMIOT_DELTA_BLOCK - fill) n = WASMIOT_DELTA_BLOCK - fill;
    if (at >= delta->flushed) {
      /* Still in the block: byte by byte, so an overlapping copy repeats. */
      for (i = 0; i < n; ++i) delta->block[fill + i] = delta->block[at - delta->flushed + i];
    } else {
      if (n > delta->flushed - at) n = delta->flushed - at;
      if (out->read(out->context, delta->config.new_offset + at, delta->block + fill, n) != 0) {
        return WASMIOT_DELTA_STORAGE_ERROR;
      }
    }
    if (!produce(delta, n)) return WASMIOT_DELTA_STORAGE_ERROR;
    done += n;
  }
  return WASMIOT_DELTA_OK;
}

/* One byte of the op layer, decoded: checked, then acted on. */
static wasmiot_delta_result take(wasmiot_delta* delta, uint8_t byte) {
  wasmiot_delta_ops* ops = &delta->ops;
  uint32_t length = (uint32_t)ops->length; /* a copy's: the LENGTH check bounded it */
  switch (wasmiot_delta_ops_step(ops, byte)) {
    case WASMIOT_DELTA_EVENT_NONE:
      return WASMIOT_DELTA_OK;
    case WASMIOT_DELTA_EVENT_LENGTH:
      return ops->length > delta->config.new_size - delta->produced ? WASMIOT_DELTA_TOO_LONG : WASMIOT_DELTA_OK;
    case WASMIOT_DELTA_EVENT_COPY:
      return ops->op == WASMIOT_DELTA_OP_COPY_OLD ? copy_old(delta, length, ops->varint)
                                                  : copy_new(delta, length, ops->varint);
    case WASMIOT_DELTA_EVENT_LITERAL:
      delta->block[delta->produced - delta->flushed] = byte;
      return produce(delta, 1) ? WASMIOT_DELTA_OK : WASMIOT_DELTA_STORAGE_ERROR;
    case WASMIOT_DELTA_EVENT_END:
      delta->state = ENDED;
      return WASMIOT_DELTA_OK;
    default:
      return WASMIOT_DELTA_MALFORMED;
  }
}

/* ---- the coding layer ---------------------------------------------------- */

/* The next queued coded byte; 0 when none is (the caller then fails). */
static int next_coded(wasmiot_delta* delta, uint8_t* byte) {
  if (delta->queued == 0) return 0;
  *byte = delta->queue[delta->queue_head];
  delta->queue_head = (uint8_t)((delta->queue_head + 1u) % WASMIOT_DELTA_QUEUE);
  --delta->queued;
  return 1;
}

/* One binary decision with probability `*p` (in 256ths) of a 0; -1 when the
 * coded stream ran out. The probability stays within [15, 241], so the range
 * never falls below 2^16 * 15 before it is renormalized: one byte a bit. */
static int decode_bit(wasmiot_delta* delta, uint8_t* p) {
  uint32_t bound = (delta->range >> 8) * *p;
  int bit;
  uint8_t byte;
  if (delta->code < bound) {
    delta->range = bound;
    *p = (uint8_t)(*p + ((256u - *p) >> WASMIOT_DELTA_ADAPT_SHIFT));
    bit = 0;
  } else {
    delta->code -= bound;
    delta->range -= bound;
    *p = (uint8_t)(*p - (*p >> WASMIOT_DELTA_ADAPT_SHIFT));
    bit = 1;
  }
  if (delta->range < WASMIOT_DELTA_CODER_TOP) {
    if (!next_coded(delta, &byte)) return -1;
    delta->range <<= 8;
    delta->code = (delta->code << 8) | byte;
  }
  return bit;
}

/* One op-layer byte in `model`; -1 when the coded stream ran out. */
static int decode_byte(wasmiot_delta* delta, uint8_t model) {
  uint8_t* p;
  unsigned node = 1, top = 0, bits = 8;
  if (model == WASMIOT_DELTA_MODEL_VARINT) {
    int more;
    p = delta->models + WASMIOT_DELTA_VARINT_MODEL_AT;
    more = decode_bit(delta, &p[0]);
    if (more < 0) return -1;
    top = (unsigned)more << 7;
    bits = 7;
  } else {
    p = delta->models + (model == WASMIOT_DELTA_MODEL_OP ? WASMIOT_DELTA_OP_MODEL_AT : WASMIOT_DELTA_LITERAL_MODEL_AT);
  }
  while (node < (1u << bits)) {
    int bit = decode_bit(delta, &p[node]);
    if (bit < 0) return -1;
    node = (node << 1) | (unsigned)bit;
  }
  return (int)(top | (node - (1u << bits)));
}

/* Decodes and takes op-layer bytes while at least `keep` coded bytes are
 * queued (a byte needs at most 8) and END has not come. */
static wasmiot_delta_result decode(wasmiot_delta* delta, uint8_t keep) {
  while (delta->state == RUNNING && delta->queued >= keep) {
    int byte = decode_byte(delta, wasmiot_delta_ops_model(&delta->ops));
    wasmiot_delta_result r;
    if (byte < 0) return WASMIOT_DELTA_TRUNCATED;
    r = take(delta, (uint8_t)byte);
    if (r != WASMIOT_DELTA_OK) return r;
  }
  return WASMIOT_DELTA_OK;
}

wasmiot_delta_result wasmiot_delta_feed(wasmiot_delta* delta, const uint8_t* data, size_t size) {
  size_t at;
  if (delta->state == DONE) return WASMIOT_DELTA_FAILED;
  for (at = 0; at < size; ++at) {
    wasmiot_delta_result r;
    if (delta->start_left > 0) {
      /* The coder's start: a 0, then the code's first four bytes, big-endian. */
      if (delta->start_left == WASMIOT_DELTA_CODER_START_BYTES && data[at] != 0) {
        return fail(delta, WASMIOT_DELTA_MALFORMED);
      }
      delta->code = (delta->code << 8) | data[at];
      --delta->start_left;
      continue;
    }
    if (delta->state == ENDED) return fail(delta, WASMIOT_DELTA_MALFORMED); /* coded bytes after END */
    delta->queue[(delta->queue_head + delta->queued) % WASMIOT_DELTA_QUEUE] = data[at];
    ++delta->queued;
    r = decode(delta, 8);
    if (r != WASMIOT_DELTA_OK) return fail(delta, r);
  }
  return WASMIOT_DELTA_OK;
}

wasmiot_delta_result wasmiot_delta_finish(wasmiot_delta* delta) {
  wasmiot_delta_result r;
  if (delta->state == DONE) return WASMIOT_DELTA_FAILED;
  if (delta->start_left > 0) return fail(delta, WASMIOT_DELTA_TRUNCATED);
  /* The last op-layer bytes may need no more coded bytes than are queued. */
  r = decode(delta, 0);
  if (r != WASMIOT_DELTA_OK) return fail(delta, r);
  if (delta->queued > 0) return fail(delta, WASMIOT_DELTA_MALFORMED);
  if (delta->produced != delta->config.new_size) return fail(delta, WASMIOT_DELTA_TOO_SHORT);
  if (!flush(delta)) return fail(delta, WASMIOT_DELTA_STORAGE_ERROR);
  delta->state = DONE;
  return WASMIOT_DELTA_OK;
}
