// fuzz_gateway: gateway text (docs/gateway.md) through ParseGateway, as
// LoadGateway does after reading the file; every diagnostic formatted as the
// tool prints it. Tenants' scenario paths are resolved against a scratch
// folder, never read (RunGatewayFile reads them, through LoadScenario, which
// fuzz_scenario covers).
#include <cstddef>
#include <cstdint>
#include <string>

#include "scenario/gateway.h"

#include "fuzz_support.h"

using namespace wasmiot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxScenarioBytes) return -1;  // LoadGateway's cap
  static const std::string path = fuzz::ScratchDir() + "/fuzz.gateway.json";
  Diagnostics diagnostics;
  Result<Gateway> gateway = ParseGateway(std::string(reinterpret_cast<const char*>(data), size), path, diagnostics);
  for (const Diagnostic& d : diagnostics.list()) (void)FormatDiagnostic(d);
  if (gateway) {
    for (const GatewayTenant& t : gateway->tenants) {
      if (t.expect_stopped && !IsTrapKindName(*t.expect_stopped)) __builtin_trap();  // the parser checks this
    }
  }
  return 0;
}
