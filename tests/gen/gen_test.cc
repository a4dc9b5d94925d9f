// wasmiot gen: the library's output read back, its refusals, and the command.
#include <filesystem>
#include <regex>
#include <set>

#include <catch2/catch.hpp>

#include "gen/gen.h"
#include "manifest/manifest.h"
#include "support/test_support.h"

namespace wasmiot {
namespace {

using test::DataDir;
using test::ReadText;
using test::RunResult;
using test::RunWasmiot;
using test::SourceDir;
using test::TempDir;

std::vector<std::string> TemplateManifests() {
  std::vector<std::string> out;
  for (const char* t : {"blank", "gateway-plugin", "motion-detector", "predictive-maintenance", "sensor-node",
                        "thermostat"}) {
    out.push_back(SourceDir() + "/templates/" + t + "/device.json");
  }
  return out;
}

Manifest Parse(const std::string& text) {
  Diagnostics d;
  Result<Manifest> m = ParseManifest(text, "device.json", d);
  INFO(test::DiagnosticsText(d));
  REQUIRE(m.ok());
  return std::move(m).value();
}

// Generates; the files by name, or the diagnostics' text as "error".
std::map<std::string, std::string> Gen(const Manifest& m, GenLanguage language, const std::string& name = "module1") {
  GenRequest r;
  r.language = language;
  r.manifest = &m;
  r.manifest_name = "device.json";
  r.module_name = name;
  Diagnostics d;
  Result<std::vector<GeneratedFile>> files = Generate(r, d);
  std::map<std::string, std::string> out;
  if (!files) {
    out["error"] = test::DiagnosticsText(d);
    return out;
  }
  for (const GeneratedFile& f : *files) out[f.name] = f.text;
  return out;
}

// A WAMR signature string back as WebAssembly types: "(i*~)f" -> i32 i32 i32 -> f32.
bool ParseWamrSignature(const std::string& s, std::vector<ValueType>& params, std::vector<ValueType>& results) {
  auto type_of = [](char c, ValueType& t) {
    switch (c) {
      case 'i': t = ValueType::kI32; return true;
      case 'I': t = ValueType::kI64; return true;
      case 'f': t = ValueType::kF32; return true;
      case 'F': t = ValueType::kF64; return true;
      default: return false;
    }
  };
  if (s.empty() || s[0] != '(') return false;
  size_t i = 1;
  for (; i < s.size() && s[i] != ')'; ++i) {
    ValueType t;
    if (s[i] == '*') {
      params.push_back(ValueType::kI32);
      if (i + 1 < s.size() && s[i + 1] == '~') {
        params.push_back(ValueType::kI32);
        ++i;
      }
    } else if (s[i] == '$') {
      params.push_back(ValueType::kI32);
    } else if (type_of(s[i], t)) {
      params.push_back(t);
    } else {
      return false;
    }
  }
  if (i == s.size()) return false;
  for (++i; i < s.size(); ++i) {
    ValueType t;
    if (!type_of(s[i], t)) return false;
    results.push_back(t);
  }
  return results.size() <= 1;
}

TEST_CASE("gen wamr: every NativeSymbol's signature string, parsed back, is the manifest's signature") {
  std::vector<std::string> manifests = TemplateManifests();
  manifests.push_back(DataDir() + "/manifests/good-minimal.json");
  for (const std::string& path : manifests) {
    INFO(path);
    Manifest m = Parse(ReadText(path));
    std::string c = Gen(m, GenLanguage::kWamr)["wasmiot_wamr.c"];
    REQUIRE(!c.empty());
    std::set<std::string> seen;
    std::regex table(R"(static NativeSymbol wasmiot_natives_(\w+)\[\] = \{\n((?:    \{[^\n]*\n)*)\};)");
    std::regex entry(R"re(\{"(\w+)", __extension__\(void\*\)(\w+), "([^"]*)", NULL\})re");
    for (std::sregex_iterator t(c.begin(), c.end(), table), end; t != end; ++t) {
      std::string module = (*t)[1];
      std::string rows = (*t)[2];
      std::string previous;
      for (std::sregex_iterator e(rows.begin(), rows.end(), entry); e != end; ++e) {
        std::string name = (*e)[1], function = (*e)[2], signature = (*e)[3];
        INFO(module << "." << name << " " << signature);
        const HostFunction* fn = m.FindHostFunction(module, name);
        REQUIRE(fn != nullptr);
        CHECK(function == module + "_" + name);
        CHECK(name > previous);  // sorted, as WAMR's bsearch needs
        previous = name;
        std::vector<ValueType> params, results;
        REQUIRE(ParseWamrSignature(signature, params, results));
        CHECK(params == fn->signature.WasmParams());
        CHECK(results == fn->signature.WasmResults());
        CHECK(seen.insert(fn->QualifiedName()).second);
      }
    }
    CHECK(seen.size() == m.host_functions.size());
  }
}

TEST_CASE("gen: the chapter's \"()F\" mistake cannot happen: an f32 result is \"f\", f64 \"F\", i64 \"I\"") {
  Manifest m = Parse(R"({"manifest_version": 1, "device": {"vendor": "v", "class": "c", "api_version": "1.0.0"},
    "imports": {"env": {
      "temp": {"results": [{"name": "c", "type": "f32"}], "sim": {"kind": "sensor"}},
      "precise": {"results": [{"name": "c", "type": "f64"}], "sim": {"kind": "sensor"}},
      "uptime": {"results": [{"name": "t", "type": "i64"}], "sim": {"kind": "clock", "unit": "ms"}},
      "send": {"params": [{"name": "data", "type": "ptr", "len": "size", "access": "read"}],
               "results": [{"name": "sent", "type": "i32"}], "sim": {"kind": "buffer_out"}}}},
    "exports": {}, "budgets": {"memory": {"initial_pages": 1, "max_pages": 1}, "table": {"max_elements": 0},
      "stack_bytes": 4096, "heap_bytes": 0, "fuel_per_call": 1000, "wall_ms_per_call": 10, "max_module_bytes": 4096},
    "features": [], "aot_targets": []})");
  std::string c = Gen(m, GenLanguage::kWamr)["wasmiot_wamr.c"];
  CHECK(c.find(R"({"temp", __extension__(void*)env_temp, "()f", NULL})") != std::string::npos);
  CHECK(c.find(R"({"precise", __extension__(void*)env_precise, "()F", NULL})") != std::string::npos);
  CHECK(c.find(R"({"uptime", __extension__(void*)env_uptime, "()I", NULL})") != std::string::npos);
  CHECK(c.find(R"({"send", __extension__(void*)env_send, "(*~)i", NULL})") != std::string::npos);
}

std::string ManifestWith(const std::string& imports, const std::string& exports = "{}") {
  return R"({"manifest_version": 1, "device": {"vendor": "v", "class": "c", "api_version": "1.0.0"}, "imports": )" +
         imports + R"(, "exports": )" + exports +
         R"(, "budgets": {"memory": {"initial_pages": 1, "max_pages": 1}, "table": {"max_elements": 0},
      "stack_bytes": 4096, "heap_bytes": 0, "fuel_per_call": 1000, "wall_ms_per_call": 10, "max_module_bytes": 4096},
    "features": ["multi-value"], "aot_targets": []})";
}

TEST_CASE("gen: names that are not symbols are mangled predictably, collisions and the glue's prefix are refused") {
  // "my-io.v2" -> my_io_v2; a parameter named "type" -> type_.
  Manifest m = Parse(ManifestWith(
      R"({"my-io.v2": {"put": {"params": [{"name": "type", "type": "i32"}], "sim": {"kind": "actuator"}}}})"));
  for (GenLanguage l : {GenLanguage::kC, GenLanguage::kRust, GenLanguage::kWamr, GenLanguage::kWasm2c}) {
    std::map<std::string, std::string> files = Gen(m, l);
    INFO(GenLanguageName(l));
    REQUIRE(files.count("error") == 0);
  }
  std::string header = Gen(m, GenLanguage::kC)["wasmiot_guest.h"];
  CHECK(header.find(R"(WASMIOT_IMPORT("my-io.v2", "put") void my_io_v2_put(int32_t type_);)") != std::string::npos);
  std::string rust = Gen(m, GenLanguage::kRust)["wasmiot_guest.rs"];
  CHECK(rust.find("#[link(wasm_import_module = \"my-io.v2\")]") != std::string::npos);
  CHECK(rust.find("pub mod my_io_v2 {") != std::string::npos);
  CHECK(rust.find("pub fn put(type_: i32)") != std::string::npos);

  // "a.b" and "a_b" both become a_b_f.
  Manifest collide = Parse(ManifestWith(R"({"a.b": {"f": {"sim": {"kind": "actuator"}}},
                                            "a_b": {"f": {"sim": {"kind": "actuator"}}}})"));
  std::string error = Gen(collide, GenLanguage::kC)["error"];
  CHECK(error.find("gen-name-collision") != std::string::npos);
  CHECK(error.find("a_b_f") != std::string::npos);

  // An import module "wasmiot" would own the glue's wasmiot_ prefix.
  Manifest reserved = Parse(ManifestWith(R"({"wasmiot": {"f": {"sim": {"kind": "actuator"}}}})"));
  CHECK(Gen(reserved, GenLanguage::kWamr)["error"].find("gen-name-reserved") != std::string::npos);

  // A parameter named like the glue's own first parameter.
  Manifest own = Parse(ManifestWith(R"({"env": {"f": {"params": [{"name": "exec_env", "type": "i32"}],
                                                       "sim": {"kind": "actuator"}}}})"));
  CHECK(Gen(own, GenLanguage::kWamr)["error"].find("gen-name-collision") != std::string::npos);
}

TEST_CASE("gen: an export with several results is refused in every language, naming it") {
  // No simulation kind gives a host function two results: an export can have them.
  Manifest m = Parse(ManifestWith("{}", R"({"pair": {"required": true, "results": [{"name": "a", "type": "i32"},
                                                                                    {"name": "b", "type": "i32"}]}})"));
  for (GenLanguage l : {GenLanguage::kC, GenLanguage::kRust, GenLanguage::kWamr, GenLanguage::kWasm2c}) {
    std::string error = Gen(m, l)["error"];
    INFO(GenLanguageName(l));
    CHECK(error.find("gen-unsupported") != std::string::npos);
    CHECK(error.find("export pair") != std::string::npos);
  }
}

TEST_CASE("gen: doc text cannot end a comment or splice a line") {
  Manifest m = Parse(ManifestWith(
      R"({"env": {"f": {"doc": "closes */ here\nand ?)" R"(?/", "sim": {"kind": "actuator"}}}})"));
  std::string header = Gen(m, GenLanguage::kC)["wasmiot_guest.h"];
  CHECK(header.find("closes * / here") != std::string::npos);
  CHECK(header.find("closes */") == std::string::npos);
  CHECK(header.find("and ?" "?/.\n") != std::string::npos);
}

TEST_CASE("gen: the same manifest gives the same bytes, and the first line names it and its digest") {
  Manifest m = Parse(ReadText(SourceDir() + "/templates/thermostat/device.json"));
  for (GenLanguage l : {GenLanguage::kC, GenLanguage::kRust, GenLanguage::kWamr, GenLanguage::kWasm2c}) {
    std::map<std::string, std::string> a = Gen(m, l), b = Gen(m, l);
    CHECK(a == b);
    for (const auto& [name, text] : a) {
      INFO(name);
      CHECK(text.find("Generated by wasmiot gen") < 5);
      CHECK(text.substr(0, text.find('\n')).find("from device.json, sha256 ") != std::string::npos);
    }
  }
}

TEST_CASE("wasmiot gen: writes the files, JSON matches its schema, usage errors, never over an input") {
  TempDir dir;
  std::string manifest = SourceDir() + "/templates/thermostat/device.json";
  RunResult made = RunWasmiot({"gen", "guest", "-m", manifest, "--lang", "c", "-o", dir.File("c"), "--json"});
  INFO(made.out << made.err);
  REQUIRE(made.exit_code == 0);
  CHECK(test::MatchesSchema("gen-output.schema.json", made.out, dir));
  CHECK(made.out.find(dir.File("c") + "/wasmiot_guest.h") != std::string::npos);
  std::string first = ReadText(dir.File("c/wasmiot_guest.h"));

  // Again, from another folder with a copy of the manifest: the same bytes.
  test::WriteText(dir.File("device.json"), ReadText(manifest));
  REQUIRE(RunWasmiot({"gen", "guest", "-m", dir.File("device.json"), "--lang", "c", "-o", dir.File("c2"), "-q"})
              .exit_code == 0);
  CHECK(ReadText(dir.File("c2/wasmiot_guest.h")) == first);

  RunResult wrong_side = RunWasmiot({"gen", "guest", "-m", manifest, "--lang", "wamr", "-o", dir.File("w")});
  CHECK(wrong_side.exit_code == 2);
  CHECK(wrong_side.err.find("wasmiot gen host --lang wamr") != std::string::npos);

  RunResult no_name = RunWasmiot({"gen", "host", "-m", manifest, "--lang", "wasm2c", "-o", dir.File("w")});
  CHECK(no_name.exit_code == 2);
  CHECK(no_name.err.find("--name") != std::string::npos);

  RunResult bad_manifest = RunWasmiot({"gen", "guest", "-m", DataDir() + "/manifests/bad-vendor.json", "--lang", "c",
                                       "-o", dir.File("b"), "--json"});
  CHECK(bad_manifest.exit_code == 1);
  CHECK(test::MatchesSchema("gen-output.schema.json", bad_manifest.out, dir));

  // A manifest named like the output file is never replaced.
  std::filesystem::create_directory(dir.File("o"));
  test::WriteText(dir.File("o/wasmiot_guest.h"), ReadText(manifest));
  RunResult over = RunWasmiot({"gen", "guest", "-m", dir.File("o/wasmiot_guest.h"), "--lang", "c", "-o", dir.File("o")});
  CHECK(over.exit_code == 2);
  CHECK(ReadText(dir.File("o/wasmiot_guest.h")) == ReadText(manifest));
}

// A device whose host functions take NUL-terminated strings (WAMR's "$"),
// and a module calling them: the glue of every language is compiled, and the
// wasm2c glue runs as firmware on the host, checking each string.
constexpr const char* kStringDevice = R"({"manifest_version": 1,
  "device": {"vendor": "v", "class": "c", "api_version": "1.0.0"},
  "imports": {"env": {
    "log": {"params": [{"name": "line", "type": "string"}], "sim": {"kind": "log"}},
    "set_label": {"params": [{"name": "slot", "type": "i32"}, {"name": "label", "type": "string"}],
                  "results": [{"name": "ok", "type": "i32"}], "sim": {"kind": "actuator", "returns": 1}}}},
  "exports": {"memory": {"kind": "memory", "required": true},
              "hello": {"required": true, "params": [{"name": "at", "type": "i32"}],
                        "results": [{"name": "r", "type": "i32"}]}},
  "budgets": {"memory": {"initial_pages": 1, "max_pages": 1}, "table": {"max_elements": 0},
    "stack_bytes": 4096, "heap_bytes": 0, "fuel_per_call": 100000, "wall_ms_per_call": 100,
    "max_module_bytes": 4096},
  "features": ["mutable-globals"], "aot_targets": ["host"]})";

// hello(at) logs the string at `at` and labels slot 7 with "hi".
constexpr const char* kStringModule = R"((module
  (import "env" "log" (func $log (param i32)))
  (import "env" "set_label" (func $label (param i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 16) "hello\00hi\00")
  (func (export "hello") (param i32) (result i32)
    (call $log (local.get 0))
    (call $label (i32.const 7) (i32.const 22)))))";

TEST_CASE("gen: string parameters are \"$\" for WAMR, const char* in C, NUL-checked slices in Rust") {
  Manifest m = Parse(kStringDevice);
  std::string wamr = Gen(m, GenLanguage::kWamr)["wasmiot_wamr.c"];
  CHECK(wamr.find(R"x({"log", __extension__(void*)env_log, "($)", NULL})x") != std::string::npos);
  CHECK(wamr.find(R"x({"set_label", __extension__(void*)env_set_label, "(i$)i", NULL})x") != std::string::npos);
  CHECK(Gen(m, GenLanguage::kC)["wasmiot_guest.h"].find("void env_log(const char* line);") != std::string::npos);
  std::string rust = Gen(m, GenLanguage::kRust)["wasmiot_guest.rs"];
  CHECK(rust.find("pub fn log(line: *const u8);") != std::string::npos);
  CHECK(rust.find("assert!(line.last() == Some(&0), \"line must end in a NUL byte\");") != std::string::npos);
}

TEST_CASE("gen wasm2c: string arguments reach the firmware checked, and one without its NUL is refused as host") {
  TempDir dir;
  test::WriteText(dir.File("device.json"), kStringDevice);
  test::WriteBytes(dir.File("labels.wasm"), test::WatToWasm(kStringModule));
  std::string aot = dir.File("aot");
  // A module named "strings" would shadow the C library's strings.h: refused.
  RunResult shadow = RunWasmiot({"aot", dir.File("labels.wasm"), "--target", "host", "-o", aot, "--name", "strings"});
  CHECK(shadow.exit_code == 2);
  CHECK(shadow.err.find("--name strings_module") != std::string::npos);
  REQUIRE(RunWasmiot({"aot", dir.File("labels.wasm"), "--target", "host", "-o", aot, "-m", dir.File("device.json")})
              .exit_code == 0);
  REQUIRE(RunWasmiot({"gen", "host", "--lang", "wasm2c", "--name", "labels", "-m", dir.File("device.json"), "-o", aot})
              .exit_code == 0);
  test::WriteText(dir.File("firmware.c"), R"(#include <stdio.h>
#include "wasmiot_wasm2c.h"
void env_log(void* user, const char* line) { (void)user; printf("log: %s\n", line); }
int32_t env_set_label(void* user, int32_t slot, const char* label) {
  (void)user;
  printf("label %d: %s\n", (int)slot, label);
  return 1;
}
int main(void) {
  static wasmiot_instance m;
  int32_t r = 0;
  wasm_rt_init();
  Z_labels_init_module();
  if (wasmiot_instantiate(&m, NULL) != WASMIOT_OK) return 2;
  wasmiot_status s = wasmiot_call_hello(&m, 16, &r);
  printf("%s %d\n", wasmiot_status_name(s), (int)r);
  /* The last byte of memory is not a NUL: no string ends inside memory. */
  m.memory->data[m.memory->size - 1] = 'x';
  printf("%s\n", wasmiot_status_name(wasmiot_call_hello(&m, (uint32_t)m.memory->size - 1, &r)));
  printf("%s\n", wasmiot_status_name(wasmiot_call_hello(&m, (uint32_t)m.memory->size, &r)));
  return 0;
}
)");
  RunResult built = test::Run({"cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I" + aot,
                               dir.File("firmware.c"), aot + "/wasmiot_wasm2c.c", aot + "/liblabels.a", "-lm", "-o",
                               dir.File("firmware")});
  INFO(built.err);
  REQUIRE(built.exit_code == 0);
  RunResult ran = test::Run({dir.File("firmware")});
  CHECK(ran.exit_code == 0);
  CHECK(ran.out == "log: hello\nlabel 7: hi\nok 1\nhost\nhost\n");

  // The WAMR glue, against the API declaration kept in tests/.
  REQUIRE(RunWasmiot({"gen", "host", "--lang", "wamr", "-m", dir.File("device.json"), "-o", dir.File("wamr")})
              .exit_code == 0);
  RunResult wamr = test::Run({"cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-c",
                              "-I" + SourceDir() + "/tests/gen/wamr", "-I" + dir.File("wamr"),
                              dir.File("wamr/wasmiot_wamr.c"), "-o", dir.File("wamr.o")});
  INFO(wamr.err);
  CHECK(wamr.exit_code == 0);
}

TEST_CASE("run: a string argument is read to its NUL, and one that runs past memory is the host's refusal") {
  TempDir dir;
  test::WriteText(dir.File("device.json"), kStringDevice);
  test::WriteBytes(dir.File("strings.wasm"), test::WatToWasm(kStringModule));
  auto run = [&](const std::string& at) {
    return RunWasmiot({"run", dir.File("strings.wasm"), "-m", dir.File("device.json"), "--invoke", "hello", at,
                       "--engine", "both", "-v"});
  };
  RunResult ok = run("16");
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("hello(i32:16) => i32:1") != std::string::npos);
  RunResult past = run("65536");
  CHECK(past.exit_code == 1);
  CHECK(past.err.find("env.log: string line at 0x10000 has no NUL byte before the end of linear memory") !=
        std::string::npos);
}

}  // namespace
}  // namespace wasmiot
