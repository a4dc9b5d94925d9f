// Scenarios (docs/scenarios.md) through `wasmiot run --scenario` and
// `wasmiot test`: calls over simulated time, inputs, expectations, the first
// divergence, and malformed or mismatched scenario files.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "scenario/scenario.h"
#include "scenario/session.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace {

struct Project {
  Project() {
    WriteBytes(dir.File("thermostat.wasm"), WatToWasm(ReadText(DataDir() + "/modules/thermostat.wat")));
  }
  // A scenario for the thermostat with `body` spliced in after the fixed fields.
  std::string Scenario(const std::string& name, const std::string& body) {
    std::string path = dir.File(name + ".scenario.json");
    WriteText(path, R"({
  "scenario_version": 1,
  "name": ")" + name + R"(",
  "module": "thermostat.wasm",
  "manifest": ")" + SourceDir() + R"(/templates/thermostat/device.json",
)" + body + "\n}\n");
    return path;
  }
  bool Valid(const std::string& schema, const std::string& json) { return MatchesSchema(schema, json, dir); }
  TempDir dir;
};

constexpr const char* kHeating = R"(  "duration_ms": 1000,
  "calls": [
    { "export": "init" },
    { "export": "control_loop", "at_ms": 100, "every_ms": 200 },
    { "export": "set_target_temperature", "at_ms": 500, "args": [25] }
  ],
  "sensors": { "temperature": { "series": [[0, 17.5], [400, 24.0]] }, "humidity": 45 },)";

}  // namespace

TEST_CASE("scenario: calls over time, inputs by time, expectations in order") {
  Project p;
  std::string s = p.Scenario("heating", std::string(kHeating) + R"(
  "expect": {
    "host_calls": [
      { "function": "env.log", "text": "thermostat ready" },
      { "function": "env.set_hvac_mode", "args": [1], "at_ms": 100 },
      { "function": "env.set_hvac_mode", "args": [2], "at_ms": 500 },
      { "function": "env.set_hvac_mode", "args": [1], "at_ms": 700 },
      { "function": "env.read_temperature", "args": [], "at_ms": 900 }
    ]
  })");
  RunResult r = RunWasmiot({"run", p.dir.File("thermostat.wasm"), "--scenario", s});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("[     0 ms] init() =>\n"
                                      "             called host env.log(i32:1024, i32:16) => \"thermostat ready\"\n"
                                      "[   100 ms] control_loop() =>\n"
                                      "             called host env.read_temperature() => f32:17.5\n"));
  // At 500 ms control_loop runs before set_target_temperature: same time, file order.
  CHECK_THAT(r.out, Catch::Contains("[   500 ms] control_loop() =>\n") &&
                        Catch::Contains("[   500 ms] set_target_temperature(f32:25) =>\n"));
  CHECK(r.out.find("[   500 ms] control_loop") < r.out.find("[   500 ms] set_target"));
  CHECK_THAT(r.out, Catch::EndsWith("PASS heating: 7 calls, 21 host calls\n"));
  CHECK(p.Valid("run-output.schema.json", RunWasmiot({"run", p.dir.File("thermostat.wasm"), "--scenario", s, "--json"}).out));
  RunResult t = RunWasmiot({"test", p.dir.path()});
  CHECK(t.exit_code == 0);
  CHECK(t.out == "PASS heating (7 calls, 21 host calls)\n1 scenario or gateway: 1 passed, 0 failed\n");
}

TEST_CASE("scenario: the first divergence, readable") {
  Project p;
  std::string s = p.Scenario("wrong", std::string(kHeating) + R"(
  "expect": { "host_calls": [
      { "function": "env.set_hvac_mode", "args": [1], "at_ms": 100 },
      { "function": "env.set_hvac_mode", "args": [0], "at_ms": 700 } ] })");
  RunResult t = RunWasmiot({"test", p.dir.path()});
  CHECK(t.exit_code == 1);
  CHECK_THAT(t.out, Catch::Contains("FAIL wrong (7 calls, 21 host calls)\n"
                                    "expected host call 2 of 2 (" + s + ":15:7): env.set_hvac_mode(0) at 700 ms\n"
                                    "  after host call 3 (called host env.set_hvac_mode(i32:1) =>) the device made:\n"
                                    "  [4]      100 ms  called host env.set_fan_speed(i32:60) =>\n"));
  CHECK_THAT(t.out, Catch::EndsWith("1 scenario or gateway: 0 passed, 1 failed\n"));
  RunResult j = RunWasmiot({"test", p.dir.path(), "--json"});
  CHECK(j.exit_code == 1);
  CHECK(p.Valid("test-output.schema.json", j.out));
  CHECK(nlohmann::json::parse(j.out)["failed"] == 1);

  // Exact mode: the whole log, nothing more.
  std::string exact = p.Scenario("exact", R"(  "duration_ms": 10, "calls": [{ "export": "init" }],
  "expect": { "exact": true, "host_calls": [] })");
  RunResult e = RunWasmiot({"run", p.dir.File("thermostat.wasm"), "--scenario", exact});
  CHECK(e.exit_code == 1);
  CHECK_THAT(e.out, Catch::Contains("the device made 1 host call more than expected (exact), the first:\n"
                                    "  [1]        0 ms  called host env.log(i32:1024, i32:16) => \"thermostat ready\""));
}

TEST_CASE("scenario: results, tolerance, traps expected and unexpected") {
  Project p;
  WriteBytes(p.dir.File("calc.wasm"), WatToWasm(R"((module
    (import "env" "read_temperature" (func $t (result f32)))
    (memory (export "memory") 2 2)
    (func (export "init"))
    (func (export "control_loop"))
    (func (export "half") (param f32) (result f32) (f32.mul (local.get 0) (f32.const 0.5)))
    (func (export "temp") (result f32) (call $t))
    (func (export "spin") (loop (br 0)))
    (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 10) (local.get 0)))))"));
  std::string device = SourceDir() + "/templates/thermostat/device.json";
  auto scenario = [&](const std::string& name, const std::string& body) {
    std::string path = p.dir.File(name + ".json");
    WriteText(path, R"({ "scenario_version": 1, "module": "calc.wasm", "manifest": ")" + device + "\", " + body + "}");
    return RunWasmiot({"run", p.dir.File("calc.wasm"), "--scenario", path});
  };
  CHECK(scenario("r1", R"("duration_ms": 10, "calls": [{ "export": "half", "args": [3] }],
    "expect": { "results": [{ "export": "half", "values": [1.5] }] })").exit_code == 0);
  RunResult off = scenario("r2", R"("duration_ms": 10, "calls": [{ "export": "half", "args": [3] }],
    "expect": { "results": [{ "export": "half", "values": [1.4] }] })");
  CHECK(off.exit_code == 1);
  CHECK_THAT(off.out, Catch::Contains("expected result (") && Catch::Contains("half => 1.4\n  but it returned f32:1.5"));
  CHECK(scenario("r3", R"("duration_ms": 10, "calls": [{ "export": "half", "args": [3] }],
    "expect": { "tolerance": 0.2, "results": [{ "export": "half", "values": [1.4] }] })").exit_code == 0);
  // Sensor series hold their last step; a channel read before its first step gets that step.
  CHECK(scenario("s1", R"("duration_ms": 300, "calls": [{ "export": "temp", "every_ms": 100 }],
    "sensors": { "temperature": { "series": [[100, 20], [200, 21.5]] } },
    "expect": { "results": [{ "export": "temp", "at_ms": 0, "values": [20] },
                            { "export": "temp", "at_ms": 200, "values": [21.5] }] })").exit_code == 0);
  // A trap fails the scenario unless it is expected; an expected one must happen.
  RunResult trap = scenario("t1", R"("duration_ms": 10, "calls": [{ "export": "div", "args": [0] }])");
  CHECK(trap.exit_code == 1);
  CHECK_THAT(trap.out, Catch::Contains("unexpected trap at 0 ms in div: divide-by-zero (integer divide by zero)"));
  CHECK(scenario("t2", R"("duration_ms": 10, "calls": [{ "export": "div", "args": [0] }],
    "expect": { "traps": [{ "export": "div", "kind": "divide-by-zero" }] })").exit_code == 0);
  RunResult missing = scenario("t3", R"("duration_ms": 10, "calls": [{ "export": "div", "args": [2] }],
    "expect": { "traps": [{ "export": "div", "kind": "divide-by-zero" }] })");
  CHECK_THAT(missing.out, Catch::Contains("divide-by-zero in div did not happen"));
  // Budgets from the scenario: a loop stops on fuel, and the next call still runs.
  RunResult fuel = scenario("f1", R"("duration_ms": 20, "budgets": { "fuel_per_call": 1000 },
    "calls": [{ "export": "spin" }, { "export": "half", "at_ms": 10, "args": [8] }],
    "expect": { "traps": [{ "export": "spin", "at_ms": 0, "kind": "fuel-exhausted" }],
                "results": [{ "export": "half", "values": [4] }] })");
  INFO(fuel.out << fuel.err);
  CHECK(fuel.exit_code == 0);
}

TEST_CASE("scenario: files that do not fit the module, the device or the format") {
  Project p;
  std::string module = p.dir.File("thermostat.wasm");
  auto run = [&](const std::string& name, const std::string& body) {
    return RunWasmiot({"run", module, "--scenario", p.Scenario(name, body)});
  };
  RunResult unknown = run("u1", R"(  "duration_ms": 10, "calls": [{ "export": "reboot" }])");
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.err, Catch::Contains("u1.scenario.json:6:32: error: calls/0: the module exports no function \"reboot\" [scenario-export-unknown]"));
  RunResult args = run("u2", R"(  "duration_ms": 10, "calls": [{ "export": "set_target_temperature" }])");
  CHECK_THAT(args.err, Catch::Contains("set_target_temperature takes 1 argument (f32) -> (), not 0 [scenario-invalid]"));
  RunResult sensor = run("u3", R"(  "duration_ms": 10, "calls": [{ "export": "init" }], "sensors": { "pressure": 1 })");
  CHECK_THAT(sensor.err, Catch::Contains("the device has no sensor channel \"pressure\" [scenario-sensor-unknown]"));
  RunResult stream = run("u4", R"(  "duration_ms": 10, "calls": [{ "export": "init" }], "streams": { "video": "v.bin" })");
  CHECK(stream.exit_code == 1);
  CHECK_THAT(stream.err, Catch::Contains("no buffer_in function of the device reads a stream \"video\" [scenario-stream-unknown]"));
  RunResult slow = run("u5", R"(  "duration_ms": 10, "calls": [{ "export": "init" }], "host_latency_ms": { "env.sleep": 5 })");
  CHECK(slow.exit_code == 1);
  CHECK_THAT(slow.err, Catch::Contains("the device has no host function env.sleep [scenario-host-unknown]"));
  // Malformed files: line and column of the problem.
  std::string bad = p.dir.File("bad.scenario.json");
  WriteText(bad, "{\n  \"scenario_version\": 1,\n  \"duration_ms\": 10,\n  \"calls\": [ { \"export\": \"init\", } ]\n}\n");
  RunResult syntax = RunWasmiot({"run", module, "--scenario", bad});
  CHECK(syntax.exit_code == 1);
  CHECK_THAT(syntax.err, Catch::StartsWith(bad + ":4:") && Catch::Contains("[scenario-invalid]"));
  RunResult shape = run("s1", R"(  "duration_ms": 0, "calls": [], "expect": { "hostcalls": [] })");
  CHECK(shape.exit_code == 1);
  CHECK_THAT(shape.err, Catch::Contains("duration_ms: 0 is below the minimum 1"));
  CHECK_THAT(shape.err, Catch::Contains("calls: expected a non-empty array of calls"));
  CHECK_THAT(shape.err, Catch::Contains("unknown field \"hostcalls\" (did you mean \"host_calls\"?)"));
  RunResult series = run("s2", R"(  "duration_ms": 10, "calls": [{ "export": "init" }],
  "sensors": { "temperature": { "series": [[5, 1], [5, 2]] }, "humidity": { "series": [[20, 1]] } })");
  CHECK_THAT(series.err, Catch::Contains("sensors/temperature/series/1: series times must increase"));
  CHECK_THAT(series.err, Catch::Contains("sensors/humidity/series/0/0: 20 is above the maximum 10"));
  // Missing files.
  CHECK(RunWasmiot({"run", module, "--scenario", p.dir.File("none.json")}).exit_code == 3);
  std::string lost = p.dir.File("lost.scenario.json");
  WriteText(lost, R"({ "scenario_version": 1, "module": "gone.wasm", "manifest": "gone.json", "duration_ms": 1,
                       "calls": [{ "export": "init" }] })");
  RunResult gone = RunWasmiot({"test", p.dir.path()});
  CHECK(gone.exit_code == 3);
  CHECK_THAT(gone.out, Catch::Contains("FAIL"));
  // Usage: --scenario with --invoke, or with arguments.
  CHECK(RunWasmiot({"run", module, "--scenario", bad, "--invoke", "init"}).exit_code == 2);
  CHECK(RunWasmiot({"run", module, "--invoke"}).exit_code == 2);
  CHECK(RunWasmiot({"run", module}).exit_code == 2);
  // test: a folder without scenarios, and no folder.
  TempDir empty;
  RunResult none = RunWasmiot({"test", empty.path()});
  CHECK(none.exit_code == 1);
  CHECK_THAT(none.err, Catch::Contains("no *.scenario.json or *.gateway.json files under it [scenario-missing]"));
  CHECK(RunWasmiot({"test", empty.File("nowhere")}).exit_code == 3);
}

TEST_CASE("scenario schema and parser agree on good and bad files") {
  Project p;
  WriteText(p.dir.File("h.csv"), "0,40\n");
  std::string good = p.Scenario("good", R"(  "duration_ms": 1000,
  "calls": [{ "export": "init" }, { "export": "control_loop", "at_ms": 100, "every_ms": 200, "until_ms": 900 }],
  "sensors": { "temperature": { "series": [[0, 17.5], [400, 24.0]] }, "humidity": { "file": "h.csv" },
               "cells": { "elements": [1, { "series": [[0, 2], [5, 3]] }, { "file": "h.csv" }] } },
  "streams": { "frames": ["a.pgm", "b.bin"] },
  "host_latency_ms": { "env.read_humidity": 3 },
  "budgets": { "fuel_per_call": 5000, "max_pages": 2, "max_call_depth": 50, "wall_ms_per_call": 20 },
  "expect": { "tolerance": 0.5, "exact": false,
              "host_calls": [{ "function": "env.log", "text": "x", "at_ms": 0, "args": [1, 2], "tolerance": 0,
                               "length": 16, "fields": [{ "at": 0, "type": "u16", "value": 7, "tolerance": 1 }] }],
              "results": [{ "export": "init", "values": [] },
                          { "export": "init", "memory": { "at": 64, "hex": "00ff" } },
                          { "export": "init", "values": [1], "memory": { "at": 64, "text": "ok" } }],
              "traps": [{ "export": "init", "kind": "timeout", "at_ms": 0 }] })");
  std::string old_good = p.Scenario("old_good", std::string(kHeating) + R"(
  "streams": { "frames": "frames.bin" },
  "budgets": { "fuel_per_call": 5000, "max_pages": 2, "max_call_depth": 50 },
  "expect": { "tolerance": 0.5, "exact": false,
              "host_calls": [{ "function": "env.log", "text": "x", "at_ms": 0, "args": [1, 2], "tolerance": 0 }],
              "results": [{ "export": "init", "values": [] }],
              "traps": [{ "export": "init", "kind": "host", "at_ms": 0 }] })");
  std::string bad_kind = p.Scenario("bad_kind", R"(  "duration_ms": 10, "calls": [{ "export": "init" }],
  "expect": { "traps": [{ "export": "init", "kind": "explosion" }] })");
  std::string bad_until = p.Scenario("bad_until", R"(  "duration_ms": 10, "calls": [{ "export": "init", "until_ms": 5 }])");
  std::string bad_sensor = p.Scenario("bad_sensor", R"(  "duration_ms": 10, "calls": [{ "export": "init" }],
  "sensors": { "temperature": { "series": [[0, 1]], "elements": [1] } })");
  std::string bad_memory = p.Scenario("bad_memory", R"(  "duration_ms": 10, "calls": [{ "export": "init" }],
  "expect": { "results": [{ "export": "init", "memory": { "at": 0, "text": "a", "hex": "61" } }] })");
  std::string bad_field = p.Scenario("bad_field", R"(  "duration_ms": 10, "calls": [{ "export": "init" }],
  "expect": { "host_calls": [{ "function": "env.log", "fields": [{ "at": 0, "type": "u24", "value": 1 }] }] })");
  std::string bad_result = p.Scenario("bad_result", R"(  "duration_ms": 10, "calls": [{ "export": "init" }],
  "expect": { "results": [{ "export": "init" }] })");
  std::string workload = SourceDir() + "/templates/thermostat/tests/thermostat.scenario.json";
  const std::vector<std::string> files = {good,    old_good,  workload,  bad_kind,  bad_until,
                                          bad_sensor, bad_memory, bad_field, bad_result};
  std::vector<std::string> verdicts = SchemaVerdicts("scenario.schema.json", files);
  for (size_t i = 0; i < files.size(); ++i) {
    bool valid = i < 3;
    CHECK_THAT(verdicts[i], Catch::StartsWith(valid ? "valid" : "invalid"));
    Diagnostics d;
    Result<Scenario> s = LoadScenario(files[i], d);
    INFO(files[i] << "\n" << DiagnosticsText(d));
    CHECK(s.ok() == valid);
  }
}

TEST_CASE("scenario: sensor series from CSV and JSON files, and bad ones") {
  Project p;
  WriteText(p.dir.File("temps.csv"), "# the living room, logged\nms,celsius\n0, 17.5\r\n\n400,24.0\n");
  WriteText(p.dir.File("humidity.json"), "[[0, 45], [600, 70.5]]");
  std::string body = R"(  "duration_ms": 1000,
  "calls": [{ "export": "control_loop", "every_ms": 200 }],
  "sensors": { "temperature": { "file": "temps.csv" }, "humidity": { "file": "humidity.json" } },
  "expect": { "host_calls": [
    { "function": "env.read_temperature", "at_ms": 200 }, { "function": "env.set_hvac_mode", "args": [1], "at_ms": 200 },
    { "function": "env.set_hvac_mode", "args": [2], "at_ms": 400 },
    { "function": "env.read_humidity", "at_ms": 600 }, { "function": "env.set_fan_speed", "args": [50], "at_ms": 600 } ] })";
  std::string s = p.Scenario("files", body);
  RunResult ok = RunWasmiot({"run", p.dir.File("thermostat.wasm"), "--scenario", s, "--engine", "both"});
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("[   400 ms] control_loop() =>\n             called host env.read_temperature() => f32:24\n"));

  const std::pair<std::string, std::string> bad_csv[] = {
      {"ms,value\n0,17\n100,abc\n", "temps.csv:3:5: error: \"abc\" is not a number"},
      {"0,17\n100\n", "temps.csv:2:1: error: expected two fields: ms,value"},
      {"0,17\n0,18\n", "temps.csv:2:1: error: series times must increase"},
      {"0,17,3\n", "temps.csv:1:1: error: expected two fields"},
      {"5000,17\n", "temps.csv:1:1: error: 5000 ms is past the scenario's duration_ms 1000"},
      {"-5,17\n", "temps.csv:1:1: error: \"-5\" is not a time in whole milliseconds"},
      {"# nothing\n", "temps.csv:1:1: error: no [ms, value] steps in the file"},
  };
  for (const auto& [csv, message] : bad_csv) {
    INFO(csv);
    WriteText(p.dir.File("temps.csv"), csv);
    RunResult r = RunWasmiot({"run", p.dir.File("thermostat.wasm"), "--scenario", s});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(message) && Catch::Contains("[scenario-invalid]"));
    CHECK(r.out.empty());
  }
  WriteText(p.dir.File("temps.csv"), "0,17\n");
  WriteText(p.dir.File("humidity.json"), "[[0, 45], [10, \"wet\"]]");
  CHECK_THAT(RunWasmiot({"run", p.dir.File("thermostat.wasm"), "--scenario", s}).err,
             Catch::Contains("humidity.json:1:11: error: expected a pair [ms, value]"));
  WriteText(p.dir.File("humidity.json"), "[[0, 45]");
  CHECK_THAT(RunWasmiot({"run", p.dir.File("thermostat.wasm"), "--scenario", s}).err,
             Catch::Contains("humidity.json:1:") && Catch::Contains("[scenario-invalid]"));
  std::remove(p.dir.File("humidity.json").c_str());
  RunResult missing = RunWasmiot({"run", p.dir.File("thermostat.wasm"), "--scenario", s});
  CHECK(missing.exit_code == 3);
  CHECK_THAT(missing.err, Catch::Contains("humidity.json"));
}

TEST_CASE("scenario: arguments must fit their parameter types exactly") {
  Project p;
  WriteBytes(p.dir.File("id.wasm"), WatToWasm(R"((module
    (memory (export "memory") 2 2)
    (func (export "init"))
    (func (export "control_loop"))
    (func (export "i") (param i32) (result i32) (local.get 0))
    (func (export "l") (param i64) (result i64) (local.get 0))
    (func (export "f") (param f32) (result f32) (local.get 0))))"));
  std::string device = SourceDir() + "/templates/thermostat/device.json";
  auto scenario = [&](const std::string& name, const std::string& calls) {
    std::string path = p.dir.File(name + ".json");
    WriteText(path, "{ \"scenario_version\": 1, \"module\": \"id.wasm\", \"manifest\": \"" + device +
                        "\", \"duration_ms\": 10,\n\"calls\": [\n" + calls + "\n] }\n");
    return std::make_pair(path, RunWasmiot({"run", p.dir.File("id.wasm"), "--scenario", path}));
  };
  // Each exactly: unsigned spellings of i32 and i64, integers written as 3.0 or 1e3, and
  // i64 values past 2^53 that a double would round.
  auto [good_path, good] = scenario("good", R"({ "export": "i", "args": [4294967295] },
{ "export": "i", "args": [-2147483648] }, { "export": "i", "args": [1e3] }, { "export": "i", "args": [3.0] },
{ "export": "l", "args": [9007199254740993] }, { "export": "l", "args": [18446744073709551615] },
{ "export": "l", "args": [-9223372036854775808] }, { "export": "f", "args": [0.5] })");
  INFO(good.out << good.err);
  CHECK(good.exit_code == 0);
  for (const char* line : {"i(i32:4294967295) => i32:4294967295", "i(i32:2147483648) => i32:2147483648",
                           "i(i32:1000) => i32:1000", "i(i32:3) => i32:3",
                           "l(i64:9007199254740993) => i64:9007199254740993",
                           "l(i64:18446744073709551615) => i64:18446744073709551615",
                           "l(i64:9223372036854775808) => i64:9223372036854775808", "f(f32:0.5) => f32:0.5"}) {
    CHECK_THAT(good.out, Catch::Contains(line));
  }
  // Anything else is refused where it is written, before anything runs.
  const std::pair<std::string, std::string> bad[] = {
      {R"({ "export": "i", "args": [1.5] })", ":3:27: error: calls/0/args/0: 1.5 is not an integer, and the parameter is an i32 (argument 1 of i (i32) -> (i32)) [scenario-invalid]"},
      {R"({ "export": "i", "args": [1e300] })", ":3:27: error: calls/0/args/0: 1e300 does not fit in an i32 (-2147483648 to 4294967295)"},
      {R"({ "export": "i", "args": [4294967296] })", ":3:27: error: calls/0/args/0: 4294967296 does not fit in an i32"},
      {R"({ "export": "i", "args": [-2147483649] })", ":3:27: error: calls/0/args/0: -2147483649 does not fit in an i32"},
      {R"({ "export": "i", "args": [1e-3] })", "1e-3 is not an integer"},
      {R"({ "export": "l", "args": [18446744073709551616] })", "18446744073709551616 does not fit in an i64 (-9223372036854775808 to 18446744073709551615)"},
      {R"({ "export": "l", "args": [-9223372036854775809] })", "-9223372036854775809 does not fit in an i64"},
      {R"({ "export": "l", "args": [9007199254740993.5] })", "9007199254740993.5 is not an integer, and the parameter is an i64"},
      {R"({ "export": "f", "args": [1e39] })", "1e39 is outside the range of an f32"},
  };
  for (const auto& [call, message] : bad) {
    auto [path, r] = scenario("bad", call);
    INFO(call << "\n" << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(message[0] == ':' ? path + message : message));
    CHECK(r.out.empty());
  }
  // Every bad argument of a call is reported, at its own column.
  auto [two_path, two] = scenario("two", R"({ "export": "i", "args": [0.5] }, { "export": "l", "args": [1, 2] },
{ "export": "f", "args": [-1e40] })");
  CHECK_THAT(two.err, Catch::Contains(two_path + ":3:27: error: calls/0/args/0: 0.5 is not an integer"));
  CHECK_THAT(two.err, Catch::Contains("calls/1: l takes 1 argument (i64) -> (i64), not 2"));
  CHECK_THAT(two.err, Catch::Contains(two_path + ":4:27: error: calls/2/args/0: -1e40 is outside the range of an f32"));
}

TEST_CASE("scenario: a v128 parameter on a SIMD device is refused, not a crash") {
  Project p;
  std::string device = ReadText(SourceDir() + "/templates/thermostat/device.json");
  const std::string features = "\"features\": [\"mutable-globals\", \"sign-extension\"]";
  size_t at = device.find(features);
  REQUIRE(at != std::string::npos);
  device.replace(at, features.size(), "\"features\": [\"mutable-globals\", \"sign-extension\", \"simd\"]");
  WriteText(p.dir.File("simd.device.json"), device);
  WriteBytes(p.dir.File("simd.wasm"), WatToWasm(R"((module
    (memory (export "memory") 2 2)
    (func (export "init"))
    (func (export "control_loop"))
    (func (export "v") (param v128) (result i32) (i32x4.extract_lane 0 (local.get 0)))))"));
  std::string path = p.dir.File("simd.json");
  WriteText(path, "{ \"scenario_version\": 1, \"module\": \"simd.wasm\", \"manifest\": \"simd.device.json\", "
                  "\"duration_ms\": 10,\n\"calls\": [ { \"export\": \"v\", \"args\": [1] } ] }\n");
  RunResult r = RunWasmiot({"run", p.dir.File("simd.wasm"), "--scenario", path});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("calls/0/args/0: v takes a v128 parameter, which a scenario cannot pass (only "
                                    "i32, i64, f32 and f64) [scenario-invalid]"));
  CHECK_THAT(r.err, !Catch::Contains("internal"));
}

TEST_CASE("scenario: a repeated call must start before it ends") {
  Project p;
  std::string module = p.dir.File("thermostat.wasm");
  RunResult before = RunWasmiot({"run", module, "--scenario", p.Scenario("u1", R"(  "duration_ms": 100,
  "calls": [{ "export": "control_loop", "at_ms": 50, "every_ms": 10, "until_ms": 20 }])")});
  CHECK(before.exit_code == 1);
  CHECK_THAT(before.err, Catch::Contains("u1.scenario.json:7:82: error: calls/0/until_ms: until_ms 20 is not after "
                                         "at_ms 50: the call would never be made [scenario-invalid]"));
  CHECK(before.out.empty());
  CHECK(RunWasmiot({"run", module, "--scenario", p.Scenario("u2", R"(  "duration_ms": 100,
  "calls": [{ "export": "control_loop", "at_ms": 50, "every_ms": 10, "until_ms": 50 }])")}).exit_code == 1);
  RunResult end = RunWasmiot({"run", module, "--scenario", p.Scenario("u3", R"(  "duration_ms": 100,
  "calls": [{ "export": "control_loop", "at_ms": 100, "every_ms": 10 }])")});
  CHECK_THAT(end.err, Catch::Contains("calls/0/at_ms: at_ms 100 is not before duration_ms 100"));
  // One call more than none: at 50 only. And a single call at the very end is fine.
  RunResult one = RunWasmiot({"run", module, "--scenario", p.Scenario("u4", R"(  "duration_ms": 100,
  "sensors": { "temperature": 20, "humidity": 40 },
  "calls": [{ "export": "control_loop", "at_ms": 50, "every_ms": 10, "until_ms": 51 }, { "export": "init", "at_ms": 100 }])")});
  INFO(one.err);
  CHECK(one.exit_code == 0);
  CHECK_THAT(one.out, Catch::Contains("PASS u4: 2 calls,"));
}

TEST_CASE("scenario: expectations must name the device's host functions and the module's exports") {
  Project p;
  std::string module = p.dir.File("thermostat.wasm");
  RunResult r = RunWasmiot({"run", module, "--scenario", p.Scenario("names", R"(  "duration_ms": 10,
  "calls": [{ "export": "init" }],
  "expect": {
    "host_calls": [{ "function": "log", "text": "thermostat ready" }, { "function": "env.set_hvac_mod" }],
    "results": [{ "export": "int", "values": [] }],
    "traps": [{ "export": "reboot", "kind": "unreachable" }] })")});
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());  // refused before anything runs
  std::string path = p.dir.File("names.scenario.json");
  CHECK_THAT(r.err, Catch::Contains(path + ":9:34: error: expect/host_calls/0/function: the device has no host function "
                                           "\"log\" (did you mean \"env.log\"?) [scenario-host-unknown]"));
  CHECK_THAT(r.err, Catch::Contains(path + ":9:85: error: expect/host_calls/1/function: the device has no host function "
                                           "\"env.set_hvac_mod\" (did you mean \"env.set_hvac_mode\"?) [scenario-host-unknown]"));
  CHECK_THAT(r.err, Catch::Contains(path + ":10:29: error: expect/results/0/export: the module exports no function "
                                           "\"int\" (did you mean \"init\"?) [scenario-export-unknown]"));
  CHECK_THAT(r.err, Catch::Contains(path + ":11:27: error: expect/traps/0/export: the module exports no function "
                                           "\"reboot\" [scenario-export-unknown]"));
  CHECK(RunWasmiot({"test", p.dir.path()}).exit_code == 1);
  // A start function that traps is reported as "(start)", and may be expected as such.
  WriteBytes(p.dir.File("start.wasm"), WatToWasm(R"((module (memory (export "memory") 2 2)
    (func $s unreachable) (start $s) (func (export "init")) (func (export "control_loop"))))"));
  std::string start = p.dir.File("start.json");
  WriteText(start, R"({ "scenario_version": 1, "manifest": ")" + SourceDir() +
                       R"x(/templates/thermostat/device.json", "duration_ms": 10, "calls": [{ "export": "init" }],
    "expect": { "traps": [{ "export": "(start)", "kind": "unreachable" }] } })x");
  RunResult trapped = RunWasmiot({"run", p.dir.File("start.wasm"), "--scenario", start});
  INFO(trapped.out << trapped.err);
  CHECK(trapped.exit_code == 0);
}

TEST_CASE("scenario: a host call expected but not made shows the nearest call the device made") {
  Project p;
  RunResult args = RunWasmiot({"run", p.dir.File("thermostat.wasm"), "--scenario", p.Scenario("args",
      std::string(kHeating) + R"(
  "expect": { "host_calls": [{ "function": "env.set_hvac_mode", "args": [0], "at_ms": 700 }] })")});
  CHECK(args.exit_code == 1);
  CHECK_THAT(args.out, Catch::Contains("  the nearest call was [15]      700 ms  called host env.set_hvac_mode(i32:1) =>\n"
                                       "    arguments (i32:1), not (0)\n"));
  RunResult time = RunWasmiot({"run", p.dir.File("thermostat.wasm"), "--scenario", p.Scenario("time",
      std::string(kHeating) + R"(
  "expect": { "host_calls": [{ "function": "env.set_hvac_mode", "args": [2], "at_ms": 600 }] })")});
  CHECK_THAT(time.out, Catch::Contains("  the nearest call was [") &&
                           Catch::Contains("500 ms  called host env.set_hvac_mode(i32:2) =>\n    at 500 ms, not 600 ms\n"));
  RunResult text = RunWasmiot({"run", p.dir.File("thermostat.wasm"), "--scenario", p.Scenario("text",
      std::string(kHeating) + R"(
  "expect": { "host_calls": [{ "function": "env.log", "text": "thermostat steady" }] })")});
  CHECK_THAT(text.out, Catch::Contains("  the nearest call was [1]        0 ms  called host env.log(i32:1024, i32:16) => "
                                       "\"thermostat ready\"\n    text \"thermostat ready\", not \"thermostat steady\"\n"));
  // In order: a call that matches but came before the previous expectation's match.
  RunResult order = RunWasmiot({"run", p.dir.File("thermostat.wasm"), "--scenario", p.Scenario("order",
      std::string(kHeating) + R"(
  "expect": { "host_calls": [{ "function": "env.set_hvac_mode", "args": [2] }, { "function": "env.log" }] })")});
  CHECK_THAT(order.out, Catch::Contains("  the nearest call was [1]        0 ms  called host env.log(") &&
                            Catch::Contains("it matches, but comes before host call"));
}
