// Staging (lib/support/staging.h) on its own: outputs appear whole, leftovers
// are removed, and a killed run's folder is cleaned up by the next one.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/staging.h"
#include "support/test_support.h"

namespace wasmiot::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("staging: a new folder appears whole, with its parents") {
  TempDir dir;
  std::string out = dir.File("a/b/out");
  {
    Staging staging(out);
    REQUIRE(staging.ok());
    WriteText(staging.File("one"), "1");
    WriteText(staging.File("two"), "2");
    CHECK_FALSE(fs::exists(out));  // nothing visible before the commit
    REQUIRE(staging.Commit(out, {"one", "two"}).ok());
  }
  CHECK(Names(out) == std::vector<std::string>{"one", "two"});
  CHECK(Names(dir.File("a/b")) == std::vector<std::string>{"out"});  // no staging folder left
}

TEST_CASE("staging: into an existing folder each file moves, others stay") {
  TempDir dir;
  std::string out = dir.File("out");
  fs::create_directories(out);
  WriteText(out + "/keep", "k");
  WriteText(out + "/one", "old");
  {
    Staging staging(out);
    WriteText(staging.File("one"), "new");
    REQUIRE(staging.Commit(out, {"one"}).ok());
  }
  CHECK(ReadText(out + "/one") == "new");
  CHECK(ReadText(out + "/keep") == "k");
  CHECK(Names(dir.path()) == std::vector<std::string>{"out"});
}

TEST_CASE("staging: ReplaceFolder swaps a whole folder, and nothing is left without a commit") {
  TempDir dir;
  std::string out = dir.File("out");
  fs::create_directories(out);
  WriteText(out + "/stale", "s");
  {
    Staging staging(out);
    WriteText(staging.File("fresh"), "f");
    REQUIRE(staging.ReplaceFolder(out).ok());
  }
  CHECK(Names(out) == std::vector<std::string>{"fresh"});  // the old folder's files are gone
  {
    Staging abandoned(dir.File("never"));
    WriteText(abandoned.File("x"), "x");
  }
  CHECK(Names(dir.path()) == std::vector<std::string>{"out"});
}

TEST_CASE("staging: a folder left by a process that is gone is removed, a live one's is not") {
  TempDir dir;
  std::string out = dir.File("out");
  // Pid 2^22 + 1 is above Linux's pid_max (at most 2^22): no such process.
  std::string dead = out + ".tmp-4194305-AbCdEf";
  std::string live = out + ".tmp-" + std::to_string(getpid()) + "-XyZ123";
  std::string other = out + ".tmp-notapid";
  for (const std::string& d : {dead, live, other}) fs::create_directories(d);
  { Staging staging(out); }
  CHECK_FALSE(fs::exists(dead));
  CHECK(fs::exists(live));
  CHECK(fs::exists(other));
}

}  // namespace wasmiot::test
