/*
 * Decoding an encoded bundle (format v3, wasmiot_bundle.h) in its slot, C99,
 * no heap. docs/delta.md, "On the device".
 *
 * The receiver stores a v3 bundle as it stores any bundle, at the start of
 * the inactive slot. When it reports the bundle COMPLETE, the firmware calls
 * wasmiot_decode_bundle, which writes the decoded payload into the same slot
 * at the first multiple of the erase unit after the bundle, and only then
 * marks the slot pending (wasmiot_slots_set_pending). The receiver's header
 * check already held bundle and decoded payload together against the slot's
 * capacity (wasmiot_receiver_config.decode_align), and a delta's base digest
 * against the payload the device runs (wasmiot_device_policy.base_digest).
 *
 * The stream is read back from the slot (bytes the receiver verified against
 * their signed digests), the base through its own storage, which is never
 * written. A power cut during decoding leaves the bundle and the base as they
 * were: call it again, and it erases and decodes again.
 */
#ifndef WASMIOT_DECODE_H_
#define WASMIOT_DECODE_H_

#include "wasmiot_delta.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a slot's runnable payload sits, from the slot's start. */
typedef struct {
  uint32_t offset, size;
} wasmiot_payload_place;

/* A plain bundle runs its own payload; an encoded one its decoded payload,
 * at the first multiple of `align` (the erase unit; 0 or 1: none) after the
 * bundle. The caller parsed `header` from a slot whose capacity the receiver
 * held it against. */
wasmiot_payload_place wasmiot_runnable_payload(const wasmiot_bundle_header* header, uint32_t align);

typedef struct {
  const wasmiot_storage* slot;      /* holds the whole encoded bundle; read, erased and written */
  uint32_t align;                   /* the receiver's decode_align */
  const wasmiot_storage* base;      /* a delta's base, read only: the active slot; NULL when compressed */
  wasmiot_payload_place base_place; /* the base payload in it: wasmiot_runnable_payload of its bundle */
  const wasmiot_crypto* crypto;
} wasmiot_decode_config;

/* Decodes the encoded bundle whose verified header is `header`:
 * - a delta's base is hashed first and must match the signed base digest
 *   (WRONG_BASE before anything is written);
 * - a decoded payload already in place and matching its digest is kept (OK,
 *   nothing written: a restart after a finished decode);
 * - otherwise the decoded range is erased, the stream applied, and the result
 *   read back and held against the signed decoded digest (DIGEST_MISMATCH).
 * Any result but OK leaves a slot that must not become pending. RAM, all on
 * the stack: the applier (784 bytes) and a 16-byte read buffer while the
 * stream is applied, a SHA-256 context and a 64-byte buffer while payloads
 * are hashed, never both (1008 bytes at most on Cortex-M4F). */
wasmiot_delta_result wasmiot_decode_bundle(const wasmiot_decode_config* config, const wasmiot_bundle_header* header);

#ifdef __cplusplus
}
#endif

#endif /* WASMIOT_DECODE_H_ */
