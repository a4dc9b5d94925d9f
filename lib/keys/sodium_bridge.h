// libsodium for keys: Ed25519, Argon2id and secretbox, on plain byte arrays
// (hashing alone is core/sha256.h). Secret material is wiped by the callers with Wipe().
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/sha256.h"
#include "support/file_io.h"
#include "support/result.h"
#include "wasmiot_bundle.h"

namespace wasmiot {

using Seed = std::array<uint8_t, 32>;       // an Ed25519 secret key, as RFC 8032 and PKCS#8 store it
using PublicKey = std::array<uint8_t, 32>;
using Ed25519Signature = std::array<uint8_t, 64>;

Status InitCrypto();
void RandomBytes(uint8_t* out, size_t size);
void Wipe(void* data, size_t size);

PublicKey PublicKeyFromSeed(const Seed& seed);
// False for encodings that are not a point, or are of small order (e.g. all zeros).
bool IsValidPublicKey(const PublicKey& key);
Ed25519Signature SignMessage(const Seed& seed, const uint8_t* message, size_t size);
bool VerifySignature(const PublicKey& key, const Ed25519Signature& signature, const uint8_t* message, size_t size);

// libsodium behind the device library's crypto interface, so the host tools
// verify bundles and chunks with the same C code firmware runs.
const wasmiot_crypto& HostCrypto();

// Password-based sealing of a 32-byte secret: Argon2id derives the key,
// XSalsa20-Poly1305 (crypto_secretbox) encrypts and authenticates.
inline constexpr size_t kSaltBytes = 16;
inline constexpr size_t kNonceBytes = 24;
inline constexpr size_t kMacBytes = 16;
struct SealParams {
  uint64_t opslimit;
  uint64_t memlimit;
  std::array<uint8_t, kSaltBytes> salt;
  std::array<uint8_t, kNonceBytes> nonce;
};
SealParams NewSealParams();  // libsodium's "moderate" cost, fresh salt and nonce
Result<Bytes> Seal(const Seed& secret, std::string_view password, const SealParams& params);
Result<Seed> Unseal(const Bytes& sealed, std::string_view password, const SealParams& params);

std::string Base64Encode(const uint8_t* data, size_t size);
Result<Bytes> Base64Decode(std::string_view text);

}  // namespace wasmiot
