// Bash completion, generated from the command table itself (every command's
// flags as CLI11 knows them), so it can never list a flag that does not exist.
// The build writes it with `wasmiot --bash-completion`; it is installed to
// share/bash-completion/completions/wasmiot.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace wasmiot::tool {

std::string BashCompletion(const CLI::App& app);

}  // namespace wasmiot::tool
