#include <sys/stat.h>

#include <algorithm>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "keys/key_pair.h"
#include "keys/keys.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace {

Bytes ToBytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

struct Init {
  Init() { REQUIRE(InitCrypto().ok()); }
};

}  // namespace

TEST_CASE("secret and public keys round-trip through their PEM forms") {
  Init init;
  SecretKey key = SecretKey::Generate();
  Result<LoadedKey> secret = ParseKey(ToBytes(SecretKeyToPem(key)), std::nullopt);
  REQUIRE(secret.ok());
  REQUIRE(secret->secret.has_value());
  CHECK(secret->secret->seed() == key.seed());
  CHECK(secret->public_key == key.Public());

  Result<LoadedKey> pub = ParseKey(ToBytes(PublicKeyToPem(key.Public())), std::nullopt);
  REQUIRE(pub.ok());
  CHECK_FALSE(pub->secret.has_value());
  CHECK(pub->public_key == key.Public());

  PublicKey pk = key.Public();
  Result<LoadedKey> raw = ParseKey(Bytes(pk.begin(), pk.end()), std::nullopt);
  REQUIRE(raw.ok());
  CHECK(raw->public_key == pk);
  CHECK(KeyIdHex(KeyIdOf(pk)).size() == 16);
}

TEST_CASE("a password-protected key needs its password for the secret half only") {
  Init init;
  SecretKey key = SecretKey::Generate();
  Result<std::string> pem = SecretKeyToEncryptedPem(key, "correct horse");
  REQUIRE(pem.ok());
  CHECK(pem->find("BEGIN WASMIOT ENCRYPTED PRIVATE KEY") != std::string::npos);

  Result<LoadedKey> without = ParseKey(ToBytes(*pem), std::nullopt);
  REQUIRE(without.ok());
  CHECK(without->encrypted);
  CHECK_FALSE(without->secret.has_value());
  CHECK(without->public_key == key.Public());

  Result<LoadedKey> wrong = ParseKey(ToBytes(*pem), std::string("battery staple"));
  REQUIRE_FALSE(wrong.ok());
  CHECK_THAT(wrong.error().message, Catch::Contains("wrong password"));

  Result<LoadedKey> right = ParseKey(ToBytes(*pem), std::string("correct horse"));
  REQUIRE(right.ok());
  REQUIRE(right->secret.has_value());
  CHECK(right->secret->seed() == key.seed());

  CHECK_FALSE(SecretKeyToEncryptedPem(key, "").ok());
}

TEST_CASE("an encrypted key asking for more Argon2id work than keygen writes is refused before any is done") {
  Init init;
  SecretKey key = SecretKey::Generate();
  Result<std::string> pem = SecretKeyToEncryptedPem(key, "pw");
  REQUIRE(pem.ok());
  const std::string begin = "-----BEGIN WASMIOT ENCRYPTED PRIVATE KEY-----\n";
  const std::string end = "-----END WASMIOT ENCRYPTED PRIVATE KEY-----\n";
  std::string b64 = pem->substr(begin.size(), pem->size() - begin.size() - end.size());
  b64.erase(std::remove(b64.begin(), b64.end(), '\n'), b64.end());
  Result<Bytes> body = Base64Decode(b64);
  REQUIRE(body.ok());
  // Body: 8 bytes of magic, then opslimit and memlimit as u64 (docs/keys.md).
  auto with = [&](size_t offset, uint64_t value) {
    Bytes b = *body;
    for (int i = 0; i < 8; ++i) b[offset + i] = static_cast<uint8_t>(value >> (8 * i));
    return ToBytes(begin + Base64Encode(b.data(), b.size()) + "\n" + end);
  };
  Result<LoadedKey> gigabyte = ParseKey(with(16, uint64_t{1} << 30), std::string("pw"));  // libsodium's SENSITIVE
  REQUIRE_FALSE(gigabyte.ok());
  CHECK_THAT(gigabyte.error().message, Catch::Contains("memlimit 1073741824) outside what wasmiot keygen writes"));
  Result<LoadedKey> slow = ParseKey(with(8, 4), std::string("pw"));
  REQUIRE_FALSE(slow.ok());
  CHECK_THAT(slow.error().message, Catch::Contains("create the key again with wasmiot keygen"));
  CHECK(ParseKey(with(8, 3), std::string("pw")).ok());  // what keygen wrote
}

TEST_CASE("bad keys are refused with a reason") {
  Init init;
  SecretKey key = SecretKey::Generate();
  std::string secret = SecretKeyToPem(key);
  std::string pub = PublicKeyToPem(key.Public());
  auto [text, reason] = GENERATE_COPY(table<std::string, std::string>({
      {"", "not a PEM key"},
      {"hello", "not a PEM key"},
      {secret.substr(0, secret.size() / 2), "no '-----END PRIVATE KEY-----' line"},
      {"-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n", "not valid base64"},
      // An X25519 key (OID 1.3.101.110), not Ed25519.
      {"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEA3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=\n-----END PUBLIC KEY-----\n",
       "not an Ed25519 public key"},
      {"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "unsupported PEM block 'CERTIFICATE'"},
      {std::string(32, '\0'), "not a valid Ed25519 public key"},
      // An empty body (the fuzzer's: base64 decoding passed a null buffer to libsodium).
      {"-----BEGIN KEY----------END KEY-----", "unsupported PEM block 'KEY'"},
      {"-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n", "not an Ed25519 public key"},
      {"-----BEGIN WASMIOT ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END WASMIOT ENCRYPTED PRIVATE KEY-----\n",
       "damaged encrypted key"},
  }));
  INFO(text);
  Result<LoadedKey> r = ParseKey(ToBytes(text), std::nullopt);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains(reason));
}

TEST_CASE("signatures verify, and fail for another message or key") {
  Init init;
  SecretKey key = SecretKey::Generate();
  Bytes message = ToBytes("firmware v1.2.3");
  Ed25519Signature sig = SignMessage(key.seed(), message.data(), message.size());
  CHECK(VerifySignature(key.Public(), sig, message.data(), message.size()));
  message[0] ^= 1;
  CHECK_FALSE(VerifySignature(key.Public(), sig, message.data(), message.size()));
  message[0] ^= 1;
  CHECK_FALSE(VerifySignature(SecretKey::Generate().Public(), sig, message.data(), message.size()));
}

TEST_CASE("OpenSSL interop, both ways: keys and signatures") {
  Init init;
  TempDir dir;
  SECTION("OpenSSL reads our secret key and derives our public key") {
    REQUIRE(RunWasmiot({"keygen", "-o", dir.File("ours")}).exit_code == 0);
    RunResult derived = Run({"openssl", "pkey", "-in", dir.File("ours.key"), "-pubout"});
    REQUIRE(derived.exit_code == 0);
    CHECK(derived.out == ReadText(dir.File("ours.pub.pem")));
  }
  SECTION("we read an OpenSSL key and derive OpenSSL's public key") {
    REQUIRE(Run({"openssl", "genpkey", "-algorithm", "ed25519", "-out", dir.File("theirs.pem")}).exit_code == 0);
    chmod(dir.File("theirs.pem").c_str(), 0600);
    RunResult ours = RunWasmiot({"pubkey", dir.File("theirs.pem")});
    RunResult theirs = Run({"openssl", "pkey", "-in", dir.File("theirs.pem"), "-pubout"});
    INFO(ours.err);
    REQUIRE(ours.exit_code == 0);
    CHECK(ours.out == theirs.out);
  }
  SECTION("OpenSSL verifies our signature, and we verify OpenSSL's") {
    SecretKey key = SecretKey::Generate();
    WriteText(dir.File("k.pem"), SecretKeyToPem(key));
    WriteText(dir.File("k.pub.pem"), PublicKeyToPem(key.Public()));
    WriteText(dir.File("msg"), "bundle header bytes");
    Bytes message = ToBytes("bundle header bytes");
    Ed25519Signature sig = SignMessage(key.seed(), message.data(), message.size());
    WriteBytes(dir.File("ours.sig"), Bytes(sig.begin(), sig.end()));
    RunResult verified = Run({"openssl", "pkeyutl", "-verify", "-pubin", "-inkey", dir.File("k.pub.pem"), "-rawin",
                              "-in", dir.File("msg"), "-sigfile", dir.File("ours.sig")});
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);

    REQUIRE(Run({"openssl", "pkeyutl", "-sign", "-inkey", dir.File("k.pem"), "-rawin", "-in", dir.File("msg"), "-out",
                 dir.File("theirs.sig")}).exit_code == 0);
    std::string theirs = ReadText(dir.File("theirs.sig"));
    REQUIRE(theirs.size() == 64);
    Ed25519Signature their_sig;
    std::copy(theirs.begin(), theirs.end(), their_sig.begin());
    CHECK(VerifySignature(key.Public(), their_sig, message.data(), message.size()));
  }
}

TEST_CASE("keygen: mode 0600, no overwrite, passwords from the environment or a file") {
  TempDir dir;
  std::string prefix = dir.File("k");
  RunResult r = RunWasmiot({"keygen", "-o", prefix});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  struct stat st {};
  REQUIRE(stat((prefix + ".key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  std::string secret = ReadText(prefix + ".key");
  CHECK(r.out.find(secret.substr(28, 40)) == std::string::npos);  // the secret is never printed

  RunResult again = RunWasmiot({"keygen", "-o", prefix});
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.err, Catch::Contains("already exists"));
  CHECK(ReadText(prefix + ".key") == secret);

  RunResult env = Run({"env", "KEYPASS=s3cret", WasmiotExe(), "keygen", "-o", dir.File("e"), "--password-env", "KEYPASS"});
  INFO(env.err);
  REQUIRE(env.exit_code == 0);
  CHECK_THAT(ReadText(dir.File("e.key")), Catch::Contains("WASMIOT ENCRYPTED PRIVATE KEY"));
  RunResult missing = RunWasmiot({"keygen", "-o", dir.File("m"), "--password-env", "WASMIOT_NO_SUCH_VARIABLE"});
  CHECK(missing.exit_code == 3);
  CHECK_FALSE(std::filesystem::exists(dir.File("m.key")));

  WriteText(dir.File("pass.txt"), "s3cret\n");
  RunResult c = Run({"env", "KEYPASS=s3cret", WasmiotExe(), "pubkey", dir.File("e.key"), "--password-env", "KEYPASS",
                     "--format", "raw", "-o", dir.File("e.raw")});
  CHECK(c.exit_code == 0);
  RunResult f = RunWasmiot({"pubkey", dir.File("e.key"), "--password-file", dir.File("pass.txt")});
  CHECK(f.exit_code == 0);
  RunResult wrong = Run({"env", "KEYPASS=nope", WasmiotExe(), "pubkey", dir.File("e.key"), "--password-env", "KEYPASS"});
  CHECK(wrong.exit_code == 1);
  CHECK_THAT(wrong.err, Catch::Contains("wrong password"));
}

TEST_CASE("pubkey: formats, sources, and insecure secret keys") {
  TempDir dir;
  REQUIRE(RunWasmiot({"keygen", "-o", dir.File("k")}).exit_code == 0);
  std::string key = dir.File("k.key");
  std::string pem = ReadText(dir.File("k.pub.pem"));

  CHECK(RunWasmiot({"pubkey", key}).out == pem);
  CHECK(RunWasmiot({"pubkey", dir.File("k.pub.pem")}).out == pem);
  RunResult c = RunWasmiot({"pubkey", key, "--format", "c", "--name", "release_key"});
  CHECK_THAT(c.out, Catch::Contains("const uint8_t release_key[32] = {"));
  RunResult rust = RunWasmiot({"pubkey", key, "--format", "rust", "--name", "RELEASE_KEY"});
  CHECK_THAT(rust.out, Catch::Contains("pub const RELEASE_KEY: [u8; 32] = ["));
  REQUIRE(RunWasmiot({"pubkey", key, "--format", "raw", "-o", dir.File("k.raw")}).exit_code == 0);
  CHECK(std::filesystem::file_size(dir.File("k.raw")) == 32);
  CHECK(RunWasmiot({"pubkey", dir.File("k.raw")}).out == pem);
  CHECK(RunWasmiot({"pubkey", key, "--format", "raw"}).exit_code == 2);  // binary needs -o

  // The C export compiles, and holds the key's bytes.
  WriteText(dir.File("key.c"), c.out + "int main(void) { return release_key[0] == 0 && release_key[31] == 0; }\n");
  CHECK(Run({"cc", "-Wall", "-Werror", dir.File("key.c"), "-o", dir.File("key")}).exit_code == 0);

  std::string secret = ReadText(key);
  RunResult stdin_key = Run({"sh", "-c", "\"$0\" pubkey - < \"$1\"", WasmiotExe(), key});
  INFO(stdin_key.err);
  CHECK(stdin_key.exit_code == 0);
  CHECK(stdin_key.out == pem);
  // An endless stdin is read only up to the key-size limit, then refused.
  RunResult endless = Run({"timeout", "60", "sh", "-c", "\"$0\" pubkey - < /dev/zero", WasmiotExe()});
  CHECK(endless.exit_code == 1);
  CHECK_THAT(endless.err, Catch::Contains("<stdin>: error: more than 64 KiB: not a key [key-invalid]"));
  RunResult env = Run({"env", "SIGNING_KEY=" + secret, WasmiotExe(), "pubkey", "--key-env", "SIGNING_KEY"});
  CHECK(env.out == pem);
  CHECK(env.out.find(secret.substr(28, 40)) == std::string::npos);

  chmod(key.c_str(), 0644);
  RunResult insecure = RunWasmiot({"pubkey", key});
  CHECK(insecure.exit_code == 1);
  CHECK_THAT(insecure.err, Catch::Contains("readable by other users (mode 0644)"));
  CHECK(RunWasmiot({"pubkey", key, "--force"}).exit_code == 0);

  for (std::string bad : {dir.File("missing.key"), dir.path(), std::string("/dev/zero")}) {
    CHECK(RunWasmiot({"pubkey", bad}).exit_code == 3);
  }
  WriteText(dir.File("junk.pem"), "not a key");
  RunResult junk = RunWasmiot({"pubkey", dir.File("junk.pem")});
  CHECK(junk.exit_code == 1);
  CHECK(junk.err == dir.File("junk.pem") + ": error: not a PEM key (no -----BEGIN line) [key-invalid]\n");
}

TEST_CASE("keygen and pubkey --json match their schemas") {
  TempDir dir;
  std::vector<std::pair<std::vector<std::string>, std::string>> runs = {
      {{"keygen", "-o", dir.File("j"), "--json"}, "keygen-output.schema.json"},
      {{"keygen", "-o", dir.File("j"), "--json"}, "keygen-output.schema.json"},  // exists: exit 2
      {{"pubkey", dir.File("j.key"), "--json"}, "pubkey-output.schema.json"},
      {{"pubkey", dir.File("nope.key"), "--json"}, "pubkey-output.schema.json"},
  };
  for (const auto& [args, schema] : runs) {
    RunResult r = RunWasmiot(args);
    std::string file = dir.File("doc.json");
    WriteText(file, r.out);
    INFO(r.out);
    CHECK(SchemaVerdicts(schema, {file})[0] == "valid " + file);
  }
}

TEST_CASE("WriteNewKeyPair and ExportPublicKey: keygen and pubkey as library calls") {
  TempDir dir;
  KeyPairRequest request;
  request.prefix = dir.File("release");
  request.password = "correct horse";
  Diagnostics d;
  Result<KeyPairFiles> pair = WriteNewKeyPair(request, d);
  INFO(DiagnosticsText(d));
  REQUIRE(pair.ok());
  CHECK(pair->encrypted);
  struct stat st{};
  REQUIRE(stat(pair->secret_path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  Result<LoadedKey> loaded = ParseKey(ReadBytes(pair->secret_path), std::string("correct horse"));
  REQUIRE(loaded.ok());
  CHECK(KeyIdOf(loaded->public_key) == pair->key_id);

  // Never over an existing key, and the caller says how to ask for it.
  Bytes before = ReadBytes(pair->secret_path);
  request.overwrite_hint = "unless --force";
  Diagnostics again;
  CHECK_FALSE(WriteNewKeyPair(request, again).ok());
  CHECK_THAT(DiagnosticsText(again), Catch::Contains("already exists: a key is never overwritten unless --force"));
  CHECK(ReadBytes(pair->secret_path) == before);
  request.overwrite = true;
  request.password.reset();
  Diagnostics replaced;
  Result<KeyPairFiles> plain = WriteNewKeyPair(request, replaced);
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->encrypted);
  CHECK(ReadBytes(pair->secret_path) != before);

  PublicKey pk = loaded->public_key;
  CHECK(ExportPublicKey(pk, "raw", "")->size() == 32);
  CHECK_THAT(*ExportPublicKey(pk, "pem", ""), Catch::StartsWith("-----BEGIN PUBLIC KEY-----"));
  CHECK_THAT(*ExportPublicKey(pk, "rust", "RELEASE_KEY"), Catch::Contains("RELEASE_KEY"));
  Result<std::string> evil = ExportPublicKey(pk, "c", "x; system(\"rm\")");
  REQUIRE_FALSE(evil.ok());
  CHECK_THAT(evil.error().message, Catch::Contains("is not a C and Rust identifier"));
  CHECK_FALSE(ExportPublicKey(pk, "der", "").ok());
}
