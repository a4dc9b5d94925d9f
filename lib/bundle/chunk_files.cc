#include "bundle/chunk_files.h"

#include <filesystem>

#include <fmt/format.h>

#include "bundle/chunks.h"
#include "keys/sodium_bridge.h"
#include "support/file_io.h"
#include "support/staging.h"
#include "support/text.h"

namespace wasmiot {
namespace {

namespace fs = std::filesystem;

// An output folder may be new, empty, or (when replacing) hold only chunk files.
void CheckOutputFolder(const ChunkRequest& r, Diagnostics& diagnostics) {
  std::error_code ec;
  if (!fs::exists(r.output_dir, ec)) return;
  if (!fs::is_directory(r.output_dir, ec)) {
    diagnostics.AddError("io-error", r.output_dir, "exists and is not a folder");
    return;
  }
  bool empty = true, only_chunks = true;
  for (fs::directory_iterator it(r.output_dir, ec), end; !ec && it != end; it.increment(ec)) {
    empty = false;
    if (it->path().extension() != ".chunk" || !it->is_regular_file()) only_chunks = false;
  }
  if (empty) return;
  if (!only_chunks) {
    diagnostics.AddError("output-exists", r.output_dir, "holds files other than chunks; choose another folder");
  } else if (!r.replace_chunks) {
    diagnostics.AddError("output-exists", r.output_dir, fmt::format("holds chunk files already; {}", r.replace_hint));
  }
}

Status WriteFolder(const std::string& dir, const std::vector<Bytes>& frames) {
  Staging staging(dir);
  if (!staging.ok()) return Error{ErrorKind::kIo, "cannot create a scratch folder beside it"};
  std::vector<std::string> names;
  for (size_t i = 0; i < frames.size(); ++i) {
    names.push_back(ChunkFileName(i));
    Status s = WriteFileAtomically(staging.File(names.back()), frames[i].data(), frames[i].size());
    if (!s) return s;
  }
  // The folder holds only chunk files (CheckOutputFolder): replace it whole, so
  // that it never holds frames of two bundles, whenever the command is killed.
  return staging.ReplaceFolder(dir);
}

}  // namespace

Result<ChunkReport> WriteChunks(const ChunkRequest& r, Diagnostics& diagnostics) {
  const Error failed{ErrorKind::kInvalidInput, "not chunked"};
  Status init = InitCrypto();
  if (!init) diagnostics.AddError("internal-error", r.bundle_path, init.error().message);
  if (r.output_dir.empty() && r.stream_path.empty()) {
    diagnostics.AddError("usage", r.bundle_path, "nothing to write: give an output folder, a stream file, or both");
  }
  RefuseOverwritingInputs(r.stream_path, r.stream_name, false, {{r.bundle_name, r.bundle_path}}, diagnostics);
  RefuseOverwritingInputs(r.output_dir, r.output_name, true, {{r.bundle_name, r.bundle_path}}, diagnostics);
  if (!r.output_dir.empty()) CheckOutputFolder(r, diagnostics);
  if (diagnostics.HasErrors()) return failed;
  Result<Bytes> bundle = ReadInput(r.bundle_path, kMaxChunkedBundleBytes, "bundle-too-large", diagnostics);
  if (!bundle) return bundle.error();
  Result<std::vector<Bytes>> sliced = SliceBundle(*bundle);
  if (!sliced) {
    diagnostics.AddError("bundle-malformed", r.bundle_path, sliced.error().message);
    return failed;
  }
  const std::vector<Bytes>& frames = *sliced;
  wasmiot_bundle_header header{};
  (void)wasmiot_bundle_parse_header(bundle->data(), bundle->size(), &header);  // SliceBundle parsed it

  ChunkReport report;
  for (const Bytes& f : frames) report.stream_bytes += f.size();
  if (!r.output_dir.empty()) {
    Status s = WriteFolder(r.output_dir, frames);
    if (!s) {
      diagnostics.AddError("io-error", r.output_dir, s.error().message);
      return s.error();
    }
  }
  if (!r.stream_path.empty()) {
    Bytes stream;
    stream.reserve(report.stream_bytes);
    for (const Bytes& f : frames) stream.insert(stream.end(), f.begin(), f.end());
    Status s = WriteFileAtomically(r.stream_path, stream.data(), stream.size());
    if (!s) {
      diagnostics.AddError("io-error", r.stream_path, s.error().message);
      return s.error();
    }
  }
  wasmiot_bundle_layout layout = wasmiot_bundle_layout_of(&header);
  report.bundle_id = HexString(frames[0].data() + WASMIOT_FRAME_OFF_BUNDLE_ID, WASMIOT_FRAME_BUNDLE_ID_SIZE);
  report.frames = frames.size();
  report.table_parts = wasmiot_table_parts(&layout);
  report.chunks = header.chunk_count;
  report.chunk_size = header.chunk_size;
  report.payload_bytes = header.payload_size;
  report.overhead_bytes = report.stream_bytes - header.payload_size;
  report.overhead_percent = 100.0 * static_cast<double>(report.overhead_bytes) / header.payload_size;
  report.per_chunk_overhead_percent =
      100.0 * (WASMIOT_FRAME_HEADER_SIZE + WASMIOT_BUNDLE_CHUNK_DIGEST_SIZE) / header.chunk_size;
  return report;
}

}  // namespace wasmiot
