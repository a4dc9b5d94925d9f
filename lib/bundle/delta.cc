#include "bundle/delta.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "bundle/chunks.h"
#include "bundle/device_policy.h"

namespace wasmiot {
namespace {

// Candidates are found through hash chains over 4-byte sequences of both
// payloads, one address space: [0, base) the old payload, then the new one.
// The table has about one head per input byte, 2^10 to 2^17 of them: clearing
// 512 KiB for a 1 KiB module dominated small encodes (and fuzz_delta).
constexpr uint32_t kMinHashBits = 10;
constexpr uint32_t kMaxHashBits = 17;
constexpr uint32_t kNoPosition = 0xFFFFFFFFu;
// Chain steps per position: deeper finds longer matches, slower.
constexpr int kMaxChain = 256;

size_t VarintSize(uint64_t value) {
  size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

void PutVarint(Bytes& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<uint8_t>(value));
}

uint64_t Zigzag(int64_t v) { return v < 0 ? (uint64_t(-(v + 1)) << 1) | 1 : uint64_t(v) << 1; }

// Bytes an op of this kind and length takes before its literals, without its argument.
size_t OpHeaderSize(uint8_t op, uint64_t length) {
  uint64_t minimum = op == WASMIOT_DELTA_OP_INSERT ? WASMIOT_DELTA_MIN_INSERT : WASMIOT_DELTA_MIN_COPY;
  uint64_t n = length - minimum;
  return n < WASMIOT_DELTA_LENGTH_EXTENDED ? 1 : 1 + VarintSize(n - WASMIOT_DELTA_LENGTH_EXTENDED);
}

void PutOp(Bytes& out, uint8_t op, uint64_t length) {
  uint64_t minimum = op == WASMIOT_DELTA_OP_INSERT ? WASMIOT_DELTA_MIN_INSERT : WASMIOT_DELTA_MIN_COPY;
  uint64_t n = length - minimum;
  uint8_t inline_n = static_cast<uint8_t>(std::min<uint64_t>(n, WASMIOT_DELTA_LENGTH_EXTENDED));
  out.push_back(static_cast<uint8_t>(op << WASMIOT_DELTA_OP_SHIFT | inline_n));
  if (inline_n == WASMIOT_DELTA_LENGTH_EXTENDED) PutVarint(out, n - WASMIOT_DELTA_LENGTH_EXTENDED);
}

struct Match {
  uint8_t op = WASMIOT_DELTA_OP_INSERT;  // INSERT: none
  uint32_t length = 0;
  uint64_t argument = 0;  // as encoded: zigzag cursor move, or distance - 1
  int64_t gain = 0;       // bytes saved against inserting them
};

class Encoder {
 public:
  Encoder(const Bytes& base, const Bytes& target) : base_(base), target_(target) {
    size_t total = base.size() + target.size();
    while (hash_bits_ < kMaxHashBits && (size_t{1} << hash_bits_) < total) ++hash_bits_;
    head_.assign(size_t{1} << hash_bits_, kNoPosition);
    prev_.assign(total, kNoPosition);
    for (uint32_t p = 0; p + WASMIOT_DELTA_MIN_COPY <= base.size(); ++p) Insert(p);
  }

  Bytes Encode(DeltaStats& stats) {
    const uint32_t size = static_cast<uint32_t>(target_.size());
    uint32_t i = 0, literal_start = 0;
    while (i < size) {
      Match m = Best(i);
      if (m.gain > 0 && i + 1 < size) {
        Match next = Best(i + 1);
        if (next.gain > m.gain + 1) m = Match{};  // a literal now buys a better match
      }
      if (m.gain <= 0) {
        Advance(i, 1);
        ++i;
        continue;
      }
      EmitInsert(literal_start, i, stats);
      PutOp(out_, m.op, m.length);
      PutVarint(out_, m.argument);
      ++stats.operations;
      if (m.op == WASMIOT_DELTA_OP_COPY_OLD) {
        stats.copied_old += m.length;
        cursor_ = CursorAfter(m);
      } else {
        stats.copied_new += m.length;
      }
      Advance(i, m.length);
      i += m.length;
      literal_start = i;
    }
    EmitInsert(literal_start, size, stats);
    return std::move(out_);
  }

 private:
  uint32_t Hash(const uint8_t* p) const {
    uint32_t v = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
    return (v * 2654435761u) >> (32 - hash_bits_);
  }
  const uint8_t* At(uint32_t p) const { return p < base_.size() ? &base_[p] : &target_[p - base_.size()]; }
  void Insert(uint32_t p) {
    uint32_t h = Hash(At(p));
    prev_[p] = head_[h];
    head_[h] = p;
  }
  // Target positions [i, i + n) become candidates for later matches.
  void Advance(uint32_t i, uint32_t n) {
    for (uint32_t k = i; k < i + n && k + WASMIOT_DELTA_MIN_COPY <= target_.size(); ++k) {
      Insert(static_cast<uint32_t>(base_.size()) + k);
    }
  }
  uint32_t CursorAfter(const Match& m) const {
    int64_t move = (m.argument & 1) ? -int64_t(m.argument >> 1) - 1 : int64_t(m.argument >> 1);
    return static_cast<uint32_t>(int64_t(cursor_) + move) + m.length;
  }
  // Common length of target[i...] and the bytes at `from` (old, or earlier new).
  uint32_t Length(uint32_t from, uint32_t i) const {
    const uint32_t size = static_cast<uint32_t>(target_.size());
    uint32_t limit = size - i;
    if (from < base_.size()) limit = std::min<uint32_t>(limit, static_cast<uint32_t>(base_.size()) - from);
    uint32_t n = 0;
    while (n < limit && *At(from + n) == target_[i + n]) ++n;
    return n;
  }
  Match Candidate(uint32_t from, uint32_t i, uint32_t length) const {
    Match m;
    if (length < WASMIOT_DELTA_MIN_COPY) return m;
    m.length = length;
    if (from < base_.size()) {
      m.op = WASMIOT_DELTA_OP_COPY_OLD;
      m.argument = Zigzag(int64_t(from) - int64_t(cursor_));
    } else {
      m.op = WASMIOT_DELTA_OP_COPY_NEW;
      m.argument = uint64_t(i) - (from - base_.size()) - 1;
    }
    m.gain = int64_t(length) - int64_t(OpHeaderSize(m.op, length) + VarintSize(m.argument));
    return m;
  }
  static bool Better(const Match& a, const Match& b) {
    return a.gain > b.gain || (a.gain == b.gain && a.length > b.length);
  }
  Match Best(uint32_t i) const {
    Match best;
    if (cursor_ < base_.size()) best = Candidate(cursor_, i, Length(cursor_, i));
    if (i + WASMIOT_DELTA_MIN_COPY > target_.size()) return best;
    const uint32_t here = static_cast<uint32_t>(base_.size()) + i;
    int steps = 0;
    for (uint32_t p = head_[Hash(&target_[i])]; p != kNoPosition && steps < kMaxChain; p = prev_[p], ++steps) {
      if (p >= here) continue;  // i itself, once inserted
      Match m = Candidate(p, i, Length(p, i));
      if (Better(m, best)) best = m;
    }
    return best;
  }
  void EmitInsert(uint32_t from, uint32_t to, DeltaStats& stats) {
    while (from < to) {
      // One op holds any length; runs are split only to keep each op's varint small.
      uint32_t n = std::min<uint32_t>(to - from, 1u << 20);
      PutOp(out_, WASMIOT_DELTA_OP_INSERT, n);
      out_.insert(out_.end(), target_.begin() + from, target_.begin() + from + n);
      stats.inserted += n;
      ++stats.operations;
      from += n;
    }
  }

  const Bytes& base_;
  const Bytes& target_;
  uint32_t hash_bits_ = kMinHashBits;
  std::vector<uint32_t> head_, prev_;
  uint32_t cursor_ = 0;
  Bytes out_;
};

}  // namespace

Result<Bytes> EncodeDelta(const Bytes& base, const Bytes& target, DeltaStats* stats) {
  // The encoder's tables take 4 to 8 bytes per input byte: bounded
  // by the largest payload a bundle carries, well under the format's limit.
  if (base.size() > kMaxAotPayload || target.size() > kMaxAotPayload) {
    return Error{ErrorKind::kInvalidInput, fmt::format("a delta payload must be at most {} bytes", kMaxAotPayload)};
  }
  DeltaStats counted;
  Bytes ops = Encoder(base, target).Encode(counted);
  ops.push_back(WASMIOT_DELTA_OP_END_BYTE);
  if (stats) *stats = counted;
  return CodeOps(ops);
}

DeltaApplied ApplyDelta(const Bytes& base, const Bytes& stream, uint32_t new_size, size_t piece) {
  DeltaApplied applied;
  if (base.size() > kMaxAotPayload || new_size > kMaxAotPayload) {
    applied.result = WASMIOT_DELTA_BAD_SIZES;
    return applied;
  }
  MemorySlot old_slot(static_cast<uint32_t>(base.size()), base);
  MemorySlot new_slot(new_size);
  wasmiot_delta_config config{old_slot.storage(), 0, static_cast<uint32_t>(base.size()), new_slot.storage(), 0,
                              new_size};
  wasmiot_delta delta;
  applied.result = wasmiot_delta_begin(&delta, &config);
  const size_t step = piece ? piece : std::max<size_t>(stream.size(), 1);
  for (size_t at = 0; at < stream.size() && applied.result == WASMIOT_DELTA_OK; at += step) {
    applied.result = wasmiot_delta_feed(&delta, stream.data() + at, std::min(step, stream.size() - at));
  }
  if (applied.result == WASMIOT_DELTA_OK) applied.result = wasmiot_delta_finish(&delta);
  if (applied.result == WASMIOT_DELTA_OK) {
    applied.produced = std::move(new_slot.bytes());
    applied.produced.resize(new_size);  // a slot grows only as far as it was written
  }
  return applied;
}

}  // namespace wasmiot
