#include "pipeline/inspect.h"

#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "bundle/describe.h"
#include "keys/sodium_bridge.h"

namespace wasmiot {
namespace {

// A stream starts with its header frame, whose data starts with the bundle magic.
bool IsChunkStream(const Bytes& b) {
  return b.size() >= WASMIOT_FRAME_HEADER_SIZE + WASMIOT_BUNDLE_MAGIC_SIZE && b[0] == WASMIOT_FRAME_HEADER &&
         std::memcmp(b.data() + WASMIOT_FRAME_HEADER_SIZE, WASMIOT_BUNDLE_MAGIC, WASMIOT_BUNDLE_MAGIC_SIZE) == 0;
}

// Problems worth a warning: what a device would refuse.
void WarnAboutChunks(const std::string& path, const StreamSummary& s, Diagnostics& diagnostics) {
  if (!s.has_header) {
    diagnostics.AddError("chunks-no-header", path, "no header frame: the bundle cannot be identified");
    return;
  }
  if (s.table_ok && !*s.table_ok) diagnostics.Add(Severity::kWarning, "chunks-table-mismatch", path, "the chunk table does not match its digest");
  if (!s.corrupt_chunks.empty()) {
    diagnostics.Add(Severity::kWarning, "chunks-corrupt", path,
                    s.corrupt_chunks.size() == 1
                        ? std::string("1 chunk does not match its digest")
                        : fmt::format("{} chunks do not match their digests", s.corrupt_chunks.size()));
  }
  if (s.conflicts) {
    diagnostics.Add(Severity::kWarning, "chunks-conflict", path,
                    s.conflicts == 1 ? std::string("1 frame conflicts with another of the same index")
                                     : fmt::format("{} frames conflict with others of the same index", s.conflicts));
  }
}

}  // namespace

Inspection InspectFile(const std::string& path, Diagnostics& diagnostics) {
  Inspection out;
  std::string& kind = out.kind;
  std::optional<ModuleInfo>& module = out.module;
  std::optional<wasmiot_bundle_header>& bundle = out.bundle;
  std::optional<StreamSummary>& chunks = out.chunks;
  auto describe_frames = [&](std::string_view what, const std::vector<SourcedFrame>& frames) {
    kind = what;
    if (diagnostics.HasErrors()) return;
    chunks = DescribeFrames(frames);
    if (chunks->has_header) bundle = chunks->header;
    WarnAboutChunks(path, *chunks, diagnostics);
  };

  std::error_code ec;
  Result<Bytes> bytes = Error{ErrorKind::kIo, "not read"};
  if (std::filesystem::is_directory(path, ec)) {
    describe_frames(kInspectChunkFolder, ReadFrames(path, diagnostics));
  } else {
    bytes = ReadInput(path, kMaxModuleFileBytes, "input-too-large", diagnostics);
  }
  if (!bytes) {
    // ReadInput reported it, or it is a folder.
  } else if (IsChunkStream(*bytes)) {
    Result<std::vector<SourcedFrame>> frames = SplitStream(*bytes, path);
    if (!frames) diagnostics.AddError("chunks-malformed", path, frames.error().message).offset = frames.error().offset;
    describe_frames(kInspectChunkStream, frames ? *frames : std::vector<SourcedFrame>{});
  } else if (bytes->size() >= 4 && std::memcmp(bytes->data(), "\0asm", 4) == 0) {
    kind = kInspectModule;
    Result<ModuleInfo> m = ReadModule(*bytes, path, diagnostics);
    if (m) module = std::move(m).value();
  } else if (bytes->size() >= WASMIOT_BUNDLE_MAGIC_SIZE &&
             std::memcmp(bytes->data(), WASMIOT_BUNDLE_MAGIC, WASMIOT_BUNDLE_MAGIC_SIZE) == 0) {
    // Describes the header as written. Without a key its signature cannot be
    // checked (`wasmiot verify` does that), but everything else a device checks
    // without one is: the header's own consistency, then the bundle's size,
    // its chunk table and its payload against the header's digests.
    kind = kInspectBundle;
    wasmiot_bundle_header h{};
    wasmiot_bundle_result r = wasmiot_bundle_parse_header(bytes->data(), bytes->size(), &h);
    if (r == WASMIOT_BUNDLE_OK) {
      bundle = h;
      Status init = InitCrypto();
      if (!init) diagnostics.AddError("internal-error", path, init.error().message);
      else r = wasmiot_bundle_check_body(bytes->data(), bytes->size(), &h, &HostCrypto());
    }
    if (r != WASMIOT_BUNDLE_OK) {
      diagnostics.AddError(std::string("bundle-") + wasmiot_bundle_result_name(r), path,
                           BundleRefusal(r, h, wasmiot_device_policy{}, nullptr));
    }
  } else {
    Diagnostic& d = diagnostics.AddError("unknown-file-kind", path,
                                         "not a WebAssembly module, a wasmiot bundle or a chunk stream (unknown magic number)");
    d.offset = 0;
  }
  return out;
}

}  // namespace wasmiot
