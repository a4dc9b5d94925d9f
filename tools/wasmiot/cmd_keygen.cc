// wasmiot keygen -o PREFIX [--password-env VAR | --password-file FILE] [--force]
#include <sys/stat.h>

#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "command.h"
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
  std::string secret_path = options.prefix + ".key";
  std::string public_path = options.prefix + ".pub.pem";
  std::optional<KeyId> key_id;
  bool encrypted = false;

  Status init = InitCrypto();
  if (!init) diagnostics.AddError("internal-error", "wasmiot", init.error().message);
  for (const std::string& path : {secret_path, public_path}) {
    if (!options.force && std::filesystem::exists(path)) {
      diagnostics.AddError("usage", path, "already exists: a key is never overwritten unless --force");
    }
  }
  for (const std::string& path : {secret_path, public_path}) {
    RefuseOverwritingInputs(path, "-o", false, {{"--password-file", options.password.password_file}}, diagnostics);
  }
  Result<std::optional<std::string>> password = LoadPassword(options.password);
  if (!password) diagnostics.AddError("io-error", "wasmiot", password.error().message);

  if (!diagnostics.HasErrors()) {
    SecretKey key = SecretKey::Generate();
    encrypted = password->has_value();
    Result<std::string> secret_pem = encrypted ? SecretKeyToEncryptedPem(key, **password)
                                               : Result<std::string>(SecretKeyToPem(key));
    if (!secret_pem) {
      diagnostics.AddError("usage", "wasmiot", secret_pem.error().message);
    } else {
      std::string public_pem = PublicKeyToPem(key.Public());
      Status s = WriteFileAtomically(secret_path, secret_pem->data(), secret_pem->size(), 0600);
      Wipe(secret_pem->data(), secret_pem->size());
      if (!s) diagnostics.AddError("io-error", secret_path, s.error().message);
      Status p = s ? WriteFileAtomically(public_path, public_pem.data(), public_pem.size(), 0644) : s;
      if (s && !p) {
        diagnostics.AddError("io-error", public_path, p.error().message);
        std::filesystem::remove(secret_path);  // never one half of a pair
      }
      if (s && p) key_id = KeyIdOf(key.Public());
    }
  }
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("keygen", exit_code, diagnostics);
    if (key_id) {
      doc["key_id"] = KeyIdHex(*key_id);
      doc["secret_key"] = secret_path;
      doc["public_key"] = public_path;
      doc["encrypted"] = encrypted;
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (key_id) {
    Print("key id {}\nsecret key: {} (mode 0600{})\npublic key: {}\n", KeyIdHex(*key_id), secret_path,
          encrypted ? ", password-protected" : "", public_path);
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
