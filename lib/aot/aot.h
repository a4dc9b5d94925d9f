// `wasmiot aot`: a module, ahead-of-time compiled for one target through
// wasm2c and the target's C compiler. The output folder gets the generated C
// and header, the runtime support the target needs (sources and object), the
// objects, a static library, and a size report.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aot/targets.h"
#include "core/features.h"
#include "support/diagnostics.h"
#include "support/file_io.h"

namespace wasmiot {

// The stack a bare-metal runtime gives a module when no device says
// (the manifest's budgets.stack_bytes): WASMIOT_RT_STACK_BYTES.
inline constexpr uint32_t kDefaultDeviceStackBytes = 8192;

struct AotOptions {
  std::string target;
  std::string output_dir;
  std::string module_name;           // a C identifier
  // The device's, when compiling for one. aot does not check the module
  // against the device: pipeline/aot_for_device.h does, before it compiles.
  std::optional<uint32_t> memory_budget_pages;                // caps a bare-metal runtime's static memory
  std::optional<uint32_t> stack_budget_bytes;                 // a bare-metal runtime's default stack budget
  const std::vector<std::string>* accepted_targets = nullptr;  // null: any target
  std::vector<NamedInput> inputs;                              // files no output may replace
};

struct ObjectSize {
  std::string file;
  uint64_t text = 0;
  uint64_t data = 0;
  uint64_t bss = 0;
};

struct AotReport {
  std::string target;
  std::string compiler;
  std::vector<std::string> cflags;
  std::vector<std::string> files;  // written into output_dir, in order
  std::string library;             // the static library among them: what `sign --target` signs
  std::vector<ObjectSize> sizes;   // the module's object, then the runtime's
  uint32_t memory_pages = 0;       // bare metal: the static linear-memory budget
  uint32_t stack_bytes = 0;        // bare metal: the stack budget wasm_rt_init() gives the module
  // The module function with the largest stack frame, as its compiler reports
  // it (-fstack-usage): how far a call may go below the stack limit before it
  // traps, so firmware reserves it beyond the budget (docs/aot.md, "Stack").
  // Empty when the compiler reports no function.
  std::string largest_frame_function;
  uint64_t largest_frame_bytes = 0;
};

// The function with the largest frame in gcc's -fstack-usage report (lines of
// "file:line:column:function<TAB>bytes<TAB>kind"); {"", 0} when it has none.
struct StackFrame {
  std::string function;
  uint64_t bytes = 0;
};
StackFrame LargestStackFrame(std::string_view report);

// Features wabt 1.0.32's wasm2c can compile (it aborts on others, e.g. SIMD).
FeatureSet Wasm2cFeatures();

// A C identifier from a file name: "my-sensor.v2.wasm" -> "my_sensor_v2";
// "strings.wasm" -> "strings_module" (see ShadowsSystemHeader).
std::string ModuleNameFromPath(const std::string& path);

// Whether NAME.h would shadow a C library header the generated code includes
// (string.h includes strings.h): such a module name is refused.
bool ShadowsSystemHeader(std::string_view name);

// Whether `name` is a target (else unknown-target, exit 2, with a "did you
// mean" and the list) and, given a device's accepted targets (a manifest's
// aot_targets), one of them (else target-not-accepted, exit 1, listing them).
bool CheckAotTarget(std::string_view name, const std::vector<std::string>* accepted, Diagnostics& diagnostics);

// Codes: unknown-target (exit 2), target-not-accepted, compiler-missing, compiler-failed, io-error
// (exit 3), feature-unsupported-by-target, and the module reader's codes (exit 1).
Result<AotReport> CompileAot(const Bytes& wasm, const std::string& path, const AotOptions& options,
                             Diagnostics& diagnostics);

// The static library CompileAot writes, built in a scratch folder beside
// options.output_dir (which is not created) and returned as bytes: what
// `sign --target` signs. The same module, name, target, budget and compiler
// give the same bytes.
Result<Bytes> CompileAotLibrary(const Bytes& wasm, const std::string& path, const AotOptions& options,
                                Diagnostics& diagnostics);

}  // namespace wasmiot
