// `wasmiot new` and `wasmiot build` from the command line: JSON that matches
// its schemas, exit codes, the signing key from a file or the environment
// (problems at the project file's line and column), SOURCE_DATE_EPOCH.
#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

using namespace wasmiot::test;
namespace fs = std::filesystem;

namespace {

void Edit(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = ReadText(path);
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  WriteText(path, text.replace(at, from.size(), to));
}

RunResult WithEnv(const std::vector<std::string>& env, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"env"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(WasmiotExe());
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

}  // namespace

TEST_CASE("new and build --json match their schemas, and a quiet build prints nothing on stderr") {
  TempDir tmp;
  std::string dir = tmp.File("t");
  RunResult made = RunWasmiot({"new", "thermostat", dir, "--json"});
  INFO(made.out << made.err);
  REQUIRE(made.exit_code == 0);
  CHECK(MatchesSchema("new-output.schema.json", made.out, tmp));
  nlohmann::json doc = nlohmann::json::parse(made.out);
  CHECK(doc["name"] == "thermostat");
  CHECK(doc["files"].size() == 7);

  RunResult built = RunWasmiot({"build", dir, "--json"});
  INFO(built.out << built.err);
  REQUIRE(built.exit_code == 0);
  CHECK(built.err.empty());
  CHECK(MatchesSchema("build-output.schema.json", built.out, tmp));
  nlohmann::json b = nlohmann::json::parse(built.out)["build"];
  CHECK(b["ok"] == true);
  CHECK(b["sequence"] == 65536);
  // summary.json is the same "build" object.
  nlohmann::json summary = nlohmann::json::parse(ReadText(dir + "/build/summary.json"));
  CHECK(summary["artifacts"] == b["artifacts"]);

  RunResult human = RunWasmiot({"build", dir});
  CHECK(human.exit_code == 0);
  CHECK(human.err.empty());
  CHECK_THAT(human.out, Catch::Contains("thermostat 0.1.0: built in"));
  CHECK_THAT(human.out, Catch::Contains("(0 of 13 steps ran)"));
  CHECK_THAT(human.out, Catch::Contains("PASS tests/thermostat.scenario.json on interp+aot (unchanged since it passed)"));

  RunResult list = RunWasmiot({"new", "--list", "--json"});
  CHECK(MatchesSchema("new-output.schema.json", list.out, tmp));
  CHECK(nlohmann::json::parse(list.out)["templates"] ==
        nlohmann::json::array({"blank", "gateway-plugin", "motion-detector", "predictive-maintenance", "sensor-node",
                               "thermostat"}));
}

TEST_CASE("new and build exit codes: unknown template 2, folder not empty 1, no project file 2") {
  TempDir tmp;
  RunResult unknown = RunWasmiot({"new", "thermostst", tmp.File("a")});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("did you mean \"thermostat\"?"));
  fs::create_directories(tmp.File("b"));
  WriteText(tmp.File("b/file"), "x");
  RunResult busy = RunWasmiot({"new", "blank", tmp.File("b")});
  CHECK(busy.exit_code == 1);
  CHECK_THAT(busy.err, Catch::Contains("--force"));
  RunResult none = RunWasmiot({"build", tmp.File("b"), "--json"});
  CHECK(none.exit_code == 2);
  CHECK(MatchesSchema("build-output.schema.json", none.out, tmp));
  CHECK_THAT(none.out, Catch::Contains("wasmiot new TEMPLATE"));
}

TEST_CASE("build: the signing key from a file or the environment, problems at signing.key") {
  TempDir tmp;
  std::string dir = tmp.File("t");
  REQUIRE(RunWasmiot({"new", "blank", dir}).exit_code == 0);
  std::string key = ReadText(dir + "/keys/dev.key");
  fs::remove(dir + "/keys/dev.key");
  RunResult missing = RunWasmiot({"build", dir});
  CHECK(missing.exit_code == 3);
  CHECK_THAT(missing.err, Catch::Contains(dir + "/wasmiot.json:20:12: error: signing.key: " + dir + "/keys/dev.key"));
  CHECK_FALSE(fs::exists(dir + "/build"));

  Edit(dir + "/wasmiot.json", "\"file\": \"keys/dev.key\"", "\"env\": \"BLANK_SIGNING_KEY\"");
  RunResult unset = WithEnv({"-u", "BLANK_SIGNING_KEY"}, {"build", dir});
  CHECK(unset.exit_code == 3);
  CHECK_THAT(unset.err, Catch::Contains("error: signing.key: $BLANK_SIGNING_KEY: environment variable is not set"));
  RunResult garbage = WithEnv({"BLANK_SIGNING_KEY=not a key"}, {"build", dir});
  CHECK(garbage.exit_code == 1);
  CHECK_THAT(garbage.err, Catch::Contains("[key-invalid]"));
  RunResult ok = WithEnv({"BLANK_SIGNING_KEY=" + key}, {"build", dir, "--json"});
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(fs::exists(dir + "/build/blank.bundle"));
}

TEST_CASE("build: the sequence number from SOURCE_DATE_EPOCH when the project asks for it") {
  TempDir tmp;
  std::string dir = tmp.File("t");
  REQUIRE(RunWasmiot({"new", "blank", dir}).exit_code == 0);
  Edit(dir + "/wasmiot.json", "\"from-version\"", "\"source-date-epoch\"");
  RunResult unset = WithEnv({"-u", "SOURCE_DATE_EPOCH"}, {"build", dir});
  CHECK(unset.exit_code == 1);
  CHECK_THAT(unset.err, Catch::Contains("SOURCE_DATE_EPOCH is not set"));
  RunResult set = WithEnv({"SOURCE_DATE_EPOCH=1764460800"}, {"build", dir, "--json"});
  INFO(set.out << set.err);
  CHECK(set.exit_code == 0);
  CHECK(nlohmann::json::parse(set.out)["build"]["sequence"] == 1764460800);
}

TEST_CASE("build: progress on a terminal, one line per step, and none in CI or with -q") {
  TempDir tmp;
  std::string dir = tmp.File("t");
  REQUIRE(RunWasmiot({"new", "blank", dir}).exit_code == 0);
  // script(1) gives the build a terminal.
  auto on_terminal = [&](const std::string& env, const std::string& flags) {
    return Run({"env", "-u", "CI", "sh", "-c",
                env + " script -qec '" + WasmiotExe() + " build " + dir + " --rebuild " + flags + "' /dev/null"});
  };
  RunResult tty = on_terminal("", "");
  INFO(tty.out << tty.err);
  CHECK(tty.exit_code == 0);
  CHECK_THAT(tty.out, Catch::Contains("compile "));
  CHECK_THAT(tty.out, Catch::Contains("aot cortex-m4f"));
  CHECK_THAT(tty.out, Catch::Contains("test tests/blank.scenario.json"));
  CHECK_THAT(tty.out, Catch::Contains(" built "));
  RunResult ci = on_terminal("CI=true", "");
  CHECK(ci.exit_code == 0);
  CHECK_THAT(ci.out, !Catch::Contains("compile "));
  RunResult quiet = on_terminal("", "-q");
  CHECK_THAT(quiet.out, !Catch::Contains("compile "));
  CHECK_THAT(quiet.out, Catch::Contains("blank 0.1.0: built in"));
}
