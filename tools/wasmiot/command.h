// What every command shares: the registration signature, the common flags and
// the exit codes. One file per command registers itself in main.cc's table.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "key_sources.h"

namespace wasmiot::tool {

enum ExitCode : int {
  kExitOk = 0,
  kExitCheckFailed = 1,  // the input was read and found wanting
  kExitUsage = 2,
  kExitIoError = 3,  // missing or unreadable input, unwritable output, internal error
  kExitPowerCut = 4,  // wasmiot device --fail-at: the simulated power went off
};

// Flags every command takes, added in one place.
struct CommonOptions {
  bool json = false;
  bool verbose = false;
  bool quiet = false;  // no notes, and each kind of warning once
  bool warnings_as_errors = false;  // for the commands that add the flag
};

// The outcome of the command that ran, read by main after parsing.
struct Invocation {
  int exit_code = kExitOk;
};

using RegisterFunction = void (*)(CLI::App& app, Invocation& invocation);

struct CommandInfo {
  std::string_view name;
  RegisterFunction register_command;
};

// Accepts only decimal digits that fit in 64 bits: CLI11 would turn "-1" into
// 2^64-1 and saturate anything larger, which for a sequence number means a
// bundle no device can ever be updated past.
const CLI::Validator& UnsignedInteger();

// Adds --json, --verbose and --quiet to a subcommand.
void AddCommonOptions(CLI::App& command, CommonOptions& options);
// Adds --warnings-as-errors (check, build, test: the commands CI gates on).
void AddWarningsAsErrorsOption(CLI::App& command, CommonOptions& options);

// --password-env / --password-file, for commands that write or read a protected key.
void AddPasswordOptions(CLI::App& command, KeySource& source);

// --key-env, the password options and --force, for commands that read a key
// (each names its own key-file option or argument).
void AddKeySourceOptions(CLI::App& command, KeySource& source);

void RegisterCheckCommand(CLI::App& app, Invocation& invocation);
void RegisterInspectCommand(CLI::App& app, Invocation& invocation);
void RegisterOptCommand(CLI::App& app, Invocation& invocation);
void RegisterAotCommand(CLI::App& app, Invocation& invocation);
void RegisterKeygenCommand(CLI::App& app, Invocation& invocation);
void RegisterPubkeyCommand(CLI::App& app, Invocation& invocation);
void RegisterSignCommand(CLI::App& app, Invocation& invocation);
void RegisterVerifyCommand(CLI::App& app, Invocation& invocation);
void RegisterDeltaCommand(CLI::App& app, Invocation& invocation);
void RegisterChunkCommand(CLI::App& app, Invocation& invocation);
void RegisterAssembleCommand(CLI::App& app, Invocation& invocation);
void RegisterRunCommand(CLI::App& app, Invocation& invocation);
void RegisterTestCommand(CLI::App& app, Invocation& invocation);
void RegisterNewCommand(CLI::App& app, Invocation& invocation);
void RegisterBuildCommand(CLI::App& app, Invocation& invocation);
void RegisterGenCommand(CLI::App& app, Invocation& invocation);
void RegisterDeviceCommand(CLI::App& app, Invocation& invocation);

}  // namespace wasmiot::tool
