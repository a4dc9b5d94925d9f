// Ed25519 signing keys and their file formats (see docs/keys.md):
//  - secret keys: PKCS#8 PEM ("PRIVATE KEY", as OpenSSL writes), or wasmiot's
//    password-protected PEM ("WASMIOT ENCRYPTED PRIVATE KEY": Argon2id + secretbox);
//  - public keys: SubjectPublicKeyInfo PEM ("PUBLIC KEY"), raw 32 bytes, or
//    C and Rust source for firmware.
// A key id is the first 8 bytes of SHA-256 over the raw public key.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "keys/sodium_bridge.h"

namespace wasmiot {

inline constexpr uint64_t kMaxKeyFileBytes = 64 * 1024;
using KeyId = std::array<uint8_t, 8>;

KeyId KeyIdOf(const PublicKey& key);
std::string KeyIdHex(const KeyId& id);

// A secret key that wipes itself.
class SecretKey {
 public:
  explicit SecretKey(const Seed& seed) : seed_(seed) {}
  ~SecretKey() { Wipe(seed_.data(), seed_.size()); }
  SecretKey(const SecretKey& other) : seed_(other.seed_) {}
  SecretKey& operator=(const SecretKey&) = delete;
  static SecretKey Generate();
  const Seed& seed() const { return seed_; }
  PublicKey Public() const { return PublicKeyFromSeed(seed_); }

 private:
  Seed seed_;
};

std::string SecretKeyToPem(const SecretKey& key);
Result<std::string> SecretKeyToEncryptedPem(const SecretKey& key, std::string_view password);
std::string PublicKeyToPem(const PublicKey& key);
std::string PublicKeyToC(const PublicKey& key, const std::string& name);
std::string PublicKeyToRust(const PublicKey& key, const std::string& name);

// A key read from a file: always its public half; the secret half if it is a
// secret key (decrypted with `password` when it is protected).
struct LoadedKey {
  PublicKey public_key{};
  std::optional<SecretKey> secret;
  bool encrypted = false;
};

// Accepts any of the formats above. A protected key without a password still
// yields its public half (stored in clear), with `secret` empty.
Result<LoadedKey> ParseKey(const Bytes& text, const std::optional<std::string>& password);

}  // namespace wasmiot
