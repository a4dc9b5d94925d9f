// wasmiot device init|install|boot|status|confirm|revert STATE
// A simulated device in one state file: A/B slots on a NOR flash model,
// updated by the device library's own receiver and slot code, test-booted on
// the reference runtime, with a power cut at any flash operation (--fail-at).
#include <memory>

#include <fmt/format.h>

#include "bundle/describe.h"
#include "bundle_printer.h"
#include "command.h"
#include "devsim/device_files.h"
#include "output.h"

namespace wasmiot::tool {
namespace {

struct DeviceOptions {
  CommonOptions common;
  std::string subcommand;
  DeviceRequest request;
  uint64_t fail_at = 0;  // 0: none
  // init
  std::string manifest;
  std::vector<std::string> pubkeys;
  uint32_t flash_size = 0, sector_size = 4096, write_size = 8;
  uint64_t counter = 0;
};

std::string SlotOrNone(uint8_t slot) { return slot == WASMIOT_SLOT_NONE ? "none" : std::string(1, SlotName(slot)); }
nlohmann::json SlotJson(uint8_t slot) { return slot == WASMIOT_SLOT_NONE ? nlohmann::json(nullptr) : nlohmann::json(SlotOrNone(slot)); }

std::string_view ContentName(SlotStatus::Content c) {
  return c == SlotStatus::Content::kEmpty ? "empty" : c == SlotStatus::Content::kBundle ? "bundle" : "other";
}

std::string_view InstallStateName(uint8_t state) {
  switch (state) {
    case WASMIOT_RX_STATE_TABLE: return "table";
    case WASMIOT_RX_STATE_PAYLOAD: return "payload";
    case WASMIOT_RX_STATE_COMPLETE: return "complete";
    default: return "idle";
  }
}

nlohmann::json StatusJson(const DeviceStatus& s, const Manifest* manifest) {
  nlohmann::json slots = nlohmann::json::array();
  for (uint8_t i = 0; i < 2; ++i) {
    const SlotStatus& st = s.slot[i];
    nlohmann::json slot = {{"name", SlotOrNone(i)}, {"offset", st.offset}, {"size", st.size},
                           {"content", ContentName(st.content)}};
    if (st.header) {
      slot["header"] = BundleHeaderJson(*st.header, manifest);
      slot["verdict"] = wasmiot_bundle_result_name(st.verdict);
    }
    slots.push_back(std::move(slot));
  }
  nlohmann::json install = {{"slot", SlotOrNone(s.install_slot)}, {"state", InstallStateName(s.install_state)}};
  if (s.install_state != WASMIOT_RX_STATE_IDLE) install["sequence"] = s.install_sequence;
  if (s.install_chunks > 0) {
    install["chunks"] = s.install_chunks;
    install["missing_chunks"] = s.install_missing;
  }
  return {{"counter", s.slots.counter},
          {"record_sequence", s.slots.record_sequence},
          {"active", SlotJson(s.slots.active)},
          {"active_sequence", s.slots.active_sequence},
          {"pending", SlotJson(s.slots.pending)},
          {"pending_sequence", s.slots.pending_sequence},
          {"trying", s.slots.trying != 0},
          {"slots", std::move(slots)},
          {"install_session", std::move(install)}};
}

nlohmann::json ReportJson(const DeviceOptions& o, const DeviceReport& r, int exit_code, const Diagnostics& diagnostics) {
  nlohmann::json doc = JsonDocument("device", exit_code, diagnostics);
  doc["subcommand"] = o.subcommand;
  doc["state"] = o.request.state_path;
  if (r.manifest) {
    doc["device"] = {{"vendor", r.manifest->device.vendor},
                     {"class", r.manifest->device.device_class},
                     {"flash", {{"size", r.geometry.size}, {"sector_size", r.geometry.sector_size},
                                {"write_size", r.geometry.write_size}}},
                     {"keys", r.keys}};
  }
  if (r.status) doc["status"] = StatusJson(*r.status, r.manifest.get());
  if (r.install) {
    const InstallOutcome& i = *r.install;
    doc["install"] = {{"slot", SlotOrNone(i.slot)}, {"receiver", wasmiot_rx_result_name(i.receiver)},
                      {"pending", i.pending}, {"rollback", i.rollback}, {"sequence", i.sequence},
                      {"chunks", i.chunks}, {"missing_chunks", i.missing_chunks}};
    if (i.resumed) doc["install"]["resumed"] = wasmiot_rx_result_name(*i.resumed);
    if (i.refusal != WASMIOT_BUNDLE_OK) doc["install"]["refusal"] = wasmiot_bundle_result_name(i.refusal);
    if (i.decoded) doc["install"]["decoded"] = wasmiot_delta_result_name(*i.decoded);
  }
  if (r.boot) {
    const BootOutcome& b = *r.boot;
    doc["boot"] = {{"recovered", b.recovered}, {"tried", b.tried},  {"tested", b.tested},
                   {"confirmed", b.confirmed}, {"reverted", b.reverted}, {"running", SlotJson(b.running)}};
    if (b.tried) {
      doc["boot"]["slot"] = SlotOrNone(b.tried_slot);
      doc["boot"]["sequence"] = b.tried_sequence;
    }
    if (!b.why.empty()) doc["boot"]["why"] = b.why;
    if (b.running != WASMIOT_SLOT_NONE) doc["boot"]["running_sequence"] = b.running_sequence;
  }
  if (r.decision) {
    doc[o.subcommand == "confirm" ? "confirm" : "revert"] = {
        {"done", r.decision->done}, {"slot", SlotJson(r.decision->slot)}, {"sequence", r.decision->sequence}};
  }
  if (o.subcommand != "status") {
    doc["power_cut"] = r.flash.power_cut;
    doc["flash_operations"] = r.flash.operations;
    doc["saved"] = r.saved;
  }
  return doc;
}

std::string PayloadSize(const wasmiot_bundle_header& h) {
  if (h.encoding == WASMIOT_ENCODING_NONE) return Plural(h.payload_size, "payload byte");
  return fmt::format("{} {} decoded to {}", Plural(h.payload_size, "byte"), EncodingName(h.encoding),
                     Plural(h.decoded_size, "payload byte"));
}

void PrintStatus(const std::string& path, const DeviceReport& r) {
  const FlashGeometry& g = r.geometry;
  Print("{}: {}/{}, {} of flash ({} of {} bytes, {}-byte write units), {}\n", path, r.manifest->device.vendor,
        r.manifest->device.device_class, Plural(g.size, "byte"), Plural(g.size / g.sector_size, "sector"),
        g.sector_size, g.write_size, Plural(r.keys, "trusted key"));
  const DeviceStatus& s = *r.status;
  Print("  counter {} (the highest sequence confirmed), metadata record {}\n", s.slots.counter, s.slots.record_sequence);
  for (uint8_t i = 0; i < 2; ++i) {
    const SlotStatus& st = s.slot[i];
    std::string role = s.slots.active == i    ? "active"
                       : s.slots.pending == i ? (s.slots.trying ? "pending, test boot started" : "pending")
                                              : "inactive";
    const bool receiving = s.install_slot == i && (s.install_state == WASMIOT_RX_STATE_TABLE ||
                                                   s.install_state == WASMIOT_RX_STATE_PAYLOAD);
    std::string content = st.content == SlotStatus::Content::kEmpty ? "erased"
                          : receiving ? "part of a bundle (an install under way)"
                          : !st.header ? "no bundle header"
                                       : fmt::format("{}, {}: {}", BundleSummary(*st.header, r.manifest.get()),
                                                     PayloadSize(*st.header),
                                                     st.verdict == WASMIOT_BUNDLE_OK
                                                         ? std::string("verified")
                                                         : std::string("refused: ") + wasmiot_bundle_result_name(st.verdict));
    Print("  slot {} at 0x{:x}, {}: {}: {}\n", SlotName(i), st.offset, Plural(st.size, "byte"), role, content);
  }
  if (s.install_state == WASMIOT_RX_STATE_TABLE) {
    Print("  install into slot {}: sequence {}, receiving its chunk table\n", SlotName(s.install_slot), s.install_sequence);
  } else if (s.install_state == WASMIOT_RX_STATE_PAYLOAD) {
    Print("  install into slot {}: sequence {}, {} of {} chunks missing (run install again to resume)\n",
          SlotName(s.install_slot), s.install_sequence, s.install_missing, s.install_chunks);
  }
}

void PrintOutcome(const DeviceOptions& o, const DeviceReport& r) {
  const std::string& path = o.request.state_path;
  if (o.subcommand == "init") Print("{}: a new device, no module installed\n", path);
  if (r.install && r.install->pending) {
    Print("{}: slot {}: sequence {} received and verified, pending its test boot (wasmiot device boot)\n", path,
          SlotName(r.install->slot), r.install->sequence);
  }
  if (r.boot && !r.flash.power_cut) {
    const BootOutcome& b = *r.boot;
    std::string tried = b.tried ? fmt::format("slot {} (sequence {}) ", SlotName(b.tried_slot), b.tried_sequence) : "";
    if (b.confirmed) {
      Print("{}: {}{} and confirmed\n", path, tried, b.tested ? "test-booted" : "verified (AOT code: not test-run)");
    }
    if (b.reverted) Print("{}: {}reverted\n", path, tried);
    if (!b.tried && !b.recovered) Print("{}: no update pending\n", path);
    if (b.running != WASMIOT_SLOT_NONE) {
      Print("{}: runs slot {} (sequence {})\n", path, SlotName(b.running), b.running_sequence);
    }
  }
  if (r.decision && r.decision->done && !r.flash.power_cut) {
    Print("{}: slot {} (sequence {}) {}\n", path, SlotName(r.decision->slot), r.decision->sequence,
          o.subcommand == "confirm" ? "confirmed" : "reverted");
  }
  if (r.status) PrintStatus(path, r);
}

DeviceReport Dispatch(const DeviceOptions& o, Diagnostics& diagnostics) {
  if (o.subcommand == "init") {
    DeviceInitRequest init;
    init.state_path = o.request.state_path;
    init.manifest_path = o.manifest;
    for (const std::string& path : o.pubkeys) {
      KeySource source;
      source.path = path;
      Result<LoadedKey> k = LoadKey(source, diagnostics);
      if (k) init.keys.push_back(k->public_key);
    }
    if (diagnostics.HasErrors()) return {};
    init.geometry = {o.flash_size, o.sector_size, o.write_size};
    init.counter = o.counter;
    return InitDeviceFile(init, diagnostics);
  }
  if (o.subcommand == "install") return InstallDeviceFile(o.request, diagnostics);
  if (o.subcommand == "boot") return BootDeviceFile(o.request, diagnostics);
  if (o.subcommand == "confirm") return ConfirmDeviceFile(o.request, diagnostics);
  if (o.subcommand == "revert") return RevertDeviceFile(o.request, diagnostics);
  return DeviceStatusFile(o.request, diagnostics);
}

int RunDevice(DeviceOptions o) {
  if (o.fail_at > 0) o.request.fail_at = o.fail_at;
  Diagnostics diagnostics;
  DeviceReport report = Dispatch(o, diagnostics);
  int exit_code = ExitCodeFor(diagnostics);
  if (report.flash.power_cut && exit_code <= kExitCheckFailed) exit_code = kExitPowerCut;
  if (o.common.json) {
    PrintJson(ReportJson(o, report, exit_code, diagnostics));
    return exit_code;
  }
  PrintDiagnostics(diagnostics, o.common);
  if (report.manifest) PrintOutcome(o, report);
  return exit_code;
}

void AddFailAt(CLI::App& cmd, DeviceOptions& o) {
  static const CLI::Validator kFlashOperation(
      [](std::string& text) -> std::string {
        std::string error = UnsignedInteger()(text);
        if (error.empty() && text.find_first_not_of('0') == std::string::npos) error = "flash operations count from 1";
        return error;
      },
      "N", "flash operation");
  cmd.add_option("--fail-at", o.fail_at, "Cut the power at this flash operation (a write or an erase, from 1)")
      ->check(kFlashOperation);
}

constexpr const char* kExitStatus =
    "Exit status: 0 done, 1 refused, reverted or nothing to do, 2 usage error, 3 I/O error,\n"
    "4 the power was cut (--fail-at); the state file holds what the flash kept.";

CLI::App* AddSubcommand(CLI::App& device, const std::string& name, const std::string& about, std::string footer,
                        const std::shared_ptr<DeviceOptions>& o, Invocation& invocation) {
  CLI::App* cmd = device.add_subcommand(name, about);
  cmd->add_option("state", o->request.state_path, "The device's state file")->required();
  AddCommonOptions(*cmd, o->common);
  cmd->footer(footer + "\n\n" + kExitStatus);
  cmd->callback([o, name, &invocation] {
    o->subcommand = name;
    invocation.exit_code = RunDevice(*o);
  });
  return cmd;
}

}  // namespace

void RegisterDeviceCommand(CLI::App& app, Invocation& invocation) {
  CLI::App* device = app.add_subcommand("device", "Simulate a device: A/B slots, updates, test boots, power cuts");
  device->require_subcommand(1, 1);
  device->footer(
      "A device in one state file: its manifest, trusted keys and a NOR flash holding the slot\n"
      "metadata and slots A and B (docs/slots.md). install receives an update into the inactive\n"
      "slot; boot test-runs it and confirms or reverts it; --fail-at cuts the power mid-way.\n"
      "\n"
      "Examples:\n"
      "  wasmiot device init dev.state --manifest device.json --pubkey release.pub.pem\n"
      "  wasmiot device install dev.state thermostat.chunks && wasmiot device boot dev.state\n"
      "  wasmiot device status dev.state --json\n"
      "\n"
      "Run 'wasmiot device SUBCOMMAND --help' for each one's options.");

  auto init = std::make_shared<DeviceOptions>();
  CLI::App* cmd = AddSubcommand(
      *device, "init", "Make a new device state file (never replaces one)",
      "A new device with no module: its manifest (kept in the state), its trusted keys, and an\n"
      "erased flash whose slot metadata is formatted with the counter at --installed-seq. The\n"
      "default flash has 4096-byte sectors and 8-byte write units, and slots with room for four\n"
      "times the manifest's max_module_bytes (at least 64 KiB) plus a sector.\n"
      "\n"
      "Examples:\n"
      "  wasmiot device init dev.state --manifest device.json --pubkey release.pub.pem\n"
      "  wasmiot device init dev.state -m device.json -p a.pub.pem -p b.pub.pem --sector-size 1024 --write-size 4\n"
      "  wasmiot device init dev.state -m device.json -p release.pub.pem --installed-seq 6",
      init, invocation);
  cmd->add_option("-m,--manifest", init->manifest, "The device manifest")->required();
  cmd->add_option("-p,--pubkey", init->pubkeys, "A trusted public key (repeatable, at most 8)")->required();
  cmd->add_option("--flash-size", init->flash_size, "Flash bytes: whole sectors, at least 4, at most 64 MiB")
      ->check(UnsignedInteger());
  cmd->add_option("--sector-size", init->sector_size, "Erase sector: a power of two from 256 to 65536 (4096)")
      ->check(UnsignedInteger());
  cmd->add_option("--write-size", init->write_size, "Write unit: a power of two from 1 to 8 (8)")
      ->check(UnsignedInteger());
  cmd->add_option("--installed-seq", init->counter, "The anti-rollback counter to start from (0)")
      ->check(UnsignedInteger());

  auto install = std::make_shared<DeviceOptions>();
  cmd = AddSubcommand(
      *device, "install", "Receive an update into the inactive slot",
      "Feed the frames to the device library's receiver over the inactive slot, as firmware\n"
      "does: the header is authenticated and held against the device and its counter, each\n"
      "chunk against its signed digest; the bundle is marked pending only once it is whole and\n"
      "verified. An install cut short (missing frames, a power cut) resumes from what the slot\n"
      "kept the next time.\n"
      "\n"
      "Examples:\n"
      "  wasmiot device install dev.state thermostat.chunks\n"
      "  wasmiot device install dev.state thermostat.stream --fail-at 12",
      install, invocation);
  cmd->add_option("frames", install->request.frames_path, "A folder of .chunk files, or a stream file")->required();
  AddFailAt(*cmd, *install);

  auto boot = std::make_shared<DeviceOptions>();
  cmd = AddSubcommand(
      *device, "boot", "Power on: test-boot a pending update, confirm or revert it",
      "Power the device on. A test boot cut short by a reset is reverted. A pending update is\n"
      "verified again and test-booted on the reference runtime within the manifest's budgets:\n"
      "instantiated, its start-up export (init, _initialize or _start) called once, then each\n"
      "other required export without parameters --calls times (or the calls of --scenario).\n"
      "It is confirmed if all ran, and reverted on a trap, a budget overrun, a missing export\n"
      "or a bundle that no longer verifies. Then the device runs its active slot.\n"
      "\n"
      "Examples:\n"
      "  wasmiot device boot dev.state\n"
      "  wasmiot device boot dev.state --calls 100\n"
      "  wasmiot device boot dev.state --scenario scenarios/heatwave.json --json",
      boot, invocation);
  cmd->add_option("--calls", boot->request.periodic_calls, "Periodic calls of each required export in the test boot (3)")
      ->check(CLI::Range(uint32_t{0}, uint32_t{1000000}));
  cmd->add_option("--scenario", boot->request.scenario_path, "Test-boot with this scenario's calls instead");
  AddFailAt(*cmd, *boot);

  auto status = std::make_shared<DeviceOptions>();
  AddSubcommand(*device, "status", "Print the slots, the counter and an install under way",
                "Read the state without changing it: the device, the anti-rollback counter, which slot is\n"
                "active and which pending, each slot's bundle and whether it verifies, and an install\n"
                "under way.\n"
                "\n"
                "Examples:\n"
                "  wasmiot device status dev.state\n"
                "  wasmiot device status dev.state --json",
                status, invocation);

  auto confirm = std::make_shared<DeviceOptions>();
  cmd = AddSubcommand(*device, "confirm", "Make the pending update active without a test boot",
                      "Confirm the pending slot as firmware does after its own checks: its bundle is verified\n"
                      "again, then it becomes the active slot and the counter its sequence.\n"
                      "\n"
                      "Examples:\n"
                      "  wasmiot device confirm dev.state\n"
                      "  wasmiot device confirm dev.state --fail-at 1",
                      confirm, invocation);
  AddFailAt(*cmd, *confirm);

  auto revert = std::make_shared<DeviceOptions>();
  cmd = AddSubcommand(*device, "revert", "Forget the pending update",
                      "Revert the pending slot: the device keeps running its active slot.\n"
                      "\n"
                      "Examples:\n"
                      "  wasmiot device revert dev.state\n"
                      "  wasmiot device revert dev.state --json",
                      revert, invocation);
  AddFailAt(*cmd, *revert);
}

}  // namespace wasmiot::tool
