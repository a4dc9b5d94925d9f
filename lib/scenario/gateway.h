// A multi-tenant gateway (format v1, docs/gateway.md, schemas/gateway.schema.json):
// several modules, each with its own device manifest, budgets and call
// interval (each tenant is a scenario), on one simulated clock. A tenant that
// traps (its fuel ran out, its memory, a bad host call...) is stopped and
// reported; the others keep their schedule.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenario/session.h"

namespace wasmiot {

inline constexpr int kGatewayFormatVersion = 1;

struct GatewayTenant {
  std::string name;
  std::string scenario;                       // resolved against the gateway file's folder
  std::optional<std::string> expect_stopped;  // the trap kind that must stop it; none: it must run to the end
  TextPosition position;
};

struct Gateway {
  std::string path;
  std::string name;
  std::vector<GatewayTenant> tenants;
};

// Every problem is a diagnostic (gateway-invalid) with line:column.
Result<Gateway> ParseGateway(std::string text, const std::string& path, Diagnostics& diagnostics);
Result<Gateway> LoadGateway(const std::string& path, Diagnostics& diagnostics);

// A tenant ready to run: its scenario, device and module (kept alive by the caller).
struct TenantSetup {
  std::string name;
  const Scenario* scenario = nullptr;
  const Manifest* manifest = nullptr;
  const ModuleInfo* module = nullptr;
  Instantiator instantiate;
  std::optional<std::string> expect_stopped;
};

struct TenantReport {
  std::string name;
  ScenarioReport report;  // its scenario's expectations, over the calls it made
  uint64_t calls = 0;
  uint64_t fuel_used = 0;
  uint64_t traps = 0;
  uint64_t peak_memory_bytes = 0;
  std::optional<uint64_t> stopped_at_ms;
  std::string stopped_by;  // the trap kind
};

struct GatewayReport {
  std::vector<TenantReport> tenants;
  std::vector<std::pair<size_t, size_t>> order;  // (tenant, event) as they ran on the clock
  bool passed = false;
  std::string divergence;  // the first tenant's failure, or a stop that was (not) expected
};

// Starts every tenant (an error if one cannot start), then runs the earliest
// call of any tenant until none is left (ties: in tenant order).
Result<GatewayReport> RunGateway(const std::vector<TenantSetup>& tenants, Diagnostics& diagnostics);

// The calls of all tenants in clock order, with their host calls, then one
// summary line per tenant (calls, fuel, traps, peak memory, state).
std::string FormatGatewayTrace(const GatewayReport& report);

}  // namespace wasmiot
