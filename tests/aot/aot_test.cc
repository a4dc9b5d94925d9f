// AOT output is verified by running it: on the host and, through qemu-user,
// on aarch64, armv7 and riscv64, every export's result or trap must equal what
// wabt's interpreter (wasm-interp) says. Bare-metal targets are compiled and
// linked into a test image with -Werror; the Cortex-M ones qemu has MPS2
// boards for (M3, M4F, M7, M33) run there too.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "aot/aot.h"
#include "aot/device_code.h"
#include "aot/wasm2c_bridge.h"
#include "wasmiot_bundle.h"
#include "module/module_info.h"
#include "pipeline/aot_for_device.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace {

// wasm-interp's trap messages and wasm2c's trap codes, in common words.
std::string TrapCategory(const std::string& message) {
  const std::pair<const char*, const char*> table[] = {
      {"out of bounds memory access", "oob"},
      {"integer overflow", "int-overflow"},
      {"integer divide by zero", "div-zero"},
      {"invalid conversion to integer", "invalid-conversion"},
      {"unreachable executed", "unreachable"},
      {"call stack exhausted", "exhaustion"},
      {"uninitialized table element", "call-indirect"},
      {"indirect call signature mismatch", "call-indirect"},
      {"undefined table index", "call-indirect"},
  };
  for (const auto& [prefix, category] : table) {
    if (message.rfind(prefix, 0) == 0) return category;
  }
  return "unknown: " + message;
}

// "name() => i32:5" stays; "name() => error: msg: detail" becomes "name() => trap oob".
std::vector<std::string> Normalize(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    size_t error = line.find("=> error: ");
    if (error != std::string::npos) line = line.substr(0, error) + "=> trap " + TrapCategory(line.substr(error + 10));
    while (!line.empty() && line.back() == ' ') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

// C implementations of the module's imported functions that behave like
// wasm-interp --dummy-import-func: log the call with its arguments, return zero.
std::string DummyImports(const ModuleInfo& module) {
  auto format = [](WasmType type) {
    return type == WasmType::kI32 ? "i32:%s" : type == WasmType::kI64 ? "i64:%s" : type == WasmType::kF32 ? "f32:%f" : "f64:%f";
  };
  auto value = [](WasmType type, const std::string& var) {
    return type == WasmType::kI32 || type == WasmType::kI64 ? "dec(" + var + ")" : var;
  };
  auto ctype = [](WasmType type) {
    return type == WasmType::kI32 ? "u32" : type == WasmType::kI64 ? "u64" : type == WasmType::kF32 ? "f32" : "f64";
  };
  std::string c;
  for (const ImportInfo& i : module.imports) {
    if (i.kind != ExternKind::kFunc) continue;
    REQUIRE(i.module == "env");
    REQUIRE(i.signature.results.size() <= 1);
    std::string result = i.signature.results.empty() ? "void" : ctype(i.signature.results[0]);
    std::string params = "struct Z_env_instance_t* env";
    std::string fmt = "called host " + i.QualifiedName() + "(";
    std::string args;
    for (size_t n = 0; n < i.signature.params.size(); ++n) {
      params += ", " + std::string(ctype(i.signature.params[n])) + " a" + std::to_string(n);
      fmt += (n ? ", " : "") + std::string(format(i.signature.params[n]));
      args += ", " + value(i.signature.params[n], "a" + std::to_string(n));
    }
    fmt += ") =>";
    if (c.empty()) c = "struct Z_env_instance_t { int unused; };\nstatic struct Z_env_instance_t env_instance;\n";
    c += result + " Z_envZ_" + i.name + "(" + params + ") {\n  (void)env;\n";
    if (i.signature.results.empty()) {
      c += "  printf(\"" + fmt + "\\n\"" + args + ");\n}\n";
    } else {
      std::string zero = value(i.signature.results[0], "(" + result + ")0");
      c += "  printf(\"" + fmt + " " + format(i.signature.results[0]) + "\\n\"" + args + ", " + zero +
           ");\n  return 0;\n}\n";
    }
  }
  return c;
}

// A main() that calls every export in order, in one instance, printing like
// wasm-interp. With the static runtime, traps arrive through
// wasmiot_trap_handler; an image for a CPU that cannot run here (print=false)
// keeps results and trap codes in volatile arrays, needing no stdio.
std::string Harness(const std::string& name, const ModuleInfo& module, bool static_runtime, bool print = true) {
  bool bare_metal = !print;
  std::string c = "#include <stdint.h>\n#include <setjmp.h>\n#include \"" + name + ".h\"\n";
  if (static_runtime) {
    c += "#include \"wasmiot_rt_static.h\"\nstatic jmp_buf trap_jump;\nstatic volatile int trap_code;\n"
         "void wasmiot_trap_handler(wasm_rt_trap_t t) { trap_code = (int)t; longjmp(trap_jump, 1); }\n"
         "#define TRY() (setjmp(trap_jump) ? trap_code : 0)\n";
  } else {
    c += "#include \"wasm-rt-impl.h\"\n#define TRY() ((int)wasm_rt_impl_try())\n";
  }
  if (bare_metal) {
    c += "volatile uint64_t results[256];\nvolatile int traps[256];\n";
  } else {
    // Numbers are formatted by hand: newlib's printf may lack 64-bit support.
    c += "#include <stdio.h>\nstatic const char* dec(uint64_t v) {\n  static char b[8][24];\n  static unsigned n;\n"
         "  char* p = b[n++ % 8] + 23;\n"
         "  *p = 0;\n  do { *--p = (char)('0' + v % 10); v /= 10; } while (v);\n  return p;\n}\n" +
         DummyImports(module) +
         "static const char* category(int t) {\n  switch (t) {\n"
         "    case WASM_RT_TRAP_OOB: return \"oob\";\n"
         "    case WASM_RT_TRAP_INT_OVERFLOW: return \"int-overflow\";\n"
         "    case WASM_RT_TRAP_DIV_BY_ZERO: return \"div-zero\";\n"
         "    case WASM_RT_TRAP_INVALID_CONVERSION: return \"invalid-conversion\";\n"
         "    case WASM_RT_TRAP_UNREACHABLE: return \"unreachable\";\n"
         "    case WASM_RT_TRAP_CALL_INDIRECT: return \"call-indirect\";\n"
         "    case WASM_RT_TRAP_EXHAUSTION: return \"exhaustion\";\n"
         "    default: return \"other\";\n  }\n}\n";
  }
  bool imports = std::any_of(module.imports.begin(), module.imports.end(),
                             [](const ImportInfo& i) { return i.kind == ExternKind::kFunc; });
  c += "int main(void) {\n  static Z_" + name + "_instance_t instance;\n  wasm_rt_init();\n  Z_" + name +
       "_init_module();\n  Z_" + name + "_instantiate(&instance" + (imports ? ", &env_instance" : "") + ");\n";
  int index = 0;
  for (const ExportInfo& e : module.exports) {
    if (e.kind != ExternKind::kFunc || !e.signature.params.empty()) continue;
    std::string call = "Z_" + name + "Z_" + e.name + "(&instance)";
    std::string i = std::to_string(index++);
    std::string ok;
    std::string trapped;
    if (bare_metal) {
      ok = (e.signature.results.empty() ? call : "results[" + i + "] = (uint64_t)" + call) + ";";
      trapped = "traps[" + i + "] = trap;";
    } else if (e.signature.results.empty()) {
      ok = call + "; printf(\"" + e.name + "() =>\\n\");";
    } else {
      std::string type(WasmTypeName(e.signature.results[0]));
      ok = "uint64_t r = " + call + "; printf(\"" + e.name + "() => " + type + ":%s\\n\", dec(r));";
    }
    if (!bare_metal) trapped = "printf(\"" + e.name + "() => trap %s\\n\", category(trap));";
    c += "  { int trap = TRY(); if (trap == 0) { " + ok + " } else { " + trapped + " } }\n";
  }
  return c + "  wasm_rt_free();\n  return 0;\n}\n";
}

struct Compiled {
  std::string dir;
  std::string name;
  ModuleInfo module;
};

Compiled CompileWasm(const TempDir& dir, const std::string& name, const Bytes& wasm, const std::string& target) {
  WriteBytes(dir.File(name + ".wasm"), wasm);
  Diagnostics d;
  Result<ModuleInfo> module = ReadModule(wasm, name + ".wasm", d);
  REQUIRE(module.ok());
  AotOptions options;
  options.target = target;
  options.output_dir = dir.File("out-" + target);
  Result<AotReport> report = CompileAot(wasm, name + ".wasm", options, d);
  INFO(target << "\n" << DiagnosticsText(d));
  REQUIRE(report.ok());
  return Compiled{options.output_dir, name, std::move(module).value()};
}

Compiled CompileFor(const TempDir& dir, const std::string& wat_file, const std::string& target) {
  return CompileWasm(dir, ModuleNameFromPath(wat_file), WatToWasm(ReadText(DataDir() + "/aot/" + wat_file)), target);
}

std::vector<std::string> Flags(const AotTarget& target) {
  std::vector<std::string> out(target.cflags.begin(), target.cflags.end());
  out.insert(out.end(), {"-std=gnu11", "-Wall", "-Wextra", "-Werror"});
  return out;
}

// qemu's MPS2 boards with semihosting, by target. qemu has no M0+ board; the
// M33 (AN505) starts in the Secure state, so its image sits at the Secure
// alias of the same SSRAM (an505.ld).
struct Mps2Board {
  const char* target;
  const char* machine;
  const char* linker_script;
};
constexpr Mps2Board kMps2Boards[] = {{"cortex-m3", "mps2-an385", "mps2.ld"},
                                     {"cortex-m4f", "mps2-an386", "mps2.ld"},
                                     {"cortex-m7", "mps2-an500", "mps2.ld"},
                                     {"cortex-m33", "mps2-an505", "an505.ld"}};

// Links `inputs` (sources, objects, libraries, flags) with the board's
// start-up code into `elf`, with the target's flags and -Werror.
void LinkMps2Image(const Mps2Board& board, const std::vector<std::string>& inputs, const std::string& elf) {
  const AotTarget& target = *FindAotTarget(board.target);
  std::vector<std::string> link{TargetTool(target, "gcc")};
  std::vector<std::string> flags = Flags(target);
  link.insert(link.end(), flags.begin(), flags.end());
  std::string mps2 = DataDir() + "/aot/mps2/";
  link.insert(link.end(), {"-L" + mps2, "-T", mps2 + board.linker_script, "--specs=rdimon.specs", "-nostartfiles",
                           mps2 + "startup.c"});
  link.insert(link.end(), inputs.begin(), inputs.end());
  link.insert(link.end(), {"-o", elf});
  RunResult built = Run(link);
  INFO(built.err);
  REQUIRE(built.exit_code == 0);
}

// Runs an image on the board; what it printed, after it exited 0.
std::string RunMps2Image(const Mps2Board& board, const std::string& elf) {
  RunResult ran = Run({"timeout", "120", "qemu-system-arm", "-M", board.machine, "-nographic", "-semihosting",
                       "-kernel", elf});
  INFO(ran.out << ran.err);
  REQUIRE(ran.exit_code == 0);
  return ran.out;
}

}  // namespace

TEST_CASE("the target table: the issue's targets, all installed by install-deps") {
  std::vector<std::string> names;
  for (const AotTarget& t : AotTargets()) {
    names.emplace_back(t.name);
    INFO(t.name << ": apt-get install " << t.package);
    CHECK(TargetInstalled(t));
    CHECK_FALSE(t.package.empty());
    CHECK(FindAotTarget(t.name) == &t);
  }
  CHECK(names == std::vector<std::string>{"host", "x86_64-linux", "aarch64-linux", "armv7-linux", "riscv64-linux",
                                          "cortex-m0plus", "cortex-m3", "cortex-m4f", "cortex-m7", "cortex-m33",
                                          "riscv32imac", "xtensa-lx106"});
  CHECK(FindAotTarget("cortex-m5") == nullptr);
}

// Links the harness for a Linux target, runs it (under qemu for other CPUs)
// and compares its output with wasm-interp's on the same module.
void ExpectSameAsInterpreter(const TempDir& dir, const Compiled& c, const AotTarget& target,
                             const std::vector<std::string>& interp_flags) {
  WriteText(dir.File("harness.c"), Harness(c.name, c.module, /*static_runtime=*/false));
  std::vector<std::string> link{TargetTool(target, "gcc")};
  std::vector<std::string> flags = Flags(target);
  link.insert(link.end(), flags.begin(), flags.end());
  link.insert(link.end(), {"-I" + c.dir, dir.File("harness.c"), c.dir + "/lib" + c.name + ".a", "-lm", "-o",
                           dir.File("harness")});
  RunResult built = Run(link);
  INFO(built.err);
  REQUIRE(built.exit_code == 0);

  // A runaway harness (a trap that never comes) must fail the test, not hang it.
  std::vector<std::string> run{"timeout", "120"};
  if (!target.qemu.empty()) run.insert(run.end(), {std::string(target.qemu), "-L", std::string(target.sysroot)});
  run.push_back(dir.File("harness"));
  RunResult ran = Run(run);
  INFO(ran.err);
  REQUIRE(ran.exit_code == 0);

  std::vector<std::string> interp{"wasm-interp", "--run-all-exports"};
  interp.insert(interp.end(), interp_flags.begin(), interp_flags.end());
  interp.push_back(dir.File(c.name + ".wasm"));
  RunResult reference = Run(interp);
  INFO(reference.err);
  REQUIRE(reference.exit_code == 0);
  CHECK(Normalize(ran.out) == Normalize(reference.out));
}

const char* const kLinuxTargets[] = {"host", "x86_64-linux", "aarch64-linux", "armv7-linux", "riscv64-linux"};

TEST_CASE("AOT output gives the interpreter's answers on host and emulated Linux CPUs") {
  // fma.wat: a multiply and an add the C compiler must not fuse (aarch64 and
  // riscv64 have fused multiply-add instructions).
  for (const char* wat : {"arith.wat", "memory.wat", "fma.wat", "fixed_memory.wat", "capped_memory.wat"}) {
    for (const char* target : kLinuxTargets) {
      INFO(wat << " on " << target);
      TempDir dir;
      ExpectSameAsInterpreter(dir, CompileFor(dir, wat, target), *FindAotTarget(target), {});
    }
  }
}

TEST_CASE("Linux AOT libraries link into a shared object a gateway can load") {
  for (const char* target : kLinuxTargets) {
    INFO(target);
    TempDir dir;
    Compiled c = CompileFor(dir, "arith.wat", target);
    const AotTarget& t = *FindAotTarget(target);
    RunResult linked = Run({TargetTool(t, "gcc"), "-shared", "-o", dir.File("plugin.so"), "-Wl,--whole-archive",
                            c.dir + "/lib" + c.name + ".a", "-Wl,--no-whole-archive", "-lm"});
    INFO(linked.err);
    CHECK(linked.exit_code == 0);
  }
}

TEST_CASE("the bare-metal runtime, run on the host, gives the interpreter's answers") {
  // wasmiot_rt_static.c is portable C: built for the host with explicit bounds
  // checks (as on a 32-bit MCU), its memory budget, growth limit, traps and
  // call-depth limit are exercised for real, not only compiled. The module's
  // C is device code (lib/aot/device_code.h): fixed_memory and capped_memory
  // check against a constant size.
  for (const char* wat : {"arith.wat", "memory.wat", "fixed_memory.wat", "capped_memory.wat"}) {
    INFO(wat);
    TempDir dir;
    Compiled c = CompileFor(dir, wat, "cortex-m4f");
    WriteText(dir.File("harness.c"), Harness(c.name, c.module, /*static_runtime=*/true));
    std::vector<std::string> common{"cc", "-O2", "-std=gnu11", "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0",
                                    "-DWASMIOT_RT_MEMORY_PAGES=3", "-DWASMIOT_RT_STACK_BYTES=8192", "-I" + c.dir};
    // wasm2c's output is not -Wall clean (its TRAP macro); ours must be.
    std::vector<std::string> module = common;
    module.insert(module.end(), {"-c", c.dir + "/" + c.name + ".c", "-o", dir.File("module.o")});
    std::vector<std::string> rest = common;
    rest.insert(rest.end(), {"-Wall", "-Wextra", "-Werror", dir.File("harness.c"), c.dir + "/wasmiot_rt_static.c",
                             dir.File("module.o"), "-lm", "-o", dir.File("harness")});
    for (const auto& argv : {module, rest}) {
      RunResult built = Run(argv);
      INFO(built.err);
      REQUIRE(built.exit_code == 0);
    }
    RunResult ran = Run({"timeout", "120", dir.File("harness")});
    INFO(ran.err);
    REQUIRE(ran.exit_code == 0);
    RunResult reference = Run({"wasm-interp", "--run-all-exports", dir.File(c.name + ".wasm")});
    CHECK(Normalize(ran.out) == Normalize(reference.out));
  }
}

TEST_CASE("bare-metal Cortex-M output, run on emulated MPS2 boards, gives the interpreter's answers") {
  for (const Mps2Board& board : kMps2Boards) {
    // fma.wat: M4F, M7 and M33 have VFMA; fixed_ and capped_memory: constant bounds checks.
    for (const char* wat : {"arith.wat", "memory.wat", "fma.wat", "fixed_memory.wat", "capped_memory.wat"}) {
      INFO(wat << " on " << board.target << " (" << board.machine << ")");
      TempDir dir;
      Compiled c = CompileFor(dir, wat, board.target);
      WriteText(dir.File("harness.c"), Harness(c.name, c.module, /*static_runtime=*/true));
      LinkMps2Image(board, {"-I" + c.dir, dir.File("harness.c"), c.dir + "/lib" + c.name + ".a", "-lm"},
                    dir.File("image.elf"));
      std::string out = RunMps2Image(board, dir.File("image.elf"));
      RunResult reference = Run({"wasm-interp", "--run-all-exports", dir.File(c.name + ".wasm")});
      CHECK(Normalize(out) == Normalize(reference.out));
    }
  }
}

// What stack_harness.c prints: "key value" lines.
std::map<std::string, std::string> HarnessValues(const std::string& out) {
  std::map<std::string, std::string> values;
  std::istringstream lines(out);
  std::string key, value;
  while (lines >> key >> value) values[key] = value;
  return values;
}

// A recursion given `budget` bytes of stack traps "stack exhausted" having used
// at least the budget and at most the budget, the largest frame and the trap
// handler's few frames (what docs/aot.md tells firmware to reserve); the
// module runs again after the trap.
void ExpectStackBudgetHeld(const std::string& out, uint32_t budget, uint64_t largest_frame) {
  INFO(out << "largest frame " << largest_frame);
  std::map<std::string, std::string> v = HarnessValues(out);
  CHECK(v["shallow"] == "20");
  CHECK(v["trap"] == "exhaustion");
  CHECK(v["again"] == "20");
  uint64_t used = std::stoull(v["used"].empty() ? "0" : v["used"]);
  CHECK(used >= budget);
  CHECK(used <= budget + largest_frame + 384);
  CHECK(std::stoull(v["calls"].empty() ? "0" : v["calls"]) > 0);
}

TEST_CASE("the stack budget: a recursion traps once its calls pass it, on the host and on MPS2 boards") {
  // Bare-metal device code compares the stack pointer with the runtime's
  // limit on every function entry (lib/aot/device_code.cc); stack.wat's
  // recursion is one gcc would turn into a loop if nothing stopped it.
  constexpr uint32_t kBudget = 4096;
  const std::string budget = "-DBUDGET=" + std::to_string(kBudget) + "u";
  TempDir dir;
  Bytes wasm = WatToWasm(ReadText(DataDir() + "/aot/stack.wat"));
  {
    AotOptions options;
    options.target = "cortex-m4f";
    options.output_dir = dir.File("host-run");
    Diagnostics d;
    Result<AotReport> report = CompileAot(wasm, "stack.wasm", options, d);
    REQUIRE(report.ok());
    CHECK(report->stack_bytes == kDefaultDeviceStackBytes);
    CHECK(report->largest_frame_bytes > 0);
    CHECK(report->largest_frame_function.rfind("w2c_", 0) == 0);
    std::string out = options.output_dir;
    std::vector<std::string> cc{"cc", "-O2", "-std=gnu11", "-Wall", "-Wextra", "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0",
                                "-DWASMIOT_RT_MEMORY_PAGES=0",
                                "-DWASMIOT_RT_STACK_BYTES=8192", budget, "-I" + out};
    std::vector<std::string> module = cc, rest = cc;
    module.insert(module.end(), {"-fstack-usage", "-c", out + "/stack.c", "-o", dir.File("stack.o")});
    // -z now: a lazily bound first call to the trap path would run the
    // dynamic linker's resolver, which saves the vector registers on the stack.
    rest.insert(rest.end(), {DataDir() + "/aot/stack_harness.c", out + "/wasmiot_rt_static.c", dir.File("stack.o"),
                             "-Wl,-z,now", "-o", dir.File("host-harness")});
    for (const auto& argv : {module, rest}) {
      RunResult built = Run(argv);
      INFO(built.err);
      REQUIRE(built.exit_code == 0);
    }
    RunResult ran = Run({"timeout", "60", dir.File("host-harness")});
    INFO(ran.err);
    REQUIRE(ran.exit_code == 0);
    // The host's frames, from the same compiler's report.
    ExpectStackBudgetHeld(ran.out, kBudget, LargestStackFrame(ReadText(dir.File("stack.su"))).bytes);
  }
  for (const Mps2Board& board : kMps2Boards) {
    INFO(board.target << " (" << board.machine << ")");
    AotOptions options;
    options.target = board.target;
    options.output_dir = dir.File(board.target);
    Diagnostics d;
    Result<AotReport> report = CompileAot(wasm, "stack.wasm", options, d);
    REQUIRE(report.ok());
    LinkMps2Image(board, {budget, "-I" + options.output_dir, DataDir() + "/aot/stack_harness.c",
                          options.output_dir + "/libstack.a"}, dir.File("image.elf"));
    ExpectStackBudgetHeld(RunMps2Image(board, dir.File("image.elf")), kBudget, report->largest_frame_bytes);
  }
}

TEST_CASE("Cortex-M33's stack limit register stops the recursion where the software check would") {
  // docs/aot.md, "Stack": on Armv8-M, MSPLIM can hold the limit instead, with
  // the check compiled out (-DWASMIOT_RT_STACK_CHECK=0). The function exit's
  // empty asm must stay even then, or gcc makes stack.wat's recursion a loop
  // that never reaches the limit and `forever` returns where it must trap.
  constexpr uint32_t kBudget = 4096;
  TempDir dir;
  const Mps2Board& board = *std::find_if(std::begin(kMps2Boards), std::end(kMps2Boards),
                                         [](const Mps2Board& b) { return std::string(b.target) == "cortex-m33"; });
  AotOptions options;
  options.target = board.target;
  options.output_dir = dir.File("out");
  Diagnostics d;
  REQUIRE(CompileAot(WatToWasm(ReadText(DataDir() + "/aot/stack.wat")), "stack.wasm", options, d).ok());
  // The module and the runtime again from their sources, as `aot` builds
  // them but without the check.
  const std::string out = options.output_dir;
  const AotTarget& target = *FindAotTarget(board.target);
  for (const std::string unit : {"stack", "wasmiot_rt_static"}) {
    std::vector<std::string> cc{TargetTool(target, "gcc")};
    cc.insert(cc.end(), target.cflags.begin(), target.cflags.end());
    cc.insert(cc.end(), {"-DNDEBUG", "-ffp-contract=off", "-DWASMIOT_RT_STACK_CHECK=0", "-DWASMIOT_RT_MEMORY_PAGES=0",
                         "-DWASMIOT_RT_STACK_BYTES=8192", "-I" + out, "-c", out + "/" + unit + ".c", "-o",
                         dir.File(unit + ".o")});
    RunResult built = Run(cc);
    INFO(built.err);
    REQUIRE(built.exit_code == 0);
  }
  LinkMps2Image(board, {"-DWASMIOT_RT_STACK_CHECK=0", "-DBUDGET=" + std::to_string(kBudget) + "u", "-I" + out,
                        DataDir() + "/aot/msplim_harness.c", dir.File("stack.o"), dir.File("wasmiot_rt_static.o")},
                dir.File("image.elf"));
  std::map<std::string, std::string> v = HarnessValues(RunMps2Image(board, dir.File("image.elf")));
  CHECK(v["shallow"] == "20");
  CHECK(v["fault"] == "stkof");
  CHECK(v["sp_above_limit"] == "0");
  // As deep as the software check goes with this budget: 8-byte frames.
  uint64_t calls = std::stoull(v["calls"].empty() ? "0" : v["calls"]);
  CHECK(calls >= kBudget / 8 - 8);
  CHECK(calls <= kBudget / 8);
}

TEST_CASE("the wasm2c glue gives each call the device's stack budget below its caller, on MPS2 boards") {
  // stack_glue_harness.c calls stack.wat's endless recursion through the
  // `gen host --lang wasm2c` wrappers from main and from 1 KiB further down
  // the stack: each call must get the whole budget below its caller (the
  // wrappers re-anchor the limit, as an RTOS task calling on its own stack
  // needs), trap as stack-exhausted, and leave the module usable.
  TempDir dir;
  WriteBytes(dir.File("stack.wasm"), WatToWasm(ReadText(DataDir() + "/aot/stack.wat")));
  WriteText(dir.File("device.json"), R"({"manifest_version": 1,
    "device": {"vendor": "v", "class": "c", "api_version": "1.0.0"},
    "imports": {},
    "exports": {"shallow": {"required": true, "results": [{"name": "depth", "type": "i32"}]},
                "forever": {"required": true, "results": [{"name": "depth", "type": "i32"}]},
                "calls": {"required": true, "results": [{"name": "calls", "type": "i32"}]}},
    "budgets": {"memory": {"initial_pages": 0, "max_pages": 0}, "table": {"max_elements": 0}, "stack_bytes": 4096,
                "heap_bytes": 0, "fuel_per_call": 100000, "wall_ms_per_call": 10, "max_module_bytes": 8192},
    "features": ["mutable-globals"],
    "aot_targets": ["cortex-m3", "cortex-m4f", "cortex-m7", "cortex-m33"],
    "runtime": "wasm2c"})");
  for (const Mps2Board& board : kMps2Boards) {
    INFO(board.target << " (" << board.machine << ")");
    const std::string out = dir.File(std::string("aot-") + board.target);
    RunResult aot = RunWasmiot({"aot", dir.File("stack.wasm"), "--target", board.target, "-m", dir.File("device.json"),
                                "--name", "stack", "-o", out, "--json"});
    INFO(aot.err);
    REQUIRE(aot.exit_code == 0);
    uint64_t largest_frame = nlohmann::json::parse(aot.out)["largest_frame"]["bytes"];
    REQUIRE(RunWasmiot({"gen", "host", "--lang", "wasm2c", "--name", "stack", "-m", dir.File("device.json"), "-o", out})
                .exit_code == 0);
    LinkMps2Image(board, {"-I" + out, DataDir() + "/aot/stack_glue_harness.c", out + "/wasmiot_wasm2c.c",
                          out + "/libstack.a"}, dir.File("image.elf"));
    std::string ran = RunMps2Image(board, dir.File("image.elf"));
    INFO(ran << "largest frame " << largest_frame);
    std::map<std::string, std::string> v = HarnessValues(ran);
    CHECK(std::stoull(v["caller_gap"]) >= 1024u);
    for (const char* call : {"shallow", "deep"}) {
      INFO(call);
      CHECK(v[std::string(call) + "_status"] == "stack-exhausted");
      uint64_t used = std::stoull(v[std::string(call) + "_used"]);
      CHECK(used >= 4096u);
      CHECK(used <= 4096u + largest_frame + 384u);
      CHECK(std::stoull(v[std::string(call) + "_calls"]) > 0u);
    }
    CHECK(v["deep_calls"] == v["shallow_calls"]);  // the same budget, wherever the call came from
    CHECK(v["again_status"] == "ok");
    CHECK(v["again_depth"] == "20");
  }
}

TEST_CASE("the chapter's workloads make the same host calls and return the same values everywhere") {
  // Built from C with clang at test time; host functions log their arguments
  // and return zero, on both sides (wasm-interp --dummy-import-func).
  TempDir built;
  RunResult r = Run({"env", "WASMIOT=" + WasmiotExe(), "bash", SourceDir() + "/scripts/build-workloads.sh", built.path()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const auto& entry : std::filesystem::directory_iterator(built.path())) {
    if (entry.path().extension() != ".wasm") continue;  // gen/: the bindings they were built with
    std::string name = entry.path().stem().string();
    Bytes wasm;
    {
      std::string text = ReadText(entry.path().string());
      wasm.assign(text.begin(), text.end());
    }
    for (const char* target : kLinuxTargets) {
      INFO(name << " on " << target);
      TempDir dir;
      ExpectSameAsInterpreter(dir, CompileWasm(dir, name, wasm, target), *FindAotTarget(target),
                              {"--dummy-import-func"});
    }
  }
}

TEST_CASE("every bare-metal target compiles and links a test image with -Werror") {
  for (const AotTarget& target : AotTargets()) {
    if (target.kind != TargetKind::kBareMetal) continue;
    INFO(target.name);
    TempDir dir;
    Compiled c = CompileFor(dir, "arith.wat", std::string(target.name));
    WriteText(dir.File("image.c"), Harness(c.name, c.module, /*static_runtime=*/true, /*print=*/false));
    std::vector<std::string> link{TargetTool(target, "gcc")};
    std::vector<std::string> flags = Flags(target);
    link.insert(link.end(), flags.begin(), flags.end());
    link.insert(link.end(), {"-I" + c.dir, dir.File("image.c")});
    std::string prefix(target.tool_prefix);
    if (prefix == "arm-none-eabi-") {
      link.push_back("--specs=nosys.specs");  // newlib, no OS
    } else if (prefix == "riscv64-unknown-elf-") {
      // picolibc's semihosting OS layer, and RAM for the static linear memory.
      link.insert(link.end(), {"--oslib=semihost", "-Wl,--defsym=__ram_size=0x100000"});
    } else {
      // No libc at all: the firmware SDK supplies these; the image brings its own,
      // and stand-ins for the soft-float routines the ESP8266 has in ROM.
      WriteText(dir.File("libc.c"), ReadText(DataDir() + "/aot/freestanding_libc.c"));
      link.insert(link.end(), {dir.File("libc.c"), "-nostdlib", "-Wl,-e,main",
                               DataDir() + "/aot/esp8266_softfloat.ld"});  // implicit script: adds, replaces nothing
    }
    link.insert(link.end(), {c.dir + "/lib" + c.name + ".a"});
    if (target.has_libc) link.push_back("-lm");
    link.insert(link.end(), {"-lgcc", "-Wl,--gc-sections", "-o", dir.File("image.elf")});
    RunResult built = Run(link);
    INFO(built.err);
    CHECK(built.exit_code == 0);
  }
}

TEST_CASE("the bare-metal runtime is sized by the manifest's budgets and the module's maximum") {
  TempDir dir;
  Bytes wasm = WatToWasm("(module (memory 1) (func (export \"run\")))");
  Diagnostics d;
  Result<Manifest> manifest = LoadManifest(DataDir() + "/manifests/good-minimal.json", d);
  REQUIRE(manifest.ok());
  manifest->aot_targets = {"cortex-m0plus"};  // good-minimal.json lists none
  AotOptions options;
  options.target = "cortex-m0plus";
  options.output_dir = dir.File("out");
  Result<AotReport> unbounded = CompileAotForDevice(wasm, "m.wasm", &*manifest, options, d);
  INFO(DiagnosticsText(d));
  REQUIRE(unbounded.ok());
  CHECK(unbounded->memory_pages == 2);  // the device's max_pages
  CHECK(unbounded->stack_bytes == 4096);  // the device's stack_bytes
  REQUIRE(unbounded->sizes.size() == 2);
  CHECK(unbounded->sizes[1].file == "wasmiot_rt_static.o");
  CHECK(unbounded->sizes[1].bss >= 2 * 65536);

  Bytes bounded_wasm = WatToWasm("(module (memory 1 1) (func (export \"run\")))");
  Result<AotReport> bounded = CompileAotForDevice(bounded_wasm, "m.wasm", &*manifest, options, d);
  REQUIRE(bounded.ok());
  CHECK(bounded->memory_pages == 1);  // never more than the module can use
  CHECK(bounded->sizes[1].bss < 2 * 65536);
}

TEST_CASE("aot: bad inputs and failing tools leave nothing behind") {
  TempDir dir;
  std::string module = dir.File("m.wasm");
  WriteBytes(module, WatToWasm(ReadText(DataDir() + "/aot/arith.wat")));
  std::string out = dir.File("out");
  auto nothing_left = [&] {
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
      std::string name = e.path().filename();
      CHECK((name == "m.wasm" || name == "bin" || name == "blocker"));
    }
  };
  SECTION("an unknown target: exit 2, with a suggestion") {
    RunResult r = RunWasmiot({"aot", module, "--target", "cortex-m5", "-o", out});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("unknown target (did you mean 'cortex-m3'?); the targets are "));
    CHECK_THAT(r.err, Catch::Contains("cortex-m4f, "));
    nothing_left();
  }
  SECTION("a compiler that is not installed: exit 3, naming the Debian package") {
    std::filesystem::create_directory(dir.File("bin"));
    RunResult r = Run({"env", "PATH=" + dir.File("bin"), WasmiotExe(), "aot", module, "--target", "cortex-m4f", "-o", out});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("apt-get install gcc-arm-none-eabi"));
    nothing_left();
  }
  SECTION("a compiler that fails: exit 3, its stderr shown") {
    std::filesystem::create_directory(dir.File("bin"));
    std::string fake = dir.File("bin/arm-none-eabi-gcc");
    WriteText(fake, "#!/bin/sh\necho 'fake-cc: internal compiler error' >&2\nexit 1\n");
    std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
    RunResult r = Run({"env", "PATH=" + dir.File("bin") + ":/usr/bin:/bin", WasmiotExe(), "aot", module, "--target",
                       "cortex-m4f", "-o", out});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("fake-cc: internal compiler error"));
    CHECK_THAT(r.err, Catch::Contains("[compiler-failed]"));
    nothing_left();
  }
  SECTION("an output folder that cannot be created: exit 3") {
    WriteText(dir.File("blocker"), "a file, not a folder");
    RunResult r = RunWasmiot({"aot", module, "--target", "host", "-o", dir.File("blocker/out")});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("[io-error]"));
    nothing_left();
  }
  SECTION("a module that fails check: exit 1") {
    RunResult r = RunWasmiot({"aot", module, "--target", "host", "-o", out, "-m",
                              SourceDir() + "/templates/thermostat/device.json"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("[export-missing]"));
    nothing_left();
  }
  SECTION("a feature wasm2c cannot compile: exit 1, naming it") {
    std::string simd = dir.File("simd.wasm");
    WriteBytes(simd, WatToWasm("(module (func (export \"f\") (result v128) v128.const i32x4 0 0 0 0))"));
    RunResult r = RunWasmiot({"aot", simd, "--target", "host", "-o", out});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("error: simd: used by the type section; wasm2c"));
    std::filesystem::remove(simd);
    nothing_left();
  }
  SECTION("no target given: exit 2") {
    CHECK(RunWasmiot({"aot", module, "-o", out}).exit_code == 2);
  }
}

TEST_CASE("aot creates a missing output folder, parents included, whole") {
  TempDir dir;
  std::string module = dir.File("m.wasm");
  WriteBytes(module, WatToWasm(ReadText(DataDir() + "/aot/arith.wat")));
  std::string out = dir.File("a/b/aot");
  RunResult r = RunWasmiot({"aot", module, "--target", "host", "-o", out});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(std::filesystem::exists(out + "/libm.a"));
  for (const auto& e : std::filesystem::directory_iterator(dir.File("a/b"))) {
    CHECK(e.path().filename() == "aot");  // no staging folder left beside it
  }
  // Again, into the now existing folder: files are replaced one by one.
  REQUIRE(RunWasmiot({"aot", module, "--target", "host", "-o", out}).exit_code == 0);
  CHECK(std::filesystem::exists(out + "/m.c"));
}

TEST_CASE("aot --json and --list-targets --json match their schema") {
  TempDir dir;
  std::string module = dir.File("m.wasm");
  WriteBytes(module, WatToWasm(ReadText(DataDir() + "/aot/arith.wat")));
  for (std::vector<std::string> args : {std::vector<std::string>{"aot", module, "--target", "cortex-m4f", "-o", dir.File("out"), "--json"},
                                        {"aot", "--list-targets", "--json"},
                                        {"aot", module, "--target", "nope", "-o", dir.File("x"), "--json"}}) {
    RunResult r = RunWasmiot(args);
    std::string file = dir.File("doc.json");
    WriteText(file, r.out);
    INFO(r.out);
    CHECK(SchemaVerdicts("aot-output.schema.json", {file})[0] == "valid " + file);
  }
  RunResult list = RunWasmiot({"aot", "--list-targets"});
  CHECK(list.exit_code == 0);
  CHECK(std::count(list.out.begin(), list.out.end(), '\n') == static_cast<long>(AotTargets().size()));
}

TEST_CASE("aot output is reproducible") {
  TempDir dir;
  Bytes wasm = WatToWasm(ReadText(DataDir() + "/aot/arith.wat"));
  Diagnostics d;
  for (std::string target : {"host", "cortex-m4f"}) {
    AotOptions a;
    a.target = target;
    a.output_dir = dir.File("a-" + target);
    a.module_name = "arith";
    AotOptions b = a;
    b.output_dir = dir.File("b-" + target);
    REQUIRE(CompileAot(wasm, "arith.wasm", a, d).ok());
    REQUIRE(CompileAot(wasm, "arith.wasm", b, d).ok());
    for (std::string file : {"arith.c", "arith.h", "arith.o", "libarith.a"}) {
      INFO(target << " " << file);
      CHECK(ReadText(a.output_dir + "/" + file) == ReadText(b.output_dir + "/" + file));
    }
  }
}

TEST_CASE("the firmware example in docs/ runs on the host and links for Cortex-M4F") {
  TempDir dir;
  std::string wasm = dir.File("thermostat.wasm");
  WriteBytes(wasm, WatToWasm(ReadText(DataDir() + "/modules/thermostat.wat")));
  std::string manifest = SourceDir() + "/templates/thermostat/device.json";
  std::string example = SourceDir() + "/docs/examples/firmware/thermostat_firmware.c";

  // The glue goes into each AOT folder, as docs/examples/firmware says.
  auto gen = [&](const std::string& out) {
    return RunWasmiot({"gen", "host", "--lang", "wasm2c", "--name", "thermostat", "-m", manifest, "-o", out}).exit_code;
  };
  REQUIRE(RunWasmiot({"aot", wasm, "--target", "host", "-o", dir.File("host"), "-m", manifest}).exit_code == 0);
  REQUIRE(gen(dir.File("host")) == 0);
  RunResult built = Run({"cc", "-O2", "-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-I" + dir.File("host"),
                         example, dir.File("host/wasmiot_wasm2c.c"), dir.File("host/libthermostat.a"), "-lm", "-o",
                         dir.File("firmware")});
  INFO(built.err);
  REQUIRE(built.exit_code == 0);
  RunResult ran = Run({"timeout", "60", dir.File("firmware")});
  CHECK(ran.exit_code == 0);
  // thermostat.wat: 18 C heats at fan 60; 25 C cools at fan 60, then humidity sets 50.
  CHECK(ran.out == "log: thermostat ready\nhvac mode 1\nfan speed 60\nhvac mode 2\nfan speed 60\nfan speed 50\n");

  REQUIRE(RunWasmiot({"aot", wasm, "--target", "cortex-m4f", "-o", dir.File("m4"), "-m", manifest}).exit_code == 0);
  REQUIRE(gen(dir.File("m4")) == 0);
  const AotTarget& m4 = *FindAotTarget("cortex-m4f");
  std::vector<std::string> link{TargetTool(m4, "gcc")};
  std::vector<std::string> flags = Flags(m4);
  link.insert(link.end(), flags.begin(), flags.end());
  link.insert(link.end(), {"-Wall", "-Wextra", "-Werror", "-I" + dir.File("m4"), example, dir.File("m4/wasmiot_wasm2c.c"),
                           dir.File("m4/libthermostat.a"), "--specs=nosys.specs",
                           "-Wl,--gc-sections", "-lm", "-o", dir.File("firmware.elf")});
  RunResult linked = Run(link);
  INFO(linked.err);
  CHECK(linked.exit_code == 0);
}

TEST_CASE("every target has its id from the device library's one list, and every id a target") {
  std::set<int> ids;
  for (const AotTarget& t : AotTargets()) {
    INFO(t.name);
    REQUIRE(wasmiot_target_name(t.id) != nullptr);
    CHECK(t.name == wasmiot_target_name(t.id));
    CHECK(ids.insert(t.id).second);
  }
  for (int id = 1; id < 256; ++id) CHECK((wasmiot_target_name(static_cast<uint8_t>(id)) != nullptr) == (ids.count(id) == 1));
  CHECK(wasmiot_target_name(0) == nullptr);
}

TEST_CASE("device code: accesses forced inline, bounds checked against a constant when memory cannot grow") {
  auto module = [](const std::string& wat) {
    Diagnostics d;
    Result<ModuleInfo> m = ReadModule(WatToWasm(wat), "m.wasm", d);
    REQUIRE(m.ok());
    return std::move(m).value();
  };
  CHECK(FixedMemoryBytes(module("(module (memory 3))")) == uint64_t{3 * 65536});
  CHECK(FixedMemoryBytes(module("(module (memory 2 2) (func (drop (memory.grow (i32.const 1)))))")) ==
        uint64_t{2 * 65536});
  CHECK(FixedMemoryBytes(module("(module (memory 2 3) (func (drop (memory.grow (i32.const 1)))))")) == std::nullopt);
  CHECK(FixedMemoryBytes(module("(module (memory 2) (func (drop (memory.size))))")) == uint64_t{2 * 65536});
  CHECK(FixedMemoryBytes(module("(module (import \"env\" \"memory\" (memory 1)))")) == std::nullopt);
  CHECK(FixedMemoryBytes(module("(module)")) == std::nullopt);

  Result<GeneratedC> generated = GenerateC(WatToWasm(ReadText(DataDir() + "/aot/fixed_memory.wat")), "m", "m.h");
  REQUIRE(generated.ok());
  std::string c = generated->source;
  REQUIRE(TuneDeviceCode(c, uint64_t{65536}).ok());
  CHECK_THAT(c, Catch::Contains("#define WASMIOT_MEMORY_BYTES UINT64_C(65536)") &&
                    Catch::Contains("static inline WASMIOT_ACCESS t3 name(") &&
                    Catch::Contains("(uint64_t)len > WASMIOT_MEMORY_BYTES || offset > WASMIOT_MEMORY_BYTES - "));
  CHECK(c.find("> mem->size))") == std::string::npos);
  std::string growing = generated->source;
  REQUIRE(TuneDeviceCode(growing, std::nullopt).ok());
  CHECK(growing.find("WASMIOT_MEMORY_BYTES") == std::string::npos);
  CHECK_THAT(growing, Catch::Contains("> mem->size))"));
  // Output from another wasm2c is refused whole, never half rewritten.
  std::string other = generated->source;
  other.replace(other.find("static inline t3 name("), 6, "STATIC");
  const std::string before = other;
  CHECK_FALSE(TuneDeviceCode(other, uint64_t{65536}).ok());
  CHECK(other == before);
}
