#include "bundle/chunks.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "keys/sodium_bridge.h"
#include "support/text.h"

namespace wasmiot {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMaxChunkFile = WASMIOT_FRAME_HEADER_SIZE + WASMIOT_BUNDLE_MAX_CHUNK_SIZE;
constexpr std::string_view kChunkSuffix = ".chunk";

Bytes EncodeFrame(uint8_t type, const uint8_t* id, uint32_t index, const uint8_t* data, size_t size) {
  Bytes f(WASMIOT_FRAME_HEADER_SIZE + size);
  f[WASMIOT_FRAME_OFF_TYPE] = type;
  std::memcpy(f.data() + WASMIOT_FRAME_OFF_BUNDLE_ID, id, WASMIOT_FRAME_BUNDLE_ID_SIZE);
  f[WASMIOT_FRAME_OFF_INDEX] = static_cast<uint8_t>(index);
  f[WASMIOT_FRAME_OFF_INDEX + 1] = static_cast<uint8_t>(index >> 8);
  f[WASMIOT_FRAME_OFF_LENGTH] = static_cast<uint8_t>(size);
  f[WASMIOT_FRAME_OFF_LENGTH + 1] = static_cast<uint8_t>(size >> 8);
  std::memcpy(f.data() + WASMIOT_FRAME_HEADER_SIZE, data, size);
  return f;
}

int SlotRead(void* context, uint32_t offset, uint8_t* data, size_t size) {
  auto* slot = static_cast<std::pair<Bytes*, uint32_t>*>(context);
  const Bytes& b = *slot->first;
  if (offset > slot->second || size > slot->second - offset) return -1;
  for (size_t i = 0; i < size; ++i) data[i] = offset + i < b.size() ? b[offset + i] : 0;
  return 0;
}

int SlotWrite(void* context, uint32_t offset, const uint8_t* data, size_t size) {
  auto* slot = static_cast<std::pair<Bytes*, uint32_t>*>(context);
  Bytes& b = *slot->first;
  if (offset > slot->second || size > slot->second - offset) return -1;
  if (b.size() < offset + size) b.resize(offset + size, 0);
  std::memcpy(b.data() + offset, data, size);
  return 0;
}

bool Progressed(wasmiot_rx_result r) { return r == WASMIOT_RX_ACCEPTED || r == WASMIOT_RX_COMPLETE; }

}  // namespace

Result<std::vector<Bytes>> SliceBundle(const Bytes& bundle) {
  wasmiot_bundle_header h{};
  wasmiot_bundle_result r = wasmiot_bundle_parse_header(bundle.data(), bundle.size(), &h);
  if (r == WASMIOT_BUNDLE_OK) r = wasmiot_bundle_check_body(bundle.data(), bundle.size(), &h, &HostCrypto());
  if (r != WASMIOT_BUNDLE_OK) {
    return Error{ErrorKind::kInvalidInput, fmt::format("not a sound bundle ({})", wasmiot_bundle_result_name(r))};
  }
  uint8_t id[WASMIOT_FRAME_BUNDLE_ID_SIZE];
  wasmiot_bundle_id(bundle.data(), &HostCrypto(), id);
  std::vector<Bytes> frames;
  frames.push_back(EncodeFrame(WASMIOT_FRAME_HEADER, id, 0, bundle.data(), h.table_offset));
  // Table parts and payload chunks: chunk_size bytes each, the last holds the rest.
  auto slice = [&](uint8_t type, size_t start, size_t total) {
    for (size_t at = 0, index = 0; at < total; at += h.chunk_size, ++index) {
      size_t n = std::min<size_t>(h.chunk_size, total - at);
      frames.push_back(EncodeFrame(type, id, static_cast<uint32_t>(index), bundle.data() + start + at, n));
    }
  };
  wasmiot_bundle_layout layout = wasmiot_bundle_layout_of(&h);
  slice(WASMIOT_FRAME_TABLE, h.table_offset, WASMIOT_BUNDLE_TABLE_SIZE(h.chunk_count));
  slice(WASMIOT_FRAME_CHUNK, wasmiot_bundle_payload_offset(&layout), h.payload_size);
  return frames;
}

namespace {

bool KnownFrameType(uint8_t type) {
  return type == WASMIOT_FRAME_HEADER || type == WASMIOT_FRAME_TABLE || type == WASMIOT_FRAME_CHUNK;
}

// Why no whole frame starts at `data`, of which `have` bytes are there: the
// one wording for streams read whole (SplitStream) and frame by frame.
std::string FrameProblem(const uint8_t* data, size_t have) {
  if (have < WASMIOT_FRAME_HEADER_SIZE) return "the stream ends inside a frame header";
  uint8_t type = data[WASMIOT_FRAME_OFF_TYPE];
  if (!KnownFrameType(type)) return fmt::format("unknown frame type 0x{:02x}", type);
  unsigned length = data[WASMIOT_FRAME_OFF_LENGTH] | (data[WASMIOT_FRAME_OFF_LENGTH + 1] << 8);
  return fmt::format("a frame of {} data bytes runs past the end", length);
}

}  // namespace

Result<std::vector<SourcedFrame>> SplitStream(const Bytes& stream, const std::string& path) {
  std::vector<SourcedFrame> frames;
  size_t at = 0;
  while (at < stream.size()) {
    wasmiot_frame f;
    size_t n = wasmiot_frame_parse(stream.data() + at, stream.size() - at, &f);
    if (n == 0) {
      Error e{ErrorKind::kInvalidInput, FrameProblem(stream.data() + at, stream.size() - at)};
      e.offset = at;
      return e;
    }
    frames.push_back({Bytes(stream.begin() + static_cast<std::ptrdiff_t>(at),
                            stream.begin() + static_cast<std::ptrdiff_t>(at + n)),
                      path, at});
    at += n;
  }
  return frames;
}

std::string ChunkFileName(size_t n) { return fmt::format("{:06}{}", n, kChunkSuffix); }

namespace {

std::vector<SourcedFrame> ReadChunkFolder(const std::string& dir, Diagnostics& diagnostics) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() > kChunkSuffix.size() &&
        name.compare(name.size() - kChunkSuffix.size(), kChunkSuffix.size(), kChunkSuffix) == 0) {
      if (names.size() == kMaxFrames) {
        diagnostics.AddError("stream-too-large", dir,
                             fmt::format("more than {} chunk files: more than any bundle has frames", kMaxFrames));
        return {};
      }
      names.push_back(name);
    }
  }
  std::vector<SourcedFrame> frames;
  if (ec) {
    diagnostics.AddError("io-error", dir, fmt::format("cannot list the folder: {}", ec.message()));
    return frames;
  }
  std::sort(names.begin(), names.end());
  uint64_t total = 0;
  for (const std::string& name : names) {
    std::string path = dir + "/" + name;
    Result<Bytes> bytes = ReadInputFile(path, kMaxChunkFile);
    wasmiot_frame f;
    if (!bytes) {
      diagnostics.Add(Severity::kWarning, "chunk-unreadable", path, bytes.error().message);
    } else if (bytes->empty() || wasmiot_frame_parse(bytes->data(), bytes->size(), &f) != bytes->size()) {
      diagnostics.Add(Severity::kWarning, "chunk-malformed", path, "not one whole chunk frame; skipped").offset = 0;
    } else {
      total += bytes->size();
      if (total > kMaxFrameBytes) {
        diagnostics.AddError("stream-too-large", dir, fmt::format("the chunk files pass {} bytes", kMaxFrameBytes));
        return {};
      }
      frames.push_back({std::move(bytes).value(), path, 0});
    }
  }
  if (names.empty()) diagnostics.AddError("chunks-missing", dir, "the folder holds no .chunk files");
  return frames;
}

// A stream file, frame by frame: a header, then exactly the data it announces.
std::vector<SourcedFrame> ReadStreamFrames(const std::string& path, Diagnostics& diagnostics) {
  Result<InputFile> file = OpenInputFile(path);
  if (!file) {
    diagnostics.AddError("io-error", path, file.error().message);
    return {};
  }
  std::vector<SourcedFrame> frames;
  uint64_t at = 0;
  auto fail = [&](std::string code, std::string message) {
    diagnostics.AddError(std::move(code), path, std::move(message)).offset = at;
    return std::vector<SourcedFrame>{};
  };
  for (;;) {
    Bytes frame(WASMIOT_FRAME_HEADER_SIZE);
    Result<size_t> got = file->Read(frame.data(), frame.size());
    if (!got) return fail("io-error", got.error().message);
    if (*got == 0) return frames;
    if (*got < frame.size() || !KnownFrameType(frame[WASMIOT_FRAME_OFF_TYPE])) {
      return fail("chunks-malformed", FrameProblem(frame.data(), *got));
    }
    size_t length = frame[WASMIOT_FRAME_OFF_LENGTH] | (frame[WASMIOT_FRAME_OFF_LENGTH + 1] << 8);
    if (frames.size() == kMaxFrames || at + frame.size() + length > kMaxFrameBytes) {
      return fail("stream-too-large", fmt::format("more frames than any bundle has (at most {} frames, {} bytes)",
                                                  kMaxFrames, kMaxFrameBytes));
    }
    frame.resize(WASMIOT_FRAME_HEADER_SIZE + length);
    got = file->Read(frame.data() + WASMIOT_FRAME_HEADER_SIZE, length);
    if (!got) return fail("io-error", got.error().message);
    wasmiot_frame parsed;
    if (*got < length || wasmiot_frame_parse(frame.data(), frame.size(), &parsed) != frame.size()) {
      return fail("chunks-malformed", FrameProblem(frame.data(), WASMIOT_FRAME_HEADER_SIZE + *got));
    }
    frames.push_back({std::move(frame), path, at});
    at += frames.back().bytes.size();
  }
}

}  // namespace

std::vector<SourcedFrame> ReadFrames(const std::string& path, Diagnostics& diagnostics) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return ReadChunkFolder(path, diagnostics);
  return ReadStreamFrames(path, diagnostics);
}

StreamSummary DescribeFrames(const std::vector<SourcedFrame>& frames) {
  StreamSummary s;
  std::vector<wasmiot_frame> parsed(frames.size());
  uint8_t id[WASMIOT_FRAME_BUNDLE_ID_SIZE] = {};
  for (size_t i = 0; i < frames.size(); ++i) {
    ++s.frames;
    s.bytes += frames[i].bytes.size();
    wasmiot_frame& f = parsed[i];
    (void)wasmiot_frame_parse(frames[i].bytes.data(), frames[i].bytes.size(), &f);  // read back whole already
    if (!s.has_header && f.type == WASMIOT_FRAME_HEADER &&
        wasmiot_bundle_parse_header(f.data, f.length, &s.header) == WASMIOT_BUNDLE_OK &&
        f.length == s.header.table_offset) {
      s.has_header = true;
      std::memcpy(id, f.bundle_id, sizeof id);
      s.bundle_id = HexString(id, sizeof id);
    }
  }
  if (!s.has_header) return s;
  const wasmiot_bundle_header& h = s.header;
  wasmiot_bundle_layout layout = wasmiot_bundle_layout_of(&h);
  s.table_parts = wasmiot_table_parts(&layout);
  uint32_t table_size = WASMIOT_BUNDLE_TABLE_SIZE(h.chunk_count);
  Bytes table(table_size);
  std::vector<std::optional<Bytes>> table_seen(s.table_parts), chunk_seen(h.chunk_count);
  Bytes header_seen;
  for (size_t i = 0; i < frames.size(); ++i) {
    const wasmiot_frame& f = parsed[i];
    if (std::memcmp(f.bundle_id, id, sizeof id) != 0) {
      ++s.foreign;
      continue;
    }
    std::optional<Bytes>* slot = nullptr;
    uint32_t expected = 0;
    if (f.type == WASMIOT_FRAME_HEADER) {
      ++s.header_frames;
      if (f.index == 0 && f.length == h.table_offset) {
        Bytes data(f.data, f.data + f.length);
        if (header_seen.empty()) header_seen = data;
        else if (data == header_seen) ++s.duplicates;
        else ++s.conflicts;
      } else {
        ++s.malformed;
      }
      continue;
    }
    if (f.type == WASMIOT_FRAME_TABLE) {
      ++s.table_frames;
      if (f.index < s.table_parts) {
        slot = &table_seen[f.index];
        expected = wasmiot_table_part_length(&layout, f.index);
      }
    } else {
      ++s.chunk_frames;
      if (f.index < h.chunk_count) {
        slot = &chunk_seen[f.index];
        expected = wasmiot_bundle_chunk_length(&layout, f.index);
      }
    }
    if (!slot || f.length != expected) {
      ++s.malformed;
    } else if (!*slot) {
      *slot = Bytes(f.data, f.data + f.length);
    } else if (**slot == Bytes(f.data, f.data + f.length)) {
      ++s.duplicates;
    } else {
      ++s.conflicts;
    }
  }
  for (uint32_t i = 0; i < s.table_parts; ++i) {
    if (!table_seen[i]) s.missing_table_parts.push_back(i);
    else std::copy(table_seen[i]->begin(), table_seen[i]->end(), table.begin() + static_cast<std::ptrdiff_t>(i) * h.chunk_size);
  }
  for (uint32_t i = 0; i < h.chunk_count; ++i) {
    if (!chunk_seen[i]) s.missing_chunks.push_back(i);
  }
  if (s.missing_table_parts.empty()) {
    Sha256 digest = HashSha256(table.data(), table.size());
    s.table_ok = std::memcmp(digest.data(), h.table_digest, WASMIOT_BUNDLE_DIGEST_SIZE) == 0;
    for (uint32_t i = 0; *s.table_ok && i < h.chunk_count; ++i) {
      if (chunk_seen[i] && !wasmiot_bundle_chunk_ok(&layout, i, chunk_seen[i]->data(), chunk_seen[i]->size(),
                                                    table.data() + 16u * i, &HostCrypto())) {
        s.corrupt_chunks.push_back(i);
      }
    }
  }
  return s;
}

MemorySlot::MemorySlot(uint32_t capacity, Bytes initial) : bytes_(std::move(initial)) {
  if (bytes_.size() > capacity) bytes_.resize(capacity);
  context_ = {&bytes_, capacity};
  storage_.context = &context_;
  storage_.capacity = capacity;
  storage_.read = SlotRead;
  storage_.write = SlotWrite;
  storage_.erase = nullptr;
}

namespace {

struct FrameKey {
  int rank = 3;           // header, table part, chunk, unreadable
  uint64_t sequence = 0;  // headers: newest first
  uint32_t index = 0;
};

FrameKey KeyOf(const SourcedFrame& frame) {
  FrameKey key;
  wasmiot_frame f;
  if (wasmiot_frame_parse(frame.bytes.data(), frame.bytes.size(), &f) == 0) return key;
  key.index = f.index;
  if (f.type == WASMIOT_FRAME_HEADER) {
    key.rank = 0;
    wasmiot_bundle_header h{};
    if (wasmiot_bundle_parse_header(f.data, f.length, &h) == WASMIOT_BUNDLE_OK) key.sequence = h.sequence;
  } else {
    key.rank = f.type == WASMIOT_FRAME_TABLE ? 1 : 2;
  }
  return key;
}

// Frames in the canonical order; table parts of one index (variants) in the
// order `rotation` gives them.
std::vector<size_t> CanonicalOrder(const std::vector<SourcedFrame>& frames, const std::vector<FrameKey>& keys,
                                   size_t rotation) {
  std::vector<size_t> order(frames.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto before = [&](size_t a, size_t b) {
    const FrameKey &x = keys[a], &y = keys[b];
    if (x.rank != y.rank) return x.rank < y.rank;
    if (x.sequence != y.sequence) return x.sequence > y.sequence;
    if (x.index != y.index) return x.index < y.index;
    return frames[a].bytes < frames[b].bytes;
  };
  std::sort(order.begin(), order.end(), before);
  for (size_t start = 0; start < order.size();) {  // rotate each run of table-part variants
    size_t end = start + 1;
    while (end < order.size() && keys[order[end]].rank == 1 && keys[order[start]].rank == 1 &&
           keys[order[end]].index == keys[order[start]].index) {
      ++end;
    }
    if (end - start > 1) std::rotate(order.begin() + start, order.begin() + start + rotation % (end - start),
                                     order.begin() + end);
    start = end;
  }
  return order;
}

}  // namespace

AssembleReport FeedFrames(wasmiot_receiver& rx, MemorySlot& slot, const std::vector<SourcedFrame>& frames) {
  AssembleReport report;
  std::vector<wasmiot_rx_result> outcome(frames.size(), WASMIOT_RX_NOT_READY);
  std::vector<FrameKey> keys;
  for (const SourcedFrame& f : frames) keys.push_back(KeyOf(f));
  size_t rotation = 0;
  std::vector<size_t> order = CanonicalOrder(frames, keys, rotation);
  std::vector<bool> taken(frames.size(), false);
  // Each pass that progresses takes a frame; a dropped table or payload gives
  // frames back, so bound the passes rather than trust they end.
  const int max_passes = static_cast<int>(2 * frames.size()) + 8;
  bool progressed = true;
  while (progressed && report.passes < max_passes && rx.state != WASMIOT_RX_STATE_COMPLETE) {
    ++report.passes;
    progressed = false;
    for (size_t i : order) {
      if (taken[i]) continue;
      const Bytes& b = frames[i].bytes;
      outcome[i] = wasmiot_receiver_accept(&rx, b.data(), b.size(), 0);
      if (outcome[i] == WASMIOT_RX_REFUSED) {
        report.refusal = rx.refusal;
        report.refused_header.assign(b.begin() + WASMIOT_FRAME_HEADER_SIZE, b.end());
      }
      if (Progressed(outcome[i])) progressed = true;
      taken[i] = Progressed(outcome[i]) || outcome[i] == WASMIOT_RX_DUPLICATE;
      if (outcome[i] == WASMIOT_RX_TABLE_MISMATCH || outcome[i] == WASMIOT_RX_PAYLOAD_MISMATCH) {
        // The receiver dropped what it had: offer it again, other variants first.
        int dropped = outcome[i] == WASMIOT_RX_TABLE_MISMATCH ? 1 : 2;
        for (size_t j = 0; j < frames.size(); ++j) {
          if (keys[j].rank >= dropped) taken[j] = false;
        }
        order = CanonicalOrder(frames, keys, ++rotation);
        progressed = true;
        break;
      }
    }
  }
  for (size_t i = 0; i < frames.size(); ++i) {
    ++report.outcomes[wasmiot_rx_result_name(outcome[i])];
    if (!Progressed(outcome[i]) && outcome[i] != WASMIOT_RX_DUPLICATE) report.refused.emplace_back(i, outcome[i]);
  }
  report.final_state = wasmiot_receiver_poll(&rx, 0);
  if (rx.state != WASMIOT_RX_STATE_IDLE) {
    const Bytes& b = slot.bytes();
    report.chunk_count = rx.layout.chunk_count;
    report.header.assign(b.begin(), b.begin() + rx.layout.table_offset);
    report.table_complete = rx.state != WASMIOT_RX_STATE_TABLE;
    for (uint32_t i = 0; report.table_complete && i < rx.layout.chunk_count; ++i) {
      if (!wasmiot_receiver_has_chunk(&rx, i)) report.missing_chunks.push_back(i);
    }
    if (rx.state == WASMIOT_RX_STATE_COMPLETE) {
      size_t at = wasmiot_bundle_payload_offset(&rx.layout);
      report.payload.assign(b.begin() + static_cast<std::ptrdiff_t>(at),
                            b.begin() + static_cast<std::ptrdiff_t>(at + rx.layout.payload_size));
    }
  }
  return report;
}

uint32_t SlotCapacity(const wasmiot_device_policy& policy) {
  // The largest bundle, and room to decode an encoded one after it.
  uint64_t capacity = uint64_t{WASMIOT_BUNDLE_MAX_TABLE_OFFSET} + WASMIOT_BUNDLE_TABLE_SIZE(WASMIOT_BUNDLE_MAX_CHUNKS) +
                      2 * uint64_t{policy.max_payload_size};
  return static_cast<uint32_t>(std::min<uint64_t>(capacity, UINT32_MAX));
}

Reassembly Reassemble(const std::vector<SourcedFrame>& frames, const wasmiot_device_policy& policy, Bytes& slot_bytes,
                      bool resume) {
  constexpr uint32_t kBitmapBytes = (WASMIOT_BUNDLE_MAX_CHUNKS + 7) / 8;
  Reassembly out;
  MemorySlot slot(SlotCapacity(policy), std::move(slot_bytes));
  std::vector<uint8_t> bitmap(kBitmapBytes);
  wasmiot_receiver_config config{};
  config.storage = slot.storage();
  config.crypto = &HostCrypto();
  config.policy = &policy;
  config.bitmap = bitmap.data();
  config.bitmap_bytes = kBitmapBytes;
  wasmiot_receiver rx;
  wasmiot_receiver_init(&rx, &config);
  uint8_t scratch[WASMIOT_BUNDLE_MAX_TABLE_OFFSET];
  if (resume) out.resumed = wasmiot_receiver_resume(&rx, scratch, 0);
  out.report = FeedFrames(rx, slot, frames);
  slot_bytes = std::move(slot.bytes());
  return out;
}

}  // namespace wasmiot
