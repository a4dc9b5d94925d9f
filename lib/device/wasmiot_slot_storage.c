#include "wasmiot_slot_storage.h"

#include <string.h>

static int all_erased(const uint8_t* p, uint32_t n) {
  uint32_t i;
  for (i = 0; i < n; ++i) {
    if (p[i] != 0xFFu) return 0;
  }
  return 1;
}

static int slot_read(void* context, uint32_t offset, uint8_t* data, size_t size) {
  const wasmiot_slot_storage* s = (const wasmiot_slot_storage*)context;
  if (offset > s->storage.capacity || size > s->storage.capacity - offset) return -1;
  return s->flash->read(s->flash->context, s->base + offset, data, (uint32_t)size);
}

/* The receiver's erase: every sector [offset, offset + size) touches. */
static int slot_erase(void* context, uint32_t offset, uint32_t size) {
  const wasmiot_slot_storage* s = (const wasmiot_slot_storage*)context;
  uint32_t sector = s->flash->sector_size, at;
  if (offset > s->storage.capacity || size > s->storage.capacity - offset) return -1;
  for (at = offset - offset % sector; at < offset + size; at += sector) {
    if (s->flash->erase(s->flash->context, s->base + at) != 0) return -1;
  }
  return 0;
}

/* The sector holding [pos, pos + n) read, overlaid with `data`, erased and
 * programmed again, a run of programmed units per write. */
static int rewrite_sector(const wasmiot_slot_storage* s, uint32_t pos, const uint8_t* data, uint32_t n) {
  const wasmiot_flash* f = s->flash;
  uint32_t start = pos - pos % f->sector_size, unit = f->write_size, at = 0;
  uint8_t* buffer = s->sector_buffer;
  if (f->read(f->context, s->base + start, buffer, f->sector_size) != 0) return -1;
  memcpy(buffer + (pos - start), data, n);
  if (f->erase(f->context, s->base + start) != 0) return -1;
  while (at < f->sector_size) {
    uint32_t run = at;
    while (run < f->sector_size && !all_erased(buffer + run, unit)) run += unit;
    if (run > at && f->write(f->context, s->base + start + at, buffer + at, run - at) != 0) return -1;
    at = run + unit;  /* past the erased unit that ended the run */
  }
  return 0;
}

/* Programs one unit: `data` over what the unit at `u` holds, for the bytes
 * of [pos, end) in it. */
static int program_unit(const wasmiot_slot_storage* s, uint32_t u, uint32_t pos, uint32_t end, const uint8_t* data) {
  const wasmiot_flash* f = s->flash;
  uint8_t unit[WASMIOT_SLOT_STORAGE_MAX_WRITE_SIZE];
  uint32_t from = u < pos ? pos : u, to = u + f->write_size < end ? u + f->write_size : end;
  if (f->read(f->context, s->base + u, unit, f->write_size) != 0) return -1;
  memcpy(unit + (from - u), data + (from - pos), to - from);
  return f->write(f->context, s->base + u, unit, f->write_size);
}

/* Programs [pos, pos + n), all in one sector: erased units are programmed
 * (the whole units in one write), units that already hold the bytes are
 * skipped, and a unit holding other bytes (a torn earlier write) has the
 * sector rewritten. */
static int write_in_sector(const wasmiot_slot_storage* s, uint32_t pos, const uint8_t* data, uint32_t n) {
  const wasmiot_flash* f = s->flash;
  const uint32_t unit = f->write_size;
  const uint32_t first = pos - pos % unit, end = pos + n;
  uint8_t current[WASMIOT_SLOT_STORAGE_MAX_WRITE_SIZE], wanted[WASMIOT_SLOT_STORAGE_MAX_WRITE_SIZE];
  uint32_t u, whole_from, whole_to;
  int resent = 0; /* some unit already holds its bytes: program unit by unit */
  for (u = first; u < end; u += unit) {
    uint32_t from = u < pos ? pos : u, to = u + unit < end ? u + unit : end;
    if (f->read(f->context, s->base + u, current, unit) != 0) return -1;
    memcpy(wanted, current, unit);
    memcpy(wanted + (from - u), data + (from - pos), to - from);
    if (all_erased(current, unit)) continue;
    if (memcmp(current, wanted, unit) != 0) return rewrite_sector(s, pos, data, n);
    resent = 1;
  }
  if (resent) {
    for (u = first; u < end; u += unit) {
      if (f->read(f->context, s->base + u, current, unit) != 0) return -1;
      if (all_erased(current, unit) && program_unit(s, u, pos, end, data) != 0) return -1;
    }
    return 0;
  }
  /* All erased: a partial first unit, the whole units in one write, a partial last unit. */
  whole_from = pos % unit == 0 ? pos : first + unit;
  whole_to = end - end % unit;
  if (whole_from > pos && program_unit(s, first, pos, end, data) != 0) return -1;
  if (whole_to > whole_from &&
      f->write(f->context, s->base + whole_from, data + (whole_from - pos), whole_to - whole_from) != 0) {
    return -1;
  }
  if (whole_to < end && whole_to >= whole_from && program_unit(s, whole_to, pos, end, data) != 0) return -1;
  return 0;
}

static int slot_write(void* context, uint32_t offset, const uint8_t* data, size_t size) {
  const wasmiot_slot_storage* s = (const wasmiot_slot_storage*)context;
  const uint32_t sector = s->flash->sector_size;
  uint32_t pos = offset, end;
  if (offset > s->storage.capacity || size > s->storage.capacity - offset) return -1;
  end = offset + (uint32_t)size;
  while (pos < end) {
    uint32_t sector_end = pos - pos % sector + sector, piece_end = end < sector_end ? end : sector_end;
    if (write_in_sector(s, pos, data + (pos - offset), piece_end - pos) != 0) return -1;
    pos = piece_end;
  }
  return 0;
}

int wasmiot_slot_storage_init(wasmiot_slot_storage* out, const wasmiot_slots* slots, uint8_t slot,
                              uint8_t* sector_buffer) {
  memset(out, 0, sizeof *out);
  if (slot > 1 || slots->flash->write_size > WASMIOT_SLOT_STORAGE_MAX_WRITE_SIZE) return -1;
  out->flash = slots->flash;
  out->base = slots->slot_offset[slot];
  out->sector_buffer = sector_buffer;
  out->storage.context = out;
  out->storage.capacity = slots->slot_size;
  out->storage.read = slot_read;
  out->storage.write = slot_write;
  out->storage.erase = slot_erase;
  return 0;
}
