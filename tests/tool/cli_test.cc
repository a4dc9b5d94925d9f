// The wasmiot executable as users and CI see it: exit codes, the diagnostic
// line format, --json documents (validated against schemas/ by ajv), usage errors.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

using namespace wasmiot::test;
using nlohmann::json;

namespace {

std::string Thermostat() { return SourceDir() + "/templates/thermostat/device.json"; }

// A folder with the thermostat module compiled from .wat.
struct Fixture {
  TempDir dir;
  std::string module = dir.File("thermostat.wasm");
  Fixture() { WriteBytes(module, WatToWasm(ReadText(DataDir() + "/modules/thermostat.wat"))); }
  std::string Module(const std::string& name, const std::string& wat) {
    std::string path = dir.File(name);
    WriteBytes(path, WatToWasm(wat));
    return path;
  }
};

// Runs with --json, checks the document against the schema, returns it parsed.
// Runs a command with --json, keeps its document in `file` for a schema check
// (batched: node starts once per schema, not once per document).
json RunJsonTo(std::vector<std::string> args, int expected_exit, const std::string& file) {
  args.push_back("--json");
  RunResult r = RunWasmiot(args);
  INFO(r.out << r.err);
  CHECK(r.exit_code == expected_exit);
  CHECK(r.err.empty());  // everything is in the document
  WriteText(file, r.out);
  json doc = json::parse(r.out);
  CHECK(doc["exit_code"] == expected_exit);
  CHECK(doc["ok"] == (expected_exit == 0));
  return doc;
}

void CheckAllValid(const std::string& schema, const std::vector<std::string>& files) {
  std::vector<std::string> verdicts = SchemaVerdicts(schema, files);
  REQUIRE(verdicts.size() == files.size());
  for (size_t i = 0; i < files.size(); ++i) CHECK(verdicts[i] == "valid " + files[i]);
}

json RunJson(std::vector<std::string> args, const std::string& schema, int expected_exit) {
  TempDir dir;
  std::string file = dir.File("out.json");
  json doc = RunJsonTo(std::move(args), expected_exit, file);
  CheckAllValid(schema, {file});
  return doc;
}

}  // namespace

TEST_CASE("check: the thermostat passes with exit 0 and a one-line summary") {
  Fixture f;
  RunResult r = RunWasmiot({"check", f.module, "--manifest", Thermostat()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK_THAT(r.out, Catch::StartsWith(f.module + ": ok against acme/thermostat-t100 (API 1.0.0)"));
}

TEST_CASE("check: contract violations exit 1 with one line each on stderr") {
  Fixture f;
  std::string wat = ReadText(DataDir() + "/modules/thermostat.wat");
  wat.replace(wat.find("(memory"), 7, "(import \"env\" \"nope\" (func))\n  (memory");
  std::string module = f.Module("bad.wasm", wat);
  RunResult r = RunWasmiot({"check", module, "-m", Thermostat()});
  CHECK(r.exit_code == 1);
  CHECK(r.err == module + ": error: env.nope: the device provides no such function [import-unknown]\n");
  CHECK_THAT(r.out, Catch::Contains("FAILED"));

  json doc = RunJson({"check", module, "-m", Thermostat()}, "check-output.schema.json", 1);
  REQUIRE(doc["diagnostics"].size() == 1);
  CHECK(doc["diagnostics"][0]["code"] == "import-unknown");
  CHECK(doc["diagnostics"][0]["item"] == "env.nope");
  CHECK(doc["device"]["class"] == "thermostat-t100");
}

TEST_CASE("check --json on success is schema-valid and stable") {
  Fixture f;
  json doc = RunJson({"check", f.module, "-m", Thermostat()}, "check-output.schema.json", 0);
  CHECK(doc["summary"]["errors"] == 0);
  CHECK(doc["module"] == f.module);
  // Same inputs, same bytes.
  RunResult a = RunWasmiot({"check", f.module, "-m", Thermostat(), "--json"});
  RunResult b = RunWasmiot({"check", f.module, "-m", Thermostat(), "--json"});
  CHECK(a.out == b.out);
}

TEST_CASE("notes are printed only with --verbose") {
  Fixture f;
  std::string wat = ReadText(DataDir() + "/modules/thermostat.wat");
  std::string from = "(import \"env\" \"read_humidity\" (func $read_humidity (result f32)))";
  wat.replace(wat.find(from), from.size(), "");
  wat.replace(wat.find("(memory"), 7, "(func $read_humidity (result f32) f32.const 0)\n  (memory");
  std::string module = f.Module("nohumidity.wasm", wat);
  RunResult quiet = RunWasmiot({"check", module, "-m", Thermostat()});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
  RunResult verbose = RunWasmiot({"check", module, "-m", Thermostat(), "-v"});
  CHECK(verbose.exit_code == 0);
  CHECK(verbose.err == module + ": note: env.read_humidity: the device provides this function; the module does not import it [host-function-unused]\n");
}

TEST_CASE("bad binaries: exit 1, path:0xOFFSET: error:, and a valid JSON document") {
  TempDir docs;
  std::vector<std::string> check_docs, inspect_docs;
  for (const std::string& hex : DataFiles("binaries", "bad-", ".hex")) {
    TempDir dir;
    std::string module = dir.File("bad.wasm");
    std::string text = ReadText(hex);
    WriteBytes(module, HexToBytes(text));
    std::string offset = HexHeader(text, "offset");
    INFO(hex);
    RunResult check = RunWasmiot({"check", module, "-m", Thermostat()});
    CHECK(check.exit_code == 1);
    CHECK_THAT(check.err, Catch::StartsWith(module + ":" + offset + ": error: "));
    CHECK_THAT(check.err, Catch::Contains(HexHeader(text, "expect")));
    // inspect first recognises the file by its magic number.
    RunResult inspect = RunWasmiot({"inspect", module});
    CHECK(inspect.exit_code == 1);
    if (text.find("00 61 73 6d") != std::string::npos) {
      CHECK(inspect.err == check.err);
    } else {
      CHECK_THAT(inspect.err, Catch::Contains("[unknown-file-kind]"));
    }
    check_docs.push_back(docs.File(fmt::format("check-{}.json", check_docs.size())));
    json doc = RunJsonTo({"check", module, "-m", Thermostat()}, 1, check_docs.back());
    CHECK(doc["diagnostics"][0]["offset"] == std::stoull(offset, nullptr, 16));
    inspect_docs.push_back(docs.File(fmt::format("inspect-{}.json", inspect_docs.size())));
    RunJsonTo({"inspect", module}, 1, inspect_docs.back());
  }
  CheckAllValid("check-output.schema.json", check_docs);
  CheckAllValid("inspect-output.schema.json", inspect_docs);
}

TEST_CASE("bad manifests: exit 1 with path:line:column: error:") {
  Fixture f;
  std::string manifest = DataDir() + "/manifests/bad-negative.json";
  RunResult r = RunWasmiot({"check", f.module, "-m", manifest});
  CHECK(r.exit_code == 1);
  CHECK(r.err == manifest + ":50:19: error: budgets/heap_bytes: -1 is below the minimum 0 [manifest-invalid]\n");
  json doc = RunJson({"check", f.module, "-m", manifest}, "check-output.schema.json", 1);
  CHECK(doc["diagnostics"][0]["line"] == 50);
  CHECK(doc["diagnostics"][0]["column"] == 19);
  CHECK_FALSE(doc.contains("device"));
}

TEST_CASE("inputs that are not regular files: exit 3 and a clear message") {
  Fixture f;
  std::string fifo = f.dir.File("fifo");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  std::vector<std::pair<std::string, std::string>> cases{
      {f.dir.File("missing.wasm"), "cannot open: No such file or directory"},
      {f.dir.path(), "is a directory, expected a regular file"},
      {fifo, "is a FIFO, expected a regular file"},
      {"/dev/zero", "is a character device, expected a regular file"},
  };
  for (const auto& [input, message] : cases) {
    INFO(input);
    RunResult check = RunWasmiot({"check", input, "-m", Thermostat()});
    CHECK(check.exit_code == 3);
    CHECK(check.err == input + ": error: " + message + " [io-error]\n");
    RunResult manifest = RunWasmiot({"check", f.module, "-m", input});
    CHECK(manifest.exit_code == 3);
    CHECK(manifest.err == input + ": error: " + message + " [io-error]\n");
    RunJson({"check", input, "-m", Thermostat()}, "check-output.schema.json", 3);
    if (input == f.dir.path()) continue;  // for inspect a folder is a chunk folder
    RunResult inspect = RunWasmiot({"inspect", input});
    CHECK(inspect.exit_code == 3);
    RunJson({"inspect", input}, "inspect-output.schema.json", 3);
  }
  // A folder without chunk files is described as such.
  RunResult folder = RunWasmiot({"inspect", f.dir.path()});
  CHECK(folder.exit_code == 1);
  CHECK(folder.err == f.dir.path() + ": error: the folder holds no .chunk files [chunks-missing]\n");
}

TEST_CASE("inspect describes a module in text and JSON") {
  Fixture f;
  RunResult r = RunWasmiot({"inspect", f.module});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  for (const char* part : {"WebAssembly module", "sections (", "imports (5):", "env.read_temperature",
                           "() -> (f32)", "exports (5):", "memories (1):", "initial 2 pages, max 2 pages",
                           "data segments (1):", "features: none beyond the MVP"}) {
    CHECK_THAT(r.out, Catch::Contains(part));
  }
  json doc = RunJson({"inspect", f.module}, "inspect-output.schema.json", 0);
  CHECK(doc["kind"] == "module");
  CHECK(doc["module"]["imports"].size() == 5);
  CHECK(doc["module"]["imports"][4]["signature"]["params"] == json::array({"i32", "i32"}));
  CHECK(doc["module"]["features"].empty());
}

TEST_CASE("inspect refuses files it does not recognise") {
  TempDir dir;
  std::string path = dir.File("notes.txt");
  WriteText(path, "hello, world");
  RunResult r = RunWasmiot({"inspect", path});
  CHECK(r.exit_code == 1);
  CHECK(r.err == path + ":0x0: error: not a WebAssembly module, a wasmiot bundle or a chunk stream (unknown magic number) [unknown-file-kind]\n");
  RunJson({"inspect", path}, "inspect-output.schema.json", 1);
}

TEST_CASE("usage errors exit 2") {
  Fixture f;
  SECTION("no command") {
    RunResult r = RunWasmiot({});
    CHECK(r.exit_code == 2);
  }
  SECTION("an unknown command, with a suggestion") {
    RunResult r = RunWasmiot({"chek", f.module});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::StartsWith("wasmiot: error: unknown command 'chek' (did you mean 'check'?)"));
  }
  SECTION("a missing required option") {
    RunResult r = RunWasmiot({"check", f.module});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--manifest is required"));
    CHECK_THAT(r.err, Catch::Contains("Run 'wasmiot check --help' for usage."));
  }
  SECTION("an unknown option") {
    RunResult r = RunWasmiot({"inspect", f.module, "--frobnicate"});
    CHECK(r.exit_code == 2);
  }
  SECTION("with --json, still one JSON document") {
    json doc = RunJson({"check", f.module}, "check-output.schema.json", 2);
    CHECK(doc["diagnostics"][0]["code"] == "usage");
    json unknown = RunJson({"chek"}, "diagnostics.schema.json", 2);
    CHECK(unknown["command"] == "");
  }
}

TEST_CASE("--help and --version") {
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"}, {"check", "--help"}, {"inspect", "--help"}}) {
    RunResult r = RunWasmiot(args);
    INFO(args[0]);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Examples:"));
  }
  RunResult v = RunWasmiot({"--version"});
  CHECK(v.exit_code == 0);
  CHECK(v.out == "0.1.0\n");
}

TEST_CASE("check never modifies its inputs") {
  Fixture f;
  std::string before = ReadText(f.module);
  RunWasmiot({"check", f.module, "-m", Thermostat()});
  RunWasmiot({"inspect", f.module, "--json"});
  CHECK(ReadText(f.module) == before);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(f.dir.path())) names.push_back(e.path().filename());
  CHECK(names == std::vector<std::string>{"thermostat.wasm"});
}

TEST_CASE("opt writes the optimized module and reports sizes") {
  Fixture f;
  std::string out = f.dir.File("out.wasm");
  RunResult r = RunWasmiot({"opt", f.module, "-o", out, "--manifest", Thermostat()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK_THAT(r.out, Catch::StartsWith(f.module + " -> " + out + ": "));
  CHECK_THAT(r.out, Catch::Contains("at -Oz"));
  CHECK(RunWasmiot({"check", out, "-m", Thermostat()}).exit_code == 0);

  std::string again = f.dir.File("again.wasm");
  json doc = RunJson({"opt", f.module, "-o", again, "-m", Thermostat(), "-Os"}, "opt-output.schema.json", 0);
  CHECK(doc["level"] == "-Os");
  CHECK(doc["output_bytes"] == std::filesystem::file_size(again));
  // Same input and options in another process: the same bytes.
  std::string third = f.dir.File("third.wasm");
  REQUIRE(RunWasmiot({"opt", f.module, "-o", third, "-m", Thermostat(), "-Os"}).exit_code == 0);
  CHECK(ReadText(third) == ReadText(again));
}

TEST_CASE("opt failures write nothing") {
  Fixture f;
  std::string out = f.dir.File("out.wasm");
  auto nothing_written = [&] {
    for (const auto& e : std::filesystem::directory_iterator(f.dir.path())) {
      CHECK(e.path().filename() == "thermostat.wasm");
    }
  };
  SECTION("an invalid module: exit 1") {
    std::string bad = f.dir.File("bad.wasm");
    WriteBytes(bad, HexToBytes("00 61 73 6d 01 00 00 00 01 05"));
    RunResult r = RunWasmiot({"opt", bad, "-o", out});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::StartsWith(bad + ":0xa: error: "));
    std::filesystem::remove(bad);
    nothing_written();
  }
  SECTION("a module that fails check: exit 1") {
    RunResult r = RunWasmiot({"opt", f.module, "-o", out, "-m", DataDir() + "/manifests/good-minimal.json"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("[import-unknown]"));
    RunJson({"opt", f.module, "-o", out, "-m", DataDir() + "/manifests/good-minimal.json"}, "opt-output.schema.json", 1);
    nothing_written();
  }
  SECTION("the output would overwrite the input: exit 2") {
    std::string before = ReadText(f.module);
    RunResult r = RunWasmiot({"opt", f.module, "-o", f.module});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("[output-is-input]"));
    CHECK(ReadText(f.module) == before);
  }
  SECTION("an unknown level: exit 2") {
    CHECK(RunWasmiot({"opt", f.module, "-o", out, "-O9"}).exit_code == 2);
    nothing_written();
  }
  SECTION("an output folder that does not exist: exit 3") {
    RunResult r = RunWasmiot({"opt", f.module, "-o", f.dir.File("no/such/dir/out.wasm")});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("[io-error]"));
    nothing_written();
  }
  SECTION("a missing input: exit 3") {
    CHECK(RunWasmiot({"opt", f.dir.File("none.wasm"), "-o", out}).exit_code == 3);
    nothing_written();
  }
}

TEST_CASE("inspect and check print a module's names escaped, and JSON keeps them") {
  Fixture f;
  wasmiot::Bytes wasm = WatToWasm(R"((module (func (export "\1b[31mred\0a") ) (func (export "ok"))))");
  // A custom section named with a terminal title sequence: valid UTF-8, so well-formed.
  wasmiot::Bytes custom{0x00, 0x0c, 0x0a, 0x1b, ']', '0', ';', 'p', 'w', 'n', 'e', 'd', 0x07, 0x00};
  wasm.insert(wasm.end(), custom.begin(), custom.end());
  std::string module = f.dir.File("loud.wasm");
  WriteBytes(module, wasm);
  RunResult r = RunWasmiot({"inspect", module});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find('\x1b') == std::string::npos);
  CHECK(r.out.find('\x07') == std::string::npos);
  CHECK_THAT(r.out, Catch::Contains("\n  \\x1b[31mred\\x0a") && Catch::Contains("\"\\x1b]0;pwned\\x07\""));
  json doc = RunJson({"inspect", module}, "inspect-output.schema.json", 0);
  CHECK(doc["module"]["exports"][0]["name"] == "\x1b[31mred\n");
  CHECK(doc["module"]["custom_sections"][0]["name"] == "\x1b]0;pwned\x07");
  // Diagnostics name the export the same way.
  RunResult check = RunWasmiot({"check", module, "-m", DataDir() + "/manifests/good-minimal.json"});
  CHECK(check.err.find('\x1b') == std::string::npos);
}

TEST_CASE("check's summary counts in the singular for one") {
  Fixture f;
  std::string wat = ReadText(DataDir() + "/modules/thermostat.wat");
  wat.replace(wat.find("(memory"), 7, "(import \"env\" \"nope\" (func))\n  (memory");
  RunResult r = RunWasmiot({"check", f.Module("bad.wasm", wat), "-m", Thermostat()});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::EndsWith(": FAILED against acme/thermostat-t100 (API 1.0.0): 6 imports, 5 exports; 1 error, "
                                    "0 warnings\n"));
  RunResult one = RunWasmiot({"inspect", f.Module("one.wasm", "(module (memory 1 1) (data (i32.const 0) \"x\"))")});
  CHECK_THAT(one.out, Catch::Contains("  [0] initial 1 page, max 1 page\n") &&
                          Catch::Contains("  [0] active, 1 byte\n"));
}
