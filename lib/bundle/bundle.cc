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

Status PutName(Bytes& b, size_t at, size_t field, const std::string& name, std::string_view what) {
  if (name.size() > field) {
    return Error{ErrorKind::kInvalidInput, fmt::format("{} \"{}\" is longer than {} bytes", what, name, field)};
  }
  std::memcpy(b.data() + at, name.data(), name.size());
  return Ok{};
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
  Bytes b(WASMIOT_BUNDLE_HEADER_SIZE, 0);
  std::memcpy(b.data(), WASMIOT_BUNDLE_MAGIC, 8);
  Put16(b, WASMIOT_BUNDLE_OFF_VERSION, WASMIOT_BUNDLE_VERSION);
  Put16(b, WASMIOT_BUNDLE_OFF_HEADER_SIZE, WASMIOT_BUNDLE_HEADER_SIZE);
  b[WASMIOT_BUNDLE_OFF_KIND] = static_cast<uint8_t>(spec.kind);
  Put64(b, WASMIOT_BUNDLE_OFF_SEQUENCE, spec.sequence);
  Put16(b, WASMIOT_BUNDLE_OFF_VERSION_MAJOR, spec.version.major);
  Put16(b, WASMIOT_BUNDLE_OFF_VERSION_MINOR, spec.version.minor);
  Put16(b, WASMIOT_BUNDLE_OFF_VERSION_PATCH, spec.version.patch);
  Put32(b, WASMIOT_BUNDLE_OFF_PAYLOAD_SIZE, static_cast<uint32_t>(spec.payload.size()));
  Put32(b, WASMIOT_BUNDLE_OFF_CHUNK_SIZE, spec.chunk_size);
  Put32(b, WASMIOT_BUNDLE_OFF_CHUNK_COUNT, static_cast<uint32_t>(chunks));
  Sha256 payload_digest = HashSha256(spec.payload.data(), spec.payload.size());
  std::memcpy(b.data() + WASMIOT_BUNDLE_OFF_PAYLOAD_SHA256, payload_digest.data(), 32);
  std::memcpy(b.data() + WASMIOT_BUNDLE_OFF_MANIFEST_SHA256, spec.manifest_digest.data(), 32);
  KeyId id = KeyIdOf(key.Public());
  std::memcpy(b.data() + WASMIOT_BUNDLE_OFF_KEY_ID, id.data(), id.size());
  for (const Status& s : {PutName(b, WASMIOT_BUNDLE_OFF_VENDOR, WASMIOT_BUNDLE_NAME_SIZE, m.device.vendor, "vendor"),
                          PutName(b, WASMIOT_BUNDLE_OFF_DEVICE_CLASS, WASMIOT_BUNDLE_NAME_SIZE, m.device.device_class, "device class"),
                          PutName(b, WASMIOT_BUNDLE_OFF_API_VERSION, WASMIOT_BUNDLE_SHORT_NAME_SIZE, m.device.api_version, "API version"),
                          PutName(b, WASMIOT_BUNDLE_OFF_TARGET, WASMIOT_BUNDLE_SHORT_NAME_SIZE, spec.target, "target")}) {
    if (!s) return s.error();
  }
  Put32(b, WASMIOT_BUNDLE_OFF_MEMORY_PAGES, m.budgets.max_pages);
  Put32(b, WASMIOT_BUNDLE_OFF_TABLE_ELEMENTS, m.budgets.max_table_elements);
  Put32(b, WASMIOT_BUNDLE_OFF_STACK_BYTES, Clamp32(m.budgets.stack_bytes));
  Put32(b, WASMIOT_BUNDLE_OFF_HEAP_BYTES, Clamp32(m.budgets.heap_bytes));
  Put64(b, WASMIOT_BUNDLE_OFF_FUEL_PER_CALL, m.budgets.fuel_per_call);
  Put32(b, WASMIOT_BUNDLE_OFF_WALL_MS_PER_CALL, Clamp32(m.budgets.wall_ms_per_call));
  Bytes table;
  for (uint64_t i = 0; i < chunks; ++i) {
    size_t start = i * spec.chunk_size;
    size_t n = std::min<size_t>(spec.chunk_size, spec.payload.size() - start);
    Sha256 d = HashSha256(spec.payload.data() + start, n);
    table.insert(table.end(), d.begin(), d.begin() + WASMIOT_BUNDLE_CHUNK_DIGEST_SIZE);
  }
  Sha256 table_digest = HashSha256(table.data(), table.size());
  std::memcpy(b.data() + WASMIOT_BUNDLE_OFF_TABLE_SHA256, table_digest.data(), 32);
  Ed25519Signature signature = SignMessage(key.seed(), b.data(), b.size());
  b.insert(b.end(), signature.begin(), signature.end());
  b.insert(b.end(), table.begin(), table.end());
  b.insert(b.end(), spec.payload.begin(), spec.payload.end());
  return b;
}

}  // namespace wasmiot
