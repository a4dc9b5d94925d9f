// wasmiot keygen -o PREFIX [--password-env VAR | --password-file FILE] [--force]
#include <sys/stat.h>

#include <memory>

#include <fmt/format.h>

#include "command.h"
#include "keys/key_pair.h"
#include "key_sources.h"
#include "output.h"

namespace wasmiot::tool {
namespace {

struct KeygenOptions {
  CommonOptions common;
  std::string prefix;
  KeySource password;  // only its password fields are used
  bool force = false;
};

int RunKeygen(const KeygenOptions& options) {
  Diagnostics diagnostics;
  std::optional<KeyPairFiles> written;
  Result<std::optional<std::string>> password = LoadPassword(options.password);
  if (!password) {
    diagnostics.AddError("io-error", "wasmiot", password.error().message);
  } else {
    KeyPairRequest request;
    request.prefix = options.prefix;
    request.password = *password;
    request.overwrite = options.force;
    request.inputs = {{"--password-file", options.password.password_file}};
    request.output_name = "-o";
    request.overwrite_hint = "unless --force";
    Result<KeyPairFiles> files = WriteNewKeyPair(request, diagnostics);
    if (password->has_value()) Wipe((*password)->data(), (*password)->size());
    if (files) written = std::move(files).value();
  }
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("keygen", exit_code, diagnostics);
    if (written) {
      doc["key_id"] = KeyIdHex(written->key_id);
      doc["secret_key"] = written->secret_path;
      doc["public_key"] = written->public_path;
      doc["encrypted"] = written->encrypted;
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (written) {
    Print("key id {}\nsecret key: {} (mode 0600{})\npublic key: {}\n", KeyIdHex(written->key_id), written->secret_path,
          written->encrypted ? ", password-protected" : "", written->public_path);
  }
  return exit_code;
}

}  // namespace

void RegisterKeygenCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<KeygenOptions>();
  CLI::App* cmd = app.add_subcommand("keygen", "Create an Ed25519 signing key pair");
  cmd->add_option("-o,--output", options->prefix, "Write PREFIX.key (secret, mode 0600) and PREFIX.pub.pem")
      ->required();
  AddPasswordOptions(*cmd, options->password);
  cmd->add_flag("--force", options->force, "Overwrite existing key files");
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Create an Ed25519 key pair with libsodium. The secret key is PKCS#8 PEM (OpenSSL reads it)\n"
      "or, with a password, wasmiot's encrypted PEM; it is written with mode 0600 and never\n"
      "printed. The public key is SubjectPublicKeyInfo PEM. The key id is the first 8 bytes of\n"
      "SHA-256 over the public key. See docs/keys.md."
      "\n\n"
      "Examples:\n"
      "  wasmiot keygen -o keys/release\n"
      "  RELEASE_KEY_PASSWORD=... wasmiot keygen -o keys/release --password-env RELEASE_KEY_PASSWORD\n"
      "\n"
      "Exit status: 0 written, 2 usage error (or a key file exists), 3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunKeygen(*options); });
}

}  // namespace wasmiot::tool
