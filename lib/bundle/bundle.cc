#include "bundle/bundle.h"

#include <cstring>

#include <fmt/format.h>

namespace wasmiot {
namespace {

void Put16(Bytes& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v);
  b[at + 1] = static_cast<uint8_t>(v >> 8);
}
void Put32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void Put64(Bytes& b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

void PutDigest(Bytes& b, size_t at, const Sha256& digest) {
  std::memcpy(b.data() + at, digest.data(), WASMIOT_BUNDLE_DIGEST_SIZE);
}

uint32_t Clamp32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(v); }

}  // namespace

std::string SemanticVersion::ToString() const { return fmt::format("{}.{}.{}", major, minor, patch); }

Result<SemanticVersion> ParseSemanticVersion(const std::string& text) {
  SemanticVersion v;
  uint16_t* parts[] = {&v.major, &v.minor, &v.patch};
  size_t at = 0;
  for (int i = 0; i < 3; ++i) {
    size_t end = at;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    bool last = i == 2;
    if (end == at || end - at > 5 || (end - at > 1 && text[at] == '0') ||
        (last ? end != text.size() : (end >= text.size() || text[end] != '.'))) {
      return Error{ErrorKind::kInvalidInput, fmt::format("\"{}\" is not a version MAJOR.MINOR.PATCH", text)};
    }
    unsigned long n = std::stoul(text.substr(at, end - at));
    if (n > 65535) return Error{ErrorKind::kInvalidInput, fmt::format("\"{}\": parts are at most 65535", text)};
    *parts[i] = static_cast<uint16_t>(n);
    at = end + 1;
  }
  return v;
}

Status CheckSequence(uint64_t sequence, bool allow_huge) {
  if (sequence == 0) return Error{ErrorKind::kInvalidInput, "the sequence number starts at 1"};
  if (sequence > WASMIOT_BUNDLE_MAX_PLAIN_SEQUENCE && !allow_huge) {
    return Error{ErrorKind::kInvalidInput,
                 fmt::format("sequence {} is above 2^53 = {}: a device that installs it has only {} sequence numbers "
                             "left for every later update, none at all for 2^64-1",
                             sequence, WASMIOT_BUNDLE_MAX_PLAIN_SEQUENCE, UINT64_MAX - sequence)};
  }
  return Ok{};
}

DeviceId DeviceIdOf(const DeviceIdentity& device) {
  DeviceId id;
  wasmiot_device_id(&HostCrypto(), device.vendor.c_str(), device.device_class.c_str(), id.data());
  return id;
}

uint8_t TargetId(std::string_view name) {
  for (unsigned id = 1; id < 256; ++id) {
    const char* known = wasmiot_target_name(static_cast<uint8_t>(id));
    if (known && name == known) return static_cast<uint8_t>(id);
  }
  return 0;
}

Bytes ChunkTable(const Bytes& payload, uint32_t chunk_size) {
  Bytes table;
  for (size_t start = 0; start < payload.size(); start += chunk_size) {
    size_t n = std::min<size_t>(chunk_size, payload.size() - start);
    Sha256 d = HashSha256(payload.data() + start, n);
    table.insert(table.end(), d.begin(), d.begin() + WASMIOT_BUNDLE_CHUNK_DIGEST_SIZE);
  }
  return table;
}

Result<Bytes> BuildBundle(const BundleSpec& spec, const SecretKey& key) {
  const Manifest& m = *spec.manifest;
  if (spec.payload.empty()) return Error{ErrorKind::kInvalidInput, "the payload is empty"};
  if (spec.payload.size() > UINT32_MAX) return Error{ErrorKind::kInvalidInput, "the payload is larger than 4 GiB"};
  if (spec.chunk_size < WASMIOT_BUNDLE_MIN_CHUNK_SIZE || spec.chunk_size > WASMIOT_BUNDLE_MAX_CHUNK_SIZE) {
    return Error{ErrorKind::kInvalidInput, fmt::format("chunks hold from {} to {} bytes", WASMIOT_BUNDLE_MIN_CHUNK_SIZE,
                                                       WASMIOT_BUNDLE_MAX_CHUNK_SIZE)};
  }
  if (Status s = CheckSequence(spec.sequence, spec.allow_huge_sequence); !s) return s.error();
  uint64_t chunks = (spec.payload.size() + spec.chunk_size - 1) / spec.chunk_size;
  if (chunks > WASMIOT_BUNDLE_MAX_CHUNKS) {
    return Error{ErrorKind::kInvalidInput,
                 fmt::format("{} chunks, more than a header can list ({}): use larger chunks", chunks,
                             WASMIOT_BUNDLE_MAX_CHUNKS)};
  }
  uint8_t target = 0;
  if (spec.kind == WASMIOT_PAYLOAD_AOT) {
    target = TargetId(spec.target);
    if (target == 0) return Error{ErrorKind::kInvalidInput, fmt::format("no target id for \"{}\"", spec.target)};
    if (spec.module_digest == Sha256{}) return Error{ErrorKind::kInvalidInput, "AOT code without its module's digest"};
  }
  Result<SemanticVersion> api = ParseSemanticVersion(m.device.api_version);
  if (!api) return api.error();
  Bytes b(WASMIOT_BUNDLE_HEADER_SIZE, 0);
  std::memcpy(b.data(), WASMIOT_BUNDLE_MAGIC, WASMIOT_BUNDLE_MAGIC_SIZE);
  b[WASMIOT_BUNDLE_OFF_VERSION] = WASMIOT_BUNDLE_VERSION;
  b[WASMIOT_BUNDLE_OFF_KIND] = static_cast<uint8_t>(spec.kind);
  b[WASMIOT_BUNDLE_OFF_TARGET] = target;
  Put64(b, WASMIOT_BUNDLE_OFF_SEQUENCE, spec.sequence);
  Put16(b, WASMIOT_BUNDLE_OFF_VERSION_MAJOR, spec.version.major);
  Put16(b, WASMIOT_BUNDLE_OFF_VERSION_MINOR, spec.version.minor);
  Put16(b, WASMIOT_BUNDLE_OFF_VERSION_PATCH, spec.version.patch);
  Put16(b, WASMIOT_BUNDLE_OFF_API_MAJOR, api->major);
  Put16(b, WASMIOT_BUNDLE_OFF_API_MINOR, api->minor);
  Put16(b, WASMIOT_BUNDLE_OFF_API_PATCH, api->patch);
  Put32(b, WASMIOT_BUNDLE_OFF_PAYLOAD_SIZE, static_cast<uint32_t>(spec.payload.size()));
  Put16(b, WASMIOT_BUNDLE_OFF_CHUNK_SIZE, static_cast<uint16_t>(spec.chunk_size));
  Put16(b, WASMIOT_BUNDLE_OFF_CHUNK_COUNT, static_cast<uint16_t>(chunks));
  Put32(b, WASMIOT_BUNDLE_OFF_MEMORY_PAGES, m.budgets.max_pages);
  Put32(b, WASMIOT_BUNDLE_OFF_TABLE_ELEMENTS, m.budgets.max_table_elements);
  Put32(b, WASMIOT_BUNDLE_OFF_STACK_BYTES, Clamp32(m.budgets.stack_bytes));
  Put32(b, WASMIOT_BUNDLE_OFF_HEAP_BYTES, Clamp32(m.budgets.heap_bytes));
  Put32(b, WASMIOT_BUNDLE_OFF_WALL_MS_PER_CALL, Clamp32(m.budgets.wall_ms_per_call));
  Put64(b, WASMIOT_BUNDLE_OFF_FUEL_PER_CALL, m.budgets.fuel_per_call);
  KeyId id = KeyIdOf(key.Public());
  static_assert(std::tuple_size_v<KeyId> == WASMIOT_BUNDLE_KEY_ID_SIZE);
  std::memcpy(b.data() + WASMIOT_BUNDLE_OFF_KEY_ID, id.data(), id.size());
  DeviceId device = DeviceIdOf(m.device);
  std::memcpy(b.data() + WASMIOT_BUNDLE_OFF_DEVICE_ID, device.data(), device.size());
  PutDigest(b, WASMIOT_BUNDLE_OFF_MANIFEST_DIGEST, spec.manifest_digest);
  // A wasm payload is the module; AOT code names the module it was compiled from.
  PutDigest(b, WASMIOT_BUNDLE_OFF_MODULE_DIGEST, spec.kind == WASMIOT_PAYLOAD_WASM
                                                     ? HashSha256(spec.payload.data(), spec.payload.size())
                                                     : spec.module_digest);
  Bytes table = ChunkTable(spec.payload, spec.chunk_size);
  PutDigest(b, WASMIOT_BUNDLE_OFF_TABLE_DIGEST, HashSha256(table.data(), table.size()));
  Ed25519Signature signature = SignMessage(key.seed(), b.data(), b.size());
  b.insert(b.end(), signature.begin(), signature.end());
  b.insert(b.end(), table.begin(), table.end());
  b.insert(b.end(), spec.payload.begin(), spec.payload.end());
  return b;
}

}  // namespace wasmiot
