// fuzz_keys: a key file's bytes through ParseKey, as LoadKey does after
// reading a file, stdin or an environment variable: every format (raw 32-byte
// public key, SubjectPublicKeyInfo and PKCS#8 PEM, wasmiot's encrypted PEM),
// without a password and with one. A key that parses is written back in every
// format `wasmiot pubkey` and `keygen` write, and must read back the same.
//
// Argon2id at the cost `wasmiot keygen` uses (256 MiB, 3 passes) takes about a
// second per input, and a file may ask for up to 1 GiB: an encrypted key is
// therefore decrypted (with the right and with a wrong password) only when
// its stored cost is at most kMaxOpsLimit passes over kMaxMemLimit bytes. The
// seed corpus has such keys (fuzz_seed_corpus encrypted-key); keygen's own
// keys are parsed without a password.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "keys/keys.h"

#include "fuzz_support.h"

using namespace wasmiot;

namespace {

constexpr uint64_t kMaxOpsLimit = 2;
constexpr uint64_t kMaxMemLimit = 64 * 1024;
constexpr std::string_view kEncryptedLabel = "WASMIOT ENCRYPTED PRIVATE KEY";

uint64_t U64At(const Bytes& b, size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[at + static_cast<size_t>(i)];
  return v;
}

// Whether `text` is an encrypted key (its first PEM block, found as ParseKey
// finds it) that asks for a cheap key derivation: its opslimit and memlimit,
// at offsets 8 and 16 of the body.
bool CheapToDecrypt(const Bytes& text) {
  if (text.size() == 32) return false;  // a raw public key
  std::string_view s(reinterpret_cast<const char*>(text.data()), text.size());
  size_t begin = s.find("-----BEGIN ");
  if (begin == std::string_view::npos) return false;
  size_t label_end = s.find("-----", begin + 11);
  if (label_end == std::string_view::npos || s.substr(begin + 11, label_end - begin - 11) != kEncryptedLabel) {
    return false;
  }
  size_t end = s.find("-----END " + std::string(kEncryptedLabel) + "-----", label_end + 5);
  if (end == std::string_view::npos) return false;
  Result<Bytes> body = Base64Decode(s.substr(label_end + 5, end - label_end - 5));
  if (!body || body->size() < 24) return false;
  return U64At(*body, 8) <= kMaxOpsLimit && U64At(*body, 16) <= kMaxMemLimit;
}

void RoundTrip(const LoadedKey& key) {
  (void)KeyIdHex(KeyIdOf(key.public_key));
  (void)PublicKeyToC(key.public_key, "fuzz_key");
  (void)PublicKeyToRust(key.public_key, "FUZZ_KEY");
  std::string pem = PublicKeyToPem(key.public_key);
  Result<LoadedKey> back = ParseKey(Bytes(pem.begin(), pem.end()), std::nullopt);
  if (!back || back->public_key != key.public_key || back->secret) fuzz::Fail("fuzz_keys", "a public key does not read back");
  if (key.secret) {
    if (key.secret->Public() != key.public_key) fuzz::Fail("fuzz_keys", "a secret key's public half is not its own");
    std::string secret_pem = SecretKeyToPem(*key.secret);
    Result<LoadedKey> again = ParseKey(Bytes(secret_pem.begin(), secret_pem.end()), std::nullopt);
    if (!again || !again->secret || again->secret->seed() != key.secret->seed()) fuzz::Fail("fuzz_keys", "a secret key does not read back");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::InitOnce();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxKeyFileBytes) return -1;  // LoadKey's cap
  const Bytes text(data, data + size);
  Result<LoadedKey> plain = ParseKey(text, std::nullopt);
  if (plain) {
    if (plain->secret && plain->encrypted) fuzz::Fail("fuzz_keys", "an encrypted key opened without a password");
    RoundTrip(*plain);
  }
  if (CheapToDecrypt(text)) {
    Result<LoadedKey> opened = ParseKey(text, fuzz::FixedPassword());
    if (opened) {
      // The password changes only whether an encrypted key's secret half opens.
      if (!plain || plain->encrypted != opened->encrypted || plain->public_key != opened->public_key) {
        fuzz::Fail("fuzz_keys", "a key reads differently with a password");
      }
      if (opened->encrypted && !opened->secret) fuzz::Fail("fuzz_keys", "a decrypted key has no secret half");
      RoundTrip(*opened);
    }
    // (The first PEM block is the key: an encrypted block after a clear one is not read.)
    Result<LoadedKey> wrong = ParseKey(text, std::string("not the password"));
    if (wrong && wrong->encrypted && wrong->secret) fuzz::Fail("fuzz_keys", "an encrypted key opened with the wrong password");
  }
  return 0;
}
