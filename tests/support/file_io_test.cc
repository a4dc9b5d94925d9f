#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "support/file_io.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;

TEST_CASE("ReadInputFile reads regular files within the cap") {
  TempDir dir;
  WriteText(dir.File("a"), "hello");
  Result<Bytes> r = ReadInputFile(dir.File("a"), 100);
  REQUIRE(r.ok());
  CHECK(std::string(r->begin(), r->end()) == "hello");

  WriteText(dir.File("empty"), "");
  REQUIRE(ReadInputFile(dir.File("empty"), 100).ok());
  CHECK(ReadInputFile(dir.File("empty"), 100)->empty());
}

TEST_CASE("ReadInputFile refuses what is not a small regular file") {
  TempDir dir;
  SECTION("missing") {
    Result<Bytes> r = ReadInputFile(dir.File("nope"), 100);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::kIo);
    CHECK_THAT(r.error().message, Catch::Contains("No such file"));
  }
  SECTION("a directory") {
    Result<Bytes> r = ReadInputFile(dir.path(), 100);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("is a directory"));
  }
  SECTION("a FIFO, without waiting for a writer") {
    REQUIRE(mkfifo(dir.File("fifo").c_str(), 0600) == 0);
    Result<Bytes> r = ReadInputFile(dir.File("fifo"), 100);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("is a FIFO"));
  }
  SECTION("/dev/zero, without reading forever") {
    Result<Bytes> r = ReadInputFile("/dev/zero", 100);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("character device"));
  }
  SECTION("over the size cap, before reading it") {
    WriteText(dir.File("big"), std::string(101, 'x'));
    Result<Bytes> r = ReadInputFile(dir.File("big"), 100);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::kInvalidInput);
    CHECK_THAT(r.error().message, Catch::Contains("more than the limit of 100"));
  }
}

TEST_CASE("WriteFileAtomically replaces the file whole or not at all") {
  TempDir dir;
  std::string path = dir.File("out.bin");
  WriteText(path, "old contents");
  std::string data = "new";
  REQUIRE(WriteFileAtomically(path, data.data(), data.size()).ok());
  CHECK(ReadText(path) == "new");
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);

  SECTION("a secret gets the mode it asks for") {
    REQUIRE(WriteFileAtomically(path, data.data(), data.size(), 0600).ok());
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
  SECTION("an unwritable folder leaves no temp file and the old file intact") {
    std::string sub = dir.File("locked");
    REQUIRE(mkdir(sub.c_str(), 0500) == 0);
    std::string target = sub + "/x";
    Status s = WriteFileAtomically(target, data.data(), data.size());
    if (geteuid() == 0) {
      // root ignores directory permissions; the write succeeds there.
      CHECK(s.ok());
    } else {
      REQUIRE_FALSE(s.ok());
      CHECK(s.error().kind == ErrorKind::kIo);
    }
  }
  SECTION("a missing folder is an I/O error and creates nothing") {
    Status s = WriteFileAtomically(dir.File("no/such/dir/x"), data.data(), data.size());
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().kind == ErrorKind::kIo);
  }
  // No temp files left behind in any case.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);
  }
}

TEST_CASE("a path written in a file is relative to that file's folder") {
  CHECK(PathBesideFile("scenarios/heat.scenario.json", "thermostat.wasm") == "scenarios/thermostat.wasm");
  CHECK(PathBesideFile("a/b/g.json", "../m.wasm") == "a/m.wasm");
  CHECK(PathBesideFile("a/b/g.json", "/abs/m.wasm") == "/abs/m.wasm");
  CHECK(PathBesideFile("g.json", "./data/x.csv") == "data/x.csv");
}
