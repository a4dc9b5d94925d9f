#include "devsim/flash_model.h"

#include <algorithm>

#include <fmt/format.h>

namespace wasmiot {

FlashModel::FlashModel(const FlashGeometry& geometry) : FlashModel(geometry, Bytes(geometry.size, 0xFF)) {}

FlashModel::FlashModel(const FlashGeometry& geometry, Bytes contents)
    : geometry_(geometry), contents_(std::move(contents)) {
  contents_.resize(geometry_.size, 0xFF);
  flash_.context = this;
  flash_.size = geometry_.size;
  flash_.sector_size = geometry_.sector_size;
  flash_.write_size = geometry_.write_size;
  flash_.read = [](void* self, uint32_t offset, uint8_t* data, uint32_t size) {
    return static_cast<FlashModel*>(self)->Read(offset, data, size);
  };
  flash_.write = [](void* self, uint32_t offset, const uint8_t* data, uint32_t size) {
    return static_cast<FlashModel*>(self)->Write(offset, data, size);
  };
  flash_.erase = [](void* self, uint32_t offset) { return static_cast<FlashModel*>(self)->Erase(offset); };
}

bool FlashModel::Begin() {
  if (!powered_) return false;
  ++operations_;
  cutting_ = cut_at_ && operations_ == *cut_at_;
  return true;
}

int FlashModel::Read(uint32_t offset, uint8_t* data, uint32_t size) const {
  if (!powered_ || !InRange(offset, size)) return -1;
  std::copy_n(contents_.begin() + offset, size, data);
  return 0;
}

int FlashModel::Write(uint32_t offset, const uint8_t* data, uint32_t size) {
  const uint32_t unit = geometry_.write_size;
  if (!InRange(offset, size) || offset % unit != 0 || size % unit != 0) {
    misuse_ = fmt::format("write of {} bytes at {}: not whole {}-byte units inside the flash", size, offset, unit);
    return -1;
  }
  for (uint32_t i = 0; i < size; ++i) {
    if (contents_[offset + i] != 0xFF) {
      misuse_ = fmt::format("write at {}: byte {} is not erased", offset, offset + i);
      return -1;
    }
  }
  if (!Begin()) return -1;
  // Cut halfway: the first half of the units programmed, the unit in the
  // middle half programmed, the rest erased.
  uint32_t units = size / unit;
  uint32_t whole = cutting_ ? units / 2 : units;
  std::copy_n(data, whole * unit, contents_.begin() + offset);
  if (!cutting_) return 0;
  if (whole < units) std::copy_n(data + whole * unit, (unit + 1) / 2, contents_.begin() + offset + whole * unit);
  powered_ = false;
  return -1;
}

int FlashModel::Erase(uint32_t offset) {
  const uint32_t sector = geometry_.sector_size;
  if (offset % sector != 0 || !InRange(offset, sector)) {
    misuse_ = fmt::format("erase at {}: not the start of a {}-byte sector inside the flash", offset, sector);
    return -1;
  }
  if (!Begin()) return -1;
  std::fill_n(contents_.begin() + offset, cutting_ ? sector / 2 : sector, 0xFF);
  if (!cutting_) return 0;
  powered_ = false;
  return -1;
}

}  // namespace wasmiot
