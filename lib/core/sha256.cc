#include "core/sha256.h"

#include <sodium.h>

namespace wasmiot {

// crypto_hash_sha256 needs no sodium_init(): it uses no random numbers and
// picks no CPU-specific implementation.
Sha256 HashSha256(const uint8_t* data, size_t size) {
  Sha256 out;
  crypto_hash_sha256(out.data(), data, size);
  return out;
}

}  // namespace wasmiot
