// OTA chunk streams (format v1, lib/device/wasmiot_chunks.h, docs/chunks.md):
// the host side slices a bundle into frames, reads frames back from a stream
// file or a folder of chunk files, and reassembles them by driving the
// device's own C receiver over a slot held in memory.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/file_io.h"
#include "support/result.h"
#include "wasmiot_chunks.h"

namespace wasmiot {

// A bundle as frames, in stream order: header, table parts, payload chunks.
// Refuses a bundle whose table or payload does not match its header.
Result<std::vector<Bytes>> SliceBundle(const Bytes& bundle);

// One frame read back, with where it came from (for diagnostics).
struct SourcedFrame {
  Bytes bytes;
  std::string path;     // the stream file or the chunk file
  uint64_t offset = 0;  // in `path`
};

// Frames of a stream file: concatenated frames, nothing else. The error
// carries the byte offset of the first bad frame.
Result<std::vector<SourcedFrame>> SplitStream(const Bytes& stream, const std::string& path);

// What ReadFrames holds at most: twice the frames of the largest bundle
// (64 MiB of payload in 65535 chunks), so that a sender's retransmissions fit
// but a 2 GB junk file or a folder of a million files is refused after
// reading only this much, as a device would drop what it cannot place.
inline constexpr uint64_t kMaxFrames = 2 * (uint64_t{WASMIOT_BUNDLE_MAX_CHUNKS} + 64);
inline constexpr uint64_t kMaxFrameBytes =
    2 * ((uint64_t{64} << 20) + WASMIOT_BUNDLE_PAYLOAD_OFFSET(WASMIOT_BUNDLE_MAX_CHUNKS) +
         (uint64_t{WASMIOT_BUNDLE_MAX_CHUNKS} + 64) * WASMIOT_FRAME_HEADER_SIZE);

// The frames of a stream file or of a chunk folder (every `*.chunk` file, one
// frame each, by name), whichever `path` is. An unreadable input, a malformed
// stream or a folder without chunks is an error in `diagnostics`; a chunk file
// that is not one frame is a warning, and skipped. A stream is read frame by
// frame; past kMaxFrames or kMaxFrameBytes reading stops with `stream-too-large`.
std::vector<SourcedFrame> ReadFrames(const std::string& path, Diagnostics& diagnostics);

// What a set of frames holds, judged without a key (inspect): the first
// header frame names the bundle; the table and chunks are checked against the
// header's digests, which only `assemble` authenticates.
struct StreamSummary {
  bool has_header = false;
  wasmiot_bundle_header header{};
  std::string bundle_id;  // hex
  uint64_t frames = 0, bytes = 0;
  uint64_t header_frames = 0, table_frames = 0, chunk_frames = 0;
  uint64_t foreign = 0, malformed = 0, duplicates = 0, conflicts = 0;
  uint32_t table_parts = 0;
  std::vector<uint32_t> missing_table_parts, missing_chunks, corrupt_chunks;
  std::optional<bool> table_ok;  // once every table part is present
};
StreamSummary DescribeFrames(const std::vector<SourcedFrame>& frames);

// The name of frame `n` (0-based, stream order) in a chunk folder.
std::string ChunkFileName(size_t n);

// A storage slot in memory, behind the device library's storage interface.
// It grows as it is written (unwritten bytes read as zero); the receiver's
// reads and writes are bounds-checked against `capacity` again here.
class MemorySlot {
 public:
  explicit MemorySlot(uint32_t capacity, Bytes initial = {});
  MemorySlot(const MemorySlot&) = delete;
  MemorySlot& operator=(const MemorySlot&) = delete;
  const wasmiot_storage* storage() const { return &storage_; }
  Bytes& bytes() { return bytes_; }

 private:
  Bytes bytes_;
  std::pair<Bytes*, uint32_t> context_;  // what the callbacks see
  wasmiot_storage storage_{};
};

// What feeding frames to a receiver did.
struct AssembleReport {
  wasmiot_rx_result final_state = WASMIOT_RX_IDLE;  // COMPLETE when the payload is whole and verified
  wasmiot_bundle_result refusal = WASMIOT_BUNDLE_OK;  // when a header was refused
  std::map<std::string, uint64_t> outcomes;           // wasmiot_rx_result name -> frames
  std::vector<std::pair<size_t, wasmiot_rx_result>> refused;  // frame number -> why
  uint32_t chunk_count = 0;
  std::vector<uint32_t> missing_chunks;  // when the table is in but chunks are not
  bool table_complete = false;
  int passes = 0;
  Bytes header;   // the signed header and signature, once a header was accepted
  Bytes refused_header;  // the last header frame's data that was refused
  Bytes payload;  // when complete
};

// Feeds the frames to `rx` as a sender that resends everything not yet
// acknowledged would, and so that the result depends only on the set of
// frames, not their order: they are offered in a canonical order (headers
// newest sequence first, then table parts and chunks by index), and every
// frame not yet taken is offered again while a pass makes progress, so frames
// refused as foreign, conflicting or early count once the session they belong
// to is current. When a completed table fails its digest, the next attempt
// puts each table part's other variants first. Each frame's outcome is its
// last answer.
AssembleReport FeedFrames(wasmiot_receiver& rx, MemorySlot& slot, const std::vector<SourcedFrame>& frames);

// The slot a host-side receiver needs to hold any bundle `policy` accepts:
// header and signature, the largest chunk table, the largest payload.
uint32_t SlotCapacity(const wasmiot_device_policy& policy);

// What `wasmiot assemble` does with frames: a device receiver over a slot in
// memory, sized by SlotCapacity and holding `slot` (empty for a new device;
// the bytes a previous run left, to resume from them), fed with FeedFrames.
// `slot` is updated to what the device's storage holds afterwards.
struct Reassembly {
  AssembleReport report;
  std::optional<wasmiot_rx_result> resumed;  // what resuming from the stored slot found
};
Reassembly Reassemble(const std::vector<SourcedFrame>& frames, const wasmiot_device_policy& policy, Bytes& slot,
                      bool resume);

}  // namespace wasmiot
