// What the fuzz targets share: fuzz/fuzz_support.h.
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "fuzz_support.h"

#include "check/check.h"
#include "keys/keys.h"
#include "manifest/manifest.h"
#include "module/module_info.h"

namespace wasmiot::fuzz {

extern const char kThermostatManifestJson[];
extern const uint8_t kThermostatModule[];
extern const size_t kThermostatModuleSize;

namespace {

[[noreturn]] void Die(const std::string& what, const Diagnostics& diagnostics) {
  std::fprintf(stderr, "fuzz_support: %s\n", what.c_str());
  for (const Diagnostic& d : diagnostics.list()) std::fprintf(stderr, "  %s\n", FormatDiagnostic(d).c_str());
  std::abort();
}

}  // namespace

void InitOnce() {
  static const bool ok = InitCrypto().ok();
  if (!ok) {
    std::fprintf(stderr, "fuzz_support: libsodium failed to initialise\n");
    std::abort();
  }
}

const Manifest& ThermostatManifest() {
  static const Manifest manifest = [] {
    Diagnostics diagnostics;
    Result<Manifest> m = ParseManifest(kThermostatManifestJson, "thermostat.device.json", diagnostics);
    if (!m) Die("the embedded thermostat manifest does not parse", diagnostics);
    return std::move(m).value();
  }();
  return manifest;
}

const Bytes& ThermostatModule() {
  static const Bytes module(kThermostatModule, kThermostatModule + kThermostatModuleSize);
  return module;
}

const ModuleInfo& ThermostatModuleInfo() {
  static const ModuleInfo info = [] {
    Diagnostics diagnostics;
    Result<ModuleInfo> m = ReadAndCheckModule(ThermostatModule(), "thermostat.wasm", ThermostatManifest(), diagnostics);
    if (!m || diagnostics.HasErrors()) Die("the embedded thermostat module does not pass check", diagnostics);
    return std::move(m).value();
  }();
  return info;
}

Seed FixedSeed() {
  constexpr std::string_view kPhrase = "wasmiot fuzzing key v1: signs fuzzing seeds only";
  Sha256 digest = HashSha256(reinterpret_cast<const uint8_t*>(kPhrase.data()), kPhrase.size());
  Seed seed;
  std::copy(digest.begin(), digest.end(), seed.begin());
  return seed;
}

PublicKey FixedPublicKey() {
  static const PublicKey key = PublicKeyFromSeed(FixedSeed());
  return key;
}

void Fail(std::string_view target, std::string_view what) {
  std::fprintf(stderr, "%.*s: %.*s\n", static_cast<int>(target.size()), target.data(), static_cast<int>(what.size()),
               what.data());
  std::abort();
}

std::string FixedPassword() { return "wasmiot-fuzz-password"; }

std::string ScratchDir() {
  // Never destroyed, so that the exit handler that removes the folder can use it.
  static const std::string* const dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    auto* path = new std::string(std::string(tmp && *tmp ? tmp : "/tmp") + "/wasmiot-fuzz-XXXXXX");
    if (!mkdtemp(path->data())) {
      std::perror("fuzz_support: mkdtemp");
      std::abort();
    }
    // Removed at a normal exit, not after a crash (its files may matter then).
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(*dir, ec);
    });
    return path;
  }();
  return *dir;
}

Bytes DecodeHex(std::string_view text) {
  Bytes out;
  int high = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 2) == ";;") {
      size_t eol = text.find('\n', i);
      if (eol == std::string_view::npos) break;
      i = eol;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isspace(c)) continue;
    if (!std::isxdigit(c)) {
      std::fprintf(stderr, "fuzz_support: bad character '%c' in hex\n", c);
      std::exit(2);
    }
    int v = std::isdigit(c) ? c - '0' : std::tolower(c) - 'a' + 10;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) {
    std::fprintf(stderr, "fuzz_support: odd number of hex digits\n");
    std::exit(2);
  }
  return out;
}

}  // namespace wasmiot::fuzz
