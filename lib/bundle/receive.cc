#include "bundle/receive.h"

#include <filesystem>

#include <fmt/format.h>

#include "bundle/describe.h"
#include "bundle/encoded_bundle.h"
#include "keys/sodium_bridge.h"

namespace wasmiot {
namespace {

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

const Manifest* ManifestOf(const DevicePolicy& device) { return device.manifest ? &*device.manifest : nullptr; }

}  // namespace

VerifyOutcome VerifyBundleFile(const std::string& path, const DevicePolicy& device, Diagnostics& diagnostics) {
  VerifyOutcome out;
  Status init = InitCrypto();
  if (!init) {
    diagnostics.AddError("internal-error", path, init.error().message);
    return out;
  }
  Result<Bytes> bytes = ReadInput(path, kMaxBundleFileBytes, "bundle-too-large", diagnostics);
  if (!bytes) return out;
  wasmiot_bundle_header h{};
  out.result = wasmiot_bundle_verify(bytes->data(), bytes->size(), &HostCrypto(), &device.policy, &h);
  if (out.result == WASMIOT_BUNDLE_OK) {
    out.header = h;
  } else {
    diagnostics.AddError(std::string("bundle-") + wasmiot_bundle_result_name(out.result), path,
                         BundleRefusal(out.result, h, device.policy, ManifestOf(device)));
  }
  return out;
}

namespace {

// What the device runs of a whole, verified bundle: its payload, decoded.
std::optional<Bytes> RunnablePayload(const AssembleRequest& r, const AssembleReport& report, Diagnostics& diagnostics) {
  wasmiot_bundle_header h{};
  if (wasmiot_bundle_parse_header(report.header.data(), report.header.size(), &h) != WASMIOT_BUNDLE_OK) {
    diagnostics.AddError("internal-error", r.input_path, "the receiver's header does not parse");
    return std::nullopt;
  }
  std::optional<Bytes> base;
  if (h.encoding == WASMIOT_ENCODING_DELTA) {
    if (r.base_path.empty()) {
      diagnostics.AddError("assemble-needs-base", r.input_path,
                           fmt::format("a delta bundle: give the bundle it was made from with {} to write the "
                                       "payload it decodes to",
                                       r.base_name));
      return std::nullopt;
    }
    Result<Bytes> base_bundle = ReadInput(r.base_path, kMaxBundleFileBytes, "bundle-too-large", diagnostics);
    if (!base_bundle) return std::nullopt;
    Result<Bytes> base_payload = DecodedPayload(*base_bundle, nullptr);
    if (!base_payload) {
      diagnostics.AddError("bundle-invalid", r.base_path, base_payload.error().message);
      return std::nullopt;
    }
    base = std::move(base_payload).value();
  }
  Result<Bytes> decoded = DecodePayload(h, report.payload, base ? &*base : nullptr);
  if (!decoded) {
    diagnostics.AddError("assemble-decode-failed", r.input_path, decoded.error().message);
    return std::nullopt;
  }
  return std::move(decoded).value();
}

}  // namespace

AssembleOutcome AssembleFiles(const AssembleRequest& r, const DevicePolicy& device, Diagnostics& diagnostics) {
  AssembleOutcome out;
  Status init = InitCrypto();
  if (!init) diagnostics.AddError("internal-error", r.input_path, init.error().message);
  std::vector<NamedInput> inputs = r.inputs;
  inputs.push_back({r.input_name, r.input_path});
  RefuseOverwritingInputs(r.slot_path, r.slot_name, false, inputs, diagnostics);
  inputs.push_back({r.base_name, r.base_path});
  inputs.push_back({r.slot_name, r.slot_path});
  RefuseOverwritingInputs(r.output_path, r.output_name, false, inputs, diagnostics);
  if (diagnostics.HasErrors()) return out;
  std::vector<SourcedFrame> frames = ReadFrames(r.input_path, diagnostics);
  out.frames = frames.size();
  if (diagnostics.HasErrors()) return out;

  Bytes slot;
  std::error_code ec;
  bool resume = !r.slot_path.empty() && std::filesystem::exists(r.slot_path, ec);
  if (resume) {
    Result<Bytes> stored = ReadInput(r.slot_path, SlotCapacity(device.policy), "slot-too-large", diagnostics);
    if (!stored) return out;
    slot = std::move(stored).value();
  }
  Reassembly reassembly = Reassemble(frames, device.policy, slot, resume);
  if (reassembly.resumed) out.resumed = wasmiot_rx_result_name(*reassembly.resumed);
  const AssembleReport& report = out.report.emplace(std::move(reassembly.report));
  if (!r.slot_path.empty()) {
    Status s = WriteFileAtomically(r.slot_path, slot.data(), slot.size());
    if (!s) diagnostics.AddError("io-error", r.slot_path, s.error().message);
  }

  for (const auto& [index, result] : report.refused) {
    // Without a session every frame is refused; the error below says why once.
    if (report.header.empty() && (result == WASMIOT_RX_NOT_READY || result == WASMIOT_RX_REFUSED)) continue;
    const SourcedFrame& f = frames[index];
    Diagnostic& d = diagnostics.Add(Severity::kWarning, std::string("chunk-") + wasmiot_rx_result_name(result), f.path,
                                    fmt::format("frame {} {}", index, FrameProblem(result)));
    d.offset = f.offset;
  }
  bool complete = report.final_state == WASMIOT_RX_COMPLETE;
  if (complete) {
    std::optional<Bytes> payload = RunnablePayload(r, report, diagnostics);
    if (payload) {
      Status s = WriteFileAtomically(r.output_path, payload->data(), payload->size());
      if (!s) diagnostics.AddError("io-error", r.output_path, s.error().message);
    }
  } else if (report.header.empty()) {
    wasmiot_bundle_header h{};
    if (!report.refused_header.empty()) {
      (void)wasmiot_bundle_parse_header(report.refused_header.data(), report.refused_header.size(), &h);
      diagnostics.AddError(std::string("bundle-") + wasmiot_bundle_result_name(report.refusal), r.input_path,
                           BundleRefusal(report.refusal, h, device.policy, ManifestOf(device)));
    } else {
      diagnostics.AddError("chunks-incomplete", r.input_path, "no header frame the device could take");
    }
  } else if (!report.table_complete) {
    diagnostics.AddError("chunks-incomplete", r.input_path, "the chunk table is incomplete or does not match its digest");
  } else {
    diagnostics.AddError("chunks-incomplete", r.input_path,
                         fmt::format("{} of {} chunks missing: {}", report.missing_chunks.size(), report.chunk_count,
                                     Ranges(report.missing_chunks)));
  }
  if (!complete && !r.slot_path.empty() && !report.header.empty()) {
    diagnostics.Add(Severity::kNote, "chunks-saved", r.slot_path, "progress saved: run again with more frames to resume");
  }
  if (!report.header.empty()) {
    wasmiot_bundle_header h{};
    if (wasmiot_bundle_parse_header(report.header.data(), report.header.size(), &h) == WASMIOT_BUNDLE_OK) out.header = h;
  }
  out.complete = complete && !diagnostics.HasErrors();
  return out;
}

}  // namespace wasmiot
