// Buffers a scenario passes to an export's pointer parameters, placed where
// the manifest's host_buffers says: in a reserved region or through the
// module's allocator; filled, read back, freed; and every way to get one wrong.
#include <catch2/catch.hpp>

#include "support/test_support.h"

namespace wasmiot {
namespace {

using namespace test;

// status(out) writes "abc" when there is room and returns 3 (else 0);
// sum(in) adds the bytes it is given; where() says where its buffer went.
// buffer_alloc bumps from 4096 and has no room past 1000 bytes; buffer_free
// counts the buffers given back.
constexpr const char* kModule = R"((module
  (memory (export "memory") 1 1)
  (global $next (mut i32) (i32.const 4096))
  (global $freed (mut i32) (i32.const 0))
  (func (export "status") (param $out i32) (param $len i32) (result i32)
    (if (i32.lt_u (local.get $len) (i32.const 3)) (then (return (i32.const 0))))
    (i32.store16 (local.get $out) (i32.const 0x6261))
    (i32.store8 offset=2 (local.get $out) (i32.const 0x63))
    (i32.const 3))
  (func (export "sum") (param $in i32) (param $len i32) (result i32)
    (local $s i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $len)))
      (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $in))))
      (local.set $in (i32.add (local.get $in) (i32.const 1)))
      (local.set $len (i32.sub (local.get $len) (i32.const 1)))
      (br $next)))
    (local.get $s))
  (func (export "where") (param $at i32) (param $len i32) (result i32) (local.get $at))
  (func (export "buffer_alloc") (param $size i32) (result i32)
    (local $at i32)
    (if (i32.gt_u (local.get $size) (i32.const 1000)) (then (return (i32.const 0))))
    (local.set $at (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get $size)))
    (local.get $at))
  (func (export "buffer_free") (param i32) (global.set $freed (i32.add (global.get $freed) (i32.const 1))))
  (func (export "freed") (result i32) (global.get $freed))))";

struct Lab {
  explicit Lab(const std::string& host_buffers) {
    WriteBytes(module, WatToWasm(kModule));
    WriteText(device, R"({"manifest_version": 1, "device": {"vendor": "v", "class": "c", "api_version": "1.0.0"},
      "imports": {},
      "exports": {
        "memory": {"kind": "memory", "required": true},
        "status": {"required": true, "params": [{"name": "out", "type": "ptr", "len": "out_len", "access": "write"}],
                   "results": [{"name": "written", "type": "i32"}]},
        "sum": {"required": true, "params": [{"name": "in", "type": "ptr", "len": "in_len", "access": "read"}],
                "results": [{"name": "total", "type": "i32"}]},
        "where": {"required": true, "params": [{"name": "b", "type": "ptr", "len": "b_len"}],
                  "results": [{"name": "at", "type": "i32"}]},
        "freed": {"required": false, "results": [{"name": "n", "type": "i32"}]}},
      "budgets": {"memory": {"initial_pages": 1, "max_pages": 1}, "table": {"max_elements": 0},
        "stack_bytes": 4096, "heap_bytes": 0, "fuel_per_call": 100000, "wall_ms_per_call": 1000,
        "max_module_bytes": 65536},
      "features": [], "aot_targets": [])" + host_buffers + "}");
  }
  // Runs the scenario (its calls and expectations) on both engines.
  RunResult Scenario(const std::string& calls, const std::string& expect) {
    WriteText(scenario, R"({"scenario_version": 1, "duration_ms": 100, "calls": )" + calls +
                            R"(, "expect": )" + expect + "}");
    return RunWasmiot({"run", module, "-m", device, "--scenario", scenario, "--engine", "both"});
  }
  TempDir dir;
  std::string module = dir.File("m.wasm"), device = dir.File("device.json"), scenario = dir.File("s.scenario.json");
};

constexpr const char* kReserved = R"(, "host_buffers": {"kind": "reserved", "address": 60000, "bytes": 64})";
constexpr const char* kAllocator =
    R"(, "host_buffers": {"kind": "allocator", "alloc": "buffer_alloc", "free": "buffer_free"})";

TEST_CASE("host buffers: a reserved region takes the call's buffers one after another, filled and read back") {
  Lab lab(kReserved);
  RunResult r = lab.Scenario(
      R"([{"export": "status", "args": [{"buffer": 8}]}, {"export": "sum", "args": [{"hex": "010203ff"}]},
          {"export": "where", "args": [{"text": "x"}]}, {"export": "status", "args": [{"buffer": 2}], "at_ms": 5}])",
      R"({"results": [{"export": "status", "at_ms": 0, "values": [3], "memory": {"buffer": "out", "text": "abc"}},
                      {"export": "sum", "values": [261]}, {"export": "where", "values": [60000]},
                      {"export": "status", "at_ms": 5, "values": [0], "memory": {"buffer": "out", "hex": "0000"}}]})");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  // The trace shows where each went: the region's start, with the length.
  CHECK_THAT(r.out, Catch::Contains("status(i32:60000, i32:8) => i32:3"));
  CHECK_THAT(r.out, Catch::Contains("sum(i32:60000, i32:4) => i32:261"));
  // A buffer read back that differs fails the scenario, naming the buffer.
  RunResult wrong = lab.Scenario(R"([{"export": "status", "args": [{"buffer": 8}]}])",
                                 R"({"results": [{"export": "status", "memory": {"buffer": "out", "text": "abd"}}]})");
  CHECK(wrong.exit_code == 1);
  CHECK_THAT(wrong.out, Catch::Contains("then buffer out: \"abd\""));
  CHECK_THAT(wrong.out, Catch::Contains("but memory held \"abc"));
}

TEST_CASE("host buffers: the module's allocator gives each buffer and takes it back") {
  Lab lab(kAllocator);
  RunResult r = lab.Scenario(
      R"([{"export": "status", "args": [{"buffer": 8}]}, {"export": "sum", "args": [{"text": "AB"}], "at_ms": 1},
          {"export": "freed", "args": [], "at_ms": 2}, {"export": "status", "args": [{"buffer": 2000}], "at_ms": 3}])",
      R"({"results": [{"export": "status", "at_ms": 0, "values": [3], "memory": {"buffer": "out", "text": "abc"}},
                      {"export": "sum", "values": [131]}, {"export": "freed", "values": [2]}],
          "traps": [{"export": "status", "kind": "host", "at_ms": 3}]})");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("status(i32:4096, i32:8) => i32:3"));  // bumped from 4096
  CHECK_THAT(r.out, Catch::Contains("sum(i32:4104, i32:2) => i32:131"));
  CHECK_THAT(r.out, Catch::Contains("buffer_alloc(2000) returned 0: no room for the buffer out"));
}

TEST_CASE("host buffers: a scenario that gets them wrong is refused at its line, saying how to fix it") {
  auto refused = [](const std::string& host_buffers, const std::string& calls, const std::string& expect = "{}") {
    Lab lab(host_buffers);
    RunResult r = lab.Scenario(calls, expect);
    INFO(r.out << r.err);
    CHECK(r.exit_code != 0);
    return r.err;
  };
  CHECK_THAT(refused("", R"([{"export": "status", "args": [{"buffer": 8}]}])"),
             Catch::Contains("calls/0/args/0: the manifest has no host_buffers to say where the host puts the buffer "
                             "out: add \"host_buffers\" (docs/manifest.md), or pass its address and length as two "
                             "numbers"));
  CHECK_THAT(refused(kReserved, R"([{"export": "freed", "args": [{"buffer": 8}]}])"),
             Catch::Contains("freed takes 0 arguments () -> (i32), not 2 (a buffer counts as two"));
  CHECK_THAT(refused(kReserved, R"([{"export": "status", "args": [{"buffer": 65}]}])"),
             Catch::Contains("calls/0: its buffers do not fit the 64 bytes host_buffers reserves"));
  CHECK_THAT(refused(kReserved, R"([{"export": "status", "args": [{"buffer": 8}]}])",
                     R"({"results": [{"export": "status", "memory": {"buffer": "ou", "text": "abc"}}]})"),
             Catch::Contains("expect/results/0/memory/buffer: the manifest declares no pointer parameter \"ou\" of "
                             "status (did you mean \"out\"?)"));
  // The file's own mistakes, each at its value.
  CHECK_THAT(refused(kReserved, R"([{"export": "status", "args": [{"buffer": 2000000}]}])"),
             Catch::Contains("is above the maximum 1048576"));
  CHECK_THAT(refused(kReserved, R"([{"export": "status", "args": [{"buffer": 8, "text": "x"}]}])"),
             Catch::Contains("give one of {\"buffer\": BYTES}, {\"text\": ...} and {\"hex\": ...}"));
  CHECK_THAT(refused(kReserved, R"([{"export": "status", "args": [{"hex": "abc"}]}])"),
             Catch::Contains("an even number of hex digits"));
  CHECK_THAT(refused(kReserved, R"([{"export": "status", "args": [{"bufer": 8}]}])"),
             Catch::Contains("unknown field \"bufer\" (did you mean \"buffer\"?)"));
  CHECK_THAT(refused(kReserved, R"([{"export": "status", "args": [{"buffer": 8}]}])",
                     R"({"results": [{"export": "status", "memory": {"at": 1, "buffer": "out", "text": "abc"}}]})"),
             Catch::Contains("give exactly one of \"at\" (an address) and \"buffer\""));
}

}  // namespace
}  // namespace wasmiot
