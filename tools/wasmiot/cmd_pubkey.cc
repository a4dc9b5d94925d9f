// wasmiot pubkey KEY [--format pem|raw|c|rust] [-o OUT]
#include <memory>

#include <fmt/format.h>

#include "command.h"
#include "keys/key_pair.h"
#include "key_sources.h"
#include "output.h"
#include "support/text.h"

namespace wasmiot::tool {
namespace {

struct PubkeyOptions {
  CommonOptions common;
  KeySource source;
  std::string format = "pem";
  std::string output;
  std::string name = "wasmiot_public_key";
};

int RunPubkey(const PubkeyOptions& options) {
  Diagnostics diagnostics;
  std::string exported;
  std::optional<KeyId> key_id;
  if (!NamesOneKey(options.source)) {
    diagnostics.AddError("usage", "wasmiot", "give the key as a file (or - for stdin), or with --key-env, not both");
  } else if (options.format == "raw" && options.output.empty()) {
    diagnostics.AddError("usage", "wasmiot", "--format raw writes binary: give -o");
  }
  if ((options.format == "c" || options.format == "rust") && !IsGeneratedSymbolName(options.name)) {
    diagnostics.AddError("usage", options.name,
                         "--name must be a C and Rust identifier ([A-Za-z_][A-Za-z0-9_]*, at most 64, not a "
                         "keyword), e.g. --name my_key");
  }
  RefuseOverwritingInputs(options.output, "-o", false,
                          {{"KEY", options.source.path}, {"--password-file", options.source.password_file}},
                          diagnostics);
  if (!diagnostics.HasErrors()) {
    Result<LoadedKey> key = LoadKey(options.source, diagnostics);
    if (key) {
      const PublicKey& pk = key->public_key;
      key_id = KeyIdOf(pk);
      Result<std::string> text = ExportPublicKey(pk, options.format, options.name);
      if (!text) diagnostics.AddError("usage", options.name, text.error().message);
      else exported = std::move(text).value();
      if (text && !options.output.empty()) {
        Status s = WriteFileAtomically(options.output, exported.data(), exported.size());
        if (!s) diagnostics.AddError("io-error", options.output, s.error().message);
      }
    }
  }
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("pubkey", exit_code, diagnostics);
    if (exit_code == kExitOk) {
      doc["key_id"] = KeyIdHex(*key_id);
      doc["format"] = options.format;
      if (!options.output.empty()) doc["output"] = options.output;
      if (options.output.empty()) doc["key"] = exported;
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (exit_code == kExitOk && options.output.empty()) fmt::print("{}", exported);
  return exit_code;
}

}  // namespace

void RegisterPubkeyCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<PubkeyOptions>();
  CLI::App* cmd = app.add_subcommand("pubkey", "Export a public key for firmware or OpenSSL");
  cmd->add_option("key", options->source.path, "A secret or public key file, or - for stdin");
  cmd->add_option("-f,--format", options->format, "pem (SubjectPublicKeyInfo), raw (32 bytes), c or rust")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kPublicKeyFormats), std::end(kPublicKeyFormats))));
  cmd->add_option("-o,--output", options->output, "Write to this file instead of stdout");
  cmd->add_option("--name", options->name, "Symbol name for --format c or rust");
  AddKeySourceOptions(*cmd, options->source);
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Print the public half of KEY: as PEM for OpenSSL and other tools, as 32 raw bytes, or as\n"
      "C or Rust source to embed in firmware. KEY may be a secret key (PKCS#8 PEM, or wasmiot's\n"
      "password-protected PEM, whose public half needs no password), a public PEM, or raw bytes."
      "\n\n"
      "Examples:\n"
      "  wasmiot pubkey keys/release.key --format c --name release_key -o firmware/release_key.c\n"
      "  wasmiot pubkey --key-env SIGNING_KEY --format rust\n"
      "\n"
      "Exit status: 0 exported, 1 not a key (or an insecure secret key file), 2 usage error, 3 I/O\n"
      "error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunPubkey(*options); });
}

}  // namespace wasmiot::tool
