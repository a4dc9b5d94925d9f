// Modules built to break the tools: deep nesting, local and table bombs. Every
// command refuses them with a diagnostic (or, at exactly the limit, works);
// none crashes or runs out of memory.
#include <filesystem>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/limits.h"
#include "support/test_support.h"

namespace wasmiot::test {
namespace {

// Compiles `wat` into dir/name and returns its path.
std::string WatFile(const TempDir& dir, const std::string& name, const std::string& wat) {
  std::string path = dir.File(name);
  WriteBytes(path, WatToWasm(wat));
  return path;
}

}  // namespace

TEST_CASE("every command refuses a module over a limit with exit 1 and module-over-limit") {
  TempDir dir;
  std::string device = SourceDir() + "/templates/thermostat/device.json";
  std::vector<std::pair<std::string, Bytes>> modules = {{"deep.wasm", NestedBlocksModule(kMaxControlDepth + 1)},
                                                        {"deeper.wasm", NestedBlocksModule(1'000'000)}};
  for (const std::string& file : DataFiles("binaries", "over-limit-", ".hex")) {
    modules.emplace_back(std::filesystem::path(file).stem().string() + ".wasm", HexToBytes(ReadText(file)));
  }
  for (const auto& [name, bytes] : modules) {
    std::string module = dir.File(name);
    WriteBytes(module, bytes);
    std::vector<std::vector<std::string>> commands = {
        {"check", module, "-m", device},
        {"inspect", module},
        {"opt", module, "-o", dir.File("out.wasm")},
        {"aot", module, "--target", "host", "-o", dir.File("aot")},
        {"aot", module, "--target", "cortex-m4f", "-o", dir.File("aot")},
        {"run", module, "--invoke", "f"},
        {"run", module, "--invoke", "f", "--engine", "aot"},
    };
    for (const auto& argv : commands) {
      RunResult r = RunWasmiot(argv);
      INFO(name << ": wasmiot " << argv[0] << " " << argv.back() << "\n" << r.err);
      CHECK(r.exit_code == 1);
      CHECK_THAT(r.err, Catch::Contains("[module-over-limit]"));
    }
    CHECK_FALSE(std::filesystem::exists(dir.File("out.wasm")));
    CHECK_FALSE(std::filesystem::exists(dir.File("aot")));
  }
}

TEST_CASE("a module nested exactly to the limit runs, compiles for Cortex-M4F and optimizes") {
  TempDir dir;
  std::string module = dir.File("deep.wasm");
  WriteBytes(module, NestedBlocksModule(kMaxControlDepth));
  // The interpreter at the limit. Host AOT works there too, but gcc -O2 takes
  // about 100 s on the instrumented 10 000-deep function (4 s at 2 000 deep),
  // so both engines are compared at 2 000 to keep CI fast.
  RunResult run = RunWasmiot({"run", module, "--invoke", "f", "--engine", "interp"});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("f() => i32:7"));
  std::string shallower = dir.File("deep2000.wasm");
  WriteBytes(shallower, NestedBlocksModule(2000));
  RunResult both = RunWasmiot({"run", shallower, "--invoke", "f", "--engine", "both"});
  INFO(both.err);
  CHECK(both.exit_code == 0);
  CHECK_THAT(both.out, Catch::Contains("f() => i32:7"));
  RunResult aot = RunWasmiot({"aot", module, "--target", "cortex-m4f", "-o", dir.File("aot")});
  INFO(aot.err);
  CHECK(aot.exit_code == 0);
  CHECK(std::filesystem::exists(dir.File("aot/libdeep.a")));
  RunResult opt = RunWasmiot({"opt", module, "-o", dir.File("opt.wasm")});
  INFO(opt.err);
  CHECK(opt.exit_code == 0);
}

TEST_CASE("without a device, tables are bounded too: table.grow by 1e9 returns -1") {
  TempDir dir;
  std::string module = WatFile(dir, "grow.wasm", R"((module
    (table 1 funcref)
    (func (export "grow") (result i32) (table.grow 0 (ref.null func) (i32.const 1000000000)))
    (func (export "grow_to_limit") (result i32) (table.grow 0 (ref.null func) (i32.const 9999999)))
    (func (export "size") (result i32) (table.size 0))))");
  // Reference types: the interpreter only (wasm2c 1.0.32 cannot compile them).
  RunResult r = RunWasmiot({"run", module, "--invoke", "grow"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("grow() => i32:4294967295"));  // -1
  RunResult to_limit = RunWasmiot({"run", module, "--invoke", "grow_to_limit"});
  INFO(to_limit.err);
  CHECK_THAT(to_limit.out, Catch::Contains("grow_to_limit() => i32:1"));
}

TEST_CASE("engines agree: memory.grow by 0xffffffff returns -1 on both") {
  TempDir dir;
  std::string module = WatFile(dir, "grow.wasm", R"((module
    (memory 1)
    (func (export "grow_wrap") (result i32) (memory.grow (i32.const -1)))
    (func (export "grow_zero") (result i32) (memory.grow (i32.const 0)))
    (func (export "size") (result i32) (memory.size))))");
  for (const char* fn : {"grow_wrap", "grow_zero", "size"}) {
    RunResult r = RunWasmiot({"run", module, "--invoke", fn, "--engine", "both"});
    INFO(fn << ": " << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains(std::string(fn) + "() => i32:" +
                                      (std::string(fn) == "grow_wrap" ? "4294967295" : "1")));
  }
}

TEST_CASE("engines agree: a call-depth limit the interpreter cannot hold is refused, not a divergence") {
  TempDir dir;
  std::string module = WatFile(dir, "rec.wasm", R"((module
    (func $rec (export "rec") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1)))))))))");
  RunResult at_limit = RunWasmiot({"run", module, "--invoke", "rec", "1599", "--max-call-depth", "1600", "--engine", "both"});
  INFO(at_limit.err);
  CHECK(at_limit.exit_code == 0);
  RunResult past = RunWasmiot({"run", module, "--invoke", "rec", "1600", "--max-call-depth", "1600", "--engine", "both"});
  CHECK(past.exit_code == 1);
  CHECK_THAT(past.err, Catch::Contains("[trap-stack-exhausted]"));
  CHECK_THAT(past.err, !Catch::Contains("engines-disagree"));
  for (const char* engine : {"interp", "both"}) {
    RunResult deep = RunWasmiot({"run", module, "--invoke", "rec", "5000", "--max-call-depth", "10000", "--engine", engine});
    CHECK(deep.exit_code == 1);
    CHECK_THAT(deep.err, Catch::Contains("the AOT engine runs deeper"));
  }
  RunResult aot = RunWasmiot({"run", module, "--invoke", "rec", "5000", "--max-call-depth", "10000", "--engine", "aot"});
  INFO(aot.err);
  CHECK(aot.exit_code == 0);
  CHECK_THAT(aot.out, Catch::Contains("rec(i32:5000) => i32:5000"));
}

TEST_CASE("engines agree: NaNs compare as the specification allows") {
  TempDir dir;
  std::string module = WatFile(dir, "nan.wasm", R"((module
    (func (export "sqrt_neg") (result f64) (f64.sqrt (f64.const -1)))
    (func (export "div_zero") (result f32) (f32.div (f32.const 0) (f32.const 0)))
    (func (export "payload") (result f64) (f64.add (f64.const nan:0x4) (f64.const 1)))
    (func (export "signalling") (result f32) (f32.reinterpret_i32 (i32.const 0x7f800001)))
    (func (export "neg_nan") (result f64) (f64.neg (f64.const nan)))))");
  for (const char* fn : {"sqrt_neg", "div_zero", "payload", "signalling", "neg_nan"}) {
    RunResult r = RunWasmiot({"run", module, "--invoke", fn, "--engine", "both"});
    INFO(fn << ": " << r.err);
    CHECK(r.exit_code == 0);
  }
}

TEST_CASE("engines agree on which trap comes first, and on every division and truncation edge") {
  // Issue 10 saw one random module trap with integer-overflow on one engine and
  // divide-by-zero on the other; not reproduced. These pin the orders that could
  // produce it: a trap in a dropped value, in either operand, in a select arm.
  TempDir dir;
  std::string order = WatFile(dir, "order.wasm", R"((module
    (func (export "dropped") (param i32 i32) (result i32)
      (drop (i32.div_s (local.get 0) (local.get 1)))
      (i32.div_s (i32.const 0x80000000) (i32.const -1)))
    (func (export "left_first") (param i32) (result i32)
      (i32.add (i32.div_s (local.get 0) (i32.const 0)) (i32.div_s (i32.const 0x80000000) (i32.const -1))))
    (func (export "trunc_dropped") (param f32) (result i32)
      (drop (i32.trunc_f32_s (local.get 0)))
      (i32.div_s (i32.const 1) (i32.const 0)))
    (func (export "select_arms") (param i32) (result i32)
      (select (i32.div_u (i32.const 1) (local.get 0)) (i32.trunc_f32_s (f32.const nan)) (local.get 0)))))");
  const std::pair<std::vector<std::string>, std::string> firsts[] = {
      {{"dropped", "1", "0"}, "trap-divide-by-zero"},
      {{"dropped", "1", "1"}, "trap-integer-overflow"},
      {{"left_first", "5"}, "trap-divide-by-zero"},
      {{"trunc_dropped", "nan"}, "trap-invalid-conversion"},
      {{"trunc_dropped", "1"}, "trap-divide-by-zero"},
      {{"select_arms", "0"}, "trap-divide-by-zero"},
  };
  for (const auto& [call, code] : firsts) {
    std::vector<std::string> argv{"run", order, "--engine", "both", "--invoke", call[0], "--"};
    argv.insert(argv.end(), call.begin() + 1, call.end());
    RunResult r = RunWasmiot(argv);
    INFO(call[0] << ": " << r.err);
    CHECK_THAT(r.err, Catch::Contains("[" + code + "]"));
  }

  // Every division and truncation at its edges: the engines must agree (a
  // disagreement is reported as engines-disagree): 184 calls, many of them traps.
  std::string ops = "(module";
  for (const char* t : {"i32", "i64"}) {
    for (const char* op : {"div_s", "div_u", "rem_s", "rem_u"}) {
      ops += fmt::format(" (func (export \"{0}_{1}\") (param {0} {0}) (result {0}) ({0}.{1} (local.get 0) (local.get 1)))",
                         t, op);
    }
    for (const char* f : {"f32", "f64"}) {
      for (const char* sign : {"s", "u"}) {
        ops += fmt::format(" (func (export \"{0}_trunc_{1}_{2}\") (param {1}) (result {0}) ({0}.trunc_{1}_{2} (local.get 0)))",
                           t, f, sign);
      }
    }
  }
  std::string edges = WatFile(dir, "edges.wasm", ops + ")");
  const std::vector<std::string> i32s = {"0", "-1", "-2147483648", "4294967295"};
  const std::vector<std::string> i64s = {"0", "-1", "-9223372036854775808", "9223372036854775807"};
  const std::vector<std::string> floats = {"nan", "-inf", "-0.99", "-1", "2147483648", "4294967296", "9.3e18"};
  int calls = 0, traps = 0;
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{"run", edges, "--engine", "both", "--invoke", args[0], "--"};
    argv.insert(argv.end(), args.begin() + 1, args.end());
    RunResult r = RunWasmiot(argv);
    INFO(fmt::format("{}", fmt::join(args, " ")) << ": " << r.err);
    CHECK_THAT(r.err, !Catch::Contains("engines-disagree") && !Catch::Contains("[usage]"));
    ++calls;
    traps += r.err.find("[trap-") != std::string::npos;
  };
  for (const char* t : {"i32", "i64"}) {
    const auto& ints = std::string(t) == "i32" ? i32s : i64s;
    for (const char* op : {"div_s", "div_u", "rem_s", "rem_u"}) {
      for (const std::string& a : ints) {
        for (const std::string& b : ints) run({fmt::format("{}_{}", t, op), a, b});
      }
    }
    for (const char* f : {"f32", "f64"}) {
      for (const char* sign : {"s", "u"}) {
        for (const std::string& x : floats) run({fmt::format("{}_trunc_{}_{}", t, f, sign), x});
      }
    }
  }
  CHECK(calls == 2 * (4 * 16 + 4 * 7));
  CHECK(traps > 40);
}

}  // namespace wasmiot::test
