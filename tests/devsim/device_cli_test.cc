// wasmiot device as users and CI drive it: a state file through init,
// install, boot, status, confirm and revert; every --json document checked
// against schemas/device-output.schema.json; bad state files and usage
// errors; and the power cut at every flash operation of an update, through
// the command line, with the next command rebooting from what the flash kept.
#include <cstdio>
#include <filesystem>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "devsim/device_state.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string ThermostatWat() { return ReadText(DataDir() + "/modules/thermostat.wat"); }

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string TrappingInit() {
  return Replace(ThermostatWat(), "(func (export \"init\")", "(func (export \"init\") unreachable");
}

// A release key, update streams signed with it, and a device state trusting it.
struct DeviceCli {
  DeviceCli() {
    REQUIRE(RunWasmiot({"keygen", "-o", dir.File("k")}).exit_code == 0);
    REQUIRE(RunWasmiot({"keygen", "-o", dir.File("other")}).exit_code == 0);
  }
  // The module `wat`, signed as `sequence`, chunked (64-byte chunks) into a stream.
  std::string Stream(const std::string& name, const std::string& wat, int sequence, const std::string& key = "k",
                     const std::string& manifest = "") {
    std::string wasm = dir.File(name + ".wasm"), bundle = dir.File(name + ".bundle"), stream = dir.File(name + ".stream");
    WriteBytes(wasm, WatToWasm(wat));
    RunResult s = RunWasmiot({"sign", wasm, "--key", dir.File(key + ".key"), "-m", manifest.empty() ? device : manifest,
                              "--version", fmt::format("1.0.{}", sequence), "--seq", std::to_string(sequence),
                              "--chunk-size", "64", "-o", bundle});
    INFO(s.err);
    REQUIRE(s.exit_code == 0);
    REQUIRE(RunWasmiot({"chunk", bundle, "--stream", stream}).exit_code == 0);
    return stream;
  }
  // The bundle of Stream(to) as a delta from Stream(from)'s (or compressed,
  // `from` empty), chunked into a stream.
  std::string Encoded(const std::string& name, const std::string& from, const std::string& to) {
    std::string bundle = dir.File(name + ".bundle"), stream = dir.File(name + ".stream");
    std::vector<std::string> args = {"delta", dir.File(from + ".bundle"), dir.File(to + ".bundle"), "--key",
                                     dir.File("k.key"), "-o", bundle};
    if (from.empty()) args = {"delta", "--compress", dir.File(to + ".bundle"), "--key", dir.File("k.key"), "-o", bundle};
    RunResult r = RunWasmiot(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(RunWasmiot({"chunk", bundle, "--stream", stream}).exit_code == 0);
    return stream;
  }
  void Init(const std::string& path, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"device", "init", path, "-m", device, "-p", dir.File("k.pub.pem")};
    args.insert(args.end(), more.begin(), more.end());
    RunResult r = RunWasmiot(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  // `wasmiot device ARGS --json`: the document, kept for one schema check at
  // the end. kZeroOrOne: either is right (the document says which).
  static constexpr int kZeroOrOne = -1;
  json Device(std::vector<std::string> args, int expected_exit) {
    args.insert(args.begin(), "device");
    args.push_back("--json");
    RunResult r = RunWasmiot(args);
    INFO(fmt::format("{}\n{}{}", fmt::join(args, " "), r.out, r.err));
    if (expected_exit == kZeroOrOne) {
      CHECK((r.exit_code == 0 || r.exit_code == 1));
      expected_exit = r.exit_code;
    }
    CHECK(r.exit_code == expected_exit);
    CHECK(r.err.empty());
    docs.push_back(dir.File(fmt::format("doc-{}.json", docs.size())));
    WriteText(docs.back(), r.out);
    json doc = json::parse(r.out);
    CHECK(doc["exit_code"] == expected_exit);
    return doc;
  }
  void CheckSchemas() {
    std::vector<std::string> verdicts = SchemaVerdicts("device-output.schema.json", docs);
    REQUIRE(verdicts.size() == docs.size());
    for (size_t i = 0; i < docs.size(); ++i) CHECK(verdicts[i] == "valid " + docs[i]);
    docs.clear();
  }
  TempDir dir;
  std::string device = SourceDir() + "/templates/thermostat/device.json";
  std::string state = dir.File("dev.state");
  std::vector<std::string> docs;
};

// The device may run only a verified, confirmed module, and the counter only rises.
struct Invariants {
  uint64_t counter = 0;
  void Check(const json& status, uint64_t never_active) {
    INFO(status.dump());
    const uint64_t now = status["counter"];
    CHECK(now >= counter);
    counter = now;
    REQUIRE(!status["active"].is_null());
    const int active = status["active"] == "A" ? 0 : 1;
    CHECK(status["slots"][active]["verdict"] == "ok");
    CHECK(status["slots"][active]["header"]["sequence"] == status["active_sequence"]);
    CHECK(status["active_sequence"] == now);
    CHECK(status["active_sequence"] != never_active);
  }
};

// From a device in `base` running sequence 1, the power cut at flash operation
// `cut` of installing `update` (sequence 2) and booting it (operations past
// `install_ops` are the boot's); then power on, retry the install, boot. After
// every command the device runs a verified, confirmed module, the counter
// never drops, an update that traps is never active, and it ends where an
// uncut update ends.
void CutAndRecover(DeviceCli& d, const std::string& base, const std::string& update, bool runs, uint64_t cut,
                   uint64_t install_ops) {
  fs::copy_file(base, d.state, fs::copy_options::overwrite_existing);
  Invariants invariants;
  invariants.counter = 1;
  const uint64_t never = runs ? 0 : 2, final_sequence = runs ? 2 : 1;
  json cut_doc = cut <= install_ops
                     ? d.Device({"install", d.state, update, "--fail-at", std::to_string(cut)}, 4)
                     : (d.Device({"install", d.state, update}, 0),
                        d.Device({"boot", d.state, "--fail-at", std::to_string(cut - install_ops)}, 4));
  CHECK(cut_doc["power_cut"] == true);
  CHECK(cut_doc["flash_operations"] == (cut <= install_ops ? cut : cut - install_ops));
  // Power on again: whatever the cut left, the device runs a confirmed module.
  // (Exit 1 when that boot test-runs the trapping update: reverted.)
  json reboot = d.Device({"boot", d.state}, DeviceCli::kZeroOrOne);
  invariants.Check(reboot["status"], never);
  // The update is retried (a cut install resumes), and booted.
  const bool done = reboot["status"]["counter"] == 2;  // the reboot confirmed the update
  json retry = d.Device({"install", d.state, update}, done ? 1 : 0);
  invariants.Check(retry["status"], never);
  CHECK(retry["install"]["pending"] == !done);  // resumed, or taken again whole
  json last = d.Device({"boot", d.state}, runs ? 0 : 1);
  invariants.Check(last["status"], never);
  CHECK(last["status"]["counter"] == final_sequence);
  CHECK(last["boot"]["running_sequence"] == final_sequence);
}

}  // namespace

TEST_CASE("device CLI: init, install, boot, status, confirm and revert, with schema-valid JSON") {
  DeviceCli d;
  json init = d.Device({"init", d.state, "-m", d.device, "-p", d.dir.File("k.pub.pem"), "--sector-size", "1024",
                        "--write-size", "4", "--installed-seq", "3"}, 0);
  CHECK(init["device"]["class"] == "thermostat-t100");
  CHECK(init["device"]["flash"] == json({{"size", 2 * 1024 + 2 * 65 * 1024}, {"sector_size", 1024}, {"write_size", 4}}));
  CHECK(init["status"]["counter"] == 3);
  CHECK(init["status"]["active"].is_null());
  CHECK(init["saved"] == true);
  // Nothing to run yet; nothing pending to confirm or revert.
  CHECK(d.Device({"boot", d.state}, 1)["diagnostics"][0]["code"] == "no-module");
  CHECK(d.Device({"confirm", d.state}, 1)["diagnostics"][0]["code"] == "nothing-pending");
  CHECK(d.Device({"revert", d.state}, 1)["diagnostics"][0]["code"] == "nothing-pending");
  // A sequence at or under the counter is never installed.
  json old = d.Device({"install", d.state, d.Stream("v3", ThermostatWat(), 3)}, 1);
  CHECK(old["diagnostics"][0]["code"] == "install-rollback");
  CHECK(old["install"]["refusal"] == "rollback");

  json installed = d.Device({"install", d.state, d.Stream("v4", ThermostatWat(), 4)}, 0);
  CHECK(installed["install"]["pending"] == true);
  CHECK(installed["install"]["slot"] == "A");
  CHECK(installed["install"]["chunks"] == 6);
  CHECK(installed["status"]["pending"] == "A");
  CHECK(installed["status"]["pending_sequence"] == 4);
  CHECK(installed["status"]["slots"][0]["verdict"] == "ok");
  json booted = d.Device({"boot", d.state, "--calls", "10"}, 0);
  CHECK(booted["boot"]["confirmed"] == true);
  CHECK(booted["boot"]["tested"] == true);
  CHECK(booted["boot"]["running"] == "A");
  CHECK(booted["boot"]["running_sequence"] == 4);
  CHECK(booted["status"]["counter"] == 4);

  // confirm without a test boot; revert; a replay of the old update.
  d.Device({"install", d.state, d.Stream("v5", ThermostatWat(), 5)}, 0);
  json confirmed = d.Device({"confirm", d.state}, 0);
  CHECK(confirmed["confirm"] == json({{"done", true}, {"slot", "B"}, {"sequence", 5}}));
  CHECK(confirmed["status"]["active"] == "B");
  CHECK(confirmed["status"]["counter"] == 5);
  d.Device({"install", d.state, d.Stream("v6", TrappingInit(), 6)}, 0);
  json reverted = d.Device({"revert", d.state}, 0);
  CHECK(reverted["revert"]["done"] == true);
  CHECK(reverted["status"]["pending"].is_null());
  CHECK(reverted["status"]["active"] == "B");
  CHECK(d.Device({"install", d.state, d.dir.File("v4.stream")}, 1)["diagnostics"][0]["code"] == "install-rollback");
  json status = d.Device({"status", d.state}, 0);
  CHECK(status["status"]["counter"] == 5);
  CHECK(status.count("saved") == 0);

  // The human rendering says the same.
  RunResult text = RunWasmiot({"device", "status", d.state});
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("counter 5 (the highest sequence confirmed)") &&
                           Catch::Contains("slot B at 0x10c00, 66560 bytes: active: wasm 1.0.5 (sequence 5) for "
                                           "acme/thermostat-t100") &&
                           Catch::Contains("slot A at 0x800, 66560 bytes: inactive: wasm 1.0.6"));
  d.CheckSchemas();
}

TEST_CASE("device CLI: a trapping, fuel-exhausting or failing-scenario update is reverted, and foreign, other-device or tampered ones never land") {
  DeviceCli d;
  d.Init(d.state);
  d.Device({"install", d.state, d.Stream("v1", ThermostatWat(), 1)}, 0);
  d.Device({"boot", d.state}, 0);

  d.Device({"install", d.state, d.Stream("trap", TrappingInit(), 2)}, 0);
  json trapped = d.Device({"boot", d.state}, 1);
  CHECK(trapped["boot"]["reverted"] == true);
  CHECK(trapped["boot"]["why"] == "init trapped: unreachable: unreachable executed");
  CHECK(trapped["boot"]["running"] == "A");
  CHECK(trapped["diagnostics"][0]["code"] == "boot-reverted");
  CHECK(trapped["status"]["counter"] == 1);

  d.Device({"install", d.state, d.Stream("spin", Replace(ThermostatWat(), "(local $t f32)", "(local $t f32) (loop (br 0))"), 3)}, 0);
  json spun = d.Device({"boot", d.state}, 1);
  CHECK_THAT(spun["boot"]["why"].get<std::string>(), Catch::StartsWith("control_loop trapped: fuel-exhausted"));
  // --calls 0: the periodic export is never called, so the loop is never hit.
  d.Device({"install", d.state, d.dir.File("spin.stream")}, 0);
  CHECK(d.Device({"boot", d.state, "--calls", "0"}, 0)["boot"]["confirmed"] == true);

  // A scenario instead of the periodic calls: its expectations decide.
  auto scenario = [&](const std::string& name, int mode) {
    std::string path = d.dir.File(name + ".json");
    WriteText(path, fmt::format(R"({{ "scenario_version": 1, "module": "ignored.wasm", "manifest": "ignored.json",
  "duration_ms": 1000,
  "calls": [ {{ "export": "init" }}, {{ "export": "control_loop", "at_ms": 100, "every_ms": 200 }} ],
  "sensors": {{ "temperature": 17.5, "humidity": 45 }},
  "expect": {{ "host_calls": [ {{ "function": "env.set_hvac_mode", "args": [{}], "at_ms": 100 }} ] }} }})", mode));
    return path;
  };
  d.Device({"install", d.state, d.Stream("v4", ThermostatWat(), 4)}, 0);
  json failed = d.Device({"boot", d.state, "--scenario", scenario("wrong", 3)}, 1);
  CHECK_THAT(failed["boot"]["why"].get<std::string>(), Catch::StartsWith("scenario: "));
  CHECK(failed["boot"]["running_sequence"] == 3);
  d.Device({"install", d.state, d.dir.File("v4.stream")}, 0);
  json passed = d.Device({"boot", d.state, "--scenario", scenario("heating", 1)}, 0);
  CHECK(passed["boot"]["confirmed"] == true);
  CHECK(passed["status"]["counter"] == 4);
  // A scenario that does not parse is refused before the device is touched.
  WriteText(d.dir.File("bad.json"), "{ \"scenario_version\": 1, ");
  RunResult bad = RunWasmiot({"device", "boot", d.state, "--scenario", d.dir.File("bad.json")});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::StartsWith(d.dir.File("bad.json") + ":"));

  // Signed by a key the device does not trust; made for another device; a chunk tampered with.
  json foreign = d.Device({"install", d.state, d.Stream("foreign", ThermostatWat(), 5, "other")}, 1);
  CHECK(foreign["diagnostics"][0]["code"] == "install-refused");
  CHECK(foreign["install"]["refusal"] == "unknown-key");
  WriteText(d.dir.File("t200.json"), Replace(ReadText(d.device), "thermostat-t100", "thermostat-t200"));
  json other = d.Device({"install", d.state, d.Stream("other", ThermostatWat(), 5, "k", d.dir.File("t200.json"))}, 1);
  CHECK(other["install"]["refusal"] == "wrong-device");
  Bytes stream = ReadBytes(d.Stream("good", ThermostatWat(), 5));
  stream[stream.size() - 10] ^= 0x20;  // in the last chunk's payload
  WriteBytes(d.dir.File("tampered.stream"), stream);
  json tampered = d.Device({"install", d.state, d.dir.File("tampered.stream")}, 1);
  CHECK(tampered["diagnostics"][0]["code"] == "install-incomplete");
  CHECK(tampered["install"]["missing_chunks"] == 1);
  CHECK(tampered["status"]["pending"].is_null());
  // The good frames complete it: the slot kept the other chunks.
  json resumed = d.Device({"install", d.state, d.dir.File("good.stream")}, 0);
  CHECK(resumed["install"]["resumed"] == "accepted");
  CHECK(resumed["install"]["pending"] == true);
  d.CheckSchemas();
}

TEST_CASE("device CLI: an AOT update is verified and confirmed without a test run") {
  DeviceCli d;
  d.Init(d.state);
  std::string wasm = d.dir.File("t.wasm"), bundle = d.dir.File("aot.bundle"), stream = d.dir.File("aot.stream");
  WriteBytes(wasm, WatToWasm(ThermostatWat()));
  RunResult signed_aot = RunWasmiot({"sign", wasm, "--key", d.dir.File("k.key"), "-m", d.device, "--version", "1.0.0",
                                     "--seq", "1", "--target", "cortex-m4f", "-o", bundle});
  INFO(signed_aot.err);
  REQUIRE(signed_aot.exit_code == 0);
  REQUIRE(RunWasmiot({"chunk", bundle, "--stream", stream}).exit_code == 0);
  json installed = d.Device({"install", d.state, stream}, 0);
  CHECK(installed["status"]["slots"][0]["header"]["payload_kind"] == "aot");
  json booted = d.Device({"boot", d.state}, 0);
  CHECK(booted["boot"]["confirmed"] == true);
  CHECK(booted["boot"]["tested"] == false);
  CHECK(booted["boot"]["running"] == "A");
  RunResult text = RunWasmiot({"device", "status", d.state});
  CHECK_THAT(text.out, Catch::Contains("slot A at 0x2000, 69632 bytes: active: AOT 1.0.0 (sequence 1) for "
                                       "acme/thermostat-t100 on cortex-m4f"));
  d.CheckSchemas();
}

TEST_CASE("device CLI: a bad state file is refused at the offset of its first wrong field, and usage errors exit 2") {
  DeviceCli d;
  d.Init(d.state, {"--sector-size", "1024", "--flash-size", "8192"});
  const Bytes good = ReadBytes(d.state);
  struct Bad {
    std::string name;
    size_t offset;
    std::function<void(Bytes&)> edit;
    std::string message;
  };
  auto put32 = [](Bytes& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  const size_t manifest_bytes = ReadBytes(d.device).size();
  std::vector<Bad> bads = {
      {"short", 5, [](Bytes& b) { b.resize(5); }, "shorter than the 32-byte header"},
      {"magic", 0, [](Bytes& b) { b[3] = 'X'; }, "not a device state"},
      {"version", 8, [&](Bytes& b) { put32(b, 8, 2); }, "device state version 2"},
      {"sector", 16, [&](Bytes& b) { put32(b, 16, 1000); }, "sector size 1000"},
      {"write unit", 20, [&](Bytes& b) { put32(b, 20, 128); }, "write unit 128"},
      {"flash size", 12, [&](Bytes& b) { put32(b, 12, 1024 * 3); }, "flash size 3072"},
      {"huge flash", 12, [&](Bytes& b) { put32(b, 12, 0xFFFFFC00u); }, "at most 67108864"},
      {"manifest size", 24, [&](Bytes& b) { put32(b, 24, 0x7FFFFFFF); }, "over the 1048576 a manifest may have"},
      {"no keys", 28, [&](Bytes& b) { put32(b, 28, 0); }, "0 public keys"},
      {"cut short", good.size() - 1, [](Bytes& b) { b.pop_back(); }, "cut short"},
      {"trailing", good.size(), [](Bytes& b) { b.push_back(0); }, "more after the flash"},
      {"manifest", 32, [](Bytes& b) { b[32] = '['; }, "the manifest it holds does not parse"},
  };
  const std::string v1 = d.Stream("v1", ThermostatWat(), 1);
  for (const Bad& bad : bads) {
    INFO(bad.name);
    Bytes b = good;
    bad.edit(b);
    WriteBytes(d.state, b);
    for (const char* sub : {"status", "boot", "install"}) {
      std::vector<std::string> args = {"device", sub, d.state};
      if (std::string(sub) == "install") args.push_back(v1);
      RunResult r = RunWasmiot(args);
      CHECK(r.exit_code == 1);
      CHECK_THAT(r.err, Catch::StartsWith(fmt::format("{}:0x{:x}: error: ", d.state, bad.offset)) &&
                            Catch::Contains(bad.message) && Catch::EndsWith("[device-state-invalid]\n"));
      CHECK(ReadBytes(d.state) == b);  // never rewritten
    }
    d.Device({"status", d.state}, 1);
  }
  // Flash with no slot metadata (erased): the file is well-formed, the device blank.
  Bytes blank = good;
  std::fill(blank.end() - 8192, blank.end(), 0xFF);
  WriteBytes(d.state, blank);
  RunResult r = RunWasmiot({"device", "boot", d.state});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("the flash holds no slot metadata: make the state with `wasmiot device init`"));
  CHECK(manifest_bytes > 0);

  // Usage: init never replaces a file (not even a state), bad geometry, --fail-at 0, a missing state, frames = state.
  WriteBytes(d.state, good);
  RunResult again = RunWasmiot({"device", "init", d.state, "-m", d.device, "-p", d.dir.File("k.pub.pem")});
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.err, Catch::Contains("[device-state-exists]"));
  CHECK(ReadBytes(d.state) == good);
  std::string fresh = d.dir.File("fresh.state");
  for (const auto& [flag, value, message] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"--sector-size", "100", "sector size 100"},
           {"--write-size", "16", "the slot storage programs units of at most 8 bytes"},
           {"--flash-size", "5000", "flash size 5000"},
           {"--flash-size", "-1", "not an unsigned integer"}}) {
    RunResult g = RunWasmiot({"device", "init", fresh, "-m", d.device, "-p", d.dir.File("k.pub.pem"), flag, value});
    INFO(flag << " " << value << ": " << g.err);
    CHECK(g.exit_code == 2);
    CHECK_THAT(g.err, Catch::Contains(message));
    CHECK(!fs::exists(fresh));
  }
  RunResult zero = RunWasmiot({"device", "boot", d.state, "--fail-at", "0"});
  CHECK(zero.exit_code == 2);
  CHECK_THAT(zero.err, Catch::Contains("flash operations count from 1"));
  CHECK(d.Device({"boot", d.state, "--fail-at", "0"}, 2)["diagnostics"][0]["code"] == "usage");
  CHECK(d.Device({"init", d.state, "-m", d.device, "-p", d.dir.File("k.pub.pem")}, 2)["diagnostics"][0]["code"] ==
        "device-state-exists");
  RunResult missing = RunWasmiot({"device", "status", d.dir.File("nope.state")});
  CHECK(missing.exit_code == 3);
  RunResult same = RunWasmiot({"device", "install", d.state, d.state});
  CHECK(same.exit_code == 2);
  CHECK_THAT(same.err, Catch::Contains("[output-is-input]"));
  CHECK(RunWasmiot({"device", "frobnicate", d.state}).exit_code == 2);
  d.CheckSchemas();
}

// The issue's proof, through the command line: for an update that runs and
// one whose init traps, from a fresh device and from one whose metadata log is
// one record short of a full sector (so the update switches sectors), cut the
// power at every flash operation of install + boot, then reboot, retry the
// install and boot again. After every command the device runs a verified,
// confirmed module, the counter never drops, the trapping update is never
// active, and the device ends where an uncut update ends.
TEST_CASE("device CLI power-cut: at every flash operation of an install and boot, the next commands recover") {
  DeviceCli d;
  const std::string good = d.Stream("good", ThermostatWat(), 2), bad = d.Stream("bad", TrappingInit(), 2);
  const std::string aging = d.Stream("aging", TrappingInit(), 3);
  uint64_t cut_points = 0;
  for (bool aged : {false, true}) {
    std::string base = d.dir.File(aged ? "aged.state" : "fresh.state");
    d.Init(base, {"--sector-size", "1024"});
    d.Device({"install", base, d.Stream("v1", ThermostatWat(), 1)}, 0);
    d.Device({"boot", base}, 0);
    // 16 records of 64 bytes fill a 1 KiB metadata sector. Installing a
    // trapping update (another than `bad`, which must be installed whole)
    // writes one record (pending), reverting it one, a boot that reverts it
    // two (trial, revert).
    for (int i = 0; aged; ++i) {
      const uint64_t to_go = (15 - d.Device({"status", base}, 0)["status"]["record_sequence"].get<uint64_t>() % 16) % 16;
      if (to_go == 0) break;
      REQUIRE(i < 16);
      d.Device({"install", base, aging}, 0);
      to_go % 2 == 0 ? d.Device({"revert", base}, 0) : d.Device({"boot", base}, 1);
    }
    for (const std::string& update : {good, bad}) {
      const bool runs = update == good;
      fs::copy_file(base, d.state, fs::copy_options::overwrite_existing);
      const uint64_t install_ops = d.Device({"install", d.state, update}, 0)["flash_operations"];
      const uint64_t boot_ops = d.Device({"boot", d.state}, runs ? 0 : 1)["flash_operations"];
      CHECK(install_ops > 10);  // erase, header, 3 table parts, 6 chunks, pending
      CHECK(boot_ops == (aged ? 3 : 2));  // trial, confirm or revert, and the aged log's sector erase
      for (uint64_t cut = 1; cut <= install_ops + boot_ops; ++cut, ++cut_points) {
        INFO(fmt::format("{} device, {} update, cut at operation {} of {} + {}", aged ? "aged" : "fresh",
                         runs ? "good" : "trapping", cut, install_ops, boot_ops));
        CutAndRecover(d, base, update, runs, cut, install_ops);
      }
    }
  }
  std::printf("device CLI power-cut: %llu cut points tried\n", static_cast<unsigned long long>(cut_points));
  CHECK(cut_points >= 54);
  d.CheckSchemas();
}

std::string ChangedThermostat() {
  return Replace(ThermostatWat(), "(func (export \"init\")", "(func (export \"init\") nop");
}

TEST_CASE("device CLI: a compressed first install, then a delta from it, and a delta for another payload refused") {
  DeviceCli d;
  d.Stream("v1", ThermostatWat(), 1);
  d.Stream("v2", ChangedThermostat(), 2);
  d.Stream("v1b", Replace(ThermostatWat(), "(func (export \"init\")", "(func (export \"init\") nop nop"), 1);
  const std::string packed = d.Encoded("v1z", "", "v1"), patch = d.Encoded("patch", "v1", "v2");
  const std::string foreign = d.Encoded("foreign", "v1b", "v2");
  d.Init(d.state);
  // A device that runs nothing takes no delta: refused at the header.
  json fresh = d.Device({"install", d.state, patch}, 1);
  CHECK(fresh["install"]["refusal"] == "unsupported-encoding");
  CHECK(fresh["install"]["pending"] == false);
  json first = d.Device({"install", d.state, packed}, 0);
  CHECK(first["install"]["decoded"] == "ok");
  CHECK(first["install"]["pending"] == true);
  CHECK(d.Device({"boot", d.state}, 0)["boot"]["running_sequence"] == 1);
  // A delta from another payload than the active one: refused before download.
  json wrong = d.Device({"install", d.state, foreign}, 1);
  CHECK(wrong["install"]["refusal"] == "wrong-base");
  CHECK(wrong["install"]["chunks"] == 0);
  RunResult human = RunWasmiot({"device", "install", d.state, foreign});
  CHECK_THAT(human.err, Catch::Contains("[install-refused]") && Catch::Contains("another payload"));
  json second = d.Device({"install", d.state, patch}, 0);
  CHECK(second["install"]["decoded"] == "ok");
  json booted = d.Device({"boot", d.state}, 0);
  CHECK(booted["boot"]["tested"] == true);
  CHECK(booted["boot"]["running_sequence"] == 2);
  json status = d.Device({"status", d.state}, 0);
  CHECK(status["status"]["slots"][1]["header"]["encoding"] == "delta");
  CHECK(status["status"]["slots"][1]["verdict"] == "ok");
  // Slot A keeps v1 until the next install: the active v2 stands on its own digest.
  d.CheckSchemas();
}

// The power-cut proof for delta installs: from a device running v1, a delta
// to a v2 that runs and to one whose init traps, cut at every flash operation
// of install (receive, decode into the slot, pending) and boot.
TEST_CASE("device CLI power-cut: a delta install and boot cut at every flash operation recover") {
  DeviceCli d;
  d.Stream("v1", ThermostatWat(), 1);
  d.Stream("good", ChangedThermostat(), 2);
  d.Stream("bad", TrappingInit(), 2);
  const std::string good = d.Encoded("good-patch", "v1", "good"), bad = d.Encoded("bad-patch", "v1", "bad");
  const std::string base = d.dir.File("base.state");
  d.Init(base, {"--sector-size", "1024"});
  d.Device({"install", base, d.dir.File("v1.stream")}, 0);
  d.Device({"boot", base}, 0);
  uint64_t cut_points = 0;
  for (const std::string& update : {good, bad}) {
    const bool runs = update == good;
    fs::copy_file(base, d.state, fs::copy_options::overwrite_existing);
    json installed = d.Device({"install", d.state, update}, 0);
    CHECK(installed["install"]["decoded"] == "ok");
    const uint64_t install_ops = installed["flash_operations"];
    const uint64_t boot_ops = d.Device({"boot", d.state}, runs ? 0 : 1)["flash_operations"];
    CHECK(install_ops > 6);  // erase, header, table, chunks, the decoded range's erase and blocks, pending
    for (uint64_t cut = 1; cut <= install_ops + boot_ops; ++cut, ++cut_points) {
      INFO(fmt::format("{} update, cut at operation {} of {} + {}", runs ? "good" : "trapping", cut, install_ops,
                       boot_ops));
      // A retried delta still applies: the active slot (its base) is never written.
      CutAndRecover(d, base, update, runs, cut, install_ops);
    }
  }
  std::printf("device CLI delta power-cut: %llu cut points tried\n", static_cast<unsigned long long>(cut_points));
  CHECK(cut_points >= 20);
  d.CheckSchemas();
}
