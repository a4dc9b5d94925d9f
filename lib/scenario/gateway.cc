#include "scenario/gateway.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "json/json_walker.h"
#include "support/file_io.h"

namespace wasmiot {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kGatewayCode = "gateway-invalid";

class GatewayParser : public JsonWalker {
 public:
  GatewayParser(const LocatedJson& doc, const std::string& path, Diagnostics& diagnostics)
      : JsonWalker(doc, path, kGatewayCode, diagnostics) {}

  bool Parse(Gateway& g) {
    const json& root = doc_.root();
    if (!Object(root, "", {"$schema", "gateway_version", "name", "tenants"}, {"gateway_version", "tenants"})) return false;
    if (const json* v = Field(root, "gateway_version")) {
      if (!(v->is_number_unsigned() && v->get<uint64_t>() == kGatewayFormatVersion)) {
        ValueError("/gateway_version", fmt::format("unsupported gateway_version {}: this wasmiot reads version {}",
                                                   v->dump(), kGatewayFormatVersion));
      }
    }
    if (root.contains("$schema")) String(root, "", "$schema", nullptr, 1024);
    g.name = String(root, "", "name", nullptr, 200).value_or(fs::path(path_).filename().string());
    const json& tenants = root["tenants"];
    if (!Expect(tenants.is_array() && !tenants.empty() && tenants.size() <= 64, tenants, "/tenants",
                "an array of 1 to 64 tenants")) {
      return false;
    }
    for (size_t i = 0; i < tenants.size(); ++i) {
      std::string tp = JsonPointerChild("/tenants", i);
      const json& t = tenants[i];
      if (!Object(t, tp, {"name", "scenario", "expect_stopped"}, {"name", "scenario"})) continue;
      GatewayTenant tenant;
      tenant.position = PositionOf(doc_.text(), doc_.ValueOffset(tp));
      tenant.name = String(t, tp, "name", nullptr, 64).value_or("");
      for (const GatewayTenant& other : g.tenants) {
        if (other.name == tenant.name) ValueError(JsonPointerChild(tp, "name"), fmt::format("a second tenant \"{}\"", tenant.name));
      }
      std::string scenario = String(t, tp, "scenario", nullptr, 4096).value_or("");
      tenant.scenario = PathBesideFile(path_, scenario);
      if (auto k = String(t, tp, "expect_stopped", nullptr, 64)) {
        if (!IsTrapKindName(*k)) ValueError(JsonPointerChild(tp, "expect_stopped"), fmt::format("unknown trap kind \"{}\"", *k));
        tenant.expect_stopped = *k;
      }
      g.tenants.push_back(std::move(tenant));
    }
    return ok();
  }
};

std::string Kib(uint64_t bytes) { return fmt::format("{} KiB", bytes / 1024); }

}  // namespace

Result<Gateway> ParseGateway(std::string text, const std::string& path, Diagnostics& diagnostics) {
  Result<LocatedJson> doc = ParseLocatedJson(text);
  if (!doc) {
    Diagnostic& d = diagnostics.AddError(std::string(kGatewayCode), path, doc.error().message);
    d.position = PositionOf(text, doc.error().offset.value_or(0));
    return Error{ErrorKind::kInvalidInput, "invalid gateway"};
  }
  Gateway g;
  g.path = path;
  if (!GatewayParser(*doc, path, diagnostics).Parse(g)) return Error{ErrorKind::kInvalidInput, "invalid gateway"};
  return g;
}

Result<Gateway> LoadGateway(const std::string& path, Diagnostics& diagnostics) {
  Result<Bytes> bytes = ReadInput(path, kMaxScenarioBytes, std::string(kGatewayCode), diagnostics);
  if (!bytes) return bytes.error();
  return ParseGateway(std::string(bytes->begin(), bytes->end()), path, diagnostics);
}

Result<GatewayReport> RunGateway(const std::vector<TenantSetup>& setups, Diagnostics& diagnostics) {
  std::vector<std::unique_ptr<ScenarioSession>> sessions;
  GatewayReport report;
  for (const TenantSetup& t : setups) {
    Result<std::unique_ptr<ScenarioSession>> s =
        ScenarioSession::Start(*t.scenario, *t.manifest, *t.module, t.instantiate, diagnostics);
    if (!s) return s.error();
    sessions.push_back(std::move(s).value());
    TenantReport r;
    r.name = t.name;
    r.peak_memory_bytes = sessions.back()->memory_bytes();
    if (!sessions.back()->events().empty()) {  // its start function trapped: stopped before any call
      r.traps = 1;
      r.stopped_at_ms = 0;
      r.stopped_by = TrapKindName(sessions.back()->events().front().outcome.trap->kind);
      report.order.push_back({report.tenants.size(), 0});
    }
    report.tenants.push_back(std::move(r));
  }
  // One clock: always the earliest pending call (ties in tenant order).
  while (true) {
    size_t next = sessions.size();
    for (size_t i = 0; i < sessions.size(); ++i) {
      if (sessions[i]->done()) continue;
      if (next == sessions.size() || sessions[i]->next_time_ms() < sessions[next]->next_time_ms()) next = i;
    }
    if (next == sessions.size()) break;
    ScenarioSession& session = *sessions[next];
    TenantReport& r = report.tenants[next];
    const ScenarioEvent& ev = session.Step();
    report.order.push_back({next, session.events().size() - 1});
    ++r.calls;
    r.fuel_used += ev.outcome.fuel_used.value_or(0);
    r.peak_memory_bytes = std::max(r.peak_memory_bytes, session.memory_bytes());
    if (ev.outcome.trap) {  // the gateway's policy: a tenant that traps is stopped
      ++r.traps;
      r.stopped_at_ms = ev.time_ms;
      r.stopped_by = TrapKindName(ev.outcome.trap->kind);
      session.Stop();
    }
  }
  report.passed = true;
  for (size_t i = 0; i < sessions.size(); ++i) {
    TenantReport& r = report.tenants[i];
    r.report = sessions[i]->Finish();
    const std::optional<std::string>& expected = setups[i].expect_stopped;
    std::string problem;
    if (!r.report.passed) {
      problem = r.report.divergence;
    } else if (expected && !r.stopped_at_ms) {
      problem = fmt::format("expected it to be stopped by a {} trap, but it ran to the end\n", *expected);
    } else if (expected && r.stopped_by != *expected) {
      problem = fmt::format("expected it to be stopped by a {} trap, but a {} trap stopped it at {} ms\n", *expected,
                            r.stopped_by, *r.stopped_at_ms);
    } else if (!expected && r.stopped_at_ms) {
      problem = fmt::format("it was stopped at {} ms by a {} trap\n", *r.stopped_at_ms, r.stopped_by);
    }
    if (!problem.empty() && report.passed) {
      report.passed = false;
      report.divergence = fmt::format("tenant {}: {}", r.name, problem);
    }
  }
  return report;
}

std::string FormatGatewayTrace(const GatewayReport& report) {
  std::string out;
  size_t width = 0;
  for (const TenantReport& t : report.tenants) width = std::max(width, t.name.size());
  for (const auto& [tenant, index] : report.order) {
    const TenantReport& t = report.tenants[tenant];
    const ScenarioEvent& ev = t.report.events[index];
    std::string after = ev.outcome.trap ? fmt::format(" trap {}: {}", TrapKindName(ev.outcome.trap->kind),
                                                      ev.outcome.trap->message)
                                        : (ev.outcome.results.empty() ? "" : " " + FormatValues(ev.outcome.results));
    out += fmt::format("[{:>7} ms] {:<{}}  {}({}) =>{}\n", ev.time_ms, t.name, width, ev.export_name,
                       FormatValues(ev.args), after);
    constexpr size_t kShown = 12;  // a tenant spinning on a host call makes thousands
    for (size_t h = 0; h < ev.host_call_count && h < kShown; ++h) {
      out += fmt::format("{:>14}{:<{}}    {}\n", "", "", width, FormatHostCall(t.report.host_calls[ev.first_host_call + h]));
    }
    if (ev.host_call_count > kShown) {
      out += fmt::format("{:>14}{:<{}}    ... and {} more\n", "", "", width, Plural(ev.host_call_count - kShown, "host call"));
    }
    if (ev.outcome.trap) out += fmt::format("{:>14}{:<{}}    stopped\n", "", "", width);
  }
  for (const TenantReport& t : report.tenants) {
    std::string state = t.stopped_at_ms ? fmt::format("stopped at {} ms by {}", *t.stopped_at_ms, t.stopped_by)
                                        : std::string("running");
    out += fmt::format("tenant {:<{}}  {}, {} fuel, {}, peak memory {}, {}\n", t.name, width, Plural(t.calls, "call"),
                       t.fuel_used, Plural(t.traps, "trap"), Kib(t.peak_memory_bytes), state);
  }
  return out;
}

}  // namespace wasmiot
