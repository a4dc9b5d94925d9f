// SHA-256: the digest of bundles, chunk tables, device ids and the AOT cache.
// libsodium's, through core/sha256.cc (its hashing bridge; keys/ holds the
// signing one).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace wasmiot {

using Sha256 = std::array<uint8_t, 32>;

Sha256 HashSha256(const uint8_t* data, size_t size);

}  // namespace wasmiot
