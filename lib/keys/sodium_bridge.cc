#include "keys/sodium_bridge.h"

#include <fmt/format.h>
#include <sodium.h>

namespace wasmiot {

static_assert(crypto_sign_SEEDBYTES == 32 && crypto_sign_PUBLICKEYBYTES == 32 && crypto_sign_BYTES == 64);
static_assert(crypto_pwhash_SALTBYTES == kSaltBytes && crypto_secretbox_NONCEBYTES == kNonceBytes &&
              crypto_secretbox_MACBYTES == kMacBytes && crypto_secretbox_KEYBYTES == 32);

Status InitCrypto() {
  if (sodium_init() < 0) return Error{ErrorKind::kInternal, "libsodium failed to initialise"};
  return Ok{};
}

void RandomBytes(uint8_t* out, size_t size) { randombytes_buf(out, size); }
void Wipe(void* data, size_t size) { sodium_memzero(data, size); }

PublicKey PublicKeyFromSeed(const Seed& seed) {
  PublicKey pk;
  uint8_t sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk.data(), sk, seed.data());
  Wipe(sk, sizeof sk);
  return pk;
}

bool IsValidPublicKey(const PublicKey& key) { return crypto_core_ed25519_is_valid_point(key.data()) == 1; }

Ed25519Signature SignMessage(const Seed& seed, const uint8_t* message, size_t size) {
  PublicKey pk;
  uint8_t sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk.data(), sk, seed.data());
  Ed25519Signature signature;
  crypto_sign_detached(signature.data(), nullptr, message, size, sk);
  Wipe(sk, sizeof sk);
  return signature;
}

bool VerifySignature(const PublicKey& key, const Ed25519Signature& signature, const uint8_t* message, size_t size) {
  return crypto_sign_verify_detached(signature.data(), message, size, key.data()) == 0;
}

namespace {

static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(wasmiot_sha256_ctx), "the device hash context is too small");
static_assert(alignof(crypto_hash_sha256_state) <= alignof(wasmiot_sha256_ctx), "the device hash context is misaligned");

crypto_hash_sha256_state* SodiumState(wasmiot_sha256_ctx* ctx) {
  return reinterpret_cast<crypto_hash_sha256_state*>(ctx->opaque);
}
void DeviceSha256Init(wasmiot_sha256_ctx* ctx) { crypto_hash_sha256_init(SodiumState(ctx)); }
void DeviceSha256Update(wasmiot_sha256_ctx* ctx, const uint8_t* data, size_t size) {
  crypto_hash_sha256_update(SodiumState(ctx), data, size);
}
void DeviceSha256Final(wasmiot_sha256_ctx* ctx, uint8_t out[32]) { crypto_hash_sha256_final(SodiumState(ctx), out); }
int DeviceEd25519Verify(const uint8_t signature[64], const uint8_t* message, size_t size, const uint8_t key[32]) {
  return crypto_sign_ed25519_verify_detached(signature, message, size, key) == 0 ? 1 : 0;
}

}  // namespace

const wasmiot_crypto& HostCrypto() {
  static const wasmiot_crypto crypto = {DeviceSha256Init, DeviceSha256Update, DeviceSha256Final, DeviceEd25519Verify};
  return crypto;
}

SealParams NewSealParams() {
  SealParams p;
  p.opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
  p.memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
  RandomBytes(p.salt.data(), p.salt.size());
  RandomBytes(p.nonce.data(), p.nonce.size());
  return p;
}

namespace {

Result<std::array<uint8_t, 32>> DeriveKey(std::string_view password, const SealParams& p) {
  // The costs come from the key file, before anything authenticates it: at
  // most what NewSealParams (keygen) writes, so that a forged file cannot make
  // Argon2id allocate a gigabyte or run for seconds per attempt.
  if (p.opslimit < crypto_pwhash_OPSLIMIT_MIN || p.opslimit > crypto_pwhash_OPSLIMIT_MODERATE ||
      p.memlimit < crypto_pwhash_MEMLIMIT_MIN || p.memlimit > crypto_pwhash_MEMLIMIT_MODERATE) {
    return Error{ErrorKind::kInvalidInput,
                 fmt::format("key derivation costs (opslimit {}, memlimit {}) outside what wasmiot keygen writes "
                             "(opslimit {} to {}, memlimit {} to {} bytes): create the key again with wasmiot keygen",
                             p.opslimit, p.memlimit, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_OPSLIMIT_MODERATE,
                             crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_MEMLIMIT_MODERATE)};
  }
  std::array<uint8_t, 32> key;
  if (crypto_pwhash(key.data(), key.size(), password.data(), password.size(), p.salt.data(), p.opslimit,
                    static_cast<size_t>(p.memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error{ErrorKind::kInternal, "key derivation ran out of memory"};
  }
  return key;
}

}  // namespace

Result<Bytes> Seal(const Seed& secret, std::string_view password, const SealParams& params) {
  Result<std::array<uint8_t, 32>> key = DeriveKey(password, params);
  if (!key) return key.error();
  Bytes out(secret.size() + kMacBytes);
  crypto_secretbox_easy(out.data(), secret.data(), secret.size(), params.nonce.data(), key->data());
  Wipe(key->data(), key->size());
  return out;
}

Result<Seed> Unseal(const Bytes& sealed, std::string_view password, const SealParams& params) {
  if (sealed.size() != 32 + kMacBytes) return Error{ErrorKind::kInvalidInput, "sealed key has the wrong size"};
  Result<std::array<uint8_t, 32>> key = DeriveKey(password, params);
  if (!key) return key.error();
  Seed seed;
  int rc = crypto_secretbox_open_easy(seed.data(), sealed.data(), sealed.size(), params.nonce.data(), key->data());
  Wipe(key->data(), key->size());
  if (rc != 0) return Error{ErrorKind::kInvalidInput, "wrong password, or the key file is damaged"};
  return seed;
}

std::string Base64Encode(const uint8_t* data, size_t size) {
  std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

Result<Bytes> Base64Decode(std::string_view text) {
  if (text.empty()) return Bytes{};  // sodium_base642bin's output may not be null
  Bytes out(text.size());
  size_t size = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), " \t\r\n", &size, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return Error{ErrorKind::kInvalidInput, "invalid base64"};
  }
  out.resize(size);
  return out;
}

}  // namespace wasmiot
