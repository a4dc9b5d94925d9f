// wasmiot delta OLD.bundle NEW.bundle --key SECRET -o PATCH.bundle
// wasmiot delta --compress NEW.bundle --key SECRET -o NEW.z.bundle
#include <memory>

#include <fmt/format.h>

#include "bundle/delta_files.h"
#include "bundle/describe.h"
#include "command.h"
#include "key_sources.h"
#include "output.h"
#include "support/text.h"

namespace wasmiot::tool {
namespace {

struct DeltaOptions {
  CommonOptions common;
  std::vector<std::string> bundles;
  bool compress = false;
  KeySource key;
  std::string output;
};

double Percent(uint64_t part, uint64_t whole) { return whole ? 100.0 * static_cast<double>(part) / whole : 0.0; }

int RunDelta(const DeltaOptions& options) {
  Diagnostics diagnostics;
  Status init = InitCrypto();
  if (!init) diagnostics.AddError("internal-error", "wasmiot", init.error().message);
  size_t wanted = options.compress ? 1 : 2;
  if (options.bundles.size() != wanted) {
    diagnostics.AddError("usage", "wasmiot",
                         options.compress ? "--compress takes one bundle: wasmiot delta --compress NEW.bundle -o OUT"
                                          : "give the bundle the devices run and the new one: wasmiot delta OLD.bundle "
                                            "NEW.bundle -o PATCH.bundle (or --compress NEW.bundle)");
  }
  if (!NamesOneKey(options.key)) {
    diagnostics.AddError("usage", "wasmiot", "give the secret key with --key FILE (or - for stdin), or --key-env, not both");
  }
  std::optional<LoadedKey> key;
  if (!diagnostics.HasErrors()) {
    Result<LoadedKey> k = LoadKey(options.key, diagnostics);
    if (k && !k->secret) diagnostics.AddError("key-invalid", options.key.path, "a public key cannot sign (or the password is missing)");
    if (k && k->secret) key.emplace(std::move(k).value());
  }
  DeltaOutcome outcome;
  DeltaRequest request;
  if (key && !diagnostics.HasErrors()) {
    request.old_path = options.compress ? "" : options.bundles[0];
    request.new_path = options.bundles.back();
    request.output_path = options.output;
    request.inputs = {{"--key", options.key.path}, {"--password-file", options.key.password_file}};
    outcome = EncodeBundleFiles(request, *key->secret, diagnostics);
  }
  int exit_code = ExitCodeFor(diagnostics);
  const std::optional<EncodedBundle>& e = outcome.encoded;
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("delta", exit_code, diagnostics);
    if (e) {
      const wasmiot_bundle_header& h = e->header;
      doc["bundle"] = options.output;
      doc["encoding"] = EncodingName(h.encoding);
      doc["bytes"] = e->bytes.size();
      doc["wire_bytes"] = outcome.wire_bytes;
      doc["payload_bytes"] = h.payload_size;
      doc["decoded_bytes"] = h.decoded_size;
      doc["plain_bytes"] = outcome.plain_bytes;
      doc["plain_wire_bytes"] = outcome.plain_wire_bytes;
      doc["sequence"] = h.sequence;
      doc["decoded_digest"] = HexString(h.decoded_digest, WASMIOT_BUNDLE_DIGEST_SIZE);
      if (h.encoding == WASMIOT_ENCODING_DELTA) doc["base_digest"] = HexString(h.base_digest, WASMIOT_BUNDLE_DIGEST_SIZE);
      doc["operations"] = {{"count", e->stats.operations},
                           {"inserted_bytes", e->stats.inserted},
                           {"copied_old_bytes", e->stats.copied_old},
                           {"copied_new_bytes", e->stats.copied_new}};
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (e) {
    const wasmiot_bundle_header& h = e->header;
    Print("{}: {} bundle, {} ({} on the wire, {:.1f}% of {}'s {}); decodes to {}{}\n", options.output,
          EncodingName(h.encoding), Plural(e->bytes.size(), "byte"), outcome.wire_bytes,
          Percent(outcome.wire_bytes, outcome.plain_wire_bytes), request.new_path, outcome.plain_wire_bytes,
          Plural(h.decoded_size, "byte"),
          h.encoding == WASMIOT_ENCODING_DELTA
              ? fmt::format(" from the payload {} ({})", HexString(h.base_digest, WASMIOT_BUNDLE_DIGEST_SIZE),
                            request.old_path)
              : std::string());
  }
  return exit_code;
}

}  // namespace

void RegisterDeltaCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<DeltaOptions>();
  CLI::App* cmd = app.add_subcommand("delta", "Encode a bundle for the wire: a delta from the installed one, or compressed");
  cmd->add_option("bundles", options->bundles, "OLD.bundle NEW.bundle (or NEW.bundle with --compress)")->required();
  cmd->add_flag("--compress", options->compress, "Compress NEW.bundle alone, for a device that runs nothing yet");
  cmd->add_option("-k,--key", options->key.path, "The secret key NEW.bundle was signed with, or - for stdin");
  cmd->add_option("-o,--output", options->output, "The encoded bundle to write")->required();
  AddKeySourceOptions(*cmd, options->key);
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Write NEW.bundle's payload as a delta from the payload OLD.bundle carries (the one the\n"
      "devices run), or compressed with --compress, in a signed bundle of format 3\n"
      "(docs/bundle.md, docs/delta.md). Its header keeps every field NEW.bundle signed (version,\n"
      "sequence, device, kind, target, digests, budgets) and adds the encoding, the size and\n"
      "digest of the decoded payload and, for a delta, the digest of OLD's payload: a device that\n"
      "runs another payload refuses the patch at its header, before downloading it. The key must\n"
      "be the one NEW.bundle was signed with. The stream is applied back with the device's own\n"
      "applier before anything is written. The same inputs and key give the same bytes."
      "\n\n"
      "Examples:\n"
      "  wasmiot delta thermostat-1.2.0.bundle thermostat-1.3.0.bundle --key release.key -o thermostat-1.3.0.patch.bundle\n"
      "  wasmiot delta --compress thermostat-1.3.0.bundle --key-env SIGNING_KEY -o thermostat-1.3.0.z.bundle --json\n"
      "  wasmiot chunk thermostat-1.3.0.patch.bundle -o frames/   # then send it as any bundle\n"
      "\n"
      "Exit status: 0 written, 1 an input is refused (not a sound bundle, another device or\n"
      "target, not newer, not signed by the key), 2 usage error, 3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunDelta(*options); });
}

}  // namespace wasmiot::tool
