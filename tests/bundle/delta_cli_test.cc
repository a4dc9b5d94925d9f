// wasmiot delta as release engineers drive it: a delta and a compressed
// bundle that verify, inspect, assemble and install like any bundle; every
// --json document checked against its schema; and each input it must refuse.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;
using nlohmann::json;

namespace {

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

struct Release {
  Release() {
    REQUIRE(RunWasmiot({"keygen", "-o", dir.File("k")}).exit_code == 0);
    REQUIRE(RunWasmiot({"keygen", "-o", dir.File("other")}).exit_code == 0);
    const std::string wat = ReadText(DataDir() + "/modules/thermostat.wat");
    WriteBytes(dir.File("v1.wasm"), WatToWasm(wat));
    // A maintainer's change: one more instruction in init.
    WriteBytes(dir.File("v2.wasm"), WatToWasm(Replace(wat, "(func (export \"init\")", "(func (export \"init\") nop")));
    // The same module for another device class.
    WriteText(dir.File("other.json"), Replace(ReadText(device), "thermostat-t100", "thermostat-t200"));
  }
  std::string Sign(const std::string& module, int sequence, const std::string& key = "k",
                   const std::string& manifest = "") {
    std::string out = dir.File(fmt::format("{}-{}-{}{}.bundle", module, sequence, key, manifest.empty() ? "" : "-m"));
    RunResult r = RunWasmiot({"sign", dir.File(module + ".wasm"), "--key", dir.File(key + ".key"), "-m",
                              manifest.empty() ? device : manifest, "--version", fmt::format("1.0.{}", sequence),
                              "--seq", std::to_string(sequence), "--chunk-size", "64", "-o", out});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return out;
  }
  RunResult Delta(std::vector<std::string> args) {
    args.insert(args.begin(), "delta");
    return RunWasmiot(args);
  }
  json Json(const RunResult& r, const std::string& schema) {
    std::string file = dir.File(fmt::format("doc-{}.json", docs++));
    WriteText(file, r.out);
    INFO(r.out << r.err);
    CHECK(SchemaVerdicts(schema, {file})[0] == "valid " + file);
    return json::parse(r.out);
  }
  TempDir dir;
  std::string device = SourceDir() + "/templates/thermostat/device.json";
  int docs = 0;
};

}  // namespace

TEST_CASE("delta CLI: a delta and a compressed bundle verify, inspect and assemble to the new module") {
  Release r;
  const std::string v1 = r.Sign("v1", 1), v2 = r.Sign("v2", 2);
  const std::string patch = r.dir.File("v2.patch"), packed = r.dir.File("v1.z");
  RunResult made = r.Delta({v1, v2, "--key", r.dir.File("k.key"), "-o", patch, "--json"});
  REQUIRE(made.exit_code == 0);
  json doc = r.Json(made, "delta-output.schema.json");
  CHECK(doc["encoding"] == "delta");
  CHECK(doc["bytes"] == ReadBytes(patch).size());
  CHECK(doc["decoded_bytes"] == ReadBytes(r.dir.File("v2.wasm")).size());
  CHECK(doc["wire_bytes"].get<uint64_t>() * 2 < doc["plain_wire_bytes"].get<uint64_t>());
  CHECK(doc["operations"]["copied_old_bytes"].get<uint64_t>() > 300);
  RunResult human = r.Delta({v1, v2, "--key", r.dir.File("k.key"), "-o", r.dir.File("again.patch")});
  CHECK(human.exit_code == 0);
  CHECK_THAT(human.out, Catch::Contains("delta bundle") && Catch::Contains("on the wire"));
  CHECK(ReadBytes(r.dir.File("again.patch")) == ReadBytes(patch));  // the same bytes every time
  RunResult compressed = r.Delta({"--compress", v1, "--key", r.dir.File("k.key"), "-o", packed, "--json"});
  REQUIRE(compressed.exit_code == 0);
  CHECK(r.Json(compressed, "delta-output.schema.json")["encoding"] == "compressed");

  // verify checks it as a device does; inspect shows the encoding.
  RunResult verified = RunWasmiot({"verify", patch, "-p", r.dir.File("k.pub.pem"), "-m", r.device, "--json"});
  CHECK(verified.exit_code == 0);
  json header = r.Json(verified, "verify-output.schema.json")["header"];
  CHECK(header["format_version"] == 3);
  CHECK(header["encoding"] == "delta");
  CHECK(header["sequence"] == 2);
  RunResult inspected = RunWasmiot({"inspect", patch});
  CHECK_THAT(inspected.out, Catch::Contains("format 3") && Catch::Contains("encoding:   delta"));
  r.Json(RunWasmiot({"inspect", packed, "--json"}), "inspect-output.schema.json");

  // assemble writes the module the device would run.
  const std::string stream = r.dir.File("patch.stream"), zstream = r.dir.File("z.stream");
  REQUIRE(RunWasmiot({"chunk", patch, "--stream", stream}).exit_code == 0);
  REQUIRE(RunWasmiot({"chunk", packed, "--stream", zstream}).exit_code == 0);
  RunResult no_base = RunWasmiot({"assemble", stream, "-p", r.dir.File("k.pub.pem"), "-o", r.dir.File("x.wasm")});
  CHECK(no_base.exit_code == 1);
  CHECK_THAT(no_base.err, Catch::Contains("[assemble-needs-base]") && Catch::Contains("--base"));
  CHECK_FALSE(std::filesystem::exists(r.dir.File("x.wasm")));
  RunResult wrong_base = RunWasmiot({"assemble", stream, "-p", r.dir.File("k.pub.pem"), "--base", v2, "-o",
                                     r.dir.File("x.wasm")});
  CHECK(wrong_base.exit_code == 1);
  CHECK_THAT(wrong_base.err, Catch::Contains("[assemble-decode-failed]") && Catch::Contains("wrong-base"));
  RunResult assembled = RunWasmiot({"assemble", stream, "-p", r.dir.File("k.pub.pem"), "--base", v1, "-o",
                                    r.dir.File("v2-out.wasm"), "--json"});
  CHECK(assembled.exit_code == 0);
  r.Json(assembled, "assemble-output.schema.json");
  CHECK(ReadBytes(r.dir.File("v2-out.wasm")) == ReadBytes(r.dir.File("v2.wasm")));
  RunResult unpacked = RunWasmiot({"assemble", zstream, "-p", r.dir.File("k.pub.pem"), "-o", r.dir.File("v1-out.wasm")});
  CHECK(unpacked.exit_code == 0);
  CHECK(ReadBytes(r.dir.File("v1-out.wasm")) == ReadBytes(r.dir.File("v1.wasm")));
}

TEST_CASE("delta CLI: inputs it must refuse, each with its code and nothing written") {
  Release r;
  const std::string v1 = r.Sign("v1", 1), v2 = r.Sign("v2", 2), v2_other = r.Sign("v2", 2, "other");
  const std::string v2_t200 = r.Sign("v2", 2, "k", r.dir.File("other.json"));
  const std::string out = r.dir.File("out.bundle"), key = r.dir.File("k.key");
  REQUIRE(r.Delta({v1, v2, "--key", key, "-o", r.dir.File("good.patch")}).exit_code == 0);
  const Bytes v1_bytes = ReadBytes(v1), v2_bytes = ReadBytes(v2), key_bytes = ReadBytes(key);
  WriteText(r.dir.File("junk.bundle"), "not a bundle at all");
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string code;
  };
  const Case cases[] = {
      {{v1, v2_other, "--key", key, "-o", out}, 1, "[key-invalid]"},
      {{v2, v1, "--key", key, "-o", out}, 1, "[delta-not-newer]"},
      {{v1, v2_t200, "--key", key, "-o", out}, 1, "[delta-mismatch]"},
      {{r.dir.File("good.patch"), v2, "--key", key, "-o", out}, 1, "[bundle-invalid]"},
      {{v1, r.dir.File("good.patch"), "--key", key, "-o", out}, 1, "[bundle-invalid]"},
      {{r.dir.File("junk.bundle"), v2, "--key", key, "-o", out}, 1, "[bundle-invalid]"},
      {{v1, r.dir.File("missing.bundle"), "--key", key, "-o", out}, 3, "[io-error]"},
      {{v1, v2, "--key", key, "-o", v2}, 2, "[output-is-input]"},
      {{v1, v2, "--key", key, "-o", key}, 2, "[output-is-input]"},
      {{v2, "--key", key, "-o", out}, 2, "[usage]"},
      {{"--compress", v1, v2, "--key", key, "-o", out}, 2, "[usage]"},
      {{v1, v2, "--key", r.dir.File("k.pub.pem"), "-o", out}, 1, "[key-invalid]"},
  };
  for (const Case& c : cases) {
    RunResult got = r.Delta(c.args);
    INFO(fmt::format("{}\n{}", fmt::join(c.args, " "), got.err));
    CHECK(got.exit_code == c.exit_code);
    CHECK_THAT(got.err, Catch::Contains(c.code));
    CHECK_FALSE(std::filesystem::exists(out));
  }
  CHECK(ReadBytes(v1) == v1_bytes);  // inputs untouched
  CHECK(ReadBytes(v2) == v2_bytes);
  CHECK(ReadBytes(key) == key_bytes);
  r.Json(r.Delta({v1, v2_other, "--key", key, "-o", out, "--json"}), "delta-output.schema.json");
}
