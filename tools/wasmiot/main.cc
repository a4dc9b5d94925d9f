// wasmiot: build, check, package and run WebAssembly modules for IoT devices.
// This file holds the command table, turns argv into a command, and maps
// failures to exit codes. Each command lives in its own cmd_<name>.cc.
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command.h"
#include "completion.h"
#include "engine_choice.h"
#include "output.h"
#include "project_environment.h"
#include "support/process.h"
#include "support/text.h"

namespace wasmiot::tool {
namespace {

constexpr CommandInfo kCommands[] = {
    {"new", RegisterNewCommand},
    {"build", RegisterBuildCommand},
    {"check", RegisterCheckCommand},
    {"inspect", RegisterInspectCommand},
    {"opt", RegisterOptCommand},
    {"aot", RegisterAotCommand},
    {"gen", RegisterGenCommand},
    {"keygen", RegisterKeygenCommand},
    {"pubkey", RegisterPubkeyCommand},
    {"sign", RegisterSignCommand},
    {"verify", RegisterVerifyCommand},
    {"delta", RegisterDeltaCommand},
    {"chunk", RegisterChunkCommand},
    {"assemble", RegisterAssembleCommand},
    {"run", RegisterRunCommand},
    {"test", RegisterTestCommand},
    {"device", RegisterDeviceCommand},
};

constexpr std::string_view kVersion = WASMIOT_VERSION;

bool WantsJson(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0) return true;
  }
  return false;
}

int UsageError(std::string_view command, const std::string& message, bool json) {
  if (json) {
    Diagnostics diagnostics;
    diagnostics.AddError("usage", "wasmiot", message);
    PrintJson(JsonDocument(command, kExitUsage, diagnostics));
  } else {
    PrintError("wasmiot: error: {}\n", message);
    if (command.empty()) {
      PrintError("Run 'wasmiot --help' for the list of commands.\n");
    } else {
      PrintError("Run 'wasmiot {} --help' for usage.\n", command);
    }
  }
  return kExitUsage;
}

// The first line a program prints for --version, or why there is none.
std::string ProgramVersion(const std::string& program) {
  if (program.empty()) return "not found";
  Result<ProcessResult> r = RunProcess({program, "--version"});
  if (!r || r->exit_code != 0) return program + ": does not run";
  std::string first = r->out.substr(0, r->out.find('\n'));
  return first + " (" + program + ")";
}

void PrintVersion() {
  Print("wasmiot {}\n", kVersion);
  Print("  wabt {} (reader, interpreter, wasm2c), Binaryen {}, libsodium {}\n", WASMIOT_WABT_VERSION,
        WASMIOT_BINARYEN_VERSION, WASMIOT_SODIUM_VERSION);
  Print("  C modules:    {}\n", ProgramVersion(FindClang()));
  Print("  Rust modules: {}\n", ProgramVersion(FindRustc()));
  std::string cc = AotSettingsFromEnvironment().compiler;
  Print("  host AOT:     {}\n", ProgramVersion(cc.find('/') != std::string::npos ? cc : FindInPath(cc)));
}

int Main(int argc, char** argv) {
  CLI::App app("wasmiot: build, check, package and run WebAssembly modules for IoT devices", "wasmiot");
  app.require_subcommand(1, 1);
  bool version = false;
  app.add_flag("--version", version, "Print the version of wasmiot, its libraries and the compilers it would use");
  app.footer(
      "Examples:\n"
      "  wasmiot new thermostat my-thermostat && wasmiot build my-thermostat\n"
      "  wasmiot check thermostat.wasm --manifest thermostat.device.json\n"
      "  wasmiot inspect thermostat.wasm --json\n"
      "  wasmiot opt thermostat.wasm -o thermostat.opt.wasm --manifest thermostat.device.json\n"
      "  wasmiot aot thermostat.opt.wasm --target cortex-m4f -o aot --manifest thermostat.device.json\n"
      "\n"
      "Run 'wasmiot COMMAND --help' for a command's options; 'man wasmiot-COMMAND' for more.\n"
      "Exit status: 0 ok, 1 check failed, 2 usage error, 3 I/O or internal error,\n"
      "4 power cut (wasmiot device --fail-at).");
  Invocation invocation;
  // Only the named command's options are built when argv names one: building
  // all seventeen commands' options costs CLI11 about 4M instructions, a fifth
  // of a cached `run` (docs/benchmarks.md). --help, --version and the
  // completion script need them all.
  const CommandInfo* named = nullptr;
  for (const CommandInfo& c : kCommands) {
    if (argc >= 2 && c.name == argv[1]) named = &c;
  }
  if (named) {
    named->register_command(app, invocation);
  } else {
    for (const CommandInfo& c : kCommands) c.register_command(app, invocation);
  }

  bool json = WantsJson(argc, argv);
  if (argc >= 2 && argv[1][0] != '-') {
    std::vector<std::string_view> names;
    for (const CommandInfo& c : kCommands) names.push_back(c.name);
    std::string_view given = argv[1];
    if (std::find(names.begin(), names.end(), given) == names.end()) {
      std::string hint;
      if (auto near = ClosestMatch(given, names)) hint = fmt::format(" (did you mean '{}'?)", *near);
      return UsageError("", fmt::format("unknown command '{}'{}", given, hint), json);
    }
  }
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    PrintVersion();
    return kExitOk;
  }
  // Not in --help: the build runs it to write the completion script it installs.
  if (argc == 2 && std::strcmp(argv[1], "--bash-completion") == 0) {
    fmt::print("{}", BashCompletion(app));
    return kExitOk;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string command = argc >= 2 && argv[1][0] != '-' ? argv[1] : "";
    return UsageError(command, e.what(), json);
  }
  return invocation.exit_code;
}

}  // namespace

const CLI::Validator& UnsignedInteger() {
  static const CLI::Validator validator(
      [](std::string& text) -> std::string {
        bool digits = !text.empty() && text.size() <= 20 &&
                      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
        // 20 digits may still pass 2^64-1 = 18446744073709551615.
        if (digits && (text.size() < 20 || text <= "18446744073709551615")) return {};
        return fmt::format("'{}' is not an unsigned integer of at most 2^64-1 (decimal digits only)", text);
      },
      "UINT", "unsigned integer");
  return validator;
}

void AddCommonOptions(CLI::App& command, CommonOptions& options) {
  command.add_flag("--json", options.json, "Print one JSON document on stdout (also on failure)");
  CLI::Option* verbose = command.add_flag("-v,--verbose", options.verbose, "Also print notes");
  command.add_flag("-q,--quiet", options.quiet, "Print no notes, and each kind of warning once")->excludes(verbose);
}

void AddWarningsAsErrorsOption(CLI::App& command, CommonOptions& options) {
  command.add_flag("--warnings-as-errors", options.warnings_as_errors,
                   "Treat every warning as an error (exit 1), for CI gates");
}

void AddPasswordOptions(CLI::App& command, KeySource& source) {
  CLI::Option* env = command.add_option("--password-env", source.password_env,
                                        "Password from this environment variable (Argon2id + XSalsa20-Poly1305)");
  CLI::Option* file = command.add_option("--password-file", source.password_file,
                                         "Password from the first line of this file");
  env->excludes(file);
}

void AddKeySourceOptions(CLI::App& command, KeySource& source) {
  command.add_option("--key-env", source.env, "Read the key from this environment variable");
  AddPasswordOptions(command, source);
  command.add_flag("--force", source.force, "Accept a secret key file other users can read");
}

}  // namespace wasmiot::tool

int main(int argc, char** argv) {
  try {
    return wasmiot::tool::Main(argc, argv);
  } catch (const std::exception& e) {
    wasmiot::tool::PrintError("wasmiot: error: internal error: {}\n", e.what());
    return wasmiot::tool::kExitIoError;
  }
}
