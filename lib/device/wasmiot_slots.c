#include "wasmiot_slots.h"

#include <string.h>

#define RECORD_CRC_OFFSET 60u

const char* wasmiot_slots_result_name(wasmiot_slots_result result) {
  switch (result) {
    case WASMIOT_SLOTS_OK: return "ok";
    case WASMIOT_SLOTS_BAD_GEOMETRY: return "bad-geometry";
    case WASMIOT_SLOTS_FLASH_ERROR: return "flash-error";
    case WASMIOT_SLOTS_NO_STATE: return "no-state";
    case WASMIOT_SLOTS_ROLLBACK: return "rollback";
    case WASMIOT_SLOTS_NOT_PENDING: return "not-pending";
  }
  return "unknown";
}

static uint32_t crc32(const uint8_t* p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  while (n--) {
    int k;
    c ^= *p++;
    for (k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

static void put_u32(uint8_t* p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}
static void put_u64(uint8_t* p, uint64_t v) {
  put_u32(p, (uint32_t)v);
  put_u32(p + 4, (uint32_t)(v >> 32));
}
static uint32_t get_u32(const uint8_t* p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get_u64(const uint8_t* p) { return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32; }

static void encode(const wasmiot_slots_state* s, uint8_t r[WASMIOT_SLOTS_RECORD_SIZE]) {
  memset(r, 0, WASMIOT_SLOTS_RECORD_SIZE);
  memcpy(r, WASMIOT_SLOTS_MAGIC, 4);
  r[4] = WASMIOT_SLOTS_VERSION;
  r[5] = s->active;
  r[6] = s->pending;
  r[7] = s->trying ? WASMIOT_SLOTS_FLAG_TRYING : 0;
  put_u32(r + 8, s->record_sequence);
  put_u64(r + 16, s->counter);
  put_u64(r + 24, s->active_sequence);
  put_u64(r + 32, s->pending_sequence);
  memcpy(r + 40, s->active_id, WASMIOT_SLOTS_ID_SIZE);
  put_u32(r + RECORD_CRC_OFFSET, crc32(r, RECORD_CRC_OFFSET));
}

/* 1 if `r` is a whole, valid record. */
static int decode(const uint8_t r[WASMIOT_SLOTS_RECORD_SIZE], wasmiot_slots_state* s) {
  if (memcmp(r, WASMIOT_SLOTS_MAGIC, 4) != 0 || r[4] != WASMIOT_SLOTS_VERSION) return 0;
  if (get_u32(r + RECORD_CRC_OFFSET) != crc32(r, RECORD_CRC_OFFSET)) return 0;
  if ((r[5] > 1 && r[5] != WASMIOT_SLOT_NONE) || (r[6] > 1 && r[6] != WASMIOT_SLOT_NONE) || (r[7] & ~1u)) return 0;
  /* Never written (append stops below it): a record after it would wrap to
   * 0 and lose to it. Only a corrupted flash holds one. */
  if (get_u32(r + 8) == WASMIOT_SLOTS_LAST_SEQUENCE + 1u) return 0;
  s->active = r[5];
  s->pending = r[6];
  s->trying = (uint8_t)(r[7] & WASMIOT_SLOTS_FLAG_TRYING);
  s->record_sequence = get_u32(r + 8);
  s->counter = get_u64(r + 16);
  s->active_sequence = get_u64(r + 24);
  s->pending_sequence = get_u64(r + 32);
  memcpy(s->active_id, r + 40, WASMIOT_SLOTS_ID_SIZE);
  return 1;
}

static int power_of_two(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

/* 1 if any byte of the record position at `offset` was programmed. */
static int used(const wasmiot_slots* slots, uint32_t offset, int* error) {
  uint8_t piece[WASMIOT_SLOTS_RECORD_SIZE];
  uint32_t i;
  if (slots->flash->read(slots->flash->context, offset, piece, sizeof piece) != 0) {
    *error = 1;
    return 1;
  }
  for (i = 0; i < sizeof piece; ++i) {
    if (piece[i] != 0xFFu) return 1;
  }
  return 0;
}

wasmiot_slots_result wasmiot_slots_open(wasmiot_slots* slots, const wasmiot_flash* flash) {
  uint32_t sector, position, sectors;
  int found = 0, error = 0;
  memset(slots, 0, sizeof *slots);
  slots->flash = flash;
  if (!power_of_two(flash->sector_size) || flash->sector_size < 256 || flash->sector_size > 65536 ||
      !power_of_two(flash->write_size) || flash->write_size > WASMIOT_SLOTS_RECORD_SIZE) {
    return WASMIOT_SLOTS_BAD_GEOMETRY;
  }
  sectors = flash->size / flash->sector_size;
  if (sectors < 4) return WASMIOT_SLOTS_BAD_GEOMETRY;
  slots->slot_size = (sectors - 2) / 2 * flash->sector_size;
  slots->slot_offset[0] = 2 * flash->sector_size;
  slots->slot_offset[1] = slots->slot_offset[0] + slots->slot_size;
  slots->state.active = slots->state.pending = WASMIOT_SLOT_NONE;
  for (sector = 0; sector < 2; ++sector) {
    for (position = 0; position + WASMIOT_SLOTS_RECORD_SIZE <= flash->sector_size; position += WASMIOT_SLOTS_RECORD_SIZE) {
      uint8_t record[WASMIOT_SLOTS_RECORD_SIZE];
      wasmiot_slots_state s;
      uint32_t at = sector * flash->sector_size + position;
      if (flash->read(flash->context, at, record, sizeof record) != 0) return WASMIOT_SLOTS_FLASH_ERROR;
      if (!decode(record, &s) || (found && s.record_sequence <= slots->state.record_sequence)) continue;
      found = 1;
      slots->state = s;
      slots->meta_sector = sector;
    }
  }
  if (!found) return WASMIOT_SLOTS_NO_STATE;
  /* The next record goes after the last programmed position of the newest
   * record's sector: a torn record is never written over. */
  slots->next_record = 0;
  for (position = 0; position + WASMIOT_SLOTS_RECORD_SIZE <= flash->sector_size; position += WASMIOT_SLOTS_RECORD_SIZE) {
    if (used(slots, slots->meta_sector * flash->sector_size + position, &error)) slots->next_record = position + WASMIOT_SLOTS_RECORD_SIZE;
    if (error) return WASMIOT_SLOTS_FLASH_ERROR;
  }
  return WASMIOT_SLOTS_OK;
}

/* Appends `next` as the newest record, erasing the other sector first when
 * this one is full. */
static wasmiot_slots_result append(wasmiot_slots* slots, wasmiot_slots_state next) {
  const wasmiot_flash* flash = slots->flash;
  uint8_t record[WASMIOT_SLOTS_RECORD_SIZE];
  uint32_t at;
  /* 4 billion records: a flash long worn out. Refused, never wrapped. */
  if (slots->state.record_sequence >= WASMIOT_SLOTS_LAST_SEQUENCE) return WASMIOT_SLOTS_FLASH_ERROR;
  next.record_sequence = slots->state.record_sequence + 1;
  if (slots->next_record + WASMIOT_SLOTS_RECORD_SIZE > flash->sector_size) {
    uint32_t other = 1 - slots->meta_sector;
    if (flash->erase(flash->context, other * flash->sector_size) != 0) return WASMIOT_SLOTS_FLASH_ERROR;
    slots->meta_sector = other;
    slots->next_record = 0;
  }
  encode(&next, record);
  at = slots->meta_sector * flash->sector_size + slots->next_record;
  slots->next_record += WASMIOT_SLOTS_RECORD_SIZE;  /* even if the write fails: the position may be torn */
  if (flash->write(flash->context, at, record, sizeof record) != 0) return WASMIOT_SLOTS_FLASH_ERROR;
  slots->state = next;
  return WASMIOT_SLOTS_OK;
}

wasmiot_slots_result wasmiot_slots_format(wasmiot_slots* slots, uint64_t counter) {
  const wasmiot_flash* flash = slots->flash;
  wasmiot_slots_state blank;
  uint32_t sector;
  if (slots->slot_size == 0) return WASMIOT_SLOTS_BAD_GEOMETRY;  /* open refused the geometry */
  for (sector = 0; sector < 2; ++sector) {
    if (flash->erase(flash->context, sector * flash->sector_size) != 0) return WASMIOT_SLOTS_FLASH_ERROR;
  }
  memset(&blank, 0, sizeof blank);
  blank.active = blank.pending = WASMIOT_SLOT_NONE;
  blank.counter = counter;
  memset(&slots->state, 0, sizeof slots->state);
  slots->meta_sector = 0;
  slots->next_record = 0;
  return append(slots, blank);
}

uint8_t wasmiot_slots_inactive(const wasmiot_slots* slots) {
  return slots->state.active == WASMIOT_SLOT_NONE ? 0 : (uint8_t)(1 - slots->state.active);
}

wasmiot_slots_result wasmiot_slots_begin_install(wasmiot_slots* slots) {
  if (slots->state.pending != wasmiot_slots_inactive(slots)) return WASMIOT_SLOTS_OK;
  return wasmiot_slots_revert(slots);
}

wasmiot_slots_result wasmiot_slots_set_pending(wasmiot_slots* slots, uint64_t sequence) {
  wasmiot_slots_state next = slots->state;
  if (sequence <= next.counter) return WASMIOT_SLOTS_ROLLBACK;
  next.pending = wasmiot_slots_inactive(slots);
  next.pending_sequence = sequence;
  next.trying = 0;
  return append(slots, next);
}

wasmiot_slots_result wasmiot_slots_start_trial(wasmiot_slots* slots) {
  wasmiot_slots_state next = slots->state;
  if (next.pending == WASMIOT_SLOT_NONE) return WASMIOT_SLOTS_NOT_PENDING;
  next.trying = 1;
  return append(slots, next);
}

wasmiot_slots_result wasmiot_slots_confirm(wasmiot_slots* slots, const uint8_t id[WASMIOT_SLOTS_ID_SIZE]) {
  wasmiot_slots_state next = slots->state;
  if (next.pending == WASMIOT_SLOT_NONE) return WASMIOT_SLOTS_NOT_PENDING;
  if (next.pending_sequence <= next.counter) return WASMIOT_SLOTS_ROLLBACK;
  next.active = next.pending;
  next.active_sequence = next.pending_sequence;
  next.counter = next.pending_sequence;
  memcpy(next.active_id, id, WASMIOT_SLOTS_ID_SIZE);
  next.pending = WASMIOT_SLOT_NONE;
  next.pending_sequence = 0;
  next.trying = 0;
  return append(slots, next);
}

wasmiot_slots_result wasmiot_slots_revert(wasmiot_slots* slots) {
  wasmiot_slots_state next = slots->state;
  if (next.pending == WASMIOT_SLOT_NONE) return WASMIOT_SLOTS_NOT_PENDING;
  next.pending = WASMIOT_SLOT_NONE;
  next.pending_sequence = 0;
  next.trying = 0;
  return append(slots, next);
}

wasmiot_slots_result wasmiot_slots_recover(wasmiot_slots* slots) {
  if (slots->state.pending != WASMIOT_SLOT_NONE && slots->state.trying) return wasmiot_slots_revert(slots);
  return WASMIOT_SLOTS_OK;
}
