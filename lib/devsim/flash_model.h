// A NOR flash as the simulated device has it: erased bytes read 0xFF, a write
// programs whole write units that must be erased, an erase clears one sector,
// and every write and erase counts as one operation. The power can be cut at
// a chosen operation: the flash then keeps what a real part would, a write cut
// halfway (the units before it programmed, the unit it was in half programmed,
// the rest still erased) or an erase cut halfway (half the sector erased), and
// every later operation fails until the device restarts. docs/slots.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "support/file_io.h"
#include "wasmiot_slots.h"

namespace wasmiot {

struct FlashGeometry {
  uint32_t size = 0;
  uint32_t sector_size = 4096;  // a common MCU's erase unit
  uint32_t write_size = 8;      // and its program unit (STM32L4, nRF: 4)
};

class FlashModel {
 public:
  explicit FlashModel(const FlashGeometry& geometry);  // all erased
  FlashModel(const FlashGeometry& geometry, Bytes contents);  // contents.size() == geometry.size

  const FlashGeometry& geometry() const { return geometry_; }
  const Bytes& contents() const { return contents_; }
  uint64_t operations() const { return operations_; }  // writes and erases so far
  // Cuts the power during operation `n` (counting from 1, as operations() will
  // be when it starts); nothing: never.
  void CutPowerAt(std::optional<uint64_t> n) { cut_at_ = n; }
  bool powered() const { return powered_; }
  // A misuse the model refused (a write over unerased bytes, a misaligned
  // write): what firmware must never do. Empty if none.
  const std::string& misuse() const { return misuse_; }

  // The C interface the device library drives; valid while this model lives.
  const wasmiot_flash& flash() const { return flash_; }

  int Read(uint32_t offset, uint8_t* data, uint32_t size) const;
  int Write(uint32_t offset, const uint8_t* data, uint32_t size);
  int Erase(uint32_t offset);

 private:
  bool Begin();  // counts an operation; false if the power is off or goes off now
  bool InRange(uint32_t offset, uint32_t size) const { return offset <= contents_.size() && size <= contents_.size() - offset; }

  FlashGeometry geometry_;
  Bytes contents_;
  uint64_t operations_ = 0;
  std::optional<uint64_t> cut_at_;
  bool powered_ = true;
  bool cutting_ = false;  // the current operation is the one the power goes off in
  std::string misuse_;
  wasmiot_flash flash_{};
};

}  // namespace wasmiot
