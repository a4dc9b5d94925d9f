// A scenario run on one engine, a call at a time: what the device did, and
// whether it met the scenario's expectations.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/manifest.h"
#include "module/module_info.h"
#include "runtime/engine.h"
#include "scenario/host_buffers.h"
#include "scenario/scenario.h"
#include "support/diagnostics.h"
#include "support/result.h"

namespace wasmiot {

// One call the device made, and what it did.
struct ScenarioEvent {
  uint64_t time_ms = 0;
  std::string export_name;
  std::vector<Value> args;
  CallOutcome outcome;
  size_t first_host_call = 0, host_call_count = 0;  // into ScenarioReport::host_calls
  std::map<size_t, Bytes> memory_read;  // for Scenario::results[i].memory: what the call left there
};

struct ScenarioReport {
  std::vector<ScenarioEvent> events;
  std::vector<HostCall> host_calls;  // point into the manifest: keep it alive as long
  bool passed = false;
  std::string divergence;  // the first difference from the expectations, readable; "" if passed
};

// Checks the scenario against the module and device (exports, argument counts
// and values, sensor channels, streams, host functions, the names its
// expectations use), instantiates it with `instantiate`, makes the calls in
// time order, and holds the outcome to the expectations. An error means it
// could not run.
using Instantiator = std::function<Result<Instantiation>(SimulatedHost& host, const RunLimits& limits)>;

// A scenario run one call at a time, so several can share one clock (a
// gateway's tenants). Start() checks and instantiates as RunScenario does.
class ScenarioSession {
 public:
  static Result<std::unique_ptr<ScenarioSession>> Start(const Scenario& scenario, const Manifest& manifest,
                                                        const ModuleInfo& module, const Instantiator& instantiate,
                                                        Diagnostics& diagnostics);
  ~ScenarioSession();
  bool done() const { return next_ >= plan_.size(); }
  uint64_t next_time_ms() const { return plan_[next_].time; }  // when !done()
  const ScenarioEvent& Step();                                   // makes the next call
  void Stop() { next_ = plan_.size(); }                          // no more calls
  uint64_t memory_bytes() const;
  const RunLimits& limits() const { return limits_; }
  const std::vector<ScenarioEvent>& events() const { return events_; }
  ScenarioReport Finish();  // holds what happened to the expectations

 private:
  struct Planned {
    uint64_t time;
    const ScenarioCall* call;
    std::vector<Value> args;  // the call's arguments as the export's parameter types
    std::vector<BufferArgument> buffers;  // placed when the call is made
  };
  explicit ScenarioSession(const Scenario& scenario);
  const Scenario& scenario_;
  std::unique_ptr<SimulatedHost> host_;
  std::unique_ptr<Instance> instance_;
  RunLimits limits_;
  std::optional<HostBuffers> host_buffers_;  // the manifest's
  std::vector<Planned> plan_;
  size_t next_ = 0;
  std::vector<ScenarioEvent> events_;
};

Result<ScenarioReport> RunScenario(const Scenario& scenario, const Manifest& manifest, const ModuleInfo& module,
                                   const Instantiator& instantiate, Diagnostics& diagnostics);

// The first place two engines' reports of the same scenario differ (calls,
// results, traps, fuel, host calls and their arguments), readably; "" if none.
std::string FirstEngineDifference(const ScenarioReport& a, std::string_view a_name, const ScenarioReport& b,
                                  std::string_view b_name);

// "[   100 ms] control_loop() =>" (results or trap after the arrow) and the
// host calls it made under it, one per line.
std::string FormatScenarioTrace(const ScenarioReport& report);

}  // namespace wasmiot
