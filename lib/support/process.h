// Running another program (a C compiler, `size`, qemu) and capturing what it says.
#pragma once

#include <string>
#include <vector>

#include "support/result.h"

namespace wasmiot {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number if it was killed
  std::string out;
  std::string err;
};

// Runs argv (argv[0] looked up in PATH) with stdin from /dev/null, in
// `working_dir` if given, with this process's environment plus `extra_env`
// ("NAME=value", replacing a variable of the same name). An error only if it
// could not be started at all.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const std::string& working_dir = "",
                                 const std::vector<std::string>& extra_env = {});

// The full path of a program found in PATH, or "" if there is none.
std::string FindInPath(const std::string& program);

}  // namespace wasmiot
