// What the fuzz targets share (docs/fuzzing.md).
//
// The fixed key is SHA-256 of a constant phrase, so the seed generator
// (fuzz_seed_corpus) and the targets agree on it without sharing a file; it
// signs nothing but fuzzing seeds.
#pragma once

#include <string>
#include <string_view>

#include "keys/keys.h"
#include "manifest/manifest.h"
#include "module/module_info.h"

namespace wasmiot::fuzz {

const Manifest& ThermostatManifest();      // templates/devices/thermostat.device.json
const Bytes& ThermostatModule();           // tests/data/modules/thermostat.wat, compiled
const ModuleInfo& ThermostatModuleInfo();  // ReadModule of it
Seed FixedSeed();                          // the fuzzing signing key (secret half)
PublicKey FixedPublicKey();                // its public half: trusted by fuzz_bundle and fuzz_receiver
std::string FixedPassword();               // the password of the encrypted seed keys
void InitOnce();                           // libsodium; aborts if it cannot start
// A private folder under $TMPDIR, made once per process, removed when the
// process exits normally.
std::string ScratchDir();
// Commented hex (";;" comments), as tests/data/binaries/*.hex.
Bytes DecodeHex(std::string_view text);

// A property the target checks does not hold: report and abort, so libFuzzer
// keeps the input as a crash.
[[noreturn]] void Fail(std::string_view target, std::string_view what);

}  // namespace wasmiot::fuzz
