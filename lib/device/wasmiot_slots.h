/*
 * wasmiot A/B module slots on NOR-style flash (C99, no heap): which slot runs,
 * which one waits for its test boot, and the anti-rollback counter, kept so
 * that a power cut at any write leaves a state the device can boot from.
 * docs/slots.md describes the layout byte by byte.
 *
 * Flash: two metadata sectors, then slot A and slot B (each a bundle as
 * wasmiot_chunks.h's receiver stores it). The metadata is a log of 64-byte
 * records, appended in one sector until it is
 * full, then in the other after erasing it; every record carries the whole
 * state, a sequence number and a CRC-32, and the valid record with the
 * highest sequence is the state. A cut while a record is written leaves a
 * torn record that fails its CRC: the state is the one before. A cut while a
 * sector is erased leaves the other sector, which holds the latest record.
 * The counter is in every record, so it is never torn and never goes down.
 */
#ifndef WASMIOT_SLOTS_H_
#define WASMIOT_SLOTS_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flash as the firmware drives it. Erased bytes read 0xFF. `write` programs
 * whole write units (offset and size multiples of write_size) that are
 * erased; `erase` erases the one sector at `offset`. Callbacks return 0 on
 * success. */
typedef struct {
  void* context;
  uint32_t size;         /* bytes in all */
  uint32_t sector_size;  /* erase unit: a power of two, 256 to 65536 */
  uint32_t write_size;   /* program unit: a power of two, 1 to 64 */
  int (*read)(void* context, uint32_t offset, uint8_t* data, uint32_t size);
  int (*write)(void* context, uint32_t offset, const uint8_t* data, uint32_t size);
  int (*erase)(void* context, uint32_t offset);
} wasmiot_flash;

#define WASMIOT_SLOT_NONE 0xFFu
#define WASMIOT_SLOTS_RECORD_SIZE 64u

/* The metadata record, little-endian:
 *   0  4  magic "WSLT"
 *   4  u8 format version 1
 *   5  u8 active slot (0, 1, or 0xFF: none)
 *   6  u8 pending slot (0, 1, or 0xFF: none)
 *   7  u8 flags: bit 0 the pending slot's test boot has started
 *   8  u32 record sequence (each record one more than the last; at most
 *          WASMIOT_SLOTS_LAST_SEQUENCE: appending past it is a FLASH_ERROR)
 *  12  u32 zero
 *  16  u64 counter: the highest bundle sequence ever confirmed
 *  24  u64 the active slot's bundle sequence
 *  32  u64 the pending slot's bundle sequence
 *  40  16  the active slot's bundle id: SHA-256 of its signed header, first 16 bytes
 *  56  u32 zero
 *  60  u32 CRC-32 (IEEE) of bytes [0, 60) */
#define WASMIOT_SLOTS_MAGIC "WSLT"
#define WASMIOT_SLOTS_VERSION 1u
#define WASMIOT_SLOTS_FLAG_TRYING 0x01u
#define WASMIOT_SLOTS_ID_SIZE 16u
/* The highest record sequence ever written; one with 0xFFFFFFFF is not a record. */
#define WASMIOT_SLOTS_LAST_SEQUENCE 0xFFFFFFFEu

typedef struct {
  uint8_t active;   /* WASMIOT_SLOT_NONE before the first confirmed install */
  uint8_t pending;  /* a verified bundle waiting for its test boot, or NONE */
  uint8_t trying;   /* the pending slot's test boot has started */
  uint32_t record_sequence;
  uint64_t counter;
  uint64_t active_sequence;
  uint64_t pending_sequence;
  uint8_t active_id[WASMIOT_SLOTS_ID_SIZE];
} wasmiot_slots_state;

typedef enum {
  WASMIOT_SLOTS_OK = 0,
  WASMIOT_SLOTS_BAD_GEOMETRY, /* sector or write size not a power of two in range, flash too small */
  WASMIOT_SLOTS_FLASH_ERROR,  /* a callback failed */
  WASMIOT_SLOTS_NO_STATE,     /* no valid record: a blank device (wasmiot_slots_format) */
  WASMIOT_SLOTS_ROLLBACK,     /* a bundle sequence not above the counter */
  WASMIOT_SLOTS_NOT_PENDING   /* nothing waits for a test boot */
} wasmiot_slots_result;

const char* wasmiot_slots_result_name(wasmiot_slots_result result);

/* Where things are: metadata at 0 (two sectors), slot A and slot B after it,
 * each (size - 2 sectors) / 2 rounded down to whole sectors. */
typedef struct {
  const wasmiot_flash* flash;
  uint32_t slot_offset[2];
  uint32_t slot_size;
  uint32_t meta_sector;     /* 0 or 1: the sector the next record goes to */
  uint32_t next_record;     /* its offset in that sector */
  wasmiot_slots_state state;
} wasmiot_slots;

/* Checks the geometry and reads the state (NO_STATE on a blank device). */
wasmiot_slots_result wasmiot_slots_open(wasmiot_slots* slots, const wasmiot_flash* flash);

/* Erases the metadata and writes a first record: no module, counter
 * `counter`. Slots are left as they are. */
wasmiot_slots_result wasmiot_slots_format(wasmiot_slots* slots, uint64_t counter);

/* The slot an install writes: the one that is not active. Before a bundle is
 * written there, wasmiot_slots_begin_install forgets a pending bundle in it. */
uint8_t wasmiot_slots_inactive(const wasmiot_slots* slots);
wasmiot_slots_result wasmiot_slots_begin_install(wasmiot_slots* slots);

/* After the receiver verified the whole bundle in the inactive slot: it
 * waits for its test boot. ROLLBACK unless `sequence` is above the counter. */
wasmiot_slots_result wasmiot_slots_set_pending(wasmiot_slots* slots, uint64_t sequence);

/* Before the pending slot's test boot: marks it started, so that a reset
 * during the test boot reverts it (wasmiot_slots_recover). */
wasmiot_slots_result wasmiot_slots_start_trial(wasmiot_slots* slots);

/* After a good test boot: the pending slot becomes the active one, and the
 * counter its sequence. `id` is its bundle id (16 bytes). */
wasmiot_slots_result wasmiot_slots_confirm(wasmiot_slots* slots, const uint8_t id[WASMIOT_SLOTS_ID_SIZE]);

/* After a bad test boot, or by request: the pending slot is forgotten. */
wasmiot_slots_result wasmiot_slots_revert(wasmiot_slots* slots);

/* At reset, after open: a test boot under way when the device went down
 * never confirmed, so it is reverted (as MCUboot reverts an unconfirmed
 * image). Then a pending slot waits for its test boot, or the active slot
 * (if any) runs. */
wasmiot_slots_result wasmiot_slots_recover(wasmiot_slots* slots);

#ifdef __cplusplus
}
#endif

#endif /* WASMIOT_SLOTS_H_ */
