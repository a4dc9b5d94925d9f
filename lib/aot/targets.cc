#include "aot/targets.h"

#include "support/process.h"
#include "wasmiot_bundle.h"

namespace wasmiot {
namespace {

std::vector<AotTarget> Completed(std::vector<AotTarget> targets) {
  for (AotTarget& t : targets) {
    t.name = wasmiot_target_name(t.id);
    if (t.kind == TargetKind::kBareMetal) {
      // wasm2c's asserts check its own invariants; in firmware they cost
      // code and pull in newlib's printf (docs/aot.md, "Device code").
      t.cflags.push_back("-DNDEBUG");
      t.device_code = true;
    }
    t.cflags.push_back(kNoFloatContraction);
  }
  return targets;
}

}  // namespace

const std::vector<AotTarget>& AotTargets() {
  // Linux targets optimize for speed (-O2) and are position-independent, so a
  // gateway can link the library into a shared object and load it at run time
  // (docs/bundle.md); bare-metal ones optimize for size (-Os).
  // Names come from the one list of target ids, in the device library; every
  // target's flags get kNoFloatContraction, bare-metal ones device code.
  static const std::vector<AotTarget> targets = Completed({
      {WASMIOT_TARGET_HOST, {}, "this machine, with its default C compiler", TargetKind::kLinux, "", "gcc",
       {"-O2", "-fPIC"}, "", ""},
      {WASMIOT_TARGET_X86_64_LINUX, {}, "x86-64 Linux (glibc)", TargetKind::kLinux, "x86_64-linux-gnu-", "gcc",
       {"-O2", "-fPIC"}, "", ""},
      {WASMIOT_TARGET_AARCH64_LINUX, {}, "64-bit Arm Linux (glibc)", TargetKind::kLinux, "aarch64-linux-gnu-",
       "gcc-aarch64-linux-gnu", {"-O2", "-fPIC"}, "qemu-aarch64", "/usr/aarch64-linux-gnu"},
      {WASMIOT_TARGET_ARMV7_LINUX, {}, "32-bit Arm Linux, hard float (gnueabihf)", TargetKind::kLinux, "arm-linux-gnueabihf-",
       "gcc-arm-linux-gnueabihf", {"-O2", "-fPIC", "-march=armv7-a", "-mfpu=vfpv3-d16", "-mfloat-abi=hard"},
       "qemu-arm", "/usr/arm-linux-gnueabihf"},
      {WASMIOT_TARGET_RISCV64_LINUX, {}, "64-bit RISC-V Linux (glibc)", TargetKind::kLinux, "riscv64-linux-gnu-",
       "gcc-riscv64-linux-gnu", {"-O2", "-fPIC"}, "qemu-riscv64", "/usr/riscv64-linux-gnu"},
      {WASMIOT_TARGET_CORTEX_M0PLUS, {}, "Arm Cortex-M0+, soft float", TargetKind::kBareMetal, "arm-none-eabi-",
       "gcc-arm-none-eabi", {"-Os", "-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft"}, "", ""},
      {WASMIOT_TARGET_CORTEX_M3, {}, "Arm Cortex-M3, soft float", TargetKind::kBareMetal, "arm-none-eabi-", "gcc-arm-none-eabi",
       {"-Os", "-mcpu=cortex-m3", "-mthumb", "-mfloat-abi=soft"}, "", ""},
      {WASMIOT_TARGET_CORTEX_M4F, {}, "Arm Cortex-M4 with single-precision FPU", TargetKind::kBareMetal, "arm-none-eabi-",
       "gcc-arm-none-eabi", {"-Os", "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"},
       "", ""},
      {WASMIOT_TARGET_CORTEX_M7, {}, "Arm Cortex-M7 with double-precision FPU", TargetKind::kBareMetal, "arm-none-eabi-",
       "gcc-arm-none-eabi", {"-Os", "-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-d16"}, "", ""},
      {WASMIOT_TARGET_CORTEX_M33, {}, "Arm Cortex-M33 with single-precision FPU", TargetKind::kBareMetal, "arm-none-eabi-",
       "gcc-arm-none-eabi", {"-Os", "-mcpu=cortex-m33", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-sp-d16"},
       "", ""},
      {WASMIOT_TARGET_RISCV32IMAC, {}, "32-bit RISC-V, IMAC, soft float (picolibc)", TargetKind::kBareMetal,
       "riscv64-unknown-elf-", "gcc-riscv64-unknown-elf",
       {"-Os", "-march=rv32imac", "-mabi=ilp32", "--specs=picolibc.specs"}, "", ""},
      {WASMIOT_TARGET_XTENSA_LX106, {}, "ESP8266 (Xtensa LX106), no libc in Debian", TargetKind::kBareMetal, "xtensa-lx106-elf-",
       "gcc-xtensa-lx106", {"-Os", "-mlongcalls", "-ffreestanding"}, "", "", /*has_libc=*/false},
  });
  return targets;
}

const AotTarget* FindAotTarget(std::string_view name) {
  for (const AotTarget& t : AotTargets()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string TargetTool(const AotTarget& target, std::string_view tool) {
  if (target.tool_prefix.empty()) return tool == "gcc" ? "cc" : std::string(tool);
  return std::string(target.tool_prefix) + std::string(tool);
}

bool TargetInstalled(const AotTarget& target) { return !FindInPath(TargetTool(target, "gcc")).empty(); }

}  // namespace wasmiot
