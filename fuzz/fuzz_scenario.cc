// fuzz_scenario: scenario text (docs/scenarios.md) through ParseScenario, as
// LoadScenario does after reading the file. The input is the scenario, then
// optionally a NUL byte and the contents of a sensor series file: those bytes
// are written beside the scenario as series.csv and series.json, so that
// {"file": "series.csv"} and {"file": "series.json"} in a sensor read them.
// A scenario that parses meets the thermostat device and module as `wasmiot
// run --scenario` would have it (ScenarioSession::Start checks exports,
// arguments, sensors, streams and expectations, then instantiates on the
// interpreter), makes up to 64 of its calls, and is held to its expectations.
// Simulated host latencies and the wall-clock budget are dropped first: they
// are real time, which no fuzzer can afford.
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "scenario/scenario.h"
#include "scenario/session.h"
#include "support/file_io.h"

#include "fuzz_support.h"

using namespace wasmiot;

namespace {

constexpr size_t kMaxSteps = 64;
// Above this many planned calls only the parse is fuzzed: building a plan of
// up to kMaxScenarioEvents calls is correct but slow, and tells nothing new.
constexpr uint64_t kMaxPlannedCalls = 20000;

uint64_t PlannedCalls(const Scenario& s) {
  uint64_t n = 0;
  for (const ScenarioCall& c : s.calls) {
    uint64_t until = c.until_ms.value_or(s.duration_ms);
    n += c.every_ms == 0 ? 1 : (until > c.at_ms ? (until - c.at_ms) / c.every_ms + 1 : 1);
  }
  return n;
}

void WriteSeriesFiles(const std::string& dir, const uint8_t* data, size_t size, bool present) {
  static bool written = false;
  for (const char* name : {"/series.csv", "/series.json"}) {
    std::string path = dir + name;
    if (!present) {
      if (written) unlink(path.c_str());
      continue;
    }
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || (size && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
      fuzz::Fail("fuzz_scenario", std::string("writing a series file: ") + std::strerror(errno));
    }
  }
  written = present;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fuzz::ThermostatModuleInfo();
  (void)fuzz::ScratchDir();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxScenarioBytes) return -1;  // LoadScenario's cap
  const std::string dir = fuzz::ScratchDir();
  const uint8_t* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
  size_t text_size = nul ? static_cast<size_t>(nul - data) : size;
  WriteSeriesFiles(dir, nul ? nul + 1 : nullptr, nul ? size - text_size - 1 : 0, nul != nullptr);

  Diagnostics diagnostics;
  const std::string path = dir + "/fuzz.scenario.json";
  Result<Scenario> parsed =
      ParseScenario(std::string(reinterpret_cast<const char*>(data), text_size), path, diagnostics);
  for (const Diagnostic& d : diagnostics.list()) (void)FormatDiagnostic(d);
  if (!parsed) return 0;

  Scenario& s = *parsed;
  for (const ScenarioCall& c : s.calls) {
    for (const ScenarioArg& a : c.args) {
      for (ValueType t : {ValueType::kI32, ValueType::kI64, ValueType::kF32, ValueType::kF64}) (void)ArgumentValue(a, t);
    }
  }
  for (const ExpectedHostCall& h : s.host_calls) {
    for (const ExpectedField& f : h.fields) (void)FieldSize(f.type);
  }
  if (PlannedCalls(s) > kMaxPlannedCalls) return 0;

  s.host_latency_ms.clear();
  s.wall_ms_per_call.reset();
  const Manifest& manifest = fuzz::ThermostatManifest();
  Instantiator instantiate = [&](SimulatedHost& host, const RunLimits& limits) {
    RunLimits l = limits;
    l.wall_ms_per_call = 0;  // the manifest's own, real time too
    return InstantiateInterp(fuzz::ThermostatModule(), &manifest, &host, l);
  };
  Diagnostics run_diagnostics;
  Result<std::unique_ptr<ScenarioSession>> session =
      ScenarioSession::Start(s, manifest, fuzz::ThermostatModuleInfo(), instantiate, run_diagnostics);
  for (const Diagnostic& d : run_diagnostics.list()) (void)FormatDiagnostic(d);
  if (!session) return 0;
  for (size_t i = 0; i < kMaxSteps && !(*session)->done(); ++i) (*session)->Step();
  (*session)->Stop();
  ScenarioReport report = (*session)->Finish();
  (void)FormatScenarioTrace(report);
  std::string self = FirstEngineDifference(report, "interp", report, "interp");
  if (!self.empty()) {
    fuzz::Fail("fuzz_scenario", "a report differs from itself: " + self);
  }
  return 0;
}
