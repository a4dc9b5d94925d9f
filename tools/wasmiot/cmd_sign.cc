// wasmiot sign MODULE --key SECRET --manifest M --version X.Y.Z --seq N -o BUNDLE
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "bundle/bundle.h"
#include "check/check.h"
#include "command.h"
#include "keys/key_files.h"
#include "output.h"

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
  uint32_t chunk_size = WASMIOT_BUNDLE_DEFAULT_CHUNK_SIZE;
  bool allow_huge_sequence = false;
};

int RunSign(const SignOptions& options) {
  Diagnostics diagnostics;
  std::optional<Bytes> bundle;
  BundleSpec spec;
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
  if (options.target.empty() != options.payload_path.empty()) {
    diagnostics.AddError("usage", "wasmiot", "--target and --payload go together (an AOT artifact for that target)");
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
  // Nothing is signed that fails check against the device.
  if (manifest) (void)LoadAndCheckModule(options.module, *manifest, diagnostics);
  if (manifest && !options.target.empty()) {
    const auto& accepted = manifest->aot_targets;
    if (std::find(accepted.begin(), accepted.end(), options.target) == accepted.end()) {
      diagnostics.AddError("target-not-accepted", options.target,
                           fmt::format("the device accepts AOT code only for: {}",
                                       accepted.empty() ? std::string("none") : fmt::format("{}", fmt::join(accepted, ", "))));
    }
  }
  std::optional<LoadedKey> key;
  if (!diagnostics.HasErrors()) {
    Result<LoadedKey> k = LoadKey(options.key, diagnostics);
    if (k && !k->secret) diagnostics.AddError("key-invalid", options.key.path, "a public key cannot sign (or the password is missing)");
    if (k && k->secret) key.emplace(std::move(k).value());
  }
  if (!diagnostics.HasErrors()) {
    std::string payload_path = options.target.empty() ? options.module : options.payload_path;
    // OTA frames number chunks with a u16: refuse before reading what cannot fit.
    uint64_t max_payload = uint64_t{WASMIOT_BUNDLE_MAX_CHUNKS} * options.chunk_size;
    Result<Bytes> payload = ReadInput(payload_path, max_payload, "payload-too-large", diagnostics);
    Result<Bytes> manifest_bytes = ReadInput(options.manifest_path, kMaxManifestBytes, "manifest-invalid", diagnostics);
    if (payload && manifest_bytes) {
      spec.payload = std::move(payload).value();
      spec.kind = options.target.empty() ? WASMIOT_PAYLOAD_WASM : WASMIOT_PAYLOAD_AOT;
      spec.target = options.target;
      spec.sequence = options.sequence;
      spec.version = *version;
      spec.manifest = &*manifest;
      spec.manifest_digest = HashSha256(manifest_bytes->data(), manifest_bytes->size());
      spec.chunk_size = options.chunk_size;
      spec.allow_huge_sequence = options.allow_huge_sequence;
      Result<Bytes> built = BuildBundle(spec, *key->secret);
      if (!built) {
        diagnostics.AddError("usage", payload_path, built.error().message);
      } else {
        Status s = WriteFileAtomically(options.output, built->data(), built->size());
        if (!s) diagnostics.AddError("io-error", options.output, s.error().message);
        else bundle = std::move(built).value();
      }
    }
  }
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("sign", exit_code, diagnostics);
    if (bundle) {
      doc["bundle"] = options.output;
      doc["bytes"] = bundle->size();
      doc["payload_bytes"] = spec.payload.size();
      doc["sequence"] = spec.sequence;
      doc["version"] = spec.version.ToString();
      doc["key_id"] = KeyIdHex(KeyIdOf(key->public_key));
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (bundle) {
    Print("{}: {} bytes ({} payload), version {}, sequence {}, signed by key {}\n", options.output,
               bundle->size(), spec.payload.size(), spec.version.ToString(), spec.sequence,
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
  cmd->add_option("-t,--target", options->target, "Sign an AOT artifact for this target instead of the module");
  cmd->add_option("--payload", options->payload_path, "The AOT artifact (with --target), e.g. libNAME.a");
  cmd->add_option("--chunk-size", options->chunk_size, "Payload bytes per OTA chunk, 64 to 65535 (default 1024)")
      ->check(UnsignedInteger())
      ->check(CLI::Range(WASMIOT_BUNDLE_MIN_CHUNK_SIZE, WASMIOT_BUNDLE_MAX_CHUNK_SIZE));
  AddKeySourceOptions(*cmd, options->key);
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Check MODULE against the device, then write a signed bundle (docs/bundle.md): a header\n"
      "binding the payload's size and SHA-256, the digest of its per-chunk digests, version and\n"
      "sequence number, vendor and device class, payload kind and target, the manifest's digest and API\n"
      "version, the budgets, and the key id, all signed with Ed25519, then the payload. The\n"
      "same inputs and key give the same bytes."
      "\n\n"
      "Examples:\n"
      "  wasmiot sign thermostat.wasm --key release.key --manifest thermostat.device.json --version 1.2.0 --seq 7 -o thermostat.bundle\n"
      "  wasmiot sign thermostat.wasm --key-env SIGNING_KEY -m thermostat.device.json --version 1.2.0 --seq 7 --target cortex-m4f --payload aot/libthermostat.a -o thermostat-m4.bundle\n"
      "\n"
      "Exit status: 0 written, 1 the module fails check or a key is unusable, 2 usage error,\n"
      "3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunSign(*options); });
}

}  // namespace wasmiot::tool
