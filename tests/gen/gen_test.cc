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

  // --module that is not a module, or is missing: the reader's error with its
  // offset, the documented exit code, and no output folder.
  test::WriteText(dir.File("bad.wasm"), "garbage");
  RunResult bad_module = RunWasmiot({"gen", "host", "-m", manifest, "--lang", "wasm2c", "--name", "t", "--module",
                                     dir.File("bad.wasm"), "-o", dir.File("g")});
  CHECK(bad_module.exit_code == 1);
  CHECK(bad_module.err == dir.File("bad.wasm") + ":0x4: error: bad magic value [binary-malformed]\n");
  CHECK_FALSE(std::filesystem::exists(dir.File("g")));
  RunResult no_module = RunWasmiot({"gen", "host", "-m", manifest, "--lang", "wasm2c", "--name", "t", "--module",
                                    dir.File("missing.wasm"), "-o", dir.File("g")});
  CHECK(no_module.exit_code == 3);
  CHECK_THAT(no_module.err, Catch::Contains("missing.wasm: error: cannot open"));
  CHECK_FALSE(std::filesystem::exists(dir.File("g")));

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

// A device whose exports take buffers (read, write, readwrite, and two at
// once), with the given "host_buffers" (none if empty).
std::string BufferDevice(const std::string& host_buffers) {
  return R"({"manifest_version": 1,
  "device": {"vendor": "v", "class": "c", "api_version": "1.0.0"},
  "imports": {},
  "exports": {"memory": {"kind": "memory", "required": true},
    "fill": {"required": true, "params": [{"name": "out", "type": "ptr", "len": "out_len", "access": "write"}],
             "results": [{"name": "written", "type": "i32"}]},
    "sum": {"required": true, "params": [{"name": "data", "type": "ptr", "len": "data_len", "access": "read"}],
            "results": [{"name": "total", "type": "i32"}]},
    "upcase": {"required": true,
               "params": [{"name": "text", "type": "ptr", "len": "text_len", "access": "readwrite"}]},
    "copy": {"required": true, "params": [{"name": "src", "type": "ptr", "len": "src_len", "access": "read"},
                                          {"name": "dst", "type": "ptr", "len": "dst_len", "access": "write"}],
             "results": [{"name": "gap", "type": "i32"}]},
    "top": {"required": false, "results": [{"name": "at", "type": "i32"}]}},
  "budgets": {"memory": {"initial_pages": 1, "max_pages": 1}, "table": {"max_elements": 0},
    "stack_bytes": 4096, "heap_bytes": 0, "fuel_per_call": 100000, "wall_ms_per_call": 100,
    "max_module_bytes": 4096},
  "features": ["mutable-globals"], "aot_targets": ["host"])" +
         (host_buffers.empty() ? "" : ",\n  \"host_buffers\": " + host_buffers) + "}";
}
const std::string kReserved = R"({"kind": "reserved", "address": 65024, "bytes": 512})";
const std::string kAllocator = R"({"kind": "allocator", "alloc": "buf_alloc", "free": "buf_free"})";
const std::string kAllocatorNoFree = R"({"kind": "allocator", "alloc": "buf_alloc"})";

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_CASE("gen host: with host_buffers reserved, export wrappers take host memory and place it in the region") {
  Manifest m = Parse(BufferDevice(kReserved));
  for (GenLanguage l : {GenLanguage::kWamr, GenLanguage::kWasm2c}) {
    INFO(GenLanguageName(l));
    std::map<std::string, std::string> files = Gen(m, l);
    REQUIRE(files.count("error") == 0);
    bool wamr = l == GenLanguage::kWamr;
    std::string h = files[wamr ? "wasmiot_wamr.h" : "wasmiot_wasm2c.h"];
    std::string c = files[wamr ? "wasmiot_wamr.c" : "wasmiot_wasm2c.c"];
    std::string first = wamr ? "wasm_exec_env_t exec_env" : "wasmiot_instance* instance";
    std::string context = wamr ? "exec_env" : "instance";
    // Beside the budgets.
    CHECK(Has(h, "#define WASMIOT_MAX_MODULE_BYTES 4096u\n/* Where the export wrappers put buffer arguments"));
    CHECK(Has(h, "#define WASMIOT_HOST_BUFFERS_ADDRESS 65024u\n#define WASMIOT_HOST_BUFFERS_BYTES 512u\n"));
    CHECK(Has(h, "  WASMIOT_MISSING_EXPORT,\n"));
    CHECK(Has(h, "  WASMIOT_NO_HOST_BUFFER\n} wasmiot_status;"));
    CHECK(Has(c, "    case WASMIOT_MISSING_EXPORT: return \"missing-export\";\n"
                 "    case WASMIOT_NO_HOST_BUFFER: return \"no-host-buffer\";\n"));
    // The public wrappers take host memory: const for what the module reads.
    CHECK(Has(h, "wasmiot_status wasmiot_call_fill(" + first + ", uint8_t* out, uint32_t out_len, int32_t* written);"));
    CHECK(Has(h, "wasmiot_status wasmiot_call_sum(" + first + ", const uint8_t* data, uint32_t data_len, int32_t* total);"));
    CHECK(Has(h, "wasmiot_status wasmiot_call_upcase(" + first + ", uint8_t* text, uint32_t text_len);"));
    CHECK(Has(h, "wasmiot_status wasmiot_call_copy(" + first +
                     ", const uint8_t* src, uint32_t src_len, uint8_t* dst, uint32_t dst_len, int32_t* gap);"));
    CHECK(Has(h, "wasmiot_status wasmiot_call_top(" + first + ", int32_t* at);"));
    CHECK(Has(h, "manifest \"host_buffers\": reserved"));
    CHECK(Has(h, " * `out`: `out_len` bytes of host memory the module writes (zeros go in; copied\n"
                 " *   back on WASMIOT_OK).\n"));
    CHECK(Has(h, " * `data`: `data_len` bytes of host memory the module reads (copied in).\n"));
    CHECK_FALSE(Has(h, "A buffer parameter is an address"));
    // ...and call the wrappers of guest addresses, static, with the placed addresses.
    CHECK(Has(c, "static wasmiot_status wasmiot_raw_fill(" + first + ", uint32_t out, uint32_t out_len, int32_t* written) {"));
    CHECK_FALSE(Has(c, "wasmiot_raw_top"));
    CHECK(Has(c, "  wasmiot_buffers[0] = wasmiot_buffer_of(src, NULL, src_len);\n"
                 "  wasmiot_buffers[1] = wasmiot_buffer_of(NULL, dst, dst_len);\n"));
    CHECK(Has(c, "  wasmiot_buffers[0] = wasmiot_buffer_of(text, text, text_len);\n"));
    CHECK(Has(c, "  wasmiot_result = wasmiot_raw_copy(" + context +
                     ", wasmiot_buffers[0].address, src_len, wasmiot_buffers[1].address, dst_len, &wasmiot_value);\n"));
    CHECK(Has(c, "static bool wasmiot_guest_range(" + first + ", uint32_t address"));
    CHECK(Has(c, "offset = (offset + 7u) / 8u * 8u;"));
    CHECK_FALSE(Has(c, "wasmiot_buffers_release"));
    CHECK(Has(c, wamr ? "wasm_runtime_validate_app_addr(instance, address, length)" : "address > memory->size - length"));
  }
}

TEST_CASE("gen host: with host_buffers allocator, the wrappers get buffers from the module's exports") {
  Manifest m = Parse(BufferDevice(kAllocator));
  Manifest no_free = Parse(BufferDevice(kAllocatorNoFree));
  for (GenLanguage l : {GenLanguage::kWamr, GenLanguage::kWasm2c}) {
    INFO(GenLanguageName(l));
    bool wamr = l == GenLanguage::kWamr;
    std::map<std::string, std::string> files = Gen(m, l);
    std::string h = files[wamr ? "wasmiot_wamr.h" : "wasmiot_wasm2c.h"];
    std::string c = files[wamr ? "wasmiot_wamr.c" : "wasmiot_wasm2c.c"];
    std::string first = wamr ? "wasm_exec_env_t exec_env" : "wasmiot_instance* instance";
    std::string context = wamr ? "exec_env" : "instance";
    CHECK_FALSE(Has(h, "WASMIOT_HOST_BUFFERS_ADDRESS"));
    CHECK(Has(h, "  WASMIOT_NO_HOST_BUFFER\n} wasmiot_status;"));
    CHECK(Has(h, "manifest \"host_buffers\": allocator"));
    CHECK(Has(h, "wasmiot_status wasmiot_call_fill(" + first + ", uint8_t* out, uint32_t out_len, int32_t* written);"));
    // The allocator's exports have their own wrappers, and the placement calls them.
    CHECK(Has(h, "wasmiot_status wasmiot_call_buf_alloc(" + first + ", int32_t size, int32_t* address);"));
    CHECK(Has(h, "wasmiot_status wasmiot_call_buf_free(" + first + ", int32_t address);"));
    CHECK(Has(c, "status = wasmiot_call_buf_alloc(" + context + ", (int32_t)buffers[i].length, &address);"));
    CHECK(Has(c, "freed = wasmiot_call_buf_free(" + context + ", (int32_t)buffers[count].address);"));
    CHECK(Has(c, "return wasmiot_buffers_release(" + context + ", buffers, count, status);"));
    CHECK_FALSE(Has(c, "offset = (offset + 7u)"));

    std::map<std::string, std::string> kept = Gen(no_free, l);
    std::string kept_c = kept[wamr ? "wasmiot_wamr.c" : "wasmiot_wasm2c.c"];
    CHECK(Has(kept_c, "status = wasmiot_call_buf_alloc("));
    CHECK_FALSE(Has(kept_c, "wasmiot_buffers_release"));
    CHECK(Has(kept[wamr ? "wasmiot_wamr.h" : "wasmiot_wasm2c.h"], "(host_buffers names no \"free\")"));
  }

  // The WAMR glue compiles, with and without free, as C99 and C++17 (the wasm2c
  // glue is compiled with its module below; the templates' is reserved).
  TempDir dir;
  for (const Manifest* manifest : {&m, &no_free}) {
    std::string folder = dir.File(manifest == &m ? "free" : "no-free");
    std::filesystem::create_directory(folder);
    for (const auto& [name, text] : Gen(*manifest, GenLanguage::kWamr)) test::WriteText(folder + "/" + name, text);
    std::vector<std::string> flags = {"-O2", "-Wall", "-Wextra", "-Werror", "-pedantic", "-c",
                                      "-I" + SourceDir() + "/tests/gen/wamr", "-I" + folder,
                                      folder + "/wasmiot_wamr.c", "-o", folder + "/glue.o"};
    for (std::vector<std::string> args : {std::vector<std::string>{"cc", "-std=c99"},
                                          std::vector<std::string>{"c++", "-x", "c++", "-std=c++17"}}) {
      args.insert(args.end(), flags.begin(), flags.end());
      RunResult built = test::Run(args);
      INFO(folder << " " << args[0] << "\n" << built.err);
      CHECK(built.exit_code == 0);
    }
  }
}

TEST_CASE("gen host: without host_buffers a buffer stays a guest address, and nothing of host_buffers is written") {
  Manifest thermostat = Parse(ReadText(SourceDir() + "/templates/thermostat/device.json"));
  thermostat.host_buffers.reset();
  for (const Manifest& m : {Parse(BufferDevice("")), thermostat}) {
    for (GenLanguage l : {GenLanguage::kC, GenLanguage::kRust, GenLanguage::kWamr, GenLanguage::kWasm2c}) {
      INFO(GenLanguageName(l));
      for (const auto& [name, text] : Gen(m, l)) {
        INFO(name);
        CHECK(name != "error");
        for (const char* absent : {"HOST_BUFFER", "host_buffer", "wasmiot_raw_", "wasmiot_buffer"}) {
          CHECK_FALSE(Has(text, absent));
        }
      }
    }
  }
  std::map<std::string, std::string> wamr = Gen(thermostat, GenLanguage::kWamr);
  CHECK(Has(wamr["wasmiot_wamr.h"],
            "wasmiot_status wasmiot_call_get_status(wasm_exec_env_t exec_env, uint32_t out, uint32_t out_len, "
            "int32_t* written);"));
  CHECK(Has(wamr["wasmiot_wamr.h"], " * WASMIOT_OK. A buffer parameter is an address in the module's memory. */\n"));
  CHECK(Has(wamr["wasmiot_wamr.h"], "  WASMIOT_MISSING_EXPORT\n} wasmiot_status;"));
  CHECK(Has(wamr["wasmiot_wamr.c"], "\nwasmiot_status wasmiot_call_get_status(wasm_exec_env_t exec_env, uint32_t out, "
                                    "uint32_t out_len, int32_t* written) {\n  wasm_val_t wasmiot_args[2];\n"));
  std::map<std::string, std::string> wasm2c = Gen(thermostat, GenLanguage::kWasm2c);
  CHECK(Has(wasm2c["wasmiot_wasm2c.h"],
            "wasmiot_status wasmiot_call_get_status(wasmiot_instance* instance, uint32_t out, uint32_t out_len, "
            "int32_t* written);"));
  CHECK(Has(wasm2c["wasmiot_wasm2c.h"], " * buffer parameter is an address in the module's memory. Not reentrant. */\n"));
}

// The module for BufferDevice: fill writes "hello" (as much as fits; at length
// 13 it traps after writing, at 21 it breaks its allocator's stack), sum
// adds its bytes, upcase upper-cases in place, copy copies and returns where
// dst is from src; buf_alloc is a stack allocator from 4096 (no room past 1024
// bytes, a trap at 77) whose buf_free traps out of order, and top is its top.
constexpr const char* kBufferModule = R"((module
  (memory (export "memory") 1 1)
  (global $top (mut i32) (i32.const 4096))
  (data (i32.const 16) "hello")
  (func $min (param i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (i32.lt_u (local.get 0) (local.get 1))))
  (func $copy (param $dst i32) (param $src i32) (param $n i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (i32.store8 (local.get $dst) (i32.load8_u (local.get $src)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
      (local.set $src (i32.add (local.get $src) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next))))
  (func (export "fill") (param $out i32) (param $len i32) (result i32)
    (local $n i32)
    (local.set $n (call $min (local.get $len) (i32.const 5)))
    (call $copy (local.get $out) (i32.const 16) (local.get $n))
    (if (i32.eq (local.get $len) (i32.const 13)) (then unreachable))
    (if (i32.eq (local.get $len) (i32.const 21)) (then (global.set $top (i32.const 0))))
    (local.get $n))
  (func (export "sum") (param $at i32) (param $len i32) (result i32)
    (local $total i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $len)))
      (local.set $total (i32.add (local.get $total) (i32.load8_u (local.get $at))))
      (local.set $at (i32.add (local.get $at) (i32.const 1)))
      (local.set $len (i32.sub (local.get $len) (i32.const 1)))
      (br $next)))
    (local.get $total))
  (func (export "upcase") (param $at i32) (param $len i32)
    (local $c i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $len)))
      (local.set $c (i32.load8_u (local.get $at)))
      (if (i32.le_u (i32.sub (local.get $c) (i32.const 97)) (i32.const 25))
        (then (i32.store8 (local.get $at) (i32.sub (local.get $c) (i32.const 32)))))
      (local.set $at (i32.add (local.get $at) (i32.const 1)))
      (local.set $len (i32.sub (local.get $len) (i32.const 1)))
      (br $next))))
  (func (export "copy") (param $src i32) (param $src_len i32) (param $dst i32) (param $dst_len i32) (result i32)
    (call $copy (local.get $dst) (local.get $src) (call $min (local.get $src_len) (local.get $dst_len)))
    (i32.sub (local.get $dst) (local.get $src)))
  (func (export "buf_alloc") (param $size i32) (result i32)
    (local $at i32)
    (if (i32.eq (local.get $size) (i32.const 77)) (then unreachable))
    (if (i32.gt_u (local.get $size) (i32.const 1024)) (then (return (i32.const 0))))
    (local.set $at (global.get $top))
    (global.set $top (i32.add (local.get $at) (i32.and (i32.add (local.get $size) (i32.const 7)) (i32.const -8))))
    (local.get $at))
  (func (export "buf_free") (param $at i32)
    (if (i32.gt_u (local.get $at) (global.get $top)) (then unreachable))
    (global.set $top (local.get $at)))
  (func (export "top") (result i32) (global.get $top))))";

// Firmware calling BufferDevice's exports with host memory; with the reserved
// region, stale bytes are put in it first.
constexpr const char* kBufferFirmware = R"(#include <stdio.h>
#include <string.h>
#include "wasmiot_wasm2c.h"
static wasmiot_instance m;
static void show(const char* what, wasmiot_status s, int32_t r, const uint8_t* b, size_t n) {
  size_t i;
  int32_t top = 0;
  printf("%s: %s %d [", what, wasmiot_status_name(s), (int)r);
  for (i = 0; i < n; ++i) putchar(b[i] >= 32 && b[i] < 127 ? b[i] : '.');
  if (wasmiot_call_top(&m, &top) != WASMIOT_OK) top = -1;
  printf("] top %d\n", (int)top);
}
int main(void) {
  static uint8_t buf[2048];
  static const uint8_t abc[3] = {'a', 'b', 'c'};
  uint8_t text[8] = {'H', 'i', ' ', 't', 'h', 'e', 'r', 'e'};
  int32_t r;
  wasmiot_status s;
  wasm_rt_init();
  Z_bufs_init_module();
  if (wasmiot_instantiate(&m, NULL) != WASMIOT_OK) return 2;
#if defined(WASMIOT_HOST_BUFFERS_ADDRESS)
  memset(m.memory->data + WASMIOT_HOST_BUFFERS_ADDRESS, 'S', WASMIOT_HOST_BUFFERS_BYTES);
#endif
#define CALL(what, call, shown)       \
  memset(buf, 'x', sizeof buf);       \
  r = -1;                             \
  s = call;                           \
  show(what, s, r, buf, shown)
  CALL("fill 8", wasmiot_call_fill(&m, buf, 8, &r), 12);
  CALL("sum", wasmiot_call_sum(&m, abc, sizeof abc, &r), 0);
  s = wasmiot_call_upcase(&m, text, sizeof text);
  show("upcase", s, 0, text, sizeof text);
  CALL("copy", wasmiot_call_copy(&m, abc, sizeof abc, buf, 5, &r), 6);
  CALL("fill NULL 0", wasmiot_call_fill(&m, NULL, 0, &r), 0);
  CALL("fill NULL 4", wasmiot_call_fill(&m, NULL, 4, &r), 0);
  CALL("fill 13", wasmiot_call_fill(&m, buf, 13, &r), 6);
#if defined(WASMIOT_HOST_BUFFERS_ADDRESS)
  CALL("fill 512", wasmiot_call_fill(&m, buf, 512, &r), 6);
  CALL("fill 513", wasmiot_call_fill(&m, buf, 513, &r), 6);
  CALL("copy 504+8", wasmiot_call_copy(&m, buf, 504, buf + 1024, 8, &r), 0);
  CALL("copy 505+8", wasmiot_call_copy(&m, buf, 505, buf + 1024, 8, &r), 0);
#else
  CALL("fill 1024", wasmiot_call_fill(&m, buf, 1024, &r), 6);
  CALL("fill 1025", wasmiot_call_fill(&m, buf, 1025, &r), 6);
  CALL("copy 8+2000", wasmiot_call_copy(&m, buf, 8, buf + 8, 2000, &r), 0);
  CALL("fill 77", wasmiot_call_fill(&m, buf, 77, &r), 6);
  CALL("fill 21", wasmiot_call_fill(&m, buf, 21, &r), 6);
#endif
  return 0;
}
)";

TEST_CASE("gen wasm2c: buffers in host memory reach the module and come back, in the region or from its allocator") {
  TempDir dir;
  test::WriteBytes(dir.File("bufs.wasm"), test::WatToWasm(kBufferModule));
  test::WriteText(dir.File("firmware.c"), kBufferFirmware);
  auto run = [&](const std::string& host_buffers) {
    std::string folder = dir.File(host_buffers == kReserved ? "reserved" : "allocator");
    std::string manifest = folder + ".json";
    test::WriteText(manifest, BufferDevice(host_buffers));
    RunResult aot = RunWasmiot({"aot", dir.File("bufs.wasm"), "--target", "host", "-o", folder, "-m", manifest});
    INFO(aot.out << aot.err);
    REQUIRE(aot.exit_code == 0);
    REQUIRE(RunWasmiot({"gen", "host", "--lang", "wasm2c", "--name", "bufs", "-m", manifest, "-o", folder}).exit_code == 0);
    std::vector<std::string> warn = {"-O2", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I" + folder};
    std::vector<std::string> as_cxx = {"c++", "-x", "c++", "-std=c++17", "-c", folder + "/wasmiot_wasm2c.c", "-o",
                                       folder + "/glue.o"};
    as_cxx.insert(as_cxx.end(), warn.begin(), warn.end());
    RunResult cxx = test::Run(as_cxx);
    INFO(cxx.err);
    CHECK(cxx.exit_code == 0);
    std::vector<std::string> build = {"cc", "-std=c99", dir.File("firmware.c"), folder + "/wasmiot_wasm2c.c",
                                      folder + "/libbufs.a", "-lm", "-o", folder + "/firmware"};
    build.insert(build.end(), warn.begin(), warn.end());
    RunResult built = test::Run(build);
    INFO(built.err);
    REQUIRE(built.exit_code == 0);
    RunResult ran = test::Run({folder + "/firmware"});
    CHECK(ran.exit_code == 0);
    return ran.out;
  };
  // The region starts with stale 'S' bytes: a buffer the module only writes gets zeros.
  CHECK(run(kReserved) ==
        "fill 8: ok 5 [hello...xxxx] top 4096\n"
        "sum: ok 294 [] top 4096\n"
        "upcase: ok 0 [HI THERE] top 4096\n"
        "copy: ok 8 [abc..x] top 4096\n"  // dst placed 8 after src: 8-aligned
        "fill NULL 0: ok 0 [] top 4096\n"
        "fill NULL 4: no-host-buffer -1 [] top 4096\n"
        "fill 13: unreachable -1 [xxxxxx] top 4096\n"  // the module wrote, then trapped: nothing back
        "fill 512: ok 5 [hello.] top 4096\n"
        "fill 513: no-host-buffer -1 [xxxxxx] top 4096\n"
        "copy 504+8: ok 504 [] top 4096\n"
        "copy 505+8: no-host-buffer -1 [] top 4096\n");  // dst would start at 512: past the region
  // top back at 4096 after each call: every buffer freed, in reverse order (a
  // stack allocator's free traps out of order).
  CHECK(run(kAllocator) ==
        "fill 8: ok 5 [hello...xxxx] top 4096\n"
        "sum: ok 294 [] top 4096\n"
        "upcase: ok 0 [HI THERE] top 4096\n"
        "copy: ok 8 [abc..x] top 4096\n"
        "fill NULL 0: ok 0 [] top 4096\n"
        "fill NULL 4: no-host-buffer -1 [] top 4096\n"
        "fill 13: unreachable -1 [xxxxxx] top 4096\n"
        "fill 1024: ok 5 [hello.] top 4096\n"
        "fill 1025: no-host-buffer -1 [xxxxxx] top 4096\n"   // buf_alloc: no room
        "copy 8+2000: no-host-buffer -1 [] top 4096\n"       // src allocated, dst not: src freed
        "fill 77: unreachable -1 [xxxxxx] top 4096\n"        // buf_alloc trapped
        "fill 21: unreachable -1 [hello.] top 0\n");         // the call was OK, buf_free trapped
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
