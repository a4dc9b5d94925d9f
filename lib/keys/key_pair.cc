#include "keys/key_pair.h"

#include <filesystem>

#include <fmt/format.h>

#include "support/text.h"

namespace wasmiot {

Result<KeyPairFiles> WriteNewKeyPair(const KeyPairRequest& r, Diagnostics& diagnostics) {
  const Error failed{ErrorKind::kInvalidInput, "no key written"};
  KeyPairFiles out;
  out.secret_path = r.prefix + ".key";
  out.public_path = r.prefix + ".pub.pem";
  Status init = InitCrypto();
  if (!init) diagnostics.AddError("internal-error", r.prefix, init.error().message);
  for (const std::string& path : {out.secret_path, out.public_path}) {
    std::error_code ec;
    if (!r.overwrite && std::filesystem::exists(path, ec)) {
      diagnostics.AddError("usage", path, fmt::format("already exists: a key is never overwritten {}", r.overwrite_hint));
    }
    RefuseOverwritingInputs(path, r.output_name, false, r.inputs, diagnostics);
  }
  if (diagnostics.HasErrors()) return failed;

  SecretKey key = SecretKey::Generate();
  out.encrypted = r.password.has_value();
  Result<std::string> secret_pem =
      out.encrypted ? SecretKeyToEncryptedPem(key, *r.password) : Result<std::string>(SecretKeyToPem(key));
  if (!secret_pem) {
    diagnostics.AddError("usage", r.prefix, secret_pem.error().message);
    return failed;
  }
  std::string public_pem = PublicKeyToPem(key.Public());
  Status s = WriteFileAtomically(out.secret_path, secret_pem->data(), secret_pem->size(), 0600);
  Wipe(secret_pem->data(), secret_pem->size());
  if (!s) {
    diagnostics.AddError("io-error", out.secret_path, s.error().message);
    return s.error();
  }
  Status p = WriteFileAtomically(out.public_path, public_pem.data(), public_pem.size(), 0644);
  if (!p) {
    diagnostics.AddError("io-error", out.public_path, p.error().message);
    std::error_code ec;
    std::filesystem::remove(out.secret_path, ec);  // never one half of a pair
    return p.error();
  }
  out.key_id = KeyIdOf(key.Public());
  return out;
}

Result<std::string> ExportPublicKey(const PublicKey& key, std::string_view format, const std::string& name) {
  if (format == "pem") return PublicKeyToPem(key);
  if (format == "raw") return std::string(key.begin(), key.end());
  if (format != "c" && format != "rust") {
    return Error{ErrorKind::kInvalidInput, fmt::format("unknown key format \"{}\" (pem, raw, c, rust)", format)};
  }
  if (!IsGeneratedSymbolName(name)) {
    return Error{ErrorKind::kInvalidInput,
                 fmt::format("\"{}\" is not a C and Rust identifier ([A-Za-z_][A-Za-z0-9_]*, at most 64, not a "
                             "keyword)", Printable(name))};
  }
  return format == "c" ? PublicKeyToC(key, name) : PublicKeyToRust(key, name);
}

}  // namespace wasmiot
