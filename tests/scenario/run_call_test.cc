// RunCall (lib/scenario/run_call.h), called directly: what `wasmiot run
// --invoke` does, without the command line.
#include <catch2/catch.hpp>

#include "scenario/run_call.h"
#include "support/test_support.h"

namespace wasmiot::test {
namespace {

CallRequest Request(const TempDir& dir, const std::string& wat, const std::string& export_name,
                    std::vector<std::string> args = {}) {
  WriteBytes(dir.File("m.wasm"), WatToWasm(wat));
  CallRequest r;
  r.module_path = dir.File("m.wasm");
  r.export_name = export_name;
  r.args = std::move(args);
  r.engines = {EngineKind::kInterp};
  return r;
}

const char* kAdd = R"((module (func (export "add") (param i32 i64) (result i64)
  (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)))))";

}  // namespace

TEST_CASE("RunCall: arguments are read as the export's parameter types") {
  TempDir dir;
  Diagnostics d;
  CallRun run = RunCall(Request(dir, kAdd, "add", {"-2", "0x10"}), d);
  INFO(DiagnosticsText(d));
  REQUIRE(run.outcome);
  CHECK_FALSE(d.HasErrors());
  CHECK(FormatValues(run.outcome->results) == "i64:14");
  CHECK(run.outcome->fuel_used.has_value());

  Diagnostics count;
  CHECK_FALSE(RunCall(Request(dir, kAdd, "add", {"1"}), count).outcome);
  CHECK_THAT(DiagnosticsText(count), Catch::Contains("add takes 2 arguments (i32, i64) -> (i64), not 1 [usage]"));
  Diagnostics value;
  CHECK_FALSE(RunCall(Request(dir, kAdd, "add", {"1", "x"}), value).outcome);
  CHECK_THAT(DiagnosticsText(value), Catch::Contains("argument 2: "));
  // v128 has no spelling as text: refused as a usage error, never a crash.
  Diagnostics simd;
  CHECK_FALSE(RunCall(Request(dir, R"((module (func (export "v") (param v128))))", "v", {"0"}), simd).outcome);
  CHECK_THAT(DiagnosticsText(simd), Catch::Contains("argument 1: a v128 cannot be given as text"));
  Diagnostics unknown;
  CHECK_FALSE(RunCall(Request(dir, kAdd, "sub"), unknown).outcome);
  CHECK_THAT(DiagnosticsText(unknown), Catch::Contains("no exported function \"sub\" [export-unknown]"));
}

TEST_CASE("RunCall: imports need a device, named as the caller spells it") {
  TempDir dir;
  CallRequest r = Request(dir, R"((module (import "env" "tick" (func)) (func (export "run") (call 0))))", "run");
  r.manifest_option = "--device";
  Diagnostics d;
  CHECK_FALSE(RunCall(r, d).outcome);
  CHECK_THAT(DiagnosticsText(d), Catch::Contains("the module imports env.tick: give the device with --device "
                                                 "[manifest-required]"));
}

TEST_CASE("RunCall: inputs must name what the device has, then traps and the engines compared") {
  TempDir dir;
  CallRequest r = Request(dir, R"((module (import "env" "read_temperature" (func (result f32)))
    (func (export "read") (result f32) (call 0))
    (memory (export "memory") 1) (func (export "init")) (func (export "control_loop"))
    (func (export "boom") unreachable)))", "read");
  r.manifest_path = SourceDir() + "/templates/thermostat/device.json";
  r.inputs.sensors.push_back({"sensor input 1", "temprature", {20}});
  Diagnostics typo;
  CHECK_FALSE(RunCall(r, typo).outcome);
  CHECK_THAT(DiagnosticsText(typo), Catch::Contains("sensor input 1: the device has no sensor channel \"temprature\" "
                                                    "(did you mean \"temperature\"?)"));

  r.inputs.sensors[0].channel = "temperature";
  r.engines = {EngineKind::kInterp, EngineKind::kInterp};
  Diagnostics d;
  CallRun run = RunCall(r, d);
  INFO(DiagnosticsText(d));
  REQUIRE(run.outcome);
  CHECK_FALSE(d.HasErrors());
  CHECK(FormatValues(run.outcome->results) == "f32:20");
  REQUIRE(run.host_calls.size() == 1);
  CHECK(run.host_calls[0].function->QualifiedName() == "env.read_temperature");
  CHECK(run.manifest);

  r.export_name = "boom";
  Diagnostics trap;
  run = RunCall(r, trap);
  REQUIRE(run.outcome);
  CHECK_THAT(DiagnosticsText(trap), Catch::Contains("boom: trap: ") && Catch::Contains("[trap-unreachable]"));
}

}  // namespace wasmiot::test
