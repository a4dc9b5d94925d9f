// Man pages stay in step with --help: the same options, the same examples, and
// (for check) every diagnostic code the JSON schema allows.
#include <regex>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

using namespace wasmiot::test;

namespace {

// roff escapes: "\-" is a hyphen, "\e" a backslash; font changes go away.
std::string Unroff(std::string text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      char next = text[i + 1];
      if (next == '-') { out += '-'; ++i; continue; }
      if (next == 'e') { out += '\\'; ++i; continue; }
      if (next == 'f' && i + 2 < text.size()) { i += 2; continue; }
    }
    out += text[i];
  }
  return out;
}

std::string Section(const std::string& page, const std::string& name) {
  size_t start = page.find(".SH " + name);
  REQUIRE(start != std::string::npos);
  size_t end = page.find("\n.SH ", start + 1);
  return page.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::set<std::string> LongOptions(const std::string& text) {
  std::set<std::string> out;
  std::regex option("(^|[^a-z-])(--[a-z][a-z0-9-]*)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), option); it != std::sregex_iterator(); ++it) {
    out.insert((*it)[2]);
  }
  return out;
}

// The "Options:" block of a --help text, up to the first blank line.
std::string HelpOptions(const std::string& help) {
  size_t at = help.find("Options:\n");
  REQUIRE(at != std::string::npos);
  return help.substr(at, help.find("\n\n", at) - at);
}

// The example command lines of a --help text: the lines after "Examples:" up to a blank line.
std::vector<std::string> Examples(const std::string& help) {
  std::vector<std::string> out;
  size_t at = help.find("Examples:\n");
  REQUIRE(at != std::string::npos);
  std::istringstream lines(help.substr(at + 10));
  std::string line;
  while (std::getline(lines, line) && !line.empty()) out.push_back(line.substr(line.find_first_not_of(' ')));
  return out;
}

}  // namespace

TEST_CASE("each command's man page documents exactly its --help options and examples") {
  auto [command, page] = GENERATE(table<std::string, std::string>({
      {"", "wasmiot.1"}, {"check", "wasmiot-check.1"}, {"inspect", "wasmiot-inspect.1"},
      {"opt", "wasmiot-opt.1"}, {"aot", "wasmiot-aot.1"}, {"keygen", "wasmiot-keygen.1"},
      {"pubkey", "wasmiot-pubkey.1"}, {"sign", "wasmiot-sign.1"}, {"verify", "wasmiot-verify.1"},
      {"chunk", "wasmiot-chunk.1"}, {"assemble", "wasmiot-assemble.1"}, {"run", "wasmiot-run.1"}, {"test", "wasmiot-test.1"},
      {"new", "wasmiot-new.1"}, {"build", "wasmiot-build.1"}, {"gen", "wasmiot-gen.1"}}));
  std::vector<std::string> args;
  if (!command.empty()) args.push_back(command);
  args.push_back("--help");
  RunResult help = RunWasmiot(args);
  REQUIRE(help.exit_code == 0);
  std::string man = Unroff(ReadText(SourceDir() + "/man/" + page));
  INFO(page);
  CHECK(LongOptions(HelpOptions(help.out)) == LongOptions(Section(man, "OPTIONS")));
  std::string examples = Section(man, "EXAMPLES");
  for (const std::string& example : Examples(help.out)) {
    CHECK_THAT(examples, Catch::Contains(example));
  }
}

TEST_CASE("wasmiot-device(1) documents exactly its subcommands' --help options and examples") {
  std::string man = Unroff(ReadText(SourceDir() + "/man/wasmiot-device.1"));
  std::string examples = Section(man, "EXAMPLES");
  std::set<std::string> options;
  for (const std::string sub : {"", "init", "install", "boot", "status", "confirm", "revert"}) {
    std::vector<std::string> args = {"device"};
    if (!sub.empty()) args.push_back(sub);
    args.push_back("--help");
    RunResult help = RunWasmiot(args);
    INFO(sub);
    REQUIRE(help.exit_code == 0);
    std::set<std::string> these = LongOptions(HelpOptions(help.out));
    options.insert(these.begin(), these.end());
    for (const std::string& example : Examples(help.out)) CHECK_THAT(examples, Catch::Contains(example));
    if (!sub.empty()) CHECK_THAT(Section(man, "SYNOPSIS"), Catch::Contains("wasmiot device " + sub));
  }
  CHECK(options == LongOptions(Section(man, "OPTIONS")));
}

TEST_CASE("every command listed by wasmiot --help has a man page, and only those") {
  RunResult help = RunWasmiot({"--help"});
  std::set<std::string> commands;
  std::regex row("\\n  ([a-z]+) +[A-Z]");
  for (auto it = std::sregex_iterator(help.out.begin(), help.out.end(), row); it != std::sregex_iterator(); ++it) {
    commands.insert((*it)[1]);
  }
  CHECK(commands.count("check") == 1);  // the listing was parsed at all
  std::set<std::string> pages;
  for (const auto& e : std::filesystem::directory_iterator(SourceDir() + "/man")) {
    std::string name = e.path().filename();
    if (name.rfind("wasmiot-", 0) == 0) pages.insert(name.substr(8, name.size() - 10));
  }
  CHECK(pages == commands);
  std::string overview = Unroff(ReadText(SourceDir() + "/man/wasmiot.1"));
  for (const std::string& c : commands) CHECK_THAT(overview, Catch::Contains("wasmiot-" + c + " (1)"));
}

TEST_CASE("wasmiot-check(1) documents every diagnostic code") {
  nlohmann::json schema = nlohmann::json::parse(ReadText(SourceDir() + "/schemas/check-output.schema.json"));
  std::string man = Unroff(ReadText(SourceDir() + "/man/wasmiot-check.1"));
  std::string codes = Section(man, "DIAGNOSTIC CODES");
  for (const std::string code : schema["properties"]["diagnostics"]["items"]["properties"]["code"]["enum"]) {
    CHECK_THAT(codes, Catch::Contains(".B " + code));
  }
}
