// wasmiot chunk BUNDLE -o DIR [--stream FILE]
#include <filesystem>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "bundle/chunks.h"
#include "command.h"
#include "output.h"
#include "support/staging.h"
#include "support/text.h"

namespace wasmiot::tool {
namespace {

namespace fs = std::filesystem;

struct ChunkOptions {
  CommonOptions common;
  std::string bundle;
  std::string output_dir;
  std::string stream;
  bool force = false;
};

constexpr uint64_t kMaxBundle = 64u << 20;

std::string HexId(const Bytes& frame) {
  return HexString(frame.data() + WASMIOT_FRAME_OFF_BUNDLE_ID, WASMIOT_FRAME_BUNDLE_ID_SIZE);
}

// An output folder may be new, empty, or (with --force) hold only chunk files.
void CheckOutputFolder(const ChunkOptions& options, Diagnostics& diagnostics) {
  std::error_code ec;
  if (!fs::exists(options.output_dir, ec)) return;
  if (!fs::is_directory(options.output_dir, ec)) {
    diagnostics.AddError("io-error", options.output_dir, "exists and is not a folder");
    return;
  }
  bool empty = true, only_chunks = true;
  for (fs::directory_iterator it(options.output_dir, ec), end; !ec && it != end; it.increment(ec)) {
    empty = false;
    if (it->path().extension() != ".chunk" || !it->is_regular_file()) only_chunks = false;
  }
  if (empty) return;
  if (!only_chunks) {
    diagnostics.AddError("output-exists", options.output_dir, "holds files other than chunks; choose another folder");
  } else if (!options.force) {
    diagnostics.AddError("output-exists", options.output_dir, "holds chunk files already; --force replaces them");
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

int RunChunk(const ChunkOptions& options) {
  Diagnostics diagnostics;
  Status init = InitCrypto();
  if (!init) diagnostics.AddError("internal-error", "wasmiot", init.error().message);
  if (options.output_dir.empty() && options.stream.empty()) {
    diagnostics.AddError("usage", "wasmiot", "give an output folder with -o DIR, a stream file with --stream FILE, or both");
  }
  RefuseOverwritingInputs(options.stream, "--stream", false, {{"BUNDLE", options.bundle}}, diagnostics);
  RefuseOverwritingInputs(options.output_dir, "-o", true, {{"BUNDLE", options.bundle}}, diagnostics);
  if (!options.output_dir.empty()) CheckOutputFolder(options, diagnostics);
  std::vector<Bytes> frames;
  wasmiot_bundle_header header{};
  if (!diagnostics.HasErrors()) {
    Result<Bytes> bundle = ReadInput(options.bundle, kMaxBundle, "bundle-too-large", diagnostics);
    if (bundle) {
      Result<std::vector<Bytes>> sliced = SliceBundle(*bundle);
      if (!sliced) {
        diagnostics.AddError("bundle-malformed", options.bundle, sliced.error().message);
      } else {
        frames = std::move(sliced).value();
        (void)wasmiot_bundle_parse_header(bundle->data(), bundle->size(), &header);
      }
    }
  }
  uint64_t stream_bytes = 0;
  for (const Bytes& f : frames) stream_bytes += f.size();
  if (!frames.empty() && !options.output_dir.empty()) {
    Status s = WriteFolder(options.output_dir, frames);
    if (!s) diagnostics.AddError("io-error", options.output_dir, s.error().message);
  }
  if (!frames.empty() && !options.stream.empty()) {
    Bytes stream;
    stream.reserve(stream_bytes);
    for (const Bytes& f : frames) stream.insert(stream.end(), f.begin(), f.end());
    Status s = WriteFileAtomically(options.stream, stream.data(), stream.size());
    if (!s) diagnostics.AddError("io-error", options.stream, s.error().message);
  }
  bool done = !diagnostics.HasErrors();
  wasmiot_bundle_layout layout = wasmiot_bundle_layout_of(&header);
  uint32_t table_parts = done ? wasmiot_table_parts(&layout) : 0;
  uint64_t overhead = stream_bytes - header.payload_size;
  double overhead_percent = done ? 100.0 * static_cast<double>(overhead) / header.payload_size : 0;
  double per_chunk_percent =
      done ? 100.0 * (WASMIOT_FRAME_HEADER_SIZE + WASMIOT_BUNDLE_CHUNK_DIGEST_SIZE) / header.chunk_size : 0;
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("chunk", exit_code, diagnostics);
    if (done) {
      if (!options.output_dir.empty()) doc["output_dir"] = options.output_dir;
      if (!options.stream.empty()) doc["stream"] = options.stream;
      doc["bundle_id"] = HexId(frames[0]);
      doc["frames"] = frames.size();
      doc["table_parts"] = table_parts;
      doc["chunks"] = header.chunk_count;
      doc["chunk_size"] = header.chunk_size;
      doc["payload_bytes"] = header.payload_size;
      doc["stream_bytes"] = stream_bytes;
      doc["overhead_bytes"] = overhead;
      doc["overhead_percent"] = overhead_percent;
      doc["per_chunk_overhead_percent"] = per_chunk_percent;
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (done) {
    std::string where = options.output_dir.empty() ? options.stream
                        : options.stream.empty()   ? options.output_dir
                                                   : options.output_dir + " and " + options.stream;
    Print("{}: bundle {}: {} frames (header, {} table parts, {} chunks of {} bytes)\n", where, HexId(frames[0]),
               frames.size(), table_parts, header.chunk_count, header.chunk_size);
    Print("  {} bytes for a {}-byte payload: overhead {} bytes, {:.2f}% ({:.2f}% per full chunk)\n",
               stream_bytes, header.payload_size, overhead, overhead_percent, per_chunk_percent);
  }
  return exit_code;
}

}  // namespace

void RegisterChunkCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<ChunkOptions>();
  CLI::App* cmd = app.add_subcommand("chunk", "Slice a bundle into OTA chunk frames");
  cmd->add_option("bundle", options->bundle, "The signed bundle")->required();
  cmd->add_option("-o,--output", options->output_dir, "A folder to write one NNNNNN.chunk file per frame into");
  cmd->add_option("--stream", options->stream, "A file to write all frames into, one after another");
  cmd->add_flag("--force", options->force, "Replace the chunk files of an existing output folder");
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Slice BUNDLE into frames (docs/chunks.md): the signed header with its signature, the\n"
      "chunk table in parts, then the payload in chunks of the size the bundle was signed with\n"
      "(sign --chunk-size, default 1024). Each frame names its bundle and its index, so a\n"
      "device authenticates the header before it stores any payload and checks each chunk\n"
      "against its signed digest as it arrives. Frames go to a folder of numbered files (-o),\n"
      "a stream file (--stream), or both; a new folder appears whole."
      "\n\n"
      "Examples:\n"
      "  wasmiot chunk thermostat.bundle -o thermostat.chunks\n"
      "  wasmiot chunk thermostat.bundle --stream thermostat.stream --json\n"
      "\n"
      "Exit status: 0 written, 1 not a sound bundle, 2 usage error, 3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunChunk(*options); });
}

}  // namespace wasmiot::tool
