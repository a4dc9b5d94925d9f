// No command writes over one of its own inputs, whichever flag names the
// output and however the path is spelled (symlink, hard link, "./x", "d/../x").
#include <filesystem>
#include <functional>
#include <map>

#include <catch2/catch.hpp>

#include "support/test_support.h"

namespace wasmiot::test {
namespace {

namespace fs = std::filesystem;

// A module, its device, a password-protected key pair, a bundle and its chunks.
struct Inputs {
  TempDir dir;
  std::string module = dir.File("t.wasm");
  std::string device = dir.File("t.device.json");
  std::string key = dir.File("k.key");
  std::string pub = dir.File("k.pub.pem");
  std::string password = dir.File("password.txt");
  std::string bundle = dir.File("t.bundle");
  std::string chunks = dir.File("chunks");
  std::string stream = dir.File("t.stream");

  Inputs() {
    WriteBytes(module, WatToWasm(ReadText(DataDir() + "/modules/thermostat.wat")));
    fs::copy_file(SourceDir() + "/templates/thermostat/device.json", device);
    WriteText(password, "correct horse\n");
    REQUIRE(RunWasmiot({"keygen", "-o", dir.File("k"), "--password-file", password}).exit_code == 0);
    REQUIRE(RunWasmiot({"sign", module, "--key", key, "--password-file", password, "-m", device, "--version", "1.0.0",
                        "--seq", "1", "-o", bundle})
                .exit_code == 0);
    REQUIRE(RunWasmiot({"chunk", bundle, "-o", chunks, "--stream", stream}).exit_code == 0);
  }
};

// Every file under `dir`, with its bytes.
std::map<std::string, Bytes> Snapshot(const std::string& dir) {
  std::map<std::string, Bytes> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && !e.is_symlink()) files[e.path().string()] = ReadBytes(e.path().string());
  }
  return files;
}

}  // namespace

TEST_CASE("an output that is an input is refused with exit 2 and nothing written") {
  Inputs in;
  // Each target is an input named through another spelling: the path itself,
  // a "./"-and-".." spelling, a symlink and a hard link.
  std::string sub = in.dir.File("sub");
  fs::create_directory(sub);
  auto spellings = [&](const std::string& path) {
    std::string name = fs::path(path).filename().string();
    std::string link = in.dir.File("link-" + name), hard = in.dir.File("hard-" + name);
    if (!fs::exists(link)) fs::create_symlink(path, link);
    if (!fs::exists(hard)) fs::create_hard_link(path, hard);
    return std::vector<std::string>{path, sub + "/../" + name, link, hard};
  };
  std::vector<std::pair<std::string, std::function<std::vector<std::string>(const std::string&)>>> cases = {
      {"pubkey -o KEY", [&](const std::string& o) { return std::vector<std::string>{"pubkey", in.key, "--password-file", in.password, "-o", o}; }},
      {"pubkey -o PASSWORD", [&](const std::string& o) { return std::vector<std::string>{"pubkey", in.key, "--password-file", in.password, "-o", o}; }},
      {"sign -o MANIFEST", [&](const std::string& o) { return std::vector<std::string>{"sign", in.module, "--key", in.key, "--password-file", in.password, "-m", in.device, "--version", "1.0.0", "--seq", "2", "-o", o}; }},
      {"sign -o KEY", [&](const std::string& o) { return std::vector<std::string>{"sign", in.module, "--key", in.key, "--password-file", in.password, "-m", in.device, "--version", "1.0.0", "--seq", "2", "-o", o}; }},
      {"sign -o PASSWORD", [&](const std::string& o) { return std::vector<std::string>{"sign", in.module, "--key", in.key, "--password-file", in.password, "-m", in.device, "--version", "1.0.0", "--seq", "2", "-o", o}; }},
      {"sign -o MODULE", [&](const std::string& o) { return std::vector<std::string>{"sign", in.module, "--key", in.key, "--password-file", in.password, "-m", in.device, "--version", "1.0.0", "--seq", "2", "-o", o}; }},
      {"opt -o MANIFEST", [&](const std::string& o) { return std::vector<std::string>{"opt", in.module, "-m", in.device, "-o", o}; }},
      {"opt -o MODULE", [&](const std::string& o) { return std::vector<std::string>{"opt", in.module, "-m", in.device, "-o", o}; }},
      {"assemble -o PUBKEY", [&](const std::string& o) { return std::vector<std::string>{"assemble", in.chunks, "-p", in.pub, "-m", in.device, "-o", o}; }},
      {"assemble -o MANIFEST", [&](const std::string& o) { return std::vector<std::string>{"assemble", in.chunks, "-p", in.pub, "-m", in.device, "-o", o}; }},
      {"assemble -o STREAM", [&](const std::string& o) { return std::vector<std::string>{"assemble", in.stream, "-p", in.pub, "-m", in.device, "-o", o}; }},
      {"assemble --slot PUBKEY", [&](const std::string& o) { return std::vector<std::string>{"assemble", in.chunks, "-p", in.pub, "--slot", o, "-o", in.dir.File("out.wasm")}; }},
      {"chunk --stream BUNDLE", [&](const std::string& o) { return std::vector<std::string>{"chunk", in.bundle, "--stream", o}; }},
  };
  // Which input each case aims at, by the case name's last word.
  auto target_of = [&](const std::string& name) -> std::string {
    std::string last = name.substr(name.rfind(' ') + 1);
    if (last == "KEY") return in.key;
    if (last == "PASSWORD") return in.password;
    if (last == "MANIFEST") return in.device;
    if (last == "MODULE") return in.module;
    if (last == "PUBKEY") return in.pub;
    if (last == "STREAM") return in.stream;
    return in.bundle;
  };
  for (const auto& [name, argv] : cases) {
    for (const std::string& output : spellings(target_of(name))) {
      auto before = Snapshot(in.dir.path());
      std::vector<std::string> args = argv(output);
      RunResult r = RunWasmiot(args);
      INFO(name << " with output " << output << "\n" << r.err);
      CHECK(r.exit_code == 2);
      CHECK_THAT(r.err, Catch::Contains("[output-is-input]"));
      CHECK(Snapshot(in.dir.path()) == before);
    }
  }
}

TEST_CASE("keygen -o never replaces its own password file, even with --force") {
  TempDir dir;
  WriteText(dir.File("k.key"), "the password\n");
  RunResult r = RunWasmiot({"keygen", "-o", dir.File("k"), "--password-file", dir.File("k.key"), "--force"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("[output-is-input]"));
  CHECK(ReadText(dir.File("k.key")) == "the password\n");
  CHECK_FALSE(fs::exists(dir.File("k.pub.pem")));
}

TEST_CASE("folder outputs: chunk -o and aot -o never hold or replace an input") {
  Inputs in;
  auto before = Snapshot(in.dir.path());
  SECTION("chunk -o into the folder that holds the bundle, with --force") {
    RunResult r = RunWasmiot({"chunk", in.bundle, "-o", in.dir.path(), "--force"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("[output-is-input]"));
  }
  SECTION("aot writes NAME.c: an input of that name is never replaced") {
    std::string out = in.dir.File("aot");
    fs::create_directory(out);
    std::string input = out + "/t.c";  // a module whose file name ends in .c
    fs::copy_file(in.module, input);
    before = Snapshot(in.dir.path());
    RunResult r = RunWasmiot({"aot", input, "--target", "host", "-o", out, "--name", "t"});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("[output-is-input]"));
  }
  CHECK(Snapshot(in.dir.path()) == before);
}

TEST_CASE("names pasted into paths and code must be identifiers") {
  Inputs in;
  auto before = Snapshot(in.dir.path());
  for (const char* name : {"../../evil", "a b", "my-key", "int", "fn", "__x", "9lives"}) {
    INFO(name);
    RunResult aot = RunWasmiot({"aot", in.module, "--target", "host", "-o", in.dir.File("aot"), "--name", name});
    CHECK(aot.exit_code == 2);
    CHECK_THAT(aot.err, Catch::Contains("identifier"));
    RunResult pub = RunWasmiot({"pubkey", in.pub, "--format", "c", "--name", name});
    CHECK(pub.exit_code == 2);
    CHECK_THAT(pub.err, Catch::Contains("identifier"));
    CHECK(pub.out.empty());
  }
  CHECK(Snapshot(in.dir.path()) == before);
  CHECK_FALSE(fs::exists(in.dir.path() + "/../evil.c"));
  RunResult ok = RunWasmiot({"pubkey", in.pub, "--format", "rust", "--name", "MY_KEY"});
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("pub const MY_KEY: [u8; 32]"));
}

}  // namespace wasmiot::test
