/* See wasmiot_chunks.h and docs/chunks.md. C99, no heap, no libc beyond memcmp/memcpy/memset. */
#include "wasmiot_chunks.h"

#include <string.h>

typedef char wasmiot_assert_frame_header[(WASMIOT_FRAME_OFF_LENGTH + 2u == WASMIOT_FRAME_HEADER_SIZE) ? 1 : -1];
/* The header frame's data (signed header and signature) fits its u16 length. */
typedef char wasmiot_assert_header_frame[(WASMIOT_BUNDLE_MAX_TABLE_OFFSET <= 0xFFFFu) ? 1 : -1];

/* Storage is read back through a buffer this big (on the stack). */
#define WASMIOT_RX_READ_BUFFER 64u

static uint16_t get16(const uint8_t* p) { return (uint16_t)(p[0] | (p[1] << 8)); }

size_t wasmiot_frame_parse(const uint8_t* d, size_t size, wasmiot_frame* f) {
  if (size < WASMIOT_FRAME_HEADER_SIZE) return 0;
  f->type = d[WASMIOT_FRAME_OFF_TYPE];
  if (f->type != WASMIOT_FRAME_HEADER && f->type != WASMIOT_FRAME_TABLE && f->type != WASMIOT_FRAME_CHUNK) return 0;
  memcpy(f->bundle_id, d + WASMIOT_FRAME_OFF_BUNDLE_ID, WASMIOT_FRAME_BUNDLE_ID_SIZE);
  f->index = get16(d + WASMIOT_FRAME_OFF_INDEX);
  f->length = get16(d + WASMIOT_FRAME_OFF_LENGTH);
  if (size - WASMIOT_FRAME_HEADER_SIZE < f->length) return 0;
  f->data = d + WASMIOT_FRAME_HEADER_SIZE;
  return WASMIOT_FRAME_HEADER_SIZE + (size_t)f->length;
}

void wasmiot_bundle_id(const uint8_t* signed_header, const wasmiot_crypto* crypto,
                       uint8_t out[WASMIOT_FRAME_BUNDLE_ID_SIZE]) {
  uint8_t digest[32];
  uint32_t size = wasmiot_bundle_header_size(signed_header[WASMIOT_BUNDLE_OFF_VERSION]);
  wasmiot_sha256(crypto, signed_header, size ? size : WASMIOT_BUNDLE_HEADER_SIZE, digest);
  memcpy(out, digest, WASMIOT_FRAME_BUNDLE_ID_SIZE);
}

uint64_t wasmiot_align_up(uint64_t value, uint32_t align) {
  if (align <= 1) return value;
  return (value + align - 1) / align * align;
}

uint32_t wasmiot_table_parts(const wasmiot_bundle_layout* h) {
  uint32_t size = WASMIOT_BUNDLE_TABLE_SIZE(h->chunk_count);
  return size / h->chunk_size + (size % h->chunk_size != 0);
}

uint32_t wasmiot_table_part_length(const wasmiot_bundle_layout* h, uint32_t index) {
  uint32_t parts = wasmiot_table_parts(h);
  if (index >= parts) return 0;
  /* Every part is chunk_size bytes except the last, which holds the rest. */
  return index + 1 < parts ? h->chunk_size : WASMIOT_BUNDLE_TABLE_SIZE(h->chunk_count) - index * h->chunk_size;
}

const char* wasmiot_rx_result_name(wasmiot_rx_result r) {
  switch (r) {
    case WASMIOT_RX_ACCEPTED: return "accepted";
    case WASMIOT_RX_COMPLETE: return "complete";
    case WASMIOT_RX_DUPLICATE: return "duplicate";
    case WASMIOT_RX_CONFLICT: return "conflict";
    case WASMIOT_RX_CORRUPT: return "corrupt";
    case WASMIOT_RX_MALFORMED: return "malformed";
    case WASMIOT_RX_FOREIGN: return "foreign";
    case WASMIOT_RX_NOT_READY: return "not-ready";
    case WASMIOT_RX_BUSY: return "busy";
    case WASMIOT_RX_REFUSED: return "refused";
    case WASMIOT_RX_TABLE_MISMATCH: return "table-mismatch";
    case WASMIOT_RX_PAYLOAD_MISMATCH: return "payload-mismatch";
    case WASMIOT_RX_STORAGE_ERROR: return "storage-error";
    case WASMIOT_RX_TIMED_OUT: return "timed-out";
    case WASMIOT_RX_IDLE: return "idle";
  }
  return "unknown";
}

/* ---- progress bitmap ------------------------------------------------------ */

static int bit_get(const wasmiot_receiver* rx, uint32_t i) { return (rx->config.bitmap[i >> 3] >> (i & 7u)) & 1; }
static void bit_set(wasmiot_receiver* rx, uint32_t i) { rx->config.bitmap[i >> 3] |= (uint8_t)(1u << (i & 7u)); }

/* Starts a stage with `count` pieces, none received. */
static void begin_stage(wasmiot_receiver* rx, uint8_t state, uint32_t count) {
  memset(rx->config.bitmap, 0, rx->config.bitmap_bytes);
  rx->state = state;
  rx->missing = count;
}

static void mark_received(wasmiot_receiver* rx, uint32_t i, uint32_t now_ms) {
  bit_set(rx, i);
  --rx->missing; /* only ever after a 0 -> 1 transition of bit i */
  rx->last_progress_ms = now_ms;
}

void wasmiot_receiver_reset(wasmiot_receiver* rx) {
  begin_stage(rx, WASMIOT_RX_STATE_IDLE, 0);
  memset(rx->bundle_id, 0, sizeof rx->bundle_id);
}

void wasmiot_receiver_init(wasmiot_receiver* rx, const wasmiot_receiver_config* config) {
  memset(rx, 0, sizeof *rx);
  rx->config = *config;
  rx->refusal = WASMIOT_BUNDLE_OK;
  wasmiot_receiver_reset(rx);
}

int wasmiot_receiver_has_chunk(const wasmiot_receiver* rx, uint32_t index) {
  if (rx->state == WASMIOT_RX_STATE_COMPLETE) return index < rx->layout.chunk_count;
  return rx->state == WASMIOT_RX_STATE_PAYLOAD && index < rx->layout.chunk_count && bit_get(rx, index);
}

/* ---- storage -------------------------------------------------------------- */

static uint32_t payload_offset(const wasmiot_receiver* rx) { return wasmiot_bundle_payload_offset(&rx->layout); }

/* SHA-256 of stored bytes [offset, offset + size), read in small pieces. */
static int hash_stored(const wasmiot_receiver* rx, uint32_t offset, uint32_t size, uint8_t out[32]) {
  const wasmiot_storage* s = rx->config.storage;
  const wasmiot_crypto* c = rx->config.crypto;
  uint8_t buffer[WASMIOT_RX_READ_BUFFER];
  wasmiot_sha256_ctx ctx;
  c->sha256_init(&ctx);
  while (size > 0) {
    uint32_t n = size < WASMIOT_RX_READ_BUFFER ? size : WASMIOT_RX_READ_BUFFER;
    if (s->read(s->context, offset, buffer, n) != 0) return -1;
    c->sha256_update(&ctx, buffer, n);
    offset += n;
    size -= n;
  }
  c->sha256_final(&ctx, out);
  return 0;
}

/* 1 if stored bytes at `offset` equal `data`, 0 if not, -1 on a read error. */
static int stored_equals(const wasmiot_receiver* rx, uint32_t offset, const uint8_t* data, uint32_t size) {
  const wasmiot_storage* s = rx->config.storage;
  uint8_t buffer[WASMIOT_RX_READ_BUFFER];
  while (size > 0) {
    uint32_t n = size < WASMIOT_RX_READ_BUFFER ? size : WASMIOT_RX_READ_BUFFER;
    if (s->read(s->context, offset, buffer, n) != 0) return -1;
    if (memcmp(buffer, data, n) != 0) return 0;
    offset += n;
    data += n;
    size -= n;
  }
  return 1;
}

static wasmiot_rx_result duplicate_or_conflict(const wasmiot_receiver* rx, uint32_t offset, const uint8_t* data,
                                               uint32_t size) {
  int same = stored_equals(rx, offset, data, size);
  return same < 0 ? WASMIOT_RX_STORAGE_ERROR : same ? WASMIOT_RX_DUPLICATE : WASMIOT_RX_CONFLICT;
}

/* ---- sessions ------------------------------------------------------------- */

static int expired(const wasmiot_receiver* rx, uint32_t now_ms) {
  if (rx->state != WASMIOT_RX_STATE_TABLE && rx->state != WASMIOT_RX_STATE_PAYLOAD) return 0;
  /* Unsigned differences stay right when the millisecond counter wraps. */
  if (rx->config.idle_timeout_ms && now_ms - rx->last_progress_ms >= rx->config.idle_timeout_ms) return 1;
  return rx->config.session_timeout_ms && now_ms - rx->started_ms >= rx->config.session_timeout_ms;
}

wasmiot_rx_result wasmiot_receiver_poll(wasmiot_receiver* rx, uint32_t now_ms) {
  if (expired(rx, now_ms)) {
    wasmiot_receiver_reset(rx);
    return WASMIOT_RX_TIMED_OUT;
  }
  if (rx->state == WASMIOT_RX_STATE_IDLE) return WASMIOT_RX_IDLE;
  return rx->state == WASMIOT_RX_STATE_COMPLETE ? WASMIOT_RX_COMPLETE : WASMIOT_RX_ACCEPTED;
}

/* Authenticates a header (and signature) and checks that this device has room
 * for the bundle, before anything of it is stored. */
static int header_acceptable(wasmiot_receiver* rx, const uint8_t* bytes, size_t size, wasmiot_bundle_header* h) {
  uint64_t total;
  wasmiot_bundle_layout layout;
  rx->refusal = wasmiot_bundle_verify_header(bytes, size, rx->config.crypto, rx->config.policy, h);
  if (rx->refusal != WASMIOT_BUNDLE_OK) return 0;
  layout = wasmiot_bundle_layout_of(h);
  total = wasmiot_bundle_end(&layout);
  /* An encoded payload is decoded into the same slot, after the bundle. */
  if (h->encoding != WASMIOT_ENCODING_NONE) total = wasmiot_align_up(total, rx->config.decode_align) + h->decoded_size;
  if (total > rx->config.storage->capacity || h->chunk_count > (uint64_t)rx->config.bitmap_bytes * 8u) {
    rx->refusal = WASMIOT_BUNDLE_TOO_LARGE;
    return 0;
  }
  return 1;
}

static void adopt_header(wasmiot_receiver* rx, const uint8_t* bytes, const wasmiot_bundle_header* h, uint32_t now_ms) {
  wasmiot_bundle_id(bytes, rx->config.crypto, rx->bundle_id);
  rx->sequence = h->sequence;
  rx->layout = wasmiot_bundle_layout_of(h);
  rx->table_parts = wasmiot_table_parts(&rx->layout);
  rx->payload_kind = h->payload_kind;
  rx->encoding = h->encoding;
  memcpy(rx->table_digest, h->table_digest, sizeof rx->table_digest);
  memcpy(rx->module_digest, h->module_digest, sizeof rx->module_digest);
  rx->started_ms = rx->last_progress_ms = now_ms;
  begin_stage(rx, WASMIOT_RX_STATE_TABLE, rx->table_parts);
}

/* All table parts are in: the table must match its signed digest. */
static wasmiot_rx_result finish_table(wasmiot_receiver* rx) {
  uint8_t digest[32];
  if (hash_stored(rx, rx->layout.table_offset, WASMIOT_BUNDLE_TABLE_SIZE(rx->layout.chunk_count), digest) != 0) {
    return WASMIOT_RX_STORAGE_ERROR;
  }
  if (memcmp(digest, rx->table_digest, sizeof rx->table_digest) != 0) {
    begin_stage(rx, WASMIOT_RX_STATE_TABLE, rx->table_parts);
    return WASMIOT_RX_TABLE_MISMATCH;
  }
  begin_stage(rx, WASMIOT_RX_STATE_PAYLOAD, rx->layout.chunk_count);
  return WASMIOT_RX_ACCEPTED;
}

/* 1 if stored chunk `index` matches its stored table entry, 0 if not, -1 on a
 * read error. */
static int stored_chunk_ok(const wasmiot_receiver* rx, uint32_t index) {
  const wasmiot_storage* s = rx->config.storage;
  uint8_t entry[WASMIOT_BUNDLE_CHUNK_DIGEST_SIZE];
  uint8_t digest[32];
  if (s->read(s->context, rx->layout.table_offset + index * WASMIOT_BUNDLE_CHUNK_DIGEST_SIZE, entry, sizeof entry) != 0 ||
      hash_stored(rx, payload_offset(rx) + index * rx->layout.chunk_size, wasmiot_bundle_chunk_length(&rx->layout, index),
                  digest) != 0) {
    return -1;
  }
  return memcmp(digest, entry, sizeof entry) == 0;
}

/* All chunks are in: the payload is read back from storage and checked again
 * (this catches a flash write that did not stick). A plain wasm payload is the
 * module, so one hash against the signed module digest covers it; AOT code and
 * encoded payloads are checked chunk by chunk against the table. */
static wasmiot_rx_result finish_payload(wasmiot_receiver* rx) {
  uint8_t digest[32];
  int ok = 1;
  uint32_t i;
  if (rx->payload_kind == WASMIOT_PAYLOAD_WASM && rx->encoding == WASMIOT_ENCODING_NONE) {
    if (hash_stored(rx, payload_offset(rx), rx->layout.payload_size, digest) != 0) return WASMIOT_RX_STORAGE_ERROR;
    ok = memcmp(digest, rx->module_digest, sizeof rx->module_digest) == 0;
  } else {
    for (i = 0; i < rx->layout.chunk_count && ok; ++i) {
      int r = stored_chunk_ok(rx, i);
      if (r < 0) return WASMIOT_RX_STORAGE_ERROR;
      ok = r;
    }
  }
  if (!ok) {
    begin_stage(rx, WASMIOT_RX_STATE_PAYLOAD, rx->layout.chunk_count);
    return WASMIOT_RX_PAYLOAD_MISMATCH;
  }
  rx->state = WASMIOT_RX_STATE_COMPLETE;
  return WASMIOT_RX_COMPLETE;
}

static wasmiot_rx_result accept_header(wasmiot_receiver* rx, const wasmiot_frame* f, uint32_t now_ms) {
  const wasmiot_storage* s = rx->config.storage;
  wasmiot_bundle_header h;
  wasmiot_bundle_layout layout;
  uint8_t id[WASMIOT_FRAME_BUNDLE_ID_SIZE];
  /* A header of either format, with its signature; its version byte decides which. */
  if (f->index != 0 || f->length < WASMIOT_BUNDLE_OFF_VERSION + 1u ||
      f->length != wasmiot_bundle_header_size(f->data[WASMIOT_BUNDLE_OFF_VERSION]) + WASMIOT_BUNDLE_SIGNATURE_SIZE) {
    return WASMIOT_RX_MALFORMED;
  }
  wasmiot_bundle_id(f->data, rx->config.crypto, id);
  if (memcmp(id, f->bundle_id, sizeof id) != 0) return WASMIOT_RX_MALFORMED;
  if (rx->state != WASMIOT_RX_STATE_IDLE) {
    if (memcmp(id, rx->bundle_id, sizeof id) == 0) return duplicate_or_conflict(rx, 0, f->data, f->length);
    /* Only a newer bundle replaces a running session (the sequence is read
     * unauthenticated here, but only to refuse; a newer one is verified). */
    if (wasmiot_bundle_parse_header(f->data, f->length, &h) != WASMIOT_BUNDLE_OK || h.sequence <= rx->sequence) {
      return WASMIOT_RX_BUSY;
    }
  }
  if (!header_acceptable(rx, f->data, f->length, &h)) return WASMIOT_RX_REFUSED;
  wasmiot_receiver_reset(rx);
  layout = wasmiot_bundle_layout_of(&h);
  /* header_acceptable held the end against the capacity: it fits in 32 bits. */
  if ((s->erase && s->erase(s->context, 0, (uint32_t)wasmiot_bundle_end(&layout)) != 0) ||
      s->write(s->context, 0, f->data, f->length) != 0) {
    return WASMIOT_RX_STORAGE_ERROR;
  }
  adopt_header(rx, f->data, &h, now_ms);
  return WASMIOT_RX_ACCEPTED;
}

static wasmiot_rx_result accept_table_part(wasmiot_receiver* rx, const wasmiot_frame* f, uint32_t now_ms) {
  const wasmiot_storage* s = rx->config.storage;
  uint32_t offset;
  if (f->index >= rx->table_parts || f->length != wasmiot_table_part_length(&rx->layout, f->index)) {
    return WASMIOT_RX_MALFORMED;
  }
  /* index < parts, so index * chunk_size < table_size: no overflow. */
  offset = rx->layout.table_offset + (uint32_t)f->index * rx->layout.chunk_size;
  if (rx->state != WASMIOT_RX_STATE_TABLE || bit_get(rx, f->index)) {
    return duplicate_or_conflict(rx, offset, f->data, f->length);
  }
  if (s->write(s->context, offset, f->data, f->length) != 0) return WASMIOT_RX_STORAGE_ERROR;
  mark_received(rx, f->index, now_ms);
  return rx->missing == 0 ? finish_table(rx) : WASMIOT_RX_ACCEPTED;
}

static wasmiot_rx_result accept_chunk(wasmiot_receiver* rx, const wasmiot_frame* f, uint32_t now_ms) {
  const wasmiot_storage* s = rx->config.storage;
  uint8_t entry[WASMIOT_BUNDLE_CHUNK_DIGEST_SIZE];
  int ok;
  if (rx->state == WASMIOT_RX_STATE_TABLE) return WASMIOT_RX_NOT_READY;
  if (f->index >= rx->layout.chunk_count || f->length != wasmiot_bundle_chunk_length(&rx->layout, f->index)) {
    return WASMIOT_RX_MALFORMED;
  }
  if (s->read(s->context, rx->layout.table_offset + (uint32_t)f->index * WASMIOT_BUNDLE_CHUNK_DIGEST_SIZE, entry,
              sizeof entry) != 0) {
    return WASMIOT_RX_STORAGE_ERROR;
  }
  ok = wasmiot_bundle_chunk_ok(&rx->layout, f->index, f->data, f->length, entry, rx->config.crypto);
  if (rx->state == WASMIOT_RX_STATE_COMPLETE || bit_get(rx, f->index)) {
    /* The stored chunk matched its digest; so does this one only if identical. */
    return ok ? WASMIOT_RX_DUPLICATE : WASMIOT_RX_CONFLICT;
  }
  if (!ok) return WASMIOT_RX_CORRUPT;
  /* index < chunk_count and the header fit the slot: the write stays inside it. */
  if (s->write(s->context, payload_offset(rx) + (uint32_t)f->index * rx->layout.chunk_size, f->data, f->length) != 0) {
    return WASMIOT_RX_STORAGE_ERROR;
  }
  mark_received(rx, f->index, now_ms);
  return rx->missing == 0 ? finish_payload(rx) : WASMIOT_RX_ACCEPTED;
}

wasmiot_rx_result wasmiot_receiver_accept(wasmiot_receiver* rx, const uint8_t* data, size_t size, uint32_t now_ms) {
  wasmiot_frame f;
  if (expired(rx, now_ms)) wasmiot_receiver_reset(rx);
  if (size == 0 || wasmiot_frame_parse(data, size, &f) != size) return WASMIOT_RX_MALFORMED;
  if (f.type == WASMIOT_FRAME_HEADER) return accept_header(rx, &f, now_ms);
  if (rx->state == WASMIOT_RX_STATE_IDLE) return WASMIOT_RX_NOT_READY;
  if (memcmp(f.bundle_id, rx->bundle_id, sizeof f.bundle_id) != 0) return WASMIOT_RX_FOREIGN;
  return f.type == WASMIOT_FRAME_TABLE ? accept_table_part(rx, &f, now_ms) : accept_chunk(rx, &f, now_ms);
}

wasmiot_rx_result wasmiot_receiver_resume(wasmiot_receiver* rx, uint8_t* scratch, uint32_t now_ms) {
  const wasmiot_storage* s = rx->config.storage;
  wasmiot_bundle_header h;
  wasmiot_rx_result r;
  uint32_t i;
  uint32_t size = s->capacity < WASMIOT_BUNDLE_MAX_TABLE_OFFSET ? s->capacity : WASMIOT_BUNDLE_MAX_TABLE_OFFSET;
  wasmiot_receiver_reset(rx);
  if (size < WASMIOT_BUNDLE_TABLE_OFFSET) return WASMIOT_RX_IDLE;
  if (s->read(s->context, 0, scratch, size) != 0) return WASMIOT_RX_STORAGE_ERROR;
  if (!header_acceptable(rx, scratch, size, &h)) return WASMIOT_RX_IDLE;
  adopt_header(rx, scratch, &h, now_ms);
  r = finish_table(rx);
  if (r == WASMIOT_RX_TABLE_MISMATCH) return WASMIOT_RX_ACCEPTED; /* the table comes again, whole */
  if (r != WASMIOT_RX_ACCEPTED) {
    wasmiot_receiver_reset(rx);
    return r;
  }
  for (i = 0; i < rx->layout.chunk_count; ++i) {
    int ok = stored_chunk_ok(rx, i);
    if (ok < 0) {
      wasmiot_receiver_reset(rx);
      return WASMIOT_RX_STORAGE_ERROR;
    }
    if (ok) mark_received(rx, i, now_ms);
  }
  return rx->missing == 0 ? finish_payload(rx) : WASMIOT_RX_ACCEPTED;
}
