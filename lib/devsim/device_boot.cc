#include "devsim/device_boot.h"

#include <functional>
#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "bundle/device_policy.h"
#include "check/check.h"
#include "core/sha256.h"
#include "core/trap_kinds.h"
#include "devsim/device_status.h"
#include "runtime/aot_engine.h"
#include "runtime/host.h"
#include "scenario/session.h"

namespace wasmiot {
namespace {

std::unique_ptr<DevicePolicy> PolicyFor(const DeviceState& state, const Manifest& manifest) {
  Diagnostics ignored;  // the manifest's own targets: nothing to refuse
  return MakeDevicePolicy(state.keys, manifest, DeviceChoices{}, ignored);
}

std::string Refused(uint8_t slot, wasmiot_bundle_result r) {
  return fmt::format("slot {}'s bundle is refused: {}", SlotName(slot), wasmiot_bundle_result_name(r));
}

// The calls a device makes after instantiating: its start-up export once (a
// required export without parameters named init, _initialize or _start, if
// there is one), then each other required export without parameters
// `periodic_calls` times, in name order. "" if they all ran.
std::string DeviceCalls(Instance& instance, const Manifest& manifest, uint32_t periodic_calls) {
  auto is_start_up = [](const std::string& name) { return name == "init" || name == "_initialize" || name == "_start"; };
  std::vector<std::pair<std::string, uint32_t>> calls;  // export, times
  bool start_up = false;
  for (const ExportSpec& e : manifest.exports) {
    if (e.kind != ExportKind::kFunc || !e.required || !e.signature.params.empty()) continue;
    if (!start_up && is_start_up(e.name)) {
      calls.insert(calls.begin(), {e.name, 1});
      start_up = true;
    } else {
      calls.push_back({e.name, periodic_calls});
    }
  }
  for (const auto& [name, times] : calls) {
    for (uint32_t n = 0; n < times; ++n) {
      CallOutcome out = instance.Call(name, {});
      if (out.trap) return fmt::format("{} trapped: {}: {}", name, TrapKindName(out.trap->kind), out.trap->message);
    }
  }
  return "";
}

// The test boot of a verified wasm payload: checked against the device,
// instantiated within its budgets, then the periodic calls or the scenario.
// "" if it ran.
std::string TestRun(const Bytes& wasm, const Manifest& manifest, const BootOptions& options) {
  Diagnostics checked;
  Result<ModuleInfo> module = ReadAndCheckModule(wasm, "slot", manifest, checked);
  if (!module || checked.HasErrors()) {
    for (const Diagnostic& d : checked.list()) {
      if (d.severity == Severity::kError) return fmt::format("check: {}: {} [{}]", d.item, d.message, d.code);
    }
    return "check: the module cannot be read";
  }
  if (options.scenario) {
    Diagnostics diagnostics;
    Instantiator instantiate = [&](SimulatedHost& host, const RunLimits& limits) {
      return Instantiate(EngineKind::kInterp, wasm, &manifest, &host, limits);
    };
    Result<ScenarioReport> report = RunScenario(*options.scenario, manifest, *module, instantiate, diagnostics);
    if (report && report->passed) return "";
    if (report) return "scenario: " + report->divergence;
    for (const Diagnostic& d : diagnostics.list()) {
      if (d.severity == Severity::kError) return fmt::format("scenario: {} [{}]", d.message, d.code);
    }
    return "scenario: " + report.error().message;
  }
  SimulatedHost host;
  for (const std::string& channel : SensorChannels(manifest)) host.SetSensor(channel, {0.0});
  Result<Instantiation> inst = Instantiate(EngineKind::kInterp, wasm, &manifest, &host, LimitsFromManifest(&manifest));
  if (!inst) return "instantiation refused: " + inst.error().message;
  if (inst->trap) return fmt::format("the start function trapped: {}", TrapKindName(inst->trap->kind));
  return DeviceCalls(*inst->instance, manifest, options.periodic_calls);
}

// The pending slot confirmed under its bundle's id: the SHA-256 of its signed
// header (the slot metadata keeps the first 16 bytes).
bool ConfirmWithId(wasmiot_slots& slots, const wasmiot_bundle_header& header, const Bytes& bundle) {
  Sha256 id = HashSha256(bundle.data(), header.header_size);
  return wasmiot_slots_confirm(&slots, id.data()) == WASMIOT_SLOTS_OK;
}

// A power-on that decides about the pending update (confirm, revert): with
// none, `why` says `nothing_pending`; else `decide` says whether it was done
// (or sets `why`).
using Decision = std::function<Result<bool>(wasmiot_slots&, const FlashModel&, DecisionOutcome&)>;
Result<DecisionOutcome> DecideOnPending(DeviceState& state, std::optional<uint64_t> fail_at,
                                        std::string_view nothing_pending, const Decision& decide) {
  DecisionOutcome out;
  PowerOn on(state, fail_at);
  if (Status opened = on.OpenSlots(); !opened) return opened.error();
  wasmiot_slots& slots = on.slots();
  out.slot = slots.state.pending;
  out.sequence = slots.state.pending_sequence;
  if (slots.state.pending == WASMIOT_SLOT_NONE) {
    out.why = std::string(nothing_pending);
    return out;
  }
  Result<bool> done = decide(slots, on.flash(), out);
  if (!done) return done.error();
  out.done = *done;
  out.flash = on.Save();
  return out;
}

}  // namespace

Result<BootOutcome> BootDevice(DeviceState& state, const Manifest& manifest, const BootOptions& options) {
  BootOutcome out;
  PowerOn on(state, options.fail_at);
  if (Status opened = on.OpenSlots(); !opened) return opened.error();
  FlashModel& flash = on.flash();
  wasmiot_slots& slots = on.slots();
  auto finish = [&]() {
    out.flash = on.Save();
    return out;
  };
  std::unique_ptr<DevicePolicy> policy = PolicyFor(state, manifest);
  if (!policy) return Error{ErrorKind::kInvalidInput, "no device policy for this manifest"};
  out.recovered = slots.state.pending != WASMIOT_SLOT_NONE && slots.state.trying;
  if (wasmiot_slots_recover(&slots) != WASMIOT_SLOTS_OK) return finish();
  if (slots.state.pending != WASMIOT_SLOT_NONE) {
    out.tried = true;
    out.tried_slot = slots.state.pending;
    out.tried_sequence = slots.state.pending_sequence;
    if (wasmiot_slots_start_trial(&slots) != WASMIOT_SLOTS_OK) return finish();
    policy->policy.installed_sequence = slots.state.counter;
    Bytes bundle, payload;
    wasmiot_bundle_header h{};
    wasmiot_bundle_result verdict =
        VerifySlotBundle(flash.contents(), slots, slots.state.pending, policy->policy, h, bundle, payload);
    if (verdict != WASMIOT_BUNDLE_OK) {
      out.why = Refused(slots.state.pending, verdict);
    } else if (h.payload_kind == WASMIOT_PAYLOAD_WASM) {
      out.tested = true;
      out.why = TestRun(payload, manifest, options);
    }
    if (verdict == WASMIOT_BUNDLE_OK && out.why.empty()) {
      if (!ConfirmWithId(slots, h, bundle)) return finish();
      out.confirmed = true;
    } else {
      if (wasmiot_slots_revert(&slots) != WASMIOT_SLOTS_OK) return finish();
      out.reverted = true;
    }
  }
  if (slots.state.active != WASMIOT_SLOT_NONE) {
    policy->policy.installed_sequence = slots.state.active_sequence - 1;
    Bytes bundle, payload;
    wasmiot_bundle_header h{};
    wasmiot_bundle_result verdict =
        VerifySlotBundle(flash.contents(), slots, slots.state.active, policy->policy, h, bundle, payload);
    if (verdict == WASMIOT_BUNDLE_OK) {
      out.running = slots.state.active;
      out.running_sequence = slots.state.active_sequence;
    } else if (out.why.empty()) {
      out.why = Refused(slots.state.active, verdict);
    }
  }
  return finish();
}

Result<DecisionOutcome> ConfirmPending(DeviceState& state, const Manifest& manifest, std::optional<uint64_t> fail_at) {
  return DecideOnPending(state, fail_at, "no update is pending: install one with `wasmiot device install`",
                         [&](wasmiot_slots& slots, const FlashModel& flash, DecisionOutcome& out) -> Result<bool> {
    std::unique_ptr<DevicePolicy> policy = PolicyFor(state, manifest);
    if (!policy) return Error{ErrorKind::kInvalidInput, "no device policy for this manifest"};
    policy->policy.installed_sequence = slots.state.counter;
    Bytes bundle, payload;
    wasmiot_bundle_header h{};
    wasmiot_bundle_result verdict =
        VerifySlotBundle(flash.contents(), slots, slots.state.pending, policy->policy, h, bundle, payload);
    if (verdict != WASMIOT_BUNDLE_OK) {
      out.why = Refused(slots.state.pending, verdict) + ": revert it with `wasmiot device revert`";
      return false;
    }
    return ConfirmWithId(slots, h, bundle);
  });
}

Result<DecisionOutcome> RevertPending(DeviceState& state, std::optional<uint64_t> fail_at) {
  return DecideOnPending(state, fail_at, "no update is pending: there is nothing to revert",
                         [](wasmiot_slots& slots, const FlashModel&, DecisionOutcome&) -> Result<bool> {
    return wasmiot_slots_revert(&slots) == WASMIOT_SLOTS_OK;
  });
}

}  // namespace wasmiot
