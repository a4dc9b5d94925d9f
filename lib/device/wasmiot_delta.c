/* See wasmiot_delta.h and docs/delta.md. C99, no heap. */
#include "wasmiot_delta.h"

#include <string.h>

enum {
  STATE_OP = 0,   /* expecting an op byte */
  STATE_LENGTH,   /* reading an extended length */
  STATE_ARGUMENT, /* reading a copy's varint */
  STATE_LITERAL,  /* copying an insert's bytes */
  STATE_DONE,     /* finished, or failed: takes nothing more */
};

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

static int inside(const wasmiot_storage* storage, uint32_t offset, uint32_t size) {
  return storage && storage->read && (uint64_t)offset + size <= storage->capacity;
}

wasmiot_delta_result wasmiot_delta_begin(wasmiot_delta* delta, const wasmiot_delta_config* config) {
  memset(delta, 0, sizeof *delta);
  delta->config = *config;
  delta->state = STATE_DONE;
  if (config->old_size > WASMIOT_DELTA_MAX_SIZE || config->new_size > WASMIOT_DELTA_MAX_SIZE) {
    return WASMIOT_DELTA_BAD_SIZES;
  }
  if (config->old_size && !inside(config->old_storage, config->old_offset, config->old_size)) {
    return WASMIOT_DELTA_BAD_SIZES;
  }
  if (!inside(config->new_storage, config->new_offset, config->new_size) || !config->new_storage->write) {
    return WASMIOT_DELTA_BAD_SIZES;
  }
  delta->state = STATE_OP;
  return WASMIOT_DELTA_OK;
}

static wasmiot_delta_result fail(wasmiot_delta* delta, wasmiot_delta_result result) {
  delta->state = STATE_DONE;
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

static wasmiot_delta_result copy_old(wasmiot_delta* delta) {
  /* Zigzag: 0, -1, 1, -2, ... as 0, 1, 2, 3, ... */
  int64_t move = (int64_t)(delta->varint >> 1) ^ -(int64_t)(delta->varint & 1u);
  int64_t from = (int64_t)delta->old_cursor + move;
  uint32_t done = 0;
  const wasmiot_storage* old = delta->config.old_storage;
  if (from < 0 || (uint64_t)from + delta->length > delta->config.old_size) return WASMIOT_DELTA_OLD_RANGE;
  while (done < delta->length) {
    uint32_t fill = delta->produced - delta->flushed;
    uint32_t n = delta->length - done;
    if (n > WASMIOT_DELTA_BLOCK - fill) n = WASMIOT_DELTA_BLOCK - fill;
    if (old->read(old->context, delta->config.old_offset + (uint32_t)from + done, delta->block + fill, n) != 0 ||
        !produce(delta, n)) {
      return WASMIOT_DELTA_STORAGE_ERROR;
    }
    done += n;
  }
  delta->old_cursor = (uint32_t)from + delta->length;
  return WASMIOT_DELTA_OK;
}

static wasmiot_delta_result copy_new(wasmiot_delta* delta) {
  uint64_t distance = (uint64_t)delta->varint + 1u;
  uint32_t from, done = 0;
  const wasmiot_storage* out = delta->config.new_storage;
  if (distance > delta->produced) return WASMIOT_DELTA_NEW_RANGE;
  from = delta->produced - (uint32_t)distance;
  while (done < delta->length) {
    uint32_t at = from + done, fill = delta->produced - delta->flushed;
    uint32_t n = delta->length - done, i;
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

/* Takes one varint byte; 1 when the varint is complete, 0 when more follow, -1 if malformed. */
static int varint_byte(wasmiot_delta* delta, uint8_t byte) {
  /* The fifth byte holds the top 4 bits and ends the varint. */
  if (delta->varint_shift == 28 && (byte & 0xF0u) != 0) return -1;
  delta->varint |= (uint32_t)(byte & 0x7Fu) << delta->varint_shift;
  if (byte & 0x80u) {
    delta->varint_shift = (uint8_t)(delta->varint_shift + 7);
    return 0;
  }
  return 1;
}

static void start_varint(wasmiot_delta* delta, uint8_t state) {
  delta->varint = 0;
  delta->varint_shift = 0;
  delta->state = state;
}

/* The op's length is known: checks it and moves to its bytes or its argument. */
static wasmiot_delta_result length_known(wasmiot_delta* delta, uint64_t length) {
  if (length > delta->config.new_size - delta->produced) return WASMIOT_DELTA_TOO_LONG;
  delta->length = (uint32_t)length;
  if (delta->op == WASMIOT_DELTA_OP_INSERT) {
    delta->state = STATE_LITERAL;
  } else {
    start_varint(delta, STATE_ARGUMENT);
  }
  return WASMIOT_DELTA_OK;
}

static uint32_t minimum_length(uint8_t op) {
  return op == WASMIOT_DELTA_OP_INSERT ? WASMIOT_DELTA_MIN_INSERT : WASMIOT_DELTA_MIN_COPY;
}

wasmiot_delta_result wasmiot_delta_feed(wasmiot_delta* delta, const uint8_t* data, size_t size) {
  size_t at = 0;
  wasmiot_delta_result r = WASMIOT_DELTA_OK;
  if (delta->state == STATE_DONE) return WASMIOT_DELTA_FAILED;
  while (at < size && r == WASMIOT_DELTA_OK) {
    uint8_t byte = data[at];
    switch (delta->state) {
      case STATE_OP: {
        uint32_t n = byte & WASMIOT_DELTA_OP_LENGTH_MASK;
        delta->op = (uint8_t)(byte >> WASMIOT_DELTA_OP_SHIFT);
        ++at;
        if (delta->op == WASMIOT_DELTA_OP_RESERVED) {
          r = WASMIOT_DELTA_MALFORMED;
        } else if (n == WASMIOT_DELTA_LENGTH_EXTENDED) {
          start_varint(delta, STATE_LENGTH);
        } else {
          r = length_known(delta, (uint64_t)n + minimum_length(delta->op));
        }
        break;
      }
      case STATE_LENGTH:
      case STATE_ARGUMENT: {
        int complete = varint_byte(delta, byte);
        ++at;
        if (complete < 0) {
          r = WASMIOT_DELTA_MALFORMED;
        } else if (complete && delta->state == STATE_LENGTH) {
          r = length_known(delta, (uint64_t)delta->varint + WASMIOT_DELTA_LENGTH_EXTENDED + minimum_length(delta->op));
        } else if (complete) {
          r = delta->op == WASMIOT_DELTA_OP_COPY_OLD ? copy_old(delta) : copy_new(delta);
          delta->state = STATE_OP;
        }
        break;
      }
      case STATE_LITERAL: {
        uint32_t fill = delta->produced - delta->flushed;
        uint32_t n = delta->length;
        if (n > WASMIOT_DELTA_BLOCK - fill) n = WASMIOT_DELTA_BLOCK - fill;
        if (n > size - at) n = (uint32_t)(size - at);
        memcpy(delta->block + fill, data + at, n);
        at += n;
        delta->length -= n;
        if (!produce(delta, n)) r = WASMIOT_DELTA_STORAGE_ERROR;
        if (delta->length == 0) delta->state = STATE_OP;
        break;
      }
      default:
        r = WASMIOT_DELTA_FAILED;
        break;
    }
  }
  return r == WASMIOT_DELTA_OK ? r : fail(delta, r);
}

wasmiot_delta_result wasmiot_delta_finish(wasmiot_delta* delta) {
  if (delta->state == STATE_DONE) return WASMIOT_DELTA_FAILED;
  if (delta->state != STATE_OP) return fail(delta, WASMIOT_DELTA_TRUNCATED);
  if (delta->produced != delta->config.new_size) return fail(delta, WASMIOT_DELTA_TOO_SHORT);
  if (!flush(delta)) return fail(delta, WASMIOT_DELTA_STORAGE_ERROR);
  delta->state = STATE_DONE;
  return WASMIOT_DELTA_OK;
}
