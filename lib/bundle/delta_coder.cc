// The delta stream's coding layer on the encoder's side (docs/delta.md,
// "Coding"): an adaptive binary range coder, the mirror of the applier's
// decoder in lib/device/wasmiot_delta.c, which also chooses each byte's model
// (wasmiot_delta_ops: the same grammar, so both sides agree by construction).
#include <array>

#include "bundle/delta.h"

namespace wasmiot {
namespace {

// LZMA's range encoder (carry propagation through a cached byte and a count
// of 0xFF bytes), with 8-bit probabilities.
class RangeEncoder {
 public:
  void Bit(uint8_t& p, unsigned bit) {
    const uint32_t bound = (range_ >> 8) * p;
    if (bit == 0) {
      range_ = bound;
      p = static_cast<uint8_t>(p + ((256u - p) >> WASMIOT_DELTA_ADAPT_SHIFT));
    } else {
      low_ += bound;
      range_ -= bound;
      p = static_cast<uint8_t>(p - (p >> WASMIOT_DELTA_ADAPT_SHIFT));
    }
    // One shift a bit suffices (the decoder relies on it): see decode_bit.
    if (range_ < WASMIOT_DELTA_CODER_TOP) {
      range_ <<= 8;
      ShiftLow();
    }
  }
  Bytes Finish() {
    for (int i = 0; i < 5; ++i) ShiftLow();
    return std::move(out_);
  }

 private:
  void ShiftLow() {
    if (static_cast<uint32_t>(low_) < 0xFF000000u || (low_ >> 32) != 0) {
      const uint8_t carry = static_cast<uint8_t>(low_ >> 32);
      uint8_t byte = cache_;
      do {
        out_.push_back(static_cast<uint8_t>(byte + carry));
        byte = 0xFF;
      } while (--pending_ != 0);
      cache_ = static_cast<uint8_t>(low_ >> 24);
    }
    ++pending_;
    low_ = (low_ & 0x00FFFFFFu) << 8;
  }

  uint64_t low_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint8_t cache_ = 0;
  uint64_t pending_ = 1;  // the cached byte and the 0xFF bytes behind it
  Bytes out_;
};

}  // namespace

Bytes CodeOps(const Bytes& ops) {
  std::array<uint8_t, WASMIOT_DELTA_MODEL_BYTES> models;
  models.fill(WASMIOT_DELTA_PROBABILITY_START);
  wasmiot_delta_ops grammar;
  wasmiot_delta_ops_init(&grammar);
  RangeEncoder coder;
  for (uint8_t byte : ops) {
    const uint8_t model = wasmiot_delta_ops_model(&grammar);
    uint8_t* p;
    int bits = 8;
    if (model == WASMIOT_DELTA_MODEL_VARINT) {  // the top bit alone, then a tree of 7
      p = models.data() + WASMIOT_DELTA_VARINT_MODEL_AT;
      coder.Bit(p[0], byte >> 7);
      bits = 7;
    } else {
      p = models.data() + (model == WASMIOT_DELTA_MODEL_OP ? WASMIOT_DELTA_OP_MODEL_AT : WASMIOT_DELTA_LITERAL_MODEL_AT);
    }
    unsigned node = 1;
    for (int i = bits - 1; i >= 0; --i) {
      const unsigned bit = (byte >> i) & 1u;
      coder.Bit(p[node], bit);
      node = (node << 1) | bit;
    }
    (void)wasmiot_delta_ops_step(&grammar, byte);
  }
  return coder.Finish();
}

}  // namespace wasmiot
