// `wasmiot keygen` and `wasmiot pubkey` as library calls: a new key pair
// written as two files, and a public key in each export format.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keys/keys.h"
#include "support/diagnostics.h"
#include "support/file_io.h"

namespace wasmiot {

struct KeyPairRequest {
  std::string prefix;  // writes PREFIX.key and PREFIX.pub.pem
  std::optional<std::string> password;  // encrypts the secret key
  bool overwrite = false;               // replace an existing pair
  std::vector<NamedInput> inputs;       // files neither key may replace (a password file, say)
  // How the caller names its output and the overwriting, for diagnostics.
  std::string output_name = "the output";
  std::string overwrite_hint = "unless asked to";
};

struct KeyPairFiles {
  std::string secret_path, public_path;
  KeyId key_id{};
  bool encrypted = false;
};

// The secret key is PEM (encrypted with the password, if any) with mode 0600,
// the public key PEM with 0644. An existing key is never overwritten unless
// `overwrite`, and never is only one half of a pair written. Codes: usage,
// io-error, internal-error.
Result<KeyPairFiles> WriteNewKeyPair(const KeyPairRequest& request, Diagnostics& diagnostics);

// The export formats of a public key: pem, raw (32 bytes), c and rust (a
// constant named `name`, a C and Rust identifier).
inline constexpr std::string_view kPublicKeyFormats[] = {"pem", "raw", "c", "rust"};
Result<std::string> ExportPublicKey(const PublicKey& key, std::string_view format, const std::string& name);

}  // namespace wasmiot
