/*
 * The OTA receiver's storage (wasmiot_chunks.h) on one slot of NOR flash
 * (wasmiot_slots.h), C99, no heap. docs/slots.md, "Receiving into a slot".
 *
 * NOR flash programs only erased bytes, in whole write units. The receiver
 * writes each frame's data at its place in the bundle; with write units of at
 * most 8 bytes and chunks a multiple of them, every write but the bundle's
 * last starts and ends on a unit boundary (the chunk table starts at 200, or
 * 240 for an encoded bundle, and holds 16-byte digests). So a write programs erased units and skips units
 * that already hold its bytes. A unit holding other bytes is what a power cut
 * left of an earlier write (the receiver found that chunk missing when it
 * resumed): its sector is read into the caller's sector buffer, erased, and
 * programmed again with the new bytes in place. A cut during that may lose
 * other chunks of the sector; resuming finds them missing too, and they are
 * taken again. The erase the receiver asks for at a new session erases the
 * sectors the bundle will occupy.
 */
#ifndef WASMIOT_SLOT_STORAGE_H_
#define WASMIOT_SLOT_STORAGE_H_

#include "wasmiot_chunks.h"
#include "wasmiot_slots.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest write unit a slot storage takes: 8 divides the chunk table's
 * offset (200 or 240) and its 16-byte entries. */
#define WASMIOT_SLOT_STORAGE_MAX_WRITE_SIZE 8u

typedef struct {
  const wasmiot_flash* flash;
  uint32_t base;          /* the slot's offset in flash (a sector boundary) */
  uint8_t* sector_buffer; /* flash->sector_size bytes, the caller's */
  wasmiot_storage storage; /* what the receiver takes: capacity is the slot's size */
} wasmiot_slot_storage;

/* Sets up `out` for slot `slot` (0 or 1) of `slots`. 0 on success; -1 if the
 * flash's write unit is above WASMIOT_SLOT_STORAGE_MAX_WRITE_SIZE. */
int wasmiot_slot_storage_init(wasmiot_slot_storage* out, const wasmiot_slots* slots, uint8_t slot,
                              uint8_t* sector_buffer);

#ifdef __cplusplus
}
#endif

#endif /* WASMIOT_SLOT_STORAGE_H_ */
