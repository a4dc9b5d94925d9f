// The AOT targets: one table of data (compiler, flags, tools, Debian package,
// how to run the output), so adding a CPU is one row, not scattered code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wasmiot {

// WebAssembly rounds every multiply and every add, but gcc fuses a multiply
// and an add into one fused multiply-add where the CPU has one (its default
// -ffp-contract=fast: Cortex-M4F/M7/M33, aarch64, riscv64), which keeps the
// product unrounded and gives other answers. Every target's flags end with
// this, and the host engine compiles with it too.
inline constexpr std::string_view kNoFloatContraction = "-ffp-contract=off";

enum class TargetKind {
  kLinux,      // wasm2c's own runtime (wasm-rt-impl.c: mmap, signals on 64-bit)
  kBareMetal,  // wasmiot's static runtime: no malloc, no mmap, explicit bounds checks
};

struct AotTarget {
  uint8_t id;             // WASMIOT_TARGET_*, what a bundle's header records
  std::string_view name;  // wasmiot_target_name(id)
  std::string_view description;
  TargetKind kind;
  std::string_view tool_prefix;  // "arm-none-eabi-": gcc, ar and size are prefix + tool
  std::string_view package;      // the Debian package that provides the compiler
  std::vector<std::string_view> cflags;  // ends with kNoFloatContraction
  std::string_view qemu;     // user-mode emulator that runs its Linux executables ("" = native)
  std::string_view sysroot;  // for qemu -L
  bool has_libc = true;      // false: wasmiot supplies freestanding headers
  // Device code (bare-metal targets; lib/aot/device_code.h): memory accesses
  // forced inline, and bounds checked against a constant when memory cannot grow.
  bool device_code = false;
};

const std::vector<AotTarget>& AotTargets();
const AotTarget* FindAotTarget(std::string_view name);

// prefix + tool, e.g. "arm-none-eabi-gcc"; the host uses plain "cc", "ar", "size".
std::string TargetTool(const AotTarget& target, std::string_view tool);

// Whether the target's compiler is installed (found in PATH).
bool TargetInstalled(const AotTarget& target);

}  // namespace wasmiot
