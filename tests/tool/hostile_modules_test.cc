// Modules built to break the tools: deep nesting, local and table bombs. Every
// command refuses them with a diagnostic (or, at exactly the limit, works);
// none crashes or runs out of memory.
#include <filesystem>

#include <catch2/catch.hpp>

#include "module/limits.h"
#include "support/test_support.h"

namespace wasmiot::test {

TEST_CASE("every command refuses a module over a limit with exit 1 and module-over-limit") {
  TempDir dir;
  std::string device = SourceDir() + "/templates/devices/thermostat.device.json";
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

TEST_CASE("a module nested exactly to the limit runs on both engines and compiles for Cortex-M4F") {
  TempDir dir;
  std::string module = dir.File("deep.wasm");
  WriteBytes(module, NestedBlocksModule(kMaxControlDepth));
  RunResult run = RunWasmiot({"run", module, "--invoke", "f", "--engine", "both"});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("f() => i32:7"));
  RunResult aot = RunWasmiot({"aot", module, "--target", "cortex-m4f", "-o", dir.File("aot")});
  INFO(aot.err);
  CHECK(aot.exit_code == 0);
  CHECK(std::filesystem::exists(dir.File("aot/libdeep.a")));
  RunResult opt = RunWasmiot({"opt", module, "-o", dir.File("opt.wasm")});
  INFO(opt.err);
  CHECK(opt.exit_code == 0);
}

}  // namespace wasmiot::test

namespace wasmiot::test {

TEST_CASE("without a device, tables are bounded too: table.grow by 1e9 returns -1") {
  TempDir dir;
  std::string module = dir.File("grow.wasm");
  WriteBytes(module, WatToWasm(R"((module
    (table 1 funcref)
    (func (export "grow") (result i32) (table.grow 0 (ref.null func) (i32.const 1000000000)))
    (func (export "grow_to_limit") (result i32) (table.grow 0 (ref.null func) (i32.const 9999999)))
    (func (export "size") (result i32) (table.size 0))))"));
  // Reference types: the interpreter only (wasm2c 1.0.32 cannot compile them).
  RunResult r = RunWasmiot({"run", module, "--invoke", "grow"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("grow() => i32:4294967295"));  // -1
  RunResult to_limit = RunWasmiot({"run", module, "--invoke", "grow_to_limit"});
  INFO(to_limit.err);
  CHECK_THAT(to_limit.out, Catch::Contains("grow_to_limit() => i32:1"));
}

}  // namespace wasmiot::test
