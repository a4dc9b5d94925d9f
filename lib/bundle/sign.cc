#include "bundle/sign.h"

#include <algorithm>

#include <fmt/format.h>

#include "aot/aot.h"
#include "bundle/device_policy.h"
#include "check/check.h"
#include "support/file_io.h"

namespace wasmiot {
namespace {

const Error kRefused{ErrorKind::kInvalidInput, "not signed"};

// The first byte at which two byte strings differ.
size_t FirstDifference(const Bytes& a, const Bytes& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return i;
  }
  return n;
}

Result<Bytes> AotPayload(const SignRequest& r, const Bytes& module, Diagnostics& diagnostics) {
  if (r.payload_compiled_by_caller) return ReadInput(r.payload_path, kMaxAotPayload, "payload-too-large", diagnostics);
  AotOptions aot;
  aot.target = r.target;
  aot.output_dir = r.scratch_beside + ".aot";  // never created: only a scratch folder beside it
  aot.module_name = r.module_name;
  aot.memory_budget_pages = r.manifest->budgets.max_pages;
  if (r.manifest->budgets.stack_bytes) aot.stack_budget_bytes = static_cast<uint32_t>(r.manifest->budgets.stack_bytes);
  aot.accepted_targets = &r.manifest->aot_targets;
  Result<Bytes> compiled = CompileAotLibrary(module, r.module_path, aot, diagnostics);
  if (!compiled || r.payload_path.empty()) return compiled;
  Result<Bytes> given =
      ReadInput(r.payload_path, uint64_t{compiled->size()} + 1, "payload-not-from-module", diagnostics);
  if (!given) return given;
  if (*given != *compiled) {
    std::string name = r.module_name.empty() ? ModuleNameFromPath(r.module_path) : r.module_name;
    size_t at = FirstDifference(*given, *compiled);
    Diagnostic& d = diagnostics.AddError(
        "payload-not-from-module", r.payload_path,
        fmt::format("not the library the AOT compile of {} for {} as {} makes here ({} bytes, {} expected; they "
                    "differ from byte {}): built from another module, name, target or compiler? Without {}, "
                    "signing compiles the module itself",
                    r.module_path, r.target, name, given->size(), compiled->size(), at, r.payload_option));
    d.offset = at;
    return kRefused;
  }
  return given;
}

}  // namespace

Result<SignedBundle> SignModule(const SignRequest& r, const SecretKey& key, Diagnostics& diagnostics) {
  Result<Bytes> module = ReadInput(r.module_path, kMaxModuleFileBytes, "module-too-large", diagnostics);
  if (!module) return module.error();
  (void)ReadAndCheckModule(*module, r.module_path, *r.manifest, diagnostics);
  if (!r.target.empty()) (void)CheckAotTarget(r.target, &r.manifest->aot_targets, diagnostics);
  if (diagnostics.HasErrors()) return kRefused;
  Result<Bytes> payload = r.target.empty() ? *module : AotPayload(r, *module, diagnostics);
  if (!payload) return payload.error();
  Result<Bytes> manifest_bytes = ReadInput(r.manifest_path, kMaxManifestBytes, "manifest-invalid", diagnostics);
  if (!manifest_bytes) return manifest_bytes.error();

  SignedBundle out;
  BundleSpec& spec = out.spec;
  spec.payload = std::move(payload).value();
  spec.kind = r.target.empty() ? WASMIOT_PAYLOAD_WASM : WASMIOT_PAYLOAD_AOT;
  spec.target = r.target;
  spec.sequence = r.sequence;
  spec.version = r.version;
  spec.manifest = r.manifest;
  spec.manifest_digest = HashSha256(manifest_bytes->data(), manifest_bytes->size());
  spec.module_digest = HashSha256(module->data(), module->size());
  spec.chunk_size = r.chunk_size;
  spec.allow_huge_sequence = r.allow_huge_sequence;
  // OTA frames number chunks with a u16.
  uint64_t max_payload = uint64_t{WASMIOT_BUNDLE_MAX_CHUNKS} * r.chunk_size;
  if (spec.payload.size() > max_payload) {
    diagnostics.AddError("payload-too-large", r.target.empty() ? r.module_path : r.target,
                         fmt::format("{} bytes need more than {} chunks of {}: raise {}", spec.payload.size(),
                                     WASMIOT_BUNDLE_MAX_CHUNKS, r.chunk_size, r.chunk_size_option));
    return kRefused;
  }
  Result<Bytes> built = BuildBundle(spec, key);
  if (!built) {
    diagnostics.AddError("usage", r.module_path, built.error().message);
    return built.error();
  }
  out.bytes = std::move(built).value();
  return out;
}

}  // namespace wasmiot
