// The host AOT engine: the prepared module (runtime/engine.h PrepareModule)
// through wasm2c and the host's C compiler into a shared object, loaded into
// this process with the same simulated host and budgets as the interpreter.
// Objects are cached by a digest of the prepared module, the compiler's
// identity and the flags, so a second run starts without compiling.
#pragma once

#include <string>

#include "runtime/engine.h"

namespace wasmiot {

// How the AOT engine compiles and caches. The library reads no environment:
// the tool fills this from $WASMIOT_CC and $WASMIOT_CACHE_DIR
// (tools/wasmiot/engine_choice.cc).
struct AotSettings {
  std::string compiler = "cc";  // a command found in PATH, or a path
  std::string cache_dir;        // one folder per compiled module; "": <system temp>/wasmiot-aot
};

struct HostCompiler {
  std::string path;      // found in PATH
  std::string identity;  // its --version banner: part of the cache key
};

// The C compiler the AOT engine would use; an error names what is missing.
Result<HostCompiler> FindHostCompiler(const AotSettings& settings);

struct AotLoad {
  bool cache_hit = false;
  std::string library;  // the shared object loaded
};

// Refused (an error) like InstantiateInterp, and also when the compiler is
// missing or fails, or the module needs what wasm2c cannot compile.
Result<Instantiation> InstantiateAot(const Bytes& wasm, const Manifest* manifest, SimulatedHost* host,
                                     const RunLimits& limits, const AotSettings& settings, AotLoad* load = nullptr);

// Either engine.
Result<Instantiation> Instantiate(EngineKind engine, const Bytes& wasm, const Manifest* manifest, SimulatedHost* host,
                                  const RunLimits& limits, const AotSettings& settings = {});

}  // namespace wasmiot
