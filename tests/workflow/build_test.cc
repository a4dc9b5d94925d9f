// `wasmiot new` and `wasmiot build` as library calls: a template becomes a
// project that builds; a second build runs nothing; a change reruns what
// depends on it; outputs are the same bytes in any folder; a failed step
// leaves earlier outputs; project mistakes are reported at line:column.
#include <filesystem>
#include <map>

#include <catch2/catch.hpp>

#include "keys/keys.h"
#include "support/process.h"
#include "support/test_support.h"
#include "workflow/build.h"
#include "workflow/new_project.h"

using namespace wasmiot;
using namespace wasmiot::test;
namespace fs = std::filesystem;

namespace {

struct ProjectFixture {
  TempDir tmp;
  std::string dir;
  std::optional<SecretKey> key;

  explicit ProjectFixture(const std::string& template_name = "thermostat",
                          SourceLanguage language = SourceLanguage::kC, const std::string& folder = "proj") {
    dir = tmp.File(folder);
    NewProjectRequest r;
    r.templates_dir = SourceDir() + "/templates";
    r.template_name = template_name;
    r.dir = dir;
    r.language = language;
    Diagnostics d;
    Result<NewProjectReport> made = CreateProject(r, d);
    INFO(DiagnosticsText(d));
    REQUIRE(made.ok());
  }

  BuildReport Build(Diagnostics& d, bool force = false) {
    Result<Project> project = LoadProject(dir, d);
    REQUIRE(project.ok());
    Result<LoadedKey> loaded = ParseKey(ReadBytes(dir + "/keys/dev.key"), std::nullopt);
    REQUIRE(loaded.ok());
    key.emplace(*loaded->secret);
    BuildOptions o;
    o.c_compiler = FindInPath("clang");
    o.rust_compiler = "/usr/bin/rustc";
    o.tool_identity = "build_test";
    o.jobs = 2;
    o.key = &*key;
    o.host_aot.cache_dir = WASMIOT_TEST_AOT_CACHE;
    o.force = force;
    return BuildProject(*project, o, {}, d);
  }

  BuildReport BuildOk() {
    Diagnostics d;
    BuildReport r = Build(d);
    INFO(DiagnosticsText(d));
    REQUIRE(r.failed_step.empty());
    REQUIRE_FALSE(d.HasErrors());
    return r;
  }

  std::string File(const std::string& relative) const { return dir + "/" + relative; }
};

size_t CountStatus(const BuildReport& r, StepStatus status) {
  return std::count_if(r.steps.begin(), r.steps.end(), [&](const StepReport& s) { return s.status == status; });
}

std::vector<std::string> Built(const BuildReport& r) {
  std::vector<std::string> out;
  for (const StepReport& s : r.steps) {
    if (s.status == StepStatus::kBuilt) out.push_back(s.detail.empty() ? s.step : s.step + " " + s.detail);
  }
  return out;
}

// Every output file's bytes, by path relative to the build folder (the
// summary and the state file hold timings and absolute paths: not outputs).
std::map<std::string, Bytes> Outputs(const std::string& build_dir) {
  std::map<std::string, Bytes> out;
  for (const auto& e : fs::recursive_directory_iterator(build_dir)) {
    std::string name = e.path().filename();
    if (!e.is_regular_file() || name == kBuildSummaryFile || name == kBuildStateFile) continue;
    out[fs::relative(e.path(), build_dir).string()] = ReadBytes(e.path().string());
  }
  return out;
}

void Edit(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = ReadText(path);
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  WriteText(path, text.replace(at, from.size(), to));
}

}  // namespace

TEST_CASE("build: a new thermostat builds whole, and a second build runs no step") {
  ProjectFixture p;
  BuildReport first = p.BuildOk();
  CHECK(CountStatus(first, StepStatus::kUpToDate) == 0);
  // compile, check, opt, aot x2, test, sign x3, chunk x3
  CHECK(Built(first) == std::vector<std::string>{"gen", "compile", "check", "opt", "aot cortex-m4f", "aot host",
                                                 "test tests/thermostat.scenario.json", "sign wasm", "chunk wasm",
                                                 "sign cortex-m4f", "chunk cortex-m4f", "sign host", "chunk host"});
  REQUIRE(first.scenarios.size() == 1);
  CHECK(first.scenarios[0].passed);
  CHECK(first.sequence == uint64_t{1} << 16);  // 0.1.0, from the version
  for (const char* f : {"build/wasm/thermostat.wasm", "build/thermostat.wasm", "build/aot/host/libthermostat.a",
                        "build/aot/cortex-m4f/libthermostat.a", "build/thermostat.bundle",
                        "build/thermostat-cortex-m4f.bundle", "build/thermostat.stream",
                        "build/chunks/thermostat/000000.chunk", "build/summary.json"}) {
    CHECK(fs::is_regular_file(p.File(f)));
  }
  std::string summary = ReadText(p.File("build/summary.json"));
  CHECK_THAT(summary, Catch::Contains("\"failed_step\": \"\""));

  BuildReport second = p.BuildOk();
  CHECK(Built(second).empty());
  CHECK(CountStatus(second, StepStatus::kUpToDate) == second.steps.size());
  CHECK(second.scenarios.at(0).up_to_date);
  CHECK(second.artifacts.size() == first.artifacts.size());
}

TEST_CASE("build: a change reruns only the steps whose inputs it changes") {
  ProjectFixture p;
  p.BuildOk();
  SECTION("a comment in the source: compiled again, but the same module needs nothing else") {
    Edit(p.File("src/thermostat.c"), "#include <stdint.h>", "#include <stdint.h>\n// a comment");
    CHECK(Built(p.BuildOk()) == std::vector<std::string>{"compile"});
  }
  SECTION("a changed scenario: only the scenario runs again") {
    Edit(p.File("tests/thermostat.scenario.json"), "\"duration_ms\": 2000", "\"duration_ms\": 2001");
    CHECK(Built(p.BuildOk()) == std::vector<std::string>{"test tests/thermostat.scenario.json"});
  }
  SECTION("a new version: the same module and libraries, signed again") {
    Edit(p.File("wasmiot.json"), "\"0.1.0\"", "\"0.2.0\"");
    BuildReport r = p.BuildOk();
    CHECK(Built(r) == std::vector<std::string>{"sign wasm", "chunk wasm", "sign cortex-m4f",
                                               "chunk cortex-m4f", "sign host", "chunk host"});
    CHECK(r.sequence == uint64_t{2} << 16);
  }
  SECTION("a deleted output is made again") {
    fs::remove(p.File("build/aot/host/libthermostat.a"));
    CHECK(Built(p.BuildOk()) == std::vector<std::string>{"aot host"});
  }
}

TEST_CASE("build: the same bytes on every build and in any folder") {
  ProjectFixture a;
  a.BuildOk();
  std::map<std::string, Bytes> first = Outputs(a.File("build"));
  CHECK(first.size() > 20);
  Diagnostics d;
  a.Build(d, /*force=*/true);
  CHECK(Outputs(a.File("build")) == first);

  // The same project under a longer, different path, with its own key copied.
  TempDir other;
  std::string copy = other.File("some/deeper/folder/renamed");
  fs::create_directories(copy);
  fs::copy(a.dir, copy, fs::copy_options::recursive);
  fs::remove_all(copy + "/build");
  ProjectFixture b;  // only for its Build(): point it at the copy
  b.dir = copy;
  b.BuildOk();
  std::map<std::string, Bytes> second = Outputs(copy + "/build");
  REQUIRE(second.size() == first.size());
  for (const auto& [path, bytes] : first) {
    INFO(path);
    CHECK(second.at(path) == bytes);
  }
}

TEST_CASE("build: a failed step says which, and leaves what earlier steps wrote") {
  ProjectFixture p;
  p.BuildOk();
  std::map<std::string, Bytes> before = Outputs(p.File("build"));
  SECTION("a scenario that fails") {
    Edit(p.File("tests/thermostat.scenario.json"), "\"thermostat ready\"", "\"thermostat READY\"");
    Diagnostics d;
    BuildReport r = p.Build(d);
    CHECK(r.failed_step == "test");
    CHECK_THAT(DiagnosticsText(d), Catch::Contains("[scenario-failed]"));
    REQUIRE(r.scenarios.size() == 1);
    CHECK_FALSE(r.scenarios[0].passed);
    CHECK_THAT(r.scenarios[0].message, Catch::Contains("thermostat READY"));
    CHECK(Outputs(p.File("build")) == before);
    // Fixed again: the scenario runs, nothing else.
    Edit(p.File("tests/thermostat.scenario.json"), "\"thermostat READY\"", "\"thermostat ready\"");
    CHECK(Built(p.BuildOk()) == std::vector<std::string>{"test tests/thermostat.scenario.json"});
  }
  SECTION("a compile error, shown with its file, line and column") {
    Edit(p.File("src/thermostat.c"), "float celsius = env_read_temperature();", "float celsius = env_read_temperature()");
    Diagnostics d;
    BuildReport r = p.Build(d);
    CHECK(r.failed_step == "compile");
    CHECK_THAT(DiagnosticsText(d), Catch::Contains("/src/thermostat.c:34:41: error: expected ';' at end of declaration [compile-failed]"));
    CHECK_THAT(DiagnosticsText(d), Catch::Contains("[compile-failed]"));
    CHECK(Outputs(p.File("build")) == before);
  }
  SECTION("a module the device refuses: check fails before anything is optimized") {
    // An import the device does not declare, written by hand beside the generated ones.
    Edit(p.File("src/thermostat.c"), "#include \"wasmiot_guest.h\"",
         "#include \"wasmiot_guest.h\"\nWASMIOT_IMPORT(\"env\", \"read_pressure\") float read_pressure(void);");
    Edit(p.File("src/thermostat.c"), "float humidity = env_read_humidity();",
         "float humidity = env_read_humidity() + read_pressure();");
    Diagnostics d;
    BuildReport r = p.Build(d);
    CHECK(r.failed_step == "check");
    CHECK_THAT(DiagnosticsText(d), Catch::Contains("env.read_pressure: the device provides no such function"));
    CHECK(Outputs(p.File("build")).at("thermostat.wasm") == before.at("thermostat.wasm"));
  }
}

TEST_CASE("build: project mistakes the build finds are reported at their line and column") {
  ProjectFixture p;
  auto build_error = [&]() {
    Diagnostics d;
    BuildReport r = p.Build(d);
    CHECK(r.failed_step == "project");
    CHECK_FALSE(fs::exists(p.File("build")));
    return DiagnosticsText(d);
  };
  SECTION("a target the device does not accept") {
    Edit(p.File("wasmiot.json"), "\"host\"", "\"host\", \"riscv32imac\"");
    CHECK_THAT(build_error(), Catch::Contains("wasmiot.json:13:13: error: riscv32imac: the device accepts AOT code only for"));
  }
  SECTION("an unknown target, with did-you-mean") {
    Edit(p.File("wasmiot.json"), "\"host\"", "\"cortex-m4\"");
    std::string text = build_error();
    CHECK_THAT(text, Catch::Contains("wasmiot.json:13:5: error: cortex-m4: unknown target"));
    CHECK_THAT(text, Catch::Contains("did you mean"));
    CHECK_THAT(text, Catch::Contains("[unknown-target]"));
  }
  SECTION("a missing source") {
    Edit(p.File("wasmiot.json"), "\"src/thermostat.c\"", "\"src/thermostat2.c\"");
    CHECK_THAT(build_error(), Catch::Contains("wasmiot.json:7:5: error: sources: \"src/thermostat2.c\" is not a file"));
  }
  SECTION("a version that is not MAJOR.MINOR.PATCH") {
    Edit(p.File("wasmiot.json"), "\"0.1.0\"", "\"0.1\"");
    CHECK_THAT(build_error(), Catch::Contains("wasmiot.json:4:14: error: version: \"0.1\" is not MAJOR.MINOR.PATCH"));
  }
  SECTION("a missing manifest") {
    fs::remove(p.File("device.json"));
    CHECK_THAT(build_error(), Catch::Contains("device.json"));
  }
}

TEST_CASE("build: a missing compiler names the Debian packages to install") {
  ProjectFixture p("blank", SourceLanguage::kRust);
  Result<Project> project = [&] {
    Diagnostics d;
    return LoadProject(p.dir, d);
  }();
  REQUIRE(project.ok());
  BuildOptions o;
  o.tool_identity = "build_test";
  Diagnostics d;
  BuildReport r = BuildProject(*project, o, {}, d);
  CHECK(r.failed_step == "compile");
  CHECK_THAT(DiagnosticsText(d), Catch::Contains("apt-get install rustc libstd-rust-dev-wasm32"));
}

TEST_CASE("new: refuses a folder that is not empty, an unknown template, and the template itself") {
  TempDir tmp;
  NewProjectRequest r;
  r.templates_dir = SourceDir() + "/templates";
  r.template_name = "thermostat";
  r.dir = tmp.File("p");
  fs::create_directories(r.dir);
  WriteText(r.dir + "/notes.txt", "mine");
  Diagnostics d;
  CHECK_FALSE(CreateProject(r, d).ok());
  CHECK_THAT(DiagnosticsText(d), Catch::Contains("is not empty: name a new folder, or pass --force"));
  CHECK(fs::directory_entry(r.dir + "/notes.txt").is_regular_file());
  CHECK_FALSE(fs::exists(r.dir + "/wasmiot.json"));

  r.force = true;
  Diagnostics forced;
  REQUIRE(CreateProject(r, forced).ok());
  CHECK(ReadText(r.dir + "/notes.txt") == "mine");
  CHECK(fs::exists(r.dir + "/wasmiot.json"));
  CHECK((fs::status(r.dir + "/keys/dev.key").permissions() & fs::perms::group_all) == fs::perms::none);

  r.template_name = "thermostatt";
  r.dir = tmp.File("q");
  Diagnostics unknown;
  CHECK_FALSE(CreateProject(r, unknown).ok());
  CHECK_THAT(DiagnosticsText(unknown), Catch::Contains("did you mean \"thermostat\"?"));
  CHECK_THAT(DiagnosticsText(unknown), Catch::Contains("[unknown-template]"));
  CHECK_FALSE(fs::exists(r.dir));

  r.template_name = "thermostat";
  r.dir = SourceDir() + "/templates/thermostat";
  Diagnostics itself;
  CHECK_FALSE(CreateProject(r, itself).ok());
  CHECK_THAT(DiagnosticsText(itself), Catch::Contains("[output-is-input]"));
}

TEST_CASE("new: the project takes only the chosen language's sources") {
  ProjectFixture c("sensor-node", SourceLanguage::kC);
  CHECK(fs::exists(c.File("src/sensor_node.c")));
  CHECK_FALSE(fs::exists(c.File("src/lib.rs")));
  ProjectFixture rust("sensor-node", SourceLanguage::kRust);
  CHECK(fs::exists(rust.File("src/lib.rs")));
  CHECK_FALSE(fs::exists(rust.File("src/sensor_node.c")));
  Diagnostics d;
  Result<Project> project = LoadProject(rust.dir, d);
  REQUIRE(project.ok());
  CHECK(project->name == "sensor_node");
  CHECK(project->language == SourceLanguage::kRust);
  CHECK(project->sources == std::vector<std::string>{"src/lib.rs"});
}

TEST_CASE("build: a corrupted state file means a full rebuild, never a crash") {
  ProjectFixture p;
  size_t steps = p.BuildOk().steps.size();
  for (const char* state : {"{\"state_version\":{\"a\":1}}", "[1,2]", "not json", "",
                            "{\"state_version\":1,\"steps\":{\"compile\":{\"key\":7,\"outputs\":[]},"
                            "\"opt\":{\"key\":\"k\",\"outputs\":[[\"a\",\"b\",1]]},\"check\":[]}}",
                            "{\"state_version\":1,\"steps\":[]}"}) {
    INFO(state);
    WriteText(p.File("build/" + std::string(kBuildStateFile)), state);
    CHECK(Built(p.BuildOk()).size() == steps);
  }
}

TEST_CASE("build: a build folder given instead of the project's is never the project's own folder") {
  ProjectFixture p;
  Result<Project> project = [&] {
    Diagnostics d;
    return LoadProject(p.dir, d);
  }();
  REQUIRE(project.ok());
  BuildOptions o;
  o.c_compiler = FindInPath("clang");
  o.tool_identity = "build_test";
  o.build_dir = p.dir + "/./";
  Diagnostics d;
  BuildReport r = BuildProject(*project, o, {}, d);
  CHECK(r.failed_step == "project");
  CHECK_THAT(DiagnosticsText(d), Catch::Contains("is the project's folder: build into a folder of its own"));
  CHECK_FALSE(fs::exists(p.File(std::string(kBuildStateFile))));
  CHECK_FALSE(fs::exists(p.File("wasm")));
}
