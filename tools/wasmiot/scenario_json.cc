#include "scenario_json.h"

#include "runtime/value.h"

namespace wasmiot::tool {

nlohmann::json ScenarioReportJson(const ScenarioRun& run) {
  nlohmann::json j = {{"scenario", run.scenario ? run.scenario->path : ""},
                      {"name", run.scenario ? run.scenario->name : ""},
                      {"passed", run.report && run.report->passed}};
  if (!run.report) return j;
  j["divergence"] = run.report->divergence;
  nlohmann::json events = nlohmann::json::array();
  for (const ScenarioEvent& ev : run.report->events) {
    nlohmann::json e = {{"time_ms", ev.time_ms}, {"export", ev.export_name}, {"args", FormatValues(ev.args)},
                        {"results", FormatValues(ev.outcome.results)}, {"host_calls", ev.host_call_count}};
    e["trap"] = ev.outcome.trap ? nlohmann::json{{"kind", TrapKindName(ev.outcome.trap->kind)},
                                                 {"message", ev.outcome.trap->message}}
                                : nlohmann::json(nullptr);
    if (ev.outcome.fuel_used) e["fuel_used"] = *ev.outcome.fuel_used;
    events.push_back(std::move(e));
  }
  j["events"] = events;
  j["host_calls"] = run.report->host_calls.size();
  return j;
}

nlohmann::json GatewayReportJson(const GatewayRun& run) {
  nlohmann::json j = {{"gateway", run.gateway ? run.gateway->path : ""},
                      {"name", run.gateway ? run.gateway->name : ""},
                      {"passed", run.report && run.report->passed}};
  if (!run.report) return j;
  j["divergence"] = run.report->divergence;
  nlohmann::json tenants = nlohmann::json::array();
  for (const TenantReport& t : run.report->tenants) {
    tenants.push_back({{"name", t.name},
                       {"calls", t.calls},
                       {"fuel_used", t.fuel_used},
                       {"traps", t.traps},
                       {"peak_memory_bytes", t.peak_memory_bytes},
                       {"stopped_at_ms", t.stopped_at_ms ? nlohmann::json(*t.stopped_at_ms) : nlohmann::json(nullptr)},
                       {"stopped_by", t.stopped_at_ms ? nlohmann::json(t.stopped_by) : nlohmann::json(nullptr)},
                       {"passed", t.report.passed},
                       {"host_calls", t.report.host_calls.size()}});
  }
  j["tenants"] = tenants;
  return j;
}

}  // namespace wasmiot::tool
