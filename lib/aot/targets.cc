#include "aot/targets.h"

#include "support/process.h"

namespace wasmiot {

const std::vector<AotTarget>& AotTargets() {
  // Linux targets optimize for speed (-O2), bare-metal ones for size (-Os).
  static const std::vector<AotTarget> targets = {
      {"host", "this machine, with its default C compiler", TargetKind::kLinux, "", "gcc",
       {"-O2"}, "", ""},
      {"x86_64-linux", "x86-64 Linux (glibc)", TargetKind::kLinux, "x86_64-linux-gnu-", "gcc",
       {"-O2"}, "", ""},
      {"aarch64-linux", "64-bit Arm Linux (glibc)", TargetKind::kLinux, "aarch64-linux-gnu-",
       "gcc-aarch64-linux-gnu", {"-O2"}, "qemu-aarch64", "/usr/aarch64-linux-gnu"},
      {"armv7-linux", "32-bit Arm Linux, hard float (gnueabihf)", TargetKind::kLinux, "arm-linux-gnueabihf-",
       "gcc-arm-linux-gnueabihf", {"-O2", "-march=armv7-a", "-mfpu=vfpv3-d16", "-mfloat-abi=hard"},
       "qemu-arm", "/usr/arm-linux-gnueabihf"},
      {"riscv64-linux", "64-bit RISC-V Linux (glibc)", TargetKind::kLinux, "riscv64-linux-gnu-",
       "gcc-riscv64-linux-gnu", {"-O2"}, "qemu-riscv64", "/usr/riscv64-linux-gnu"},
      {"cortex-m0plus", "Arm Cortex-M0+, soft float", TargetKind::kBareMetal, "arm-none-eabi-",
       "gcc-arm-none-eabi", {"-Os", "-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft"}, "", ""},
      {"cortex-m3", "Arm Cortex-M3, soft float", TargetKind::kBareMetal, "arm-none-eabi-", "gcc-arm-none-eabi",
       {"-Os", "-mcpu=cortex-m3", "-mthumb", "-mfloat-abi=soft"}, "", ""},
      {"cortex-m4f", "Arm Cortex-M4 with single-precision FPU", TargetKind::kBareMetal, "arm-none-eabi-",
       "gcc-arm-none-eabi", {"-Os", "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"},
       "", ""},
      {"cortex-m7", "Arm Cortex-M7 with double-precision FPU", TargetKind::kBareMetal, "arm-none-eabi-",
       "gcc-arm-none-eabi", {"-Os", "-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-d16"}, "", ""},
      {"cortex-m33", "Arm Cortex-M33 with single-precision FPU", TargetKind::kBareMetal, "arm-none-eabi-",
       "gcc-arm-none-eabi", {"-Os", "-mcpu=cortex-m33", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-sp-d16"},
       "", ""},
      {"riscv32imac", "32-bit RISC-V, IMAC, soft float (picolibc)", TargetKind::kBareMetal,
       "riscv64-unknown-elf-", "gcc-riscv64-unknown-elf",
       {"-Os", "-march=rv32imac", "-mabi=ilp32", "--specs=picolibc.specs"}, "", ""},
      {"xtensa-lx106", "ESP8266 (Xtensa LX106), no libc in Debian", TargetKind::kBareMetal, "xtensa-lx106-elf-",
       "gcc-xtensa-lx106", {"-Os", "-mlongcalls", "-ffreestanding"}, "", "", /*has_libc=*/false},
  };
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
