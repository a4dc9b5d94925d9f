// `wasmiot run --gateway`: tenants on one clock, the misbehaving ones stopped
// (a trap, fuel, memory) while the others keep their schedule, per-tenant
// counters, and bad gateway files.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "scenario/gateway.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace {

constexpr const char* kDevice = R"({
  "manifest_version": 1, "device": { "vendor": "acme", "class": "hub", "api_version": "1.0.0" },
  "imports": { "env": { "tick": { "params": [{ "name": "n", "type": "i32" }], "sim": { "kind": "actuator" } } } },
  "exports": {},
  "budgets": { "memory": { "initial_pages": 1, "max_pages": 4 }, "table": { "max_elements": 0 },
               "stack_bytes": 1024, "heap_bytes": 0, "fuel_per_call": 5000, "wall_ms_per_call": 10,
               "max_module_bytes": 65536 },
  "features": [], "aot_targets": ["host"] })";

struct Hub {
  Hub() {
    WriteText(dir.File("hub.device.json"), kDevice);
    Tenant("steady", R"((module (import "env" "tick" (func $t (param i32))) (memory 1)
      (global $n (mut i32) (i32.const 0))
      (func (export "update") (global.set $n (i32.add (global.get $n) (i32.const 1))) (call $t (global.get $n)))))",
           R"("calls": [{ "export": "update", "every_ms": 100 }],
              "expect": { "host_calls": [{ "function": "env.tick", "args": [10], "at_ms": 900 }] })");
    Tenant("crasher", R"((module (memory 1) (global $n (mut i32) (i32.const 0))
      (func (export "update")
        (global.set $n (i32.add (global.get $n) (i32.const 1)))
        (if (i32.eq (global.get $n) (i32.const 3)) (then unreachable)))))",
           R"("calls": [{ "export": "update", "every_ms": 250 }],
              "expect": { "traps": [{ "export": "update", "at_ms": 500, "kind": "unreachable" }] })");
    Tenant("bomb", R"((module (memory 1)
      (func (export "update") (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable)))))",
           R"("calls": [{ "export": "update", "every_ms": 100 }],
              "expect": { "traps": [{ "export": "update", "kind": "unreachable" }] })");
    Tenant("spinner", R"((module (memory 1) (func (export "update") (loop (br 0)))))",
           R"("calls": [{ "export": "update", "at_ms": 300 }],
              "expect": { "traps": [{ "export": "update", "kind": "fuel-exhausted" }] })");
  }
  void Tenant(const std::string& name, const std::string& wat, const std::string& body) {
    WriteBytes(dir.File(name + ".wasm"), WatToWasm(wat));
    WriteText(dir.File(name + ".tenant.json"),
              R"({ "scenario_version": 1, "module": ")" + name + R"(.wasm", "manifest": "hub.device.json",
                   "duration_ms": 1000, )" + body + "}");
  }
  std::string Gateway(const std::string& tenants) {
    std::string path = dir.File("hub.gateway.json");
    WriteText(path, R"({ "gateway_version": 1, "name": "hub", "tenants": [)" + tenants + "] }");
    return path;
  }
  TempDir dir;
};

constexpr const char* kFour = R"(
  { "name": "steady", "scenario": "steady.tenant.json" },
  { "name": "crasher", "scenario": "crasher.tenant.json", "expect_stopped": "unreachable" },
  { "name": "bomb", "scenario": "bomb.tenant.json", "expect_stopped": "unreachable" },
  { "name": "spinner", "scenario": "spinner.tenant.json", "expect_stopped": "fuel-exhausted" })";

}  // namespace

TEST_CASE("gateway: misbehaving tenants are stopped, the others keep their schedule") {
  const std::string engine = GENERATE(as<std::string>{}, "interp", "both");
  Hub hub;
  std::string gateway = hub.Gateway(kFour);
  RunResult r = RunWasmiot({"run", "--gateway", gateway, "--engine", engine, "--json"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(MatchesSchema("run-output.schema.json", r.out, hub.dir));
  nlohmann::json j = nlohmann::json::parse(r.out);
  const nlohmann::json& t = j["gateway"]["tenants"];
  REQUIRE(t.size() == 4);
  // steady: all ten calls (0..900 ms) though its neighbours trapped around it.
  CHECK(t[0]["calls"] == 10);
  CHECK(t[0]["stopped_at_ms"].is_null());
  CHECK(t[0]["host_calls"] == 10);
  // crasher: its third call traps, and it is called no more.
  CHECK(t[1]["calls"] == 3);
  CHECK(t[1]["stopped_at_ms"] == 500);
  CHECK(t[1]["stopped_by"] == "unreachable");
  // bomb: grows a page per call up to the 4-page budget, then its grow fails.
  CHECK(t[2]["calls"] == 4);
  CHECK(t[2]["peak_memory_bytes"] == 4 * 65536);
  CHECK(t[2]["stopped_at_ms"] == 300);
  // spinner: its only call runs out of the device's 5000 instructions.
  CHECK(t[3]["fuel_used"] == 5000);
  CHECK(t[3]["traps"] == 1);
  CHECK(t[3]["stopped_by"] == "fuel-exhausted");

  // The readable trace: every tenant, in clock order, and a summary line each.
  RunResult text = RunWasmiot({"run", "--gateway", gateway, "--engine", engine});
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("[    500 ms] crasher  update() => trap unreachable") &&
                           Catch::Contains("tenant bomb     4 calls, ") &&
                           Catch::Contains("peak memory 256 KiB, stopped at 300 ms by unreachable") &&
                           Catch::EndsWith("PASS hub: 4 tenants\n"));
  CHECK(text.out.find("[    300 ms] bomb") < text.out.find("[    300 ms] spinner"));  // ties: tenant order
}

TEST_CASE("gateway: a stop that was not expected, or did not happen, fails it") {
  Hub hub;
  RunResult unexpected = RunWasmiot({"run", "--gateway", hub.Gateway(R"(
    { "name": "steady", "scenario": "steady.tenant.json" },
    { "name": "crasher", "scenario": "crasher.tenant.json" })")});
  CHECK(unexpected.exit_code == 1);
  CHECK_THAT(unexpected.out, Catch::Contains("FAIL hub: 2 tenants\ntenant crasher: it was stopped at 500 ms by a "
                                             "unreachable trap"));
  CHECK_THAT(RunWasmiot({"run", "--gateway", hub.dir.File("hub.gateway.json"), "--json"}).out,
             Catch::Contains("\"code\": \"gateway-failed\""));
  RunResult missing = RunWasmiot({"run", "--gateway", hub.Gateway(R"(
    { "name": "steady", "scenario": "steady.tenant.json", "expect_stopped": "fuel-exhausted" })")});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.out, Catch::Contains("expected it to be stopped by a fuel-exhausted trap, but it ran to the end"));
  RunResult other = RunWasmiot({"run", "--gateway", hub.Gateway(R"(
    { "name": "spinner", "scenario": "spinner.tenant.json", "expect_stopped": "unreachable" })")});
  CHECK_THAT(other.out, Catch::Contains("but a fuel-exhausted trap stopped it at 300 ms"));
}

TEST_CASE("gateway: bad gateway files") {
  Hub hub;
  std::string path = hub.dir.File("bad.gateway.json");
  const std::pair<std::string, std::string> bad[] = {
      {R"({ "gateway_version": 1, "tenants": [{ "name": "a", "scenario": "steady.tenant.json", "extra": 1 }] })",
       "bad.gateway.json:1:86: error: tenants/0/extra: unknown field \"extra\""},
      {R"({ "gateway_version": 2, "tenants": [] })", "unsupported gateway_version 2"},
      {R"({ "gateway_version": 1, "tenants": [] })", "expected an array of 1 to 64 tenants"},
      {R"({ "gateway_version": 1, "tenants": [{ "name": "a", "scenario": "steady.tenant.json" },
          { "name": "a", "scenario": "steady.tenant.json" }] })", "a second tenant \"a\""},
      {R"({ "gateway_version": 1, "tenants": [{ "name": "a", "scenario": "s.json", "expect_stopped": "boom" }] })",
       "unknown trap kind \"boom\""},
      {R"({ "gateway_version": 1, "tenants": [)", "bad.gateway.json:1:"},
  };
  for (const auto& [text, message] : bad) {
    INFO(text);
    WriteText(path, text);
    RunResult r = RunWasmiot({"run", "--gateway", path});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(message) && Catch::Contains("[gateway-invalid]"));
  }
  WriteText(path, R"({ "gateway_version": 1, "tenants": [{ "name": "a", "scenario": "nowhere.tenant.json" }] })");
  CHECK(RunWasmiot({"run", "--gateway", path}).exit_code == 3);
  CHECK(RunWasmiot({"run", "--gateway", hub.dir.File("none.json")}).exit_code == 3);
  // A gateway takes nothing a tenant's scenario gives.
  CHECK(RunWasmiot({"run", "--gateway", hub.Gateway(kFour), "--fuel", "5"}).exit_code == 2);
  CHECK(RunWasmiot({"run", "steady.wasm", "--gateway", hub.Gateway(kFour)}).exit_code == 2);
}

TEST_CASE("gateway: wasmiot test runs gateway files beside scenarios") {
  Hub hub;
  hub.Gateway(kFour);
  RunResult text = RunWasmiot({"test", hub.dir.path(), "--engine", "both"});
  INFO(text.out << text.err);
  CHECK(text.exit_code == 0);
  CHECK(text.out == "PASS hub (4 tenants)\n1 scenario or gateway: 1 passed, 0 failed\n");
  RunResult json = RunWasmiot({"test", hub.dir.path(), "--json"});
  CHECK(json.exit_code == 0);
  CHECK(MatchesSchema("test-output.schema.json", json.out, hub.dir));
  nlohmann::json j = nlohmann::json::parse(json.out);
  CHECK(j["gateways"].size() == 1);
  CHECK(j["gateways"][0]["tenants"][2]["peak_memory_bytes"] == 4 * 65536);
  // A failing gateway fails the run.
  hub.Gateway(R"({ "name": "crasher", "scenario": "crasher.tenant.json" })");
  RunResult failed = RunWasmiot({"test", hub.dir.path()});
  CHECK(failed.exit_code == 1);
  CHECK_THAT(failed.out, Catch::Contains("FAIL hub (1 tenant)\ntenant crasher: it was stopped at 500 ms"));
}

TEST_CASE("gateway parser: tenants, paths beside the file, and each problem at its line") {
  Diagnostics d;
  Result<Gateway> g = ParseGateway(R"({
  "gateway_version": 1,
  "tenants": [
    { "name": "thermo", "scenario": "t/heat.scenario.json" },
    { "name": "rogue", "scenario": "/abs/rogue.scenario.json", "expect_stopped": "fuel-exhausted" }
  ]
})", "site/hub.gateway.json", d);
  INFO(DiagnosticsText(d));
  REQUIRE(g.ok());
  CHECK(g->name == "hub.gateway.json");  // no "name": the file's
  REQUIRE(g->tenants.size() == 2);
  CHECK(g->tenants[0].scenario == "site/t/heat.scenario.json");
  CHECK_FALSE(g->tenants[0].expect_stopped.has_value());
  CHECK(g->tenants[0].position.line == 4);
  CHECK(g->tenants[1].scenario == "/abs/rogue.scenario.json");
  CHECK(g->tenants[1].expect_stopped == "fuel-exhausted");

  const std::pair<std::string, std::string> bad[] = {
      {R"({"gateway_version": 2, "tenants": [{"name": "a", "scenario": "a.json"}]})", "unsupported gateway_version 2"},
      {R"({"gateway_version": 1, "tenants": []})", "an array of 1 to 64 tenants"},
      {R"({"gateway_version": 1})", "missing required field \"tenants\""},
      {R"({"gateway_version": 1, "tenants": [{"name": "a", "scenario": "a.json"}, {"name": "a", "scenario": "b.json"}]})",
       "a second tenant \"a\""},
      {R"({"gateway_version": 1, "tenants": [{"name": "a", "scenario": "a.json", "expect_stopped": "tired"}]})",
       "unknown trap kind \"tired\""},
      {R"({"gateway_version": 1, "tenants": [{"name": "a", "scenario": "a.json", "colour": 1}]})", "unknown field"},
      {R"({"gateway_version": 1, "tenants": [)", ""},
  };
  for (const auto& [text, message] : bad) {
    Diagnostics e;
    INFO(text);
    CHECK_FALSE(ParseGateway(text, "g.json", e).ok());
    REQUIRE(e.HasErrors());
    CHECK(e.list()[0].code == "gateway-invalid");
    CHECK(e.list()[0].position.has_value());
    CHECK_THAT(DiagnosticsText(e), Catch::Contains(message));
  }
}
