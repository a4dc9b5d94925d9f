// wasmiot sign MODULE --key SECRET --manifest M --version X.Y.Z --seq N -o BUNDLE
#include <memory>

#include <fmt/format.h>

#include "bundle/sign.h"
#include "command.h"
#include "key_sources.h"
#include "output.h"
#include "support/text.h"

namespace wasmiot::tool {
namespace {

struct SignOptions {
  CommonOptions common;
  std::string module;
  KeySource key;
  std::string manifest_path;
  std::string version;
  uint64_t sequence = 0;
  std::string output;
  std::string target;
  std::string payload_path;
  std::string module_name;
  uint32_t chunk_size = WASMIOT_BUNDLE_DEFAULT_CHUNK_SIZE;
  bool allow_huge_sequence = false;
};

int RunSign(const SignOptions& options) {
  Diagnostics diagnostics;
  Status init = InitCrypto();
  if (!init) diagnostics.AddError("internal-error", "wasmiot", init.error().message);
  RefuseOverwritingInputs(options.output, "-o", false,
                          {{"MODULE", options.module},
                           {"--payload", options.payload_path},
                           {"--manifest", options.manifest_path},
                           {"--key", options.key.path},
                           {"--password-file", options.key.password_file}},
                          diagnostics);
  if (!NamesOneKey(options.key)) {
    diagnostics.AddError("usage", "wasmiot", "give the secret key with --key FILE (or - for stdin), or --key-env, not both");
  }
  if (options.target.empty() && (!options.payload_path.empty() || !options.module_name.empty())) {
    diagnostics.AddError("usage", "wasmiot", "--payload and --name are for AOT code: give --target too");
  }
  if (Status s = CheckSequence(options.sequence, options.allow_huge_sequence); !s) {
    bool huge = options.sequence > WASMIOT_BUNDLE_MAX_PLAIN_SEQUENCE;
    diagnostics.AddError("usage", "wasmiot",
                         fmt::format("--seq: {}{}", s.error().message, huge ? "; --allow-huge-seq signs it anyway" : ""));
  }
  Result<SemanticVersion> version = ParseSemanticVersion(options.version);
  if (!version) diagnostics.AddError("usage", "wasmiot", version.error().message);
  std::optional<Manifest> manifest;
  if (!diagnostics.HasErrors()) manifest = LoadOptionalManifest(options.manifest_path, diagnostics);
  std::optional<LoadedKey> key;
  if (manifest && !diagnostics.HasErrors()) {
    Result<LoadedKey> k = LoadKey(options.key, diagnostics);
    if (k && !k->secret) diagnostics.AddError("key-invalid", options.key.path, "a public key cannot sign (or the password is missing)");
    if (k && k->secret) key.emplace(std::move(k).value());
  }
  std::optional<SignedBundle> bundle;
  if (key && !diagnostics.HasErrors()) {
    SignRequest request;
    request.module_path = options.module;
    request.manifest = &*manifest;
    request.manifest_path = options.manifest_path;
    request.version = *version;
    request.sequence = options.sequence;
    request.allow_huge_sequence = options.allow_huge_sequence;
    request.chunk_size = options.chunk_size;
    request.target = options.target;
    request.module_name = options.module_name;
    request.payload_path = options.payload_path;
    request.scratch_beside = options.output;
    request.payload_option = "--payload";
    request.chunk_size_option = "--chunk-size";
    Result<SignedBundle> signed_bundle = SignModule(request, *key->secret, diagnostics);
    if (signed_bundle) {
      Status s = WriteFileAtomically(options.output, signed_bundle->bytes.data(), signed_bundle->bytes.size());
      if (!s) diagnostics.AddError("io-error", options.output, s.error().message);
      else bundle = std::move(signed_bundle).value();
    }
  }
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("sign", exit_code, diagnostics);
    if (bundle) {
      const BundleSpec& spec = bundle->spec;
      doc["bundle"] = options.output;
      doc["bytes"] = bundle->bytes.size();
      doc["payload_bytes"] = spec.payload.size();
      doc["sequence"] = spec.sequence;
      doc["version"] = spec.version.ToString();
      doc["key_id"] = KeyIdHex(KeyIdOf(key->public_key));
      doc["payload_kind"] = spec.kind == WASMIOT_PAYLOAD_AOT ? "aot" : "wasm";
      doc["target"] = spec.target;
      doc["module_digest"] = HexString(spec.module_digest.data(), WASMIOT_BUNDLE_DIGEST_SIZE);
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (bundle) {
    const BundleSpec& spec = bundle->spec;
    Print("{}: {} bytes ({} payload{}), version {}, sequence {}, module {}, signed by key {}\n", options.output,
          bundle->bytes.size(), spec.payload.size(), spec.target.empty() ? "" : ", AOT for " + spec.target,
          spec.version.ToString(), spec.sequence, HexString(spec.module_digest.data(), WASMIOT_BUNDLE_DIGEST_SIZE),
          KeyIdHex(KeyIdOf(key->public_key)));
  }
  return exit_code;
}

}  // namespace

void RegisterSignCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<SignOptions>();
  CLI::App* cmd = app.add_subcommand("sign", "Sign a module into a bundle for a device");
  cmd->add_option("module", options->module, "The .wasm module (checked against the manifest first)")->required();
  cmd->add_option("-k,--key", options->key.path, "The secret key file, or - for stdin");
  cmd->add_option("-m,--manifest", options->manifest_path, "The device manifest")->required();
  cmd->add_option("--version", options->version, "Semantic version MAJOR.MINOR.PATCH")->required();
  cmd->add_option("--seq", options->sequence, "Sequence number, 1 to 2^53, above every one before (anti-rollback)")
      ->required()
      ->check(UnsignedInteger());
  cmd->add_flag("--allow-huge-seq", options->allow_huge_sequence,
                "Sign a sequence above 2^53 (a device that installs 2^64-1 can never be updated again)");
  cmd->add_option("-o,--output", options->output, "The bundle to write")->required();
  cmd->add_option("-t,--target", options->target,
                  "Sign AOT code for this target instead of the module: compiled here from MODULE, as 'wasmiot aot' does");
  cmd->add_option("--payload", options->payload_path,
                  "With --target: the libNAME.a 'wasmiot aot' wrote, signed only if it is byte for byte what MODULE compiles to");
  cmd->add_option("--name", options->module_name, "With --target: the C name of the module's symbols (default: from MODULE's file name)");
  cmd->add_option("--chunk-size", options->chunk_size, "Payload bytes per OTA chunk, 64 to 65535 (default 1024)")
      ->check(UnsignedInteger())
      ->check(CLI::Range(WASMIOT_BUNDLE_MIN_CHUNK_SIZE, WASMIOT_BUNDLE_MAX_CHUNK_SIZE));
  AddKeySourceOptions(*cmd, options->key);
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Check MODULE against the device, then write a signed bundle (docs/bundle.md): a 136-byte\n"
      "header binding the payload's size and the digest of its per-chunk digests, version and\n"
      "sequence number, the device id (from vendor and class), payload kind and target, the\n"
      "digests of the manifest and of MODULE, the API version, the budgets and the key id, signed\n"
      "with Ed25519, then the payload. With --target the payload is MODULE compiled for that\n"
      "target (one of the manifest's aot_targets) exactly as 'wasmiot aot' compiles it; a\n"
      "--payload that differs by one byte is refused. The same inputs and key give the same bytes."
      "\n\n"
      "Examples:\n"
      "  wasmiot sign thermostat.wasm --key release.key --manifest thermostat.device.json --version 1.2.0 --seq 7 -o thermostat.bundle\n"
      "  wasmiot sign thermostat.wasm --key-env SIGNING_KEY -m thermostat.device.json --version 1.2.0 --seq 7 --target cortex-m4f -o thermostat-m4.bundle\n"
      "  wasmiot sign thermostat.wasm --key release.key -m thermostat.device.json --version 1.2.0 --seq 7 --target cortex-m4f --payload aot/libthermostat.a -o thermostat-m4.bundle\n"
      "\n"
      "Exit status: 0 written, 1 the module fails check or a key is unusable, 2 usage error,\n"
      "3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunSign(*options); });
}

}  // namespace wasmiot::tool
