// The simulated device's boot: a test boot of the pending slot on the
// reference runtime, confirmed or reverted, and — with a power cut at every
// flash operation of an install, boot and confirm, or of a failed boot's
// revert — always a verified, confirmed module to run, the counter never
// lower, and the same end once the device finishes.
#include <catch2/catch.hpp>

#include "devsim/device_boot.h"
#include "devsim/device_install.h"
#include "device_lab.h"

namespace wasmiot {
namespace {

using test::Thermostat;

std::string ThermostatWat() { return test::ReadText(test::DataDir() + "/modules/thermostat.wat"); }

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

struct Lab : test::DeviceLab {
  InstallOutcome Install(const std::string& wat, uint64_t sequence, std::optional<uint64_t> fail_at = std::nullopt) {
    Result<InstallOutcome> r = InstallFrames(state, Thermostat(), Frames(test::WatToWasm(wat), sequence), fail_at);
    REQUIRE(r.ok());
    return *r;
  }
  BootOutcome Boot(std::optional<uint64_t> fail_at = std::nullopt) {
    BootOptions options;
    options.fail_at = fail_at;
    Result<BootOutcome> r = BootDevice(state, Thermostat(), options);
    REQUIRE(r.ok());
    return *r;
  }
  uint64_t Counter() { return Slots().counter; }
};

TEST_CASE("device boot: a module that runs is confirmed, one that traps, runs out of fuel or misses an export is reverted") {
  Lab lab;
  CHECK(lab.Boot().running == WASMIOT_SLOT_NONE);  // nothing installed yet
  REQUIRE(lab.Install(ThermostatWat(), 7).pending);
  BootOutcome first = lab.Boot();
  CHECK(first.tried);
  CHECK(first.confirmed);
  CHECK(first.why == "");
  CHECK(first.running == 0);
  CHECK(first.running_sequence == 7);
  CHECK(lab.Counter() == 7);
  struct Bad {
    std::string wat, why;
  };
  for (const Bad& bad : {Bad{Replace(ThermostatWat(), "(func (export \"init\")", "(func (export \"init\") unreachable"),
                             "init trapped: unreachable"},
                         Bad{Replace(ThermostatWat(), "(local $t f32)", "(local $t f32) (loop (br 0))"),
                             "control_loop trapped: fuel-exhausted"},
                         Bad{Replace(ThermostatWat(), "(func (export \"control_loop\")", "(func"),
                             "check: control_loop: "}}) {
    INFO(bad.why);
    REQUIRE(lab.Install(bad.wat, lab.Counter() + 1).pending);
    BootOutcome b = lab.Boot();
    CHECK(b.tried);
    CHECK(b.reverted);
    CHECK_THAT(b.why, Catch::StartsWith(bad.why));
    CHECK(b.running == 0);
    CHECK(b.running_sequence == 7);
    CHECK(lab.Counter() == 7);  // a failed update does not move the counter
  }
  // The next good update goes to slot 1 and takes over.
  REQUIRE(lab.Install(ThermostatWat(), 9).pending);
  BootOutcome next = lab.Boot();
  CHECK(next.confirmed);
  CHECK(next.running == 1);
  CHECK(lab.Counter() == 9);
}

// An update of `wat` on a device running sequence 7, cut at flash operation
// `cut` of install-then-boot (none: uncut), then restarted and finished: the
// device boots and, if the update is not in, installs and boots again.
// Checks the invariants after the cut; returns the sequence the device runs.
uint64_t UpdateWithCut(const std::string& wat, std::optional<uint64_t> cut, uint64_t* operations) {
  Lab lab;
  REQUIRE(lab.Install(ThermostatWat(), 7).pending);
  REQUIRE(lab.Boot().confirmed);
  InstallOutcome install = lab.Install(wat, 8, cut);
  std::optional<uint64_t> boot_cut;
  if (cut && !install.flash.power_cut) boot_cut = *cut - install.flash.operations;
  BootOutcome boot = install.flash.power_cut ? BootOutcome{} : lab.Boot(boot_cut);
  if (!cut) {
    *operations = install.flash.operations + boot.flash.operations;
    return boot.running_sequence;
  }
  REQUIRE((install.flash.power_cut || boot.flash.power_cut));
  CHECK(install.flash.misuse.empty());  // only erased units programmed, even mid-cut
  CHECK(boot.flash.misuse.empty());
  // Restart: the device boots a verified, confirmed module, never older.
  BootOutcome restart = lab.Boot();
  CHECK(restart.flash.misuse.empty());
  CHECK(restart.running != WASMIOT_SLOT_NONE);
  CHECK(restart.running_sequence >= 7);
  CHECK(lab.Counter() >= 7);
  CHECK(lab.Counter() == restart.running_sequence);
  if (restart.running_sequence == 7 && !restart.reverted) {  // the update is not in: the server sends it again
    InstallOutcome again = lab.Install(wat, 8);
    if (again.pending) return lab.Boot().running_sequence;
  }
  return restart.running_sequence;
}

TEST_CASE("device power-cut: at every flash operation of an install, boot and confirm, and of a failed boot's revert") {
  struct Update {
    std::string name, wat;
    uint64_t runs;  // the sequence the device ends up running
  };
  for (const Update& u : {Update{"good", ThermostatWat(), 8},
                          Update{"trapping init", Replace(ThermostatWat(), "(func (export \"init\")",
                                                          "(func (export \"init\") unreachable"), 7}}) {
    INFO(u.name);
    uint64_t operations = 0;
    REQUIRE(UpdateWithCut(u.wat, std::nullopt, &operations) == u.runs);
    for (uint64_t cut = 1; cut <= operations; ++cut) {
      INFO("cut at flash operation " << cut << " of " << operations);
      uint64_t ignored = 0;
      CHECK(UpdateWithCut(u.wat, cut, &ignored) == u.runs);
    }
    std::printf("device power-cut (%s update): %llu cut points tried\n", u.name.c_str(),
                static_cast<unsigned long long>(operations));
  }
}

}  // namespace
}  // namespace wasmiot
