#include "devsim/device_boot.h"

#include <memory>

#include <fmt/format.h>

#include "bundle/device_policy.h"
#include "check/check.h"
#include "core/sha256.h"
#include "core/trap_kinds.h"
#include "keys/sodium_bridge.h"
#include "runtime/aot_engine.h"
#include "runtime/host.h"

namespace wasmiot {
namespace {

// The bundle in `slot`, verified as the device policy says; its header.
std::optional<wasmiot_bundle_header> VerifySlot(const FlashModel& flash, const wasmiot_slots& slots, uint8_t slot,
                                                const wasmiot_device_policy& policy, Bytes& bundle, std::string& why) {
  const Bytes& f = flash.contents();
  const auto start = f.begin() + slots.slot_offset[slot];
  wasmiot_bundle_header h{};
  wasmiot_bundle_result r = wasmiot_bundle_parse_header(&*start, slots.slot_size, &h);
  uint64_t size = r == WASMIOT_BUNDLE_OK ? WASMIOT_BUNDLE_PAYLOAD_OFFSET(uint64_t{h.chunk_count}) + h.payload_size : 0;
  if (r == WASMIOT_BUNDLE_OK && size > slots.slot_size) r = WASMIOT_BUNDLE_TRUNCATED;
  if (r == WASMIOT_BUNDLE_OK) {
    bundle.assign(start, start + static_cast<std::ptrdiff_t>(size));
    r = wasmiot_bundle_verify(bundle.data(), bundle.size(), &HostCrypto(), &policy, &h);
  }
  if (r != WASMIOT_BUNDLE_OK) {
    why = fmt::format("slot {}'s bundle is refused: {}", slot, wasmiot_bundle_result_name(r));
    return std::nullopt;
  }
  return h;
}

// The test boot of a verified wasm payload: instantiate within the budgets,
// the first required export, then the periodic ones. "" if it ran.
std::string TestRun(const Bytes& wasm, const Manifest& manifest, uint32_t periodic_calls) {
  Diagnostics checked;
  Result<ModuleInfo> module = ReadAndCheckModule(wasm, "slot", manifest, checked);
  if (!module || checked.HasErrors()) {
    for (const Diagnostic& d : checked.list()) {
      if (d.severity == Severity::kError) return fmt::format("check: {}: {} [{}]", d.item, d.message, d.code);
    }
    return "check: the module cannot be read";
  }
  SimulatedHost host;
  for (const std::string& channel : SensorChannels(manifest)) host.SetSensor(channel, {0.0});
  Result<Instantiation> inst = Instantiate(EngineKind::kInterp, wasm, &manifest, &host, LimitsFromManifest(&manifest));
  if (!inst) return "instantiation refused: " + inst.error().message;
  if (inst->trap) return fmt::format("the start function trapped: {}", TrapKindName(inst->trap->kind));
  std::vector<std::string> calls;
  for (const ExportSpec& e : manifest.exports) {
    if (e.kind == ExportKind::kFunc && e.required && e.signature.params.empty()) calls.push_back(e.name);
  }
  for (size_t i = 0; i < calls.size(); ++i) {
    for (uint32_t n = 0; n < (i == 0 ? 1 : periodic_calls); ++n) {
      CallOutcome out = inst->instance->Call(calls[i], {});
      if (out.trap) return fmt::format("{} trapped: {}: {}", calls[i], TrapKindName(out.trap->kind), out.trap->message);
    }
  }
  return "";
}

}  // namespace

Result<BootOutcome> BootDevice(DeviceState& state, const Manifest& manifest, const BootOptions& options) {
  BootOutcome out;
  PowerOn on(state, options.fail_at);
  if (Status opened = on.OpenSlots(); !opened) return opened.error();
  FlashModel& flash = on.flash();
  wasmiot_slots& slots = on.slots();
  auto finish = [&]() {
    on.Save(out.power_cut, out.flash_operations);
    return out;
  };
  Diagnostics ignored;
  std::unique_ptr<DevicePolicy> policy = MakeDevicePolicy(state.keys, manifest, DeviceChoices{}, ignored);
  if (!policy) return Error{ErrorKind::kInvalidInput, "no device policy for this manifest"};
  policy->policy.max_payload_size = slots.slot_size;
  out.recovered = slots.state.pending != WASMIOT_SLOT_NONE && slots.state.trying;
  if (wasmiot_slots_recover(&slots) != WASMIOT_SLOTS_OK) return finish();
  if (slots.state.pending != WASMIOT_SLOT_NONE) {
    out.tried = true;
    if (wasmiot_slots_start_trial(&slots) != WASMIOT_SLOTS_OK) return finish();
    policy->policy.installed_sequence = slots.state.counter;
    Bytes bundle;
    std::optional<wasmiot_bundle_header> h = VerifySlot(flash, slots, slots.state.pending, policy->policy, bundle, out.why);
    if (h && h->payload_kind == WASMIOT_PAYLOAD_WASM) {
      out.why = TestRun(Bytes(bundle.begin() + static_cast<std::ptrdiff_t>(WASMIOT_BUNDLE_PAYLOAD_OFFSET(h->chunk_count)),
                              bundle.end()),
                        manifest, options.periodic_calls);
    }
    if (h && out.why.empty()) {
      Sha256 id = HashSha256(bundle.data(), WASMIOT_BUNDLE_HEADER_SIZE);
      if (wasmiot_slots_confirm(&slots, id.data()) != WASMIOT_SLOTS_OK) return finish();
      out.confirmed = true;
    } else {
      if (wasmiot_slots_revert(&slots) != WASMIOT_SLOTS_OK) return finish();
      out.reverted = true;
    }
  }
  if (slots.state.active != WASMIOT_SLOT_NONE) {
    policy->policy.installed_sequence = slots.state.active_sequence - 1;
    Bytes bundle;
    std::string why;
    if (VerifySlot(flash, slots, slots.state.active, policy->policy, bundle, why)) {
      out.running = slots.state.active;
      out.running_sequence = slots.state.active_sequence;
    } else if (out.why.empty()) {
      out.why = why;
    }
  }
  return finish();
}

}  // namespace wasmiot
