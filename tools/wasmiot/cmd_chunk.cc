// wasmiot chunk BUNDLE -o DIR [--stream FILE]
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "bundle/chunk_files.h"
#include "command.h"
#include "output.h"

namespace wasmiot::tool {
namespace {

struct ChunkOptions {
  CommonOptions common;
  std::string bundle;
  std::string output_dir;
  std::string stream;
  bool force = false;
};

int RunChunk(const ChunkOptions& options) {
  Diagnostics diagnostics;
  std::optional<ChunkReport> report;
  if (options.output_dir.empty() && options.stream.empty()) {
    diagnostics.AddError("usage", "wasmiot", "give an output folder with -o DIR, a stream file with --stream FILE, or both");
  } else {
    ChunkRequest request;
    request.bundle_path = options.bundle;
    request.output_dir = options.output_dir;
    request.stream_path = options.stream;
    request.replace_chunks = options.force;
    request.bundle_name = "BUNDLE";
    request.output_name = "-o";
    request.stream_name = "--stream";
    request.replace_hint = "--force replaces them";
    Result<ChunkReport> r = WriteChunks(request, diagnostics);
    if (r) report = std::move(r).value();
  }
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("chunk", exit_code, diagnostics);
    if (report) {
      if (!options.output_dir.empty()) doc["output_dir"] = options.output_dir;
      if (!options.stream.empty()) doc["stream"] = options.stream;
      doc["bundle_id"] = report->bundle_id;
      doc["frames"] = report->frames;
      doc["table_parts"] = report->table_parts;
      doc["chunks"] = report->chunks;
      doc["chunk_size"] = report->chunk_size;
      doc["payload_bytes"] = report->payload_bytes;
      doc["stream_bytes"] = report->stream_bytes;
      doc["overhead_bytes"] = report->overhead_bytes;
      doc["overhead_percent"] = report->overhead_percent;
      doc["per_chunk_overhead_percent"] = report->per_chunk_overhead_percent;
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (report) {
    std::string where = options.output_dir.empty() ? options.stream
                        : options.stream.empty()   ? options.output_dir
                                                   : options.output_dir + " and " + options.stream;
    Print("{}: bundle {}: {} (header, {}, {} of {})\n", where, report->bundle_id, Plural(report->frames, "frame"),
          Plural(report->table_parts, "table part"), Plural(report->chunks, "chunk"), Plural(report->chunk_size, "byte"));
    Print("  {} bytes for a {}-byte payload: overhead {} bytes, {:.2f}% ({:.2f}% per full chunk)\n",
          report->stream_bytes, report->payload_bytes, report->overhead_bytes, report->overhead_percent,
          report->per_chunk_overhead_percent);
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
