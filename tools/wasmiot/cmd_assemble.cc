// wasmiot assemble DIR|STREAM --pubkey PUB -o OUT [--slot FILE]
// Feeds the frames to the device library's own receiver (wasmiot_chunks.c)
// over a slot in memory, and writes the payload only once it is verified.
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "bundle/chunks.h"
#include "bundle_printer.h"
#include "command.h"
#include "device_policy.h"
#include "output.h"

namespace wasmiot::tool {
namespace {

namespace fs = std::filesystem;

struct AssembleOptions {
  CommonOptions common;
  std::string input;
  std::string output;
  std::string slot;
  PolicyOptions policy;
};

// "3, 7, 9-12"
std::string Ranges(const std::vector<uint32_t>& indexes) {
  std::string out;
  for (size_t i = 0; i < indexes.size();) {
    size_t j = i;
    while (j + 1 < indexes.size() && indexes[j + 1] == indexes[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += j == i ? fmt::format("{}", indexes[i]) : fmt::format("{}-{}", indexes[i], indexes[j]);
    i = j + 1;
  }
  return out;
}

std::string_view FrameProblem(wasmiot_rx_result r) {
  switch (r) {
    case WASMIOT_RX_CONFLICT: return "differs from the frame with the same index already taken";
    case WASMIOT_RX_CORRUPT: return "does not match its signed digest";
    case WASMIOT_RX_MALFORMED: return "is malformed (type, index or length)";
    case WASMIOT_RX_FOREIGN: return "belongs to another bundle";
    case WASMIOT_RX_NOT_READY: return "came without the header or chunk table it needs";
    case WASMIOT_RX_BUSY: return "is the header of an older bundle than the one being received";
    case WASMIOT_RX_REFUSED: return "is a header the device refuses";
    case WASMIOT_RX_TABLE_MISMATCH: return "completed a chunk table that does not match its signed digest";
    case WASMIOT_RX_PAYLOAD_MISMATCH: return "completed a payload that does not match its signed digest";
    case WASMIOT_RX_STORAGE_ERROR: return "could not be stored";
    default: return "was not taken";
  }
}

int RunAssemble(const AssembleOptions& options) {
  Diagnostics diagnostics;
  Status init = InitCrypto();
  if (!init) diagnostics.AddError("internal-error", "wasmiot", init.error().message);
  std::vector<NamedInput> inputs = {{"INPUT", options.input}, {"--manifest", options.policy.manifest_path}};
  for (const std::string& key : options.policy.pubkeys) inputs.push_back({"--pubkey", key});
  RefuseOverwritingInputs(options.slot, "--slot", false, inputs, diagnostics);
  inputs.push_back({"--slot", options.slot});
  RefuseOverwritingInputs(options.output, "-o", false, inputs, diagnostics);
  std::unique_ptr<DevicePolicy> device = LoadDevicePolicy(options.policy, diagnostics);
  std::vector<SourcedFrame> frames;
  if (!diagnostics.HasErrors()) frames = ReadFrames(options.input, diagnostics);
  std::optional<AssembleReport> report;
  std::string resumed;
  if (!diagnostics.HasErrors()) {
    uint32_t capacity = SlotCapacity(device->policy);
    Bytes initial;
    std::error_code ec;
    bool resume = !options.slot.empty() && fs::exists(options.slot, ec);
    if (resume) {
      Result<Bytes> stored = ReadInput(options.slot, capacity, "slot-too-large", diagnostics);
      if (stored) initial = std::move(stored).value();
    }
    if (!diagnostics.HasErrors()) {
      Reassembly r = Reassemble(frames, device->policy, initial, resume);
      if (r.resumed) resumed = wasmiot_rx_result_name(*r.resumed);
      report = std::move(r.report);
      if (!options.slot.empty()) {
        Status s = WriteFileAtomically(options.slot, initial.data(), initial.size());
        if (!s) diagnostics.AddError("io-error", options.slot, s.error().message);
      }
    }
  }
  if (report) {
    for (const auto& [index, result] : report->refused) {
      // Without a session every frame is refused; the error below says why once.
      if (report->header.empty() && (result == WASMIOT_RX_NOT_READY || result == WASMIOT_RX_REFUSED)) continue;
      const SourcedFrame& f = frames[index];
      Diagnostic& d = diagnostics.Add(Severity::kWarning, std::string("chunk-") + wasmiot_rx_result_name(result), f.path,
                                      fmt::format("frame {} {}", index, FrameProblem(result)));
      d.offset = f.offset;
    }
    bool complete = report->final_state == WASMIOT_RX_COMPLETE;
    if (complete) {
      Status s = WriteFileAtomically(options.output, report->payload.data(), report->payload.size());
      if (!s) diagnostics.AddError("io-error", options.output, s.error().message);
    } else if (report->header.empty()) {
      wasmiot_bundle_header h{};
      if (!report->refused_header.empty()) {
        (void)wasmiot_bundle_parse_header(report->refused_header.data(), report->refused_header.size(), &h);
        diagnostics.AddError(std::string("bundle-") + wasmiot_bundle_result_name(report->refusal), options.input,
                             BundleRefusal(report->refusal, h, device->policy, device->manifest ? &*device->manifest : nullptr));
      } else {
        diagnostics.AddError("chunks-incomplete", options.input, "no header frame the device could take");
      }
    } else if (!report->table_complete) {
      diagnostics.AddError("chunks-incomplete", options.input, "the chunk table is incomplete or does not match its digest");
    } else {
      diagnostics.AddError("chunks-incomplete", options.input,
                           fmt::format("{} of {} chunks missing: {}", report->missing_chunks.size(), report->chunk_count,
                                       Ranges(report->missing_chunks)));
    }
    if (!complete && !options.slot.empty() && !report->header.empty()) {
      diagnostics.Add(Severity::kNote, "chunks-saved", options.slot, "progress saved: run again with more frames to resume");
    }
  }
  int exit_code = ExitCodeFor(diagnostics);
  std::optional<wasmiot_bundle_header> header;
  if (report && !report->header.empty()) {
    wasmiot_bundle_header h{};
    if (wasmiot_bundle_parse_header(report->header.data(), report->header.size(), &h) == WASMIOT_BUNDLE_OK) header = h;
  }
  bool complete = report && report->final_state == WASMIOT_RX_COMPLETE && exit_code == 0;
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("assemble", exit_code, diagnostics);
    doc["input"] = options.input;
    if (report) {
      doc["complete"] = complete;
      if (complete) doc["output"] = options.output;
      if (!resumed.empty()) doc["resumed"] = resumed;
      doc["frames"] = frames.size();
      doc["passes"] = report->passes;
      doc["outcomes"] = report->outcomes;
      doc["missing_chunks"] = report->missing_chunks;
      if (header) doc["header"] = BundleHeaderJson(*header, device->manifest ? &*device->manifest : nullptr);
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (complete && header) {
    Print("{}: {} payload bytes from {} frames, verified: {}\n", options.output, header->payload_size, frames.size(),
          BundleSummary(*header, device->manifest ? &*device->manifest : nullptr));
  }
  return exit_code;
}

}  // namespace

void RegisterAssembleCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<AssembleOptions>();
  CLI::App* cmd = app.add_subcommand("assemble", "Reassemble and verify chunk frames as a device does");
  cmd->add_option("input", options->input, "A folder of .chunk files, or a stream file")->required();
  cmd->add_option("-o,--output", options->output, "Where to write the verified payload")->required();
  cmd->add_option("--slot", options->slot, "A file that keeps the device's storage between runs (resume)");
  AddPolicyOptions(*cmd, options->policy, /*manifest_required=*/false);
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Feed the frames of INPUT to the device library's receiver (lib/device/wasmiot_chunks.c),\n"
      "exactly as firmware does: the header is authenticated and held against the device\n"
      "(--manifest for the device id, size and AOT targets; without it any device) before any\n"
      "payload is stored; each chunk is checked against its signed digest on arrival; order,\n"
      "duplicates and foreign frames do not matter. Frames that came before their header or\n"
      "table are offered again, as a sender resends. OUTPUT is written only when the whole\n"
      "payload is verified. With --slot, storage persists in a file: a run that ends with\n"
      "chunks missing saves its progress, and the next run resumes from it."
      "\n\n"
      "Examples:\n"
      "  wasmiot assemble thermostat.chunks --pubkey release.pub.pem -o thermostat.wasm\n"
      "  wasmiot assemble thermostat.stream -p release.pub.pem -m thermostat.device.json --installed-seq 6 -o t.wasm\n"
      "  wasmiot assemble partial.chunks -p release.pub.pem --slot device.slot -o t.wasm --json\n"
      "\n"
      "Exit status: 0 payload verified and written, 1 refused or incomplete, 2 usage error,\n"
      "3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunAssemble(*options); });
}

}  // namespace wasmiot::tool
