/* See wasmiot_decode.h and docs/delta.md. C99, no heap. */
#include "wasmiot_decode.h"

#include <string.h>

/* The stream is read back in pieces this big: small, since the applier's
 * state (784 bytes) is on the same stack. */
#define WASMIOT_DECODE_READ_BUFFER 16u
/* Payloads are hashed through a larger buffer, while no applier is live. */
#define WASMIOT_DECODE_HASH_BUFFER 64u

wasmiot_payload_place wasmiot_runnable_payload(const wasmiot_bundle_header* h, uint32_t align) {
  wasmiot_payload_place place;
  wasmiot_bundle_layout layout = wasmiot_bundle_layout_of(h);
  if (h->encoding == WASMIOT_ENCODING_NONE) {
    place.offset = wasmiot_bundle_payload_offset(&layout);
    place.size = h->payload_size;
  } else {
    place.offset = (uint32_t)wasmiot_align_up(wasmiot_bundle_end(&layout), align);
    place.size = h->decoded_size;
  }
  return place;
}

static int inside(const wasmiot_storage* s, wasmiot_payload_place p) {
  return (uint64_t)p.offset + p.size <= s->capacity;
}

/* 1 if stored bytes [p.offset, +p.size) hash to `expected`, 0 if not, -1 on a read error. */
static int digest_matches(const wasmiot_storage* s, wasmiot_payload_place p, const uint8_t expected[16],
                          const wasmiot_crypto* crypto) {
  uint8_t buffer[WASMIOT_DECODE_HASH_BUFFER];
  uint8_t digest[32];
  wasmiot_sha256_ctx ctx;
  crypto->sha256_init(&ctx);
  while (p.size > 0) {
    uint32_t n = p.size < sizeof buffer ? p.size : (uint32_t)sizeof buffer;
    if (s->read(s->context, p.offset, buffer, n) != 0) return -1;
    crypto->sha256_update(&ctx, buffer, n);
    p.offset += n;
    p.size -= n;
  }
  crypto->sha256_final(&ctx, digest);
  return memcmp(digest, expected, WASMIOT_BUNDLE_DIGEST_SIZE) == 0;
}

/* Applies the stored stream [offset, offset + size) as `config` says. Its own
 * function, so the applier's state is on the stack only while it runs, never
 * together with a hash's. */
static wasmiot_delta_result apply_stored(const wasmiot_delta_config* config, const wasmiot_storage* s, uint32_t offset,
                                         uint32_t size) {
  uint8_t buffer[WASMIOT_DECODE_READ_BUFFER];
  wasmiot_delta state;
  wasmiot_delta* delta = &state;
  wasmiot_delta_result r = wasmiot_delta_begin(delta, config);
  if (r != WASMIOT_DELTA_OK) return r;
  while (size > 0) {
    uint32_t n = size < sizeof buffer ? size : (uint32_t)sizeof buffer;
    if (s->read(s->context, offset, buffer, n) != 0) return WASMIOT_DELTA_STORAGE_ERROR;
    r = wasmiot_delta_feed(delta, buffer, n);
    if (r != WASMIOT_DELTA_OK) return r;
    offset += n;
    size -= n;
  }
  return wasmiot_delta_finish(delta);
}

wasmiot_delta_result wasmiot_decode_bundle(const wasmiot_decode_config* c, const wasmiot_bundle_header* h) {
  wasmiot_bundle_layout layout = wasmiot_bundle_layout_of(h);
  wasmiot_payload_place out = wasmiot_runnable_payload(h, c->align);
  wasmiot_delta_config dc;
  wasmiot_delta_result r;
  int same;
  if (h->encoding == WASMIOT_ENCODING_NONE) return WASMIOT_DELTA_NOT_ENCODED;
  if (wasmiot_bundle_end(&layout) > out.offset || !inside(c->slot, out)) return WASMIOT_DELTA_BAD_SIZES;
  memset(&dc, 0, sizeof dc);
  if (h->encoding == WASMIOT_ENCODING_DELTA) {
    if (!c->base || !inside(c->base, c->base_place)) return WASMIOT_DELTA_WRONG_BASE;
    same = digest_matches(c->base, c->base_place, h->base_digest, c->crypto);
    if (same < 0) return WASMIOT_DELTA_STORAGE_ERROR;
    if (!same) return WASMIOT_DELTA_WRONG_BASE;
    dc.old_storage = c->base;
    dc.old_offset = c->base_place.offset;
    dc.old_size = c->base_place.size;
  }
  same = digest_matches(c->slot, out, h->decoded_digest, c->crypto);
  if (same < 0) return WASMIOT_DELTA_STORAGE_ERROR;
  if (same) return WASMIOT_DELTA_OK;
  dc.new_storage = c->slot;
  dc.new_offset = out.offset;
  dc.new_size = out.size;
  if (c->slot->erase && c->slot->erase(c->slot->context, out.offset, out.size) != 0) return WASMIOT_DELTA_STORAGE_ERROR;
  r = apply_stored(&dc, c->slot, wasmiot_bundle_payload_offset(&layout), layout.payload_size);
  if (r != WASMIOT_DELTA_OK) return r;
  same = digest_matches(c->slot, out, h->decoded_digest, c->crypto);
  if (same < 0) return WASMIOT_DELTA_STORAGE_ERROR;
  return same ? WASMIOT_DELTA_OK : WASMIOT_DELTA_DIGEST_MISMATCH;
}
