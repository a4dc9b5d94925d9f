// Differential testing against an independent engine. Binaryen's
// translate-to-fuzz (wasm-opt -ttf) turns seeded random bytes into valid
// modules; every exported function runs on wabt's interpreter and on host AOT
// (`wasmiot run --engine both`, which already fails on any difference between
// the two) and on V8 (node), and all three must agree on results, trap kinds
// and the calls made to the host, with NaNs compared as the spec allows.
//
// WASMIOT_DIFF_MODULES (default 24) and WASMIOT_DIFF_SEED (default 1) choose
// the modules; a long run is documented in docs/runtime.md.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "module/module_info.h"
#include "support/test_support.h"

namespace wasmiot::test {
namespace {

// The device the generated modules run on: Binaryen's logging imports as
// actuators (each call recorded with its argument), room for its memories.
constexpr const char* kManifest = R"({
  "manifest_version": 1,
  "device": {"vendor": "wasmiot", "class": "differential", "api_version": "1.0.0"},
  "imports": {"fuzzing-support": {
    "log_i32": {"params": [{"name": "v", "type": "i32"}], "sim": {"kind": "actuator"}},
    "log_i64": {"params": [{"name": "v", "type": "i64"}], "sim": {"kind": "actuator"}},
    "log_f32": {"params": [{"name": "v", "type": "f32"}], "sim": {"kind": "actuator"}},
    "log_f64": {"params": [{"name": "v", "type": "f64"}], "sim": {"kind": "actuator"}}
  }},
  "exports": {},
  "budgets": {"memory": {"initial_pages": 256, "max_pages": 256}, "table": {"max_elements": 100000},
              "stack_bytes": 65536, "heap_bytes": 0, "fuel_per_call": 1000000, "wall_ms_per_call": 10000,
              "max_module_bytes": 10485760},
  "features": ["mutable-globals"],
  "aot_targets": []
})";

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// splitmix64: the input bytes Binaryen turns into module `seed`.
Bytes SeedBytes(uint64_t seed, size_t size) {
  Bytes out(size);
  uint64_t x = seed * 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < size; i += 8) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    for (size_t j = 0; j < 8 && i + j < size; ++j) out[i + j] = static_cast<uint8_t>(z >> (8 * j));
  }
  return out;
}

// Binaryen names its imports "log-i32"; the manifest's function names are C
// identifiers. Same length, so no size in the binary changes.
void RenameLogImports(Bytes& wasm) {
  const char kFrom[] = "log-";
  for (size_t i = 0; i + 4 <= wasm.size(); ++i) {
    if (std::memcmp(wasm.data() + i, kFrom, 4) == 0) wasm[i + 3] = '_';
  }
}

// A number from either side as a 64-bit pattern of its type, for comparison.
struct Number {
  std::string type;
  bool nan = false;
  uint64_t bits = 0;
  bool operator==(const Number& o) const { return type == o.type && nan == o.nan && (nan || bits == o.bits); }
};

Number FromText(const std::string& type, const std::string& text) {
  Number n{type};
  if (type == "i32") {
    n.bits = static_cast<uint32_t>(std::stoll(text));
  } else if (type == "i64") {
    n.bits = text[0] == '-' ? static_cast<uint64_t>(std::stoll(text)) : std::stoull(text);
  } else {
    double d = text == "nan" || text == "-nan" ? NAN : text == "inf" ? INFINITY : text == "-inf" ? -INFINITY
                                                                                                  : std::strtod(text.c_str(), nullptr);
    n.nan = std::isnan(d);
    if (type == "f32") {
      float f = static_cast<float>(d);
      uint32_t b;
      std::memcpy(&b, &f, 4);
      n.bits = b;
    } else {
      std::memcpy(&n.bits, &d, 8);
    }
  }
  return n;
}

Number FromJson(const nlohmann::json& v) {
  const std::string type = v["type"];
  const nlohmann::json& value = v["value"];
  if (value.is_string()) return FromText(type, value.get<std::string>());
  if (type == "i32" || type == "i64") {
    return FromText(type, value.is_number_unsigned() ? std::to_string(value.get<uint64_t>())
                                                     : std::to_string(value.get<int64_t>()));
  }
  std::ostringstream s;
  s.precision(17);
  s << value.get<double>();
  std::string text = s.str();
  if (std::signbit(value.get<double>()) && value.get<double>() == 0) text = "-0";
  return FromText(type, text);
}

std::string Describe(const std::vector<Number>& numbers) {
  std::string out;
  for (const Number& n : numbers) out += n.type + ":" + (n.nan ? "nan" : std::to_string(n.bits)) + " ";
  return out;
}

struct Tally {
  uint64_t modules = 0, calls = 0, compared_with_v8 = 0, budget_stops = 0;
};

}  // namespace

TEST_CASE("differential: random modules agree on the interpreter, host AOT and V8") {
  const uint64_t count = EnvNumber("WASMIOT_DIFF_MODULES", 24);
  const uint64_t first = EnvNumber("WASMIOT_DIFF_SEED", 1);
  TempDir dir;
  std::string manifest = dir.File("differential.device.json");
  WriteText(manifest, kManifest);
  std::string script = SourceDir() + "/tests/differential/v8_call.mjs";
  Tally tally;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    std::string input = dir.File("seed.bin"), module = dir.File(fmt::format("m{}.wasm", seed));
    WriteBytes(input, SeedBytes(seed, 2048));
    RunResult gen = Run({"wasm-opt", "-ttf", input, "--mvp-features", "--enable-mutable-globals", "-o", module});
    INFO("seed " << seed << ": " << gen.err);
    REQUIRE(gen.exit_code == 0);
    Bytes wasm = ReadBytes(module);
    RenameLogImports(wasm);
    WriteBytes(module, wasm);
    Diagnostics d;
    Result<ModuleInfo> info = ReadModule(wasm, module, d);
    INFO(DiagnosticsText(d));
    REQUIRE(info.ok());
    ++tally.modules;

    nlohmann::json to_call = nlohmann::json::array();
    for (const ExportInfo& e : info->exports) {
      if (e.kind != ExternKind::kFunc) continue;
      auto names = [](const std::vector<WasmType>& types) {
        std::vector<std::string> out;
        for (WasmType t : types) out.emplace_back(WasmTypeName(t));
        return out;
      };
      to_call.push_back({{"name", e.name}, {"params", names(e.signature.params)}, {"results", names(e.signature.results)}});
    }
    RunResult v8 = Run({"node", script, module, to_call.dump()});
    INFO(v8.err);
    REQUIRE(v8.exit_code == 0);
    std::istringstream v8_lines(v8.out);
    for (const nlohmann::json& call : to_call) {
      std::string line;
      REQUIRE(std::getline(v8_lines, line));
      nlohmann::json theirs = nlohmann::json::parse(line);
      std::vector<std::string> argv{"run", module, "-m", manifest, "--invoke", call["name"]};
      for (size_t i = 0; i < call["params"].size(); ++i) argv.push_back("0");
      argv.insert(argv.end(), {"--engine", "both", "--json"});
      RunResult ours_run = RunWasmiot(argv);
      nlohmann::json ours = nlohmann::json::parse(ours_run.out);
      ++tally.calls;
      INFO("seed " << seed << ", export " << call["name"] << "\n" << ours_run.out << "\nV8: " << line);
      for (const nlohmann::json& diag : ours["diagnostics"]) {
        CHECK(diag["code"] != "engines-disagree");  // interpreter vs AOT
        CHECK(diag["code"] != "instantiation-refused");
      }
      // Fuel, call depth and wall clock are wasmiot's budgets, which V8 does not have.
      std::string kind = ours.contains("trap") && !ours["trap"].is_null() ? ours["trap"]["kind"].get<std::string>() : "";
      if (kind == "fuel-exhausted" || kind == "stack-exhausted" || kind == "timeout") {
        ++tally.budget_stops;
        continue;
      }
      ++tally.compared_with_v8;
      if (!kind.empty()) {
        std::vector<std::string> allowed = theirs["trap"].is_null() ? std::vector<std::string>{}
                                                                    : theirs["trap"].get<std::vector<std::string>>();
        CHECK(std::find(allowed.begin(), allowed.end(), kind) != allowed.end());
        continue;
      }
      CHECK(theirs["trap"].is_null());
      std::vector<Number> our_results, their_results, our_calls, their_calls;
      for (const auto& r : ours["results"]) our_results.push_back(FromJson(r));
      for (const auto& r : theirs["results"]) their_results.push_back(FromText(r["type"], r["value"]));
      for (const auto& c : ours["host_calls"]) our_calls.push_back(FromJson(c["args"][0]));
      for (const auto& c : theirs["calls"]) their_calls.push_back(FromText(c["type"], c["value"]));
      CHECK(Describe(our_results) == Describe(their_results));
      CHECK(our_results == their_results);
      CHECK(Describe(our_calls) == Describe(their_calls));
      CHECK(our_calls == their_calls);
    }
  }
  // The figures for the record (docs/runtime.md).
  WARN(fmt::format("differential: {} modules, {} calls on interp+aot, {} compared with V8, {} stopped by a budget",
                   tally.modules, tally.calls, tally.compared_with_v8, tally.budget_stops));
  CHECK(tally.compared_with_v8 > tally.calls / 2);  // the comparison must mostly happen
}

}  // namespace wasmiot::test
