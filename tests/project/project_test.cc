// The project file: what parses, and a line:column diagnostic for each kind of
// mistake. The JSON Schema agrees with the parser on every good and bad file.
#include <algorithm>

#include <catch2/catch.hpp>

#include "project/compile_flags.h"
#include "project/project.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace {

const std::string kGood = R"({
  "project_version": 1,
  "name": "thermostat",
  "version": "1.2.3",
  "language": "c",
  "sources": ["src/thermostat.c", "src/util.c"],
  "compile_flags": ["-DNDEBUG"],
  "manifest": "device.json",
  "opt_level": "s",
  "targets": ["host", "cortex-m4f"],
  "scenarios": ["tests/a.scenario.json"],
  "engine": "interp",
  "signing": { "key": { "file": "keys/dev.key" }, "sequence": 7 },
  "chunk_size": 512,
  "build_dir": "out"
})";

struct Parsed {
  std::optional<Project> project;
  Diagnostics diagnostics;
  std::string text;  // the diagnostics, one per line
};

Parsed Parse(const std::string& text, const std::string& path = "p/wasmiot.json") {
  Parsed p;
  Result<Project> r = ParseProject(text, path, p.diagnostics);
  if (r) p.project = std::move(r).value();
  p.text = DiagnosticsText(p.diagnostics);
  return p;
}

}  // namespace

TEST_CASE("a complete project file parses, with every field") {
  Parsed p = Parse(kGood);
  INFO(p.text);
  REQUIRE(p.project);
  const Project& r = *p.project;
  CHECK(r.dir == "p");
  CHECK(r.name == "thermostat");
  CHECK(r.version == "1.2.3");
  CHECK(r.language == SourceLanguage::kC);
  CHECK(r.sources == std::vector<std::string>{"src/thermostat.c", "src/util.c"});
  CHECK(r.compile_flags == std::vector<std::string>{"-DNDEBUG"});
  CHECK(r.Resolve(r.manifest) == "p/device.json");
  CHECK(r.opt_level == "s");
  CHECK(r.targets == std::vector<std::string>{"host", "cortex-m4f"});
  CHECK(r.engine == "interp");
  CHECK(r.signing.key == KeySourceKind::kFile);
  CHECK(r.signing.key_value == "keys/dev.key");
  CHECK(r.signing.sequence_policy == SequencePolicy::kFixed);
  CHECK(r.signing.sequence == 7);
  CHECK(r.chunk_size == 512);
  CHECK(r.build_dir == "out");
  // Positions the build reports at.
  CHECK(r.positions.at("/targets/1").line == 10);
  CHECK(r.positions.at("/signing/key").line == 13);
}

TEST_CASE("a minimal project file takes the defaults: unsigned, opt -Oz, both engines, build/") {
  Parsed p = Parse(R"({"project_version": 1, "name": "m", "version": "0.1.0", "language": "rust",
                       "sources": ["src/lib.rs"], "manifest": "../shared/device.json"})");
  INFO(p.text);
  REQUIRE(p.project);
  CHECK(p.project->signing.key == KeySourceKind::kNone);
  CHECK(p.project->opt_level == "z");
  CHECK(p.project->engine == "both");
  CHECK(p.project->build_dir == "build");
  CHECK(p.project->chunk_size == 1024);
  CHECK(p.project->targets.empty());
  CHECK(p.project->Resolve(p.project->manifest) == "shared/device.json");
}

std::string Replaced(const std::string& from, const std::string& to) {
  std::string text = kGood;
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

TEST_CASE("each mistake in a project file is one error at its line and column") {
  auto [text, expected] = GENERATE(table<std::string, std::string>({
      {"{\n  \"name\": \"x\",,\n}", "p/wasmiot.json:2:"},
      {Replaced("\"opt_level\": \"s\"", "\"targts\": []"),
       "p/wasmiot.json:9:3: error: targts: unknown field \"targts\" (did you mean \"targets\"?)"},
      {Replaced("512", "\"big\""), "p/wasmiot.json:14:17: error: chunk_size: expected an integer, got a string"},
      {Replaced("512", "10"), "p/wasmiot.json:14:17: error: chunk_size: 10 is below the minimum 64"},
      {Replaced("\"language\": \"c\"", "\"language\": \"go\""), "5:15: error: language: unknown language \"go\""},
      {Replaced("\"name\": \"thermostat\"", "\"name\": \"my-module\""), "3:11: error: name: \"my-module\" is not a C identifier"},
      {Replaced("src/util.c", "../util.c"), "6:35: error: sources/1: \"../util.c\" is not a relative path inside the project's folder"},
      {Replaced("\"cortex-m4f\"", "\"host\""), "10:23: error: targets/1: \"host\" is listed twice"},
      {Replaced("{ \"file\": \"keys/dev.key\" }", "{ \"url\": \"x\" }"), "13:23: error: signing/key: expected {\"file\": PATH}"},
      {Replaced("\"sequence\": 7", "\"sequence\": \"timestamp\""), "error: signing/sequence: unknown sequence policy \"timestamp\""},
      {Replaced("\"sequence\": 7", "\"sequence\": 0"), "error: signing/sequence: 0 is below the minimum 1"},
      {Replaced("\"manifest\": \"device.json\",", ""), "p/wasmiot.json:1:1: error: missing required field \"manifest\""},
      {Replaced("\"project_version\": 1", "\"project_version\": 2"), "2:22: error: project_version: unsupported project_version 2"},
      {Replaced("\"build_dir\": \"out\"", "\"build_dir\": \"./\""), "15:16: error: build_dir: the build folder must be a folder of its own"},
      {Replaced("\"interp\"", "\"v8\""), "12:13: error: engine: \"v8\" is not an engine: interp, aot or both"},
      {Replaced("[\"-DNDEBUG\"]", "[\"DNDEBUG\"]"), "7:21: error: compile_flags/0: \"DNDEBUG\" is not a compiler flag"},
  }));
  Parsed p = Parse(text);
  INFO(text << "\n" << p.text);
  CHECK_FALSE(p.project);
  CHECK(p.diagnostics.Count(Severity::kError) == 1);
  CHECK_THAT(p.text, Catch::Contains(expected));
  CHECK_THAT(p.text, Catch::Contains("[project-invalid]"));
}

TEST_CASE("a Rust module is one crate root") {
  std::string rust = Replaced("\"language\": \"c\"", "\"language\": \"rust\"");
  Parsed two_c = Parse(rust);
  CHECK_THAT(two_c.text, Catch::Contains("6:15: error: sources/0: \"src/thermostat.c\" is not a rust source: rust "
                                         "sources end in .rs"));
  std::string two_rs = rust.replace(rust.find("src/thermostat.c"), 16, "src/lib.rs");
  two_rs.replace(two_rs.find("src/util.c"), 10, "src/util.rs");
  Parsed p = Parse(two_rs);
  CHECK(p.diagnostics.Count(Severity::kError) == 1);
  CHECK_THAT(p.text, Catch::Contains("6:29: error: sources/1: a Rust module has one source, its crate root"));
}

TEST_CASE("a missing project file names `wasmiot new`, and a folder is read as its wasmiot.json") {
  TempDir dir;
  Diagnostics d;
  CHECK_FALSE(LoadProject(dir.path(), d).ok());
  CHECK_THAT(DiagnosticsText(d), Catch::Contains("no wasmiot.json here: make a project with `wasmiot new"));
  WriteText(dir.File("wasmiot.json"), kGood);
  Diagnostics ok;
  Result<Project> p = LoadProject(dir.path(), ok);
  REQUIRE(p.ok());
  CHECK(p->dir == dir.path());
}

TEST_CASE("the project schema agrees with the parser on good and bad project files") {
  TempDir dir;
  std::vector<std::string> good = {kGood, Replaced("\"sequence\": 7", "\"sequence\": \"from-version\""),
                                   Replaced("{ \"file\": \"keys/dev.key\" }", "\"none\"")};
  std::vector<std::string> bad = {Replaced("\"opt_level\": \"s\"", "\"targts\": []"), Replaced("512", "10"),
                                  Replaced("\"name\": \"thermostat\"", "\"name\": \"my-module\""),
                                  Replaced("src/util.c", "../util.c"), Replaced("\"cortex-m4f\"", "\"host\""),
                                  Replaced("\"sequence\": 7", "\"sequence\": 0"),
                                  Replaced("\"manifest\": \"device.json\",", "")};
  std::vector<std::string> files;
  for (size_t i = 0; i < good.size() + bad.size(); ++i) {
    files.push_back(dir.File(std::to_string(i) + ".json"));
    WriteText(files.back(), i < good.size() ? good[i] : bad[i - good.size()]);
  }
  std::vector<std::string> verdicts = SchemaVerdicts("project.schema.json", files);
  REQUIRE(verdicts.size() == files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    bool expect_good = i < good.size();
    INFO(verdicts[i]);
    CHECK((verdicts[i].rfind("valid ", 0) == 0) == expect_good);
    Diagnostics d;
    CHECK(ParseProject(ReadText(files[i]), files[i], d).ok() == expect_good);
  }
}

TEST_CASE("compile commands hold the device's budgets and exactly its features") {
  Parsed p = Parse(kGood);
  REQUIRE(p.project);
  Manifest m;
  m.budgets.initial_pages = 2;
  m.budgets.max_pages = 4;
  m.budgets.stack_bytes = 8192;
  m.features.Add(Feature::kMutableGlobals);
  m.features.Add(Feature::kSignExtension);
  std::vector<std::string> c = MakeCompileCommand(*p.project, m, "clang", "/o/gen", "/o/x.wasm").argv;
  auto has = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  for (const char* flag : {"--target=wasm32", "-mcpu=mvp", "-mmutable-globals", "-msign-ext", "-nostdlib", "-g0",
                           "-Wl,--no-entry", "-Wl,--initial-memory=131072", "-Wl,--max-memory=262144",
                           "-Wl,-z,stack-size=8192", "-DNDEBUG", "-I/o/gen", "src/thermostat.c", "src/util.c"}) {
    CHECK(has(c, flag));
  }
  CHECK_FALSE(has(c, "-mbulk-memory"));
  p.project->language = SourceLanguage::kRust;
  p.project->sources = {"src/lib.rs"};
  CompileCommand rust_command = MakeCompileCommand(*p.project, m, "/usr/bin/rustc", "/o/gen", "/o/x.wasm");
  CHECK(rust_command.env == std::vector<std::string>{"WASMIOT_GEN_DIR=/o/gen"});
  std::vector<std::string> rust = rust_command.argv;
  for (const char* flag : {"wasm32-unknown-unknown", "target-cpu=mvp", "target-feature=+mutable-globals",
                           "link-arg=--initial-memory=131072", "link-arg=--max-memory=262144",
                           "link-arg=-zstack-size=8192", "debuginfo=0", "panic=abort", "src/lib.rs"}) {
    CHECK(has(rust, flag));
  }
}
