// Where keys and passwords come from, CI-friendly: a file, stdin ("-"), or an
// environment variable. A secret key readable by group or others is refused
// unless forced, as ssh does. The tool's, not the library's: lib/keys parses
// key bytes and never reads stdin or the environment.
#pragma once

#include <optional>
#include <string>

#include "keys/keys.h"
#include "support/diagnostics.h"

namespace wasmiot {

struct KeySource {
  std::string path;       // a file, or "-" for stdin
  std::string env;        // or the name of an environment variable holding the key
  std::string password_env;   // the password, from this variable...
  std::string password_file;  // ...or the first line of this file
  bool force = false;         // accept a secret key other users can read
};

// A source names exactly one key: a file (or "-"), or an environment variable.
bool NamesOneKey(const KeySource& source);

// Problems become diagnostics: io-error (exit 3) or key-invalid (exit 1).
Result<LoadedKey> LoadKey(const KeySource& source, Diagnostics& diagnostics);

// The password named by a source, if any.
Result<std::optional<std::string>> LoadPassword(const KeySource& source);

}  // namespace wasmiot
