// fuzz_seed_corpus: writes what scripts/fuzz.sh needs for the seed corpora
// beyond the wasmiot tool's own outputs (docs/fuzzing.md).
//
//   fuzz_seed_corpus secret-key OUT            the fixed fuzzing key as PKCS#8 PEM (mode 0600), for
//                                              `wasmiot sign --key OUT`: fuzz_bundle and fuzz_receiver
//                                              trust its public half
//   fuzz_seed_corpus public-key OUT            its public half as SubjectPublicKeyInfo PEM
//   fuzz_seed_corpus encrypted-key OUT         it as an encrypted PEM under the fixed password, at
//                                              Argon2id's lowest cost (fuzz_keys decrypts only cheap keys)
//   fuzz_seed_corpus hex IN OUT                commented hex (tests/data/binaries/*.hex, fuzz/regressions)
//                                              decoded to bytes
//   fuzz_seed_corpus receiver BUNDLE STREAM DIR
//                                              fuzz_receiver inputs (see fuzz_receiver.cc for the
//                                              flags byte) from a bundle and its chunk stream: each
//                                              split mode, timeouts, a small bitmap, a restart, and a
//                                              slot holding the bundle's first bytes to resume from
//   fuzz_seed_corpus slots DIR                 fuzz_slots inputs: metadata sectors formatted, after
//                                              confirms, with a test boot under way, with a torn record
//   fuzz_seed_corpus delta DIR                 fuzz_delta inputs: the fixed module and a changed copy,
//                                              as a pair to encode and as the stream between them
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bundle/chunks.h"
#include "bundle/delta.h"
#include "devsim/flash_model.h"
#include "keys/keys.h"

#include "fuzz_support.h"

using namespace wasmiot;

namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "fuzz_seed_corpus: %s\n", what.c_str());
  std::exit(1);
}

Bytes ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read " + path);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteAll(const std::string& path, const void* data, size_t size, unsigned mode = 0644) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || (size && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) Die("cannot write " + path);
  if (chmod(path.c_str(), mode) != 0) Die("cannot chmod " + path);
}
void WriteAll(const std::string& path, const std::string& text, unsigned mode = 0644) {
  WriteAll(path, text.data(), text.size(), mode);
}
void WriteAll(const std::string& path, const Bytes& bytes) { WriteAll(path, bytes.data(), bytes.size()); }

void PutU64(Bytes& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutU16(Bytes& out, size_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

// docs/keys.md: magic, opslimit, memlimit, salt, nonce, public key, sealed seed.
std::string EncryptedKey() {
  SealParams params;
  params.opslimit = 1;     // crypto_pwhash_OPSLIMIT_MIN
  params.memlimit = 8192;  // crypto_pwhash_MEMLIMIT_MIN
  for (size_t i = 0; i < params.salt.size(); ++i) params.salt[i] = static_cast<uint8_t>(0x51 + i);
  for (size_t i = 0; i < params.nonce.size(); ++i) params.nonce[i] = static_cast<uint8_t>(0xa0 + i);
  Result<Bytes> sealed = Seal(fuzz::FixedSeed(), fuzz::FixedPassword(), params);
  if (!sealed) Die("sealing failed: " + sealed.error().message);
  const uint8_t magic[8] = {'W', 'I', 'O', 'T', 'K', 'E', 'Y', 1};
  Bytes body(magic, magic + 8);
  PutU64(body, params.opslimit);
  PutU64(body, params.memlimit);
  body.insert(body.end(), params.salt.begin(), params.salt.end());
  body.insert(body.end(), params.nonce.begin(), params.nonce.end());
  PublicKey pk = fuzz::FixedPublicKey();
  body.insert(body.end(), pk.begin(), pk.end());
  body.insert(body.end(), sealed->begin(), sealed->end());
  std::string b64 = Base64Encode(body.data(), body.size());
  std::string pem = "-----BEGIN WASMIOT ENCRYPTED PRIVATE KEY-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  return pem + "-----END WASMIOT ENCRYPTED PRIVATE KEY-----\n";
}

void ReceiverSeeds(const std::string& bundle_path, const std::string& stream_path, const std::string& dir) {
  const Bytes bundle = ReadAll(bundle_path);
  const Bytes stream = ReadAll(stream_path);
  Result<std::vector<SourcedFrame>> frames = SplitStream(stream, stream_path);
  if (!frames || frames->empty()) Die(stream_path + " is not a chunk stream");
  const std::string stem = dir + "/" + std::string(bundle_path.substr(bundle_path.find_last_of('/') + 1));
  auto with_flags = [&](uint8_t flags, const Bytes& rest) {
    Bytes out{flags};
    out.insert(out.end(), rest.begin(), rest.end());
    char name[16];
    std::snprintf(name, sizeof name, ".%02x", flags);
    WriteAll(stem + name, out);
  };
  for (uint8_t flags : {0x00, 0x02, 0x03, 0x0c, 0x14, 0x1c, 0x20, 0x80, 0x8b}) with_flags(flags, stream);
  Bytes records;
  for (const SourcedFrame& f : *frames) {
    PutU16(records, f.bytes.size());
    records.insert(records.end(), f.bytes.begin(), f.bytes.end());
  }
  with_flags(0x01, records);
  // A device that lost power: its slot holds the header, the table and about
  // half of the payload; the frames come again.
  wasmiot_bundle_header h{};
  if (wasmiot_bundle_parse_header(bundle.data(), bundle.size(), &h) != WASMIOT_BUNDLE_OK) Die(bundle_path + ": not a bundle");
  wasmiot_bundle_layout layout = wasmiot_bundle_layout_of(&h);
  size_t keep = std::min<size_t>(bundle.size(), wasmiot_bundle_payload_offset(&layout) + h.payload_size / 2);
  keep = std::min<size_t>(keep, 0xFFFF);
  Bytes slot;
  PutU16(slot, keep);
  slot.insert(slot.end(), bundle.begin(), bundle.begin() + static_cast<std::ptrdiff_t>(keep));
  Bytes resume = slot;
  resume.insert(resume.end(), stream.begin(), stream.end());
  with_flags(0x40, resume);
  with_flags(0xc3, resume);
  Bytes whole;  // the whole bundle already in the slot: resume completes it
  PutU16(whole, std::min<size_t>(bundle.size(), 0xFFFF));
  whole.insert(whole.end(), bundle.begin(), bundle.begin() + static_cast<std::ptrdiff_t>(std::min<size_t>(bundle.size(), 0xFFFF)));
  with_flags(0x42, whole);
}

// Metadata sectors (fuzz_slots): formatted, after installs and confirms that
// moved the log to the other sector, with a test boot under way, and with a
// record torn by a power cut.
void SlotsSeeds(const std::string& dir) {
  const FlashGeometry g{4096, 256, 8};
  auto save = [&](const std::string& name, const FlashModel& flash) {
    WriteAll(dir + "/" + name, Bytes(flash.contents().begin(), flash.contents().begin() + 2 * g.sector_size));
  };
  FlashModel flash(g);
  wasmiot_slots slots;
  wasmiot_slots_open(&slots, &flash.flash());
  wasmiot_slots_format(&slots, 3);
  save("formatted", flash);
  const uint8_t id[WASMIOT_SLOTS_ID_SIZE] = {7};
  for (uint64_t sequence = 4; sequence < 8; ++sequence) {
    wasmiot_slots_begin_install(&slots);
    wasmiot_slots_set_pending(&slots, sequence);
    wasmiot_slots_start_trial(&slots);
    wasmiot_slots_confirm(&slots, id);
  }
  save("confirmed", flash);
  wasmiot_slots_set_pending(&slots, 9);
  wasmiot_slots_start_trial(&slots);
  save("trying", flash);
  flash.CutPowerAt(flash.operations() + 1);
  wasmiot_slots_revert(&slots);
  save("torn", flash);
}

// fuzz_delta inputs (see fuzz_delta.cc): a piece size, the old length, a
// declared new size, the old payload, then a new payload or a stream.
void DeltaSeeds(const std::string& dir) {
  const Bytes& module = fuzz::ThermostatModule();
  Bytes changed = module;
  changed[changed.size() / 2] ^= 0x20;
  changed.insert(changed.begin() + changed.size() / 3, {0x41, 0x2a, 0x1a});
  auto save = [&](const std::string& name, uint8_t piece, const Bytes& base, const Bytes& rest, size_t new_size) {
    Bytes input{piece, static_cast<uint8_t>(base.size()), static_cast<uint8_t>(base.size() >> 8),
                static_cast<uint8_t>(new_size), static_cast<uint8_t>(new_size >> 8)};
    input.insert(input.end(), base.begin(), base.end());
    input.insert(input.end(), rest.begin(), rest.end());
    WriteAll(dir + "/" + name, input);
  };
  Result<Bytes> delta = EncodeDelta(module, changed);
  Result<Bytes> compressed = EncodeDelta({}, changed);
  if (!delta || !compressed) Die("cannot encode the delta seeds");
  save("pair", 0, module, changed, changed.size());
  save("delta-stream", 7, module, *delta, changed.size());
  save("compressed-stream", 1, {}, *compressed, changed.size());
}

int Usage() {
  std::fprintf(stderr,
               "usage: fuzz_seed_corpus secret-key OUT | public-key OUT | encrypted-key OUT | hex IN OUT |\n"
               "       receiver BUNDLE STREAM DIR | slots DIR | delta DIR\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  fuzz::InitOnce();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "secret-key") {
    WriteAll(args[1], SecretKeyToPem(SecretKey(fuzz::FixedSeed())), 0600);
  } else if (args.size() == 2 && args[0] == "public-key") {
    WriteAll(args[1], PublicKeyToPem(fuzz::FixedPublicKey()));
  } else if (args.size() == 2 && args[0] == "encrypted-key") {
    WriteAll(args[1], EncryptedKey(), 0600);
  } else if (args.size() == 3 && args[0] == "hex") {
    Bytes text = ReadAll(args[1]);
    WriteAll(args[2], fuzz::DecodeHex(std::string_view(reinterpret_cast<const char*>(text.data()), text.size())));
  } else if (args.size() == 4 && args[0] == "receiver") {
    ReceiverSeeds(args[1], args[2], args[3]);
  } else if (args.size() == 2 && args[0] == "slots") {
    SlotsSeeds(args[1]);
  } else if (args.size() == 2 && args[0] == "delta") {
    DeltaSeeds(args[1]);
  } else {
    return Usage();
  }
  return 0;
}
