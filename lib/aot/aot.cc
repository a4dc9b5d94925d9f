#include "aot/aot.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "aot/device_code.h"
#include "aot/embedded_sources.h"
#include "aot/wasm2c_bridge.h"
#include "module/module_info.h"
#include "support/process.h"
#include "support/staging.h"
#include "support/text.h"

namespace wasmiot {
namespace {

namespace fs = std::filesystem;

// Prepended to the wasm-rt.h we emit, so that the module, the runtime and the
// firmware that includes the header all agree on how stack exhaustion traps.
// wasm2c's 64-bit default finds it by the native stack overflowing into a
// guard page, which an optimizer can defeat by turning recursion into a loop
// (it did, in our differential tests): Linux targets count call depth, which
// traps deterministically. Bare-metal targets compare the stack pointer with
// a limit instead (lib/aot/device_code.cc): no counter to keep in RAM, and
// the budget is the device's bytes of stack rather than a number of calls.
constexpr std::string_view kLinuxWasmRtConfig =
    "/* wasmiot: count call depth (see docs/aot.md, \"Traps\"). */\n"
    "#ifndef WASM_RT_USE_STACK_DEPTH_COUNT\n"
    "#define WASM_RT_USE_STACK_DEPTH_COUNT 1\n"
    "#endif\n";
constexpr std::string_view kBareMetalWasmRtConfig =
    "/* wasmiot: check the stack pointer against the runtime's limit on every\n"
    " * function entry (see docs/aot.md, \"Stack\"); define\n"
    " * WASM_RT_USE_STACK_DEPTH_COUNT 1 to count call depth instead. */\n"
    "#define WASMIOT_RT_BARE_METAL 1 /* the glue (wasmiot gen host --lang wasm2c) asks */\n"
    "#ifndef WASM_RT_USE_STACK_DEPTH_COUNT\n"
    "#define WASM_RT_USE_STACK_DEPTH_COUNT 0\n"
    "#endif\n"
    "#ifndef WASMIOT_RT_STACK_CHECK\n"
    "#define WASMIOT_RT_STACK_CHECK (!WASM_RT_USE_STACK_DEPTH_COUNT)\n"
    "#endif\n";

Status WriteText(const std::string& path, std::string_view text) {
  return WriteFileAtomically(path, text.data(), text.size());
}

// Parses Berkeley `size` output: "text data bss dec hex filename" rows.
std::vector<ObjectSize> ParseSize(const std::string& out) {
  std::vector<ObjectSize> sizes;
  std::istringstream lines(out);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream row(line);
    ObjectSize s;
    std::string dec, hex, file;
    if (row >> s.text >> s.data >> s.bss >> dec >> hex >> file) {
      s.file = fs::path(file).filename().string();
      sizes.push_back(s);
    }
  }
  return sizes;
}

// The static memory for a bare-metal runtime: what the module can ever use
// (its declared maximum), capped by the device's budget; without a declared
// maximum, the device's budget (or, with no device, the initial size).
uint32_t MemoryPages(const ModuleInfo& module, std::optional<uint32_t> budget) {
  const Limits* limits = nullptr;
  if (!module.memories.empty()) limits = &module.memories.front();
  for (const ImportInfo& i : module.imports) {
    if (i.kind == ExternKind::kMemory) limits = &i.limits;
  }
  if (!limits) return 0;
  uint64_t pages = limits->max ? *limits->max : budget ? *budget : limits->initial;
  if (budget) pages = std::min<uint64_t>(pages, *budget);
  return static_cast<uint32_t>(pages);
}

}  // namespace

StackFrame LargestStackFrame(std::string_view report) {
  StackFrame largest;
  std::istringstream lines{std::string(report)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string where;
    uint64_t bytes = 0;
    if (!std::getline(fields, where, '\t') || !(fields >> bytes) || bytes <= largest.bytes) continue;
    size_t colon = where.rfind(':');
    largest = {colon == std::string::npos ? where : where.substr(colon + 1), bytes};
  }
  return largest;
}

FeatureSet Wasm2cFeatures() {
  FeatureSet set;
  for (Feature f : {Feature::kMutableGlobals, Feature::kSaturatingFloatToInt, Feature::kSignExtension,
                    Feature::kMultiValue, Feature::kBulkMemory}) {
    set.Add(f);
  }
  return set;
}

bool ShadowsSystemHeader(std::string_view name) {
  // C11 and POSIX headers a C library's own headers include by name: the
  // output folder is on the include path, so NAME.h would be found first
  // (strings.h, included by glibc's string.h, broke a module named "strings").
  static constexpr std::string_view kHeaders[] = {
      "alloca", "assert", "complex", "ctype", "dirent", "dlfcn", "endian", "errno", "fcntl", "features", "fenv",
      "float", "inttypes", "iso646", "limits", "locale", "malloc", "math", "memory", "newlib", "pthread", "sched",
      "setjmp", "signal", "stdalign", "stdarg", "stdatomic", "stdbool", "stddef", "stdint", "stdio", "stdlib",
      "stdnoreturn", "string", "strings", "tgmath", "threads", "time", "uchar", "unistd", "wchar", "wctype"};
  return std::find(std::begin(kHeaders), std::end(kHeaders), name) != std::end(kHeaders);
}

std::string ModuleNameFromPath(const std::string& path) {
  std::string stem = fs::path(path).stem().string();
  std::string out;
  for (char c : stem) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (out.size() > 60) out.resize(60);
  if (!IsGeneratedSymbolName(out)) out = "m_" + out;
  if (ShadowsSystemHeader(out)) out += "_module";
  return out;
}

bool CheckAotTarget(std::string_view name, const std::vector<std::string>* accepted, Diagnostics& diagnostics) {
  if (!FindAotTarget(name)) {
    std::vector<std::string_view> names;
    for (const AotTarget& t : AotTargets()) names.push_back(t.name);
    std::string hint;
    if (auto near = ClosestMatch(name, names)) hint = fmt::format(" (did you mean '{}'?)", *near);
    diagnostics.AddError("unknown-target", std::string(name),
                         fmt::format("unknown target{}; the targets are {}", hint, fmt::join(names, ", ")));
    return false;
  }
  if (!accepted) return true;
  if (std::find(accepted->begin(), accepted->end(), name) != accepted->end()) return true;
  diagnostics.AddError("target-not-accepted", std::string(name),
                       fmt::format("the device accepts AOT code only for: {} (the manifest's aot_targets)",
                                   accepted->empty() ? std::string("none") : fmt::format("{}", fmt::join(*accepted, ", "))));
  return false;
}

namespace {

// Everything `aot` does but putting the files in place: they are left in
// `staging`, created beside options.output_dir once the inputs are checked.
Result<AotReport> CompileInto(std::optional<Staging>& staging_slot, const Bytes& wasm, const std::string& path,
                              const AotOptions& options, Diagnostics& diagnostics) {
  const Error failed{ErrorKind::kInvalidInput, "cannot compile"};
  if (!options.module_name.empty() && !IsGeneratedSymbolName(options.module_name)) {
    // The name becomes file names and C symbols: "../x" would write outside the folder.
    diagnostics.AddError("usage", options.module_name,
                         "the module name must be a C identifier ([A-Za-z_][A-Za-z0-9_]*, at most 64, "
                         "not a C, C++ or Rust keyword)");
    return failed;
  }
  if (ShadowsSystemHeader(options.module_name)) {
    diagnostics.AddError("usage", options.module_name,
                         fmt::format("the module's header {}.h would shadow the C library's: choose another name, "
                                     "e.g. --name {}_module",
                                     options.module_name, options.module_name));
    return failed;
  }
  if (!CheckAotTarget(options.target, options.accepted_targets, diagnostics)) return failed;
  const AotTarget* target = FindAotTarget(options.target);
  std::string cc = TargetTool(*target, "gcc");
  if (!TargetInstalled(*target)) {
    diagnostics.AddError("compiler-missing", cc,
                         fmt::format("the {} compiler is not installed: apt-get install {}", target->name,
                                     target->package));
    return failed;
  }

  Result<ModuleInfo> module = ReadModule(wasm, path, diagnostics);
  if (!module) return module.error();
  for (Feature f : module->features_used.List()) {
    if (!Wasm2cFeatures().Has(f)) {
      Diagnostic& d = diagnostics.AddError("feature-unsupported-by-target", path,
          fmt::format("used by {}; wasm2c (wabt 1.0.32) cannot compile it for any target",
                      DescribeFeatureUse(wasm, path, f)));
      d.item = std::string(FeatureName(f));
    }
  }
  if (diagnostics.HasErrors()) return failed;

  const Staging& staging = staging_slot.emplace(options.output_dir);
  if (!staging.ok()) {
    diagnostics.AddError("io-error", options.output_dir,
                         fmt::format("cannot create a folder beside it: {}", std::strerror(errno)));
    return Error{ErrorKind::kIo, "cannot stage"};
  }
  AotReport report;
  report.target = std::string(target->name);
  report.compiler = cc;
  for (std::string_view f : target->cflags) report.cflags.emplace_back(f);
  std::string name = options.module_name.empty() ? ModuleNameFromPath(path) : options.module_name;
  Result<GeneratedC> generated = GenerateC(wasm, name, name + ".h");
  if (!generated) {
    diagnostics.AddError("internal-error", path, generated.error().message);
    return generated.error();
  }
  if (target->device_code) {
    if (Status tuned = TuneDeviceCode(generated->source, FixedMemoryBytes(*module)); !tuned) {
      diagnostics.AddError("internal-error", path, tuned.error().message);
      return tuned.error();
    }
  }

  bool bare = target->kind == TargetKind::kBareMetal;
  std::string runtime = bare ? "wasmiot_rt_static" : "wasm-rt-impl";
  std::vector<std::pair<std::string, std::string_view>> sources = {
      {name + ".c", generated->source},
      {name + ".h", generated->header},
  };
  std::string wasm_rt_header = std::string(bare ? kBareMetalWasmRtConfig : kLinuxWasmRtConfig);
  wasm_rt_header += kWasmRtHeader;
  sources.push_back({"wasm-rt.h", wasm_rt_header});
  if (bare) {
    sources.push_back({"wasmiot_rt_static.c", kStaticRuntimeSource});
    sources.push_back({"wasmiot_rt_static.h", kStaticRuntimeHeader});
    if (!target->has_libc) {
      for (const auto& [file, text] : FreestandingHeaders()) sources.push_back({file, text});
    }
  } else {
    sources.push_back({"wasm-rt-impl.c", kWasmRtImplSource});
    sources.push_back({"wasm-rt-impl.h", kWasmRtImplHeader});
  }
  for (const auto& [file, text] : sources) {
    Status s = WriteText(staging.File(file), text);
    if (!s) {
      diagnostics.AddError("io-error", options.output_dir, s.error().message);
      return s.error();
    }
    report.files.push_back(file);
  }

  // Tools run inside the staging folder with relative names, so no temporary
  // path ends up in an object: the same input gives the same bytes.
  auto run = [&](std::vector<std::string> argv) -> bool {
    Result<ProcessResult> r = RunProcess(argv, staging.File(""));
    if (!r || r->exit_code != 0) {
      std::string what = r ? r->err + r->out : r.error().message;
      diagnostics.AddError("compiler-failed", argv[0],
                           fmt::format("{} failed:\n{}", fmt::join(argv, " "), what));
      return false;
    }
    return true;
  };
  std::vector<std::string> flags(report.cflags);
  flags.insert(flags.end(), {"-std=gnu11", "-ffunction-sections", "-fdata-sections", "-I."});
  if (bare) {
    report.memory_pages = MemoryPages(*module, options.memory_budget_pages);
    report.stack_bytes = options.stack_budget_bytes.value_or(kDefaultDeviceStackBytes);
    flags.push_back(fmt::format("-DWASMIOT_RT_MEMORY_PAGES={}", report.memory_pages));
    flags.push_back(fmt::format("-DWASMIOT_RT_STACK_BYTES={}", report.stack_bytes));
  }
  auto compile = [&](const std::string& source, const std::string& object, bool stack_usage) {
    std::vector<std::string> argv{cc};
    argv.insert(argv.end(), flags.begin(), flags.end());
    if (stack_usage) argv.push_back("-fstack-usage");  // writes NAME.su, which is not an output
    argv.insert(argv.end(), {"-c", source, "-o", object});
    return run(argv);
  };
  std::string library = "lib" + name + ".a";
  report.library = library;
  if (!compile(name + ".c", name + ".o", true) || !compile(runtime + ".c", runtime + ".o", false) ||
      !run({TargetTool(*target, "ar"), "rcsD", library, name + ".o", runtime + ".o"})) {
    return failed;
  }
  report.files.insert(report.files.end(), {name + ".o", runtime + ".o", library});

  Result<ProcessResult> size = RunProcess({TargetTool(*target, "size"), name + ".o", runtime + ".o"},
                                          staging.File(""));
  if (size && size->exit_code == 0) report.sizes = ParseSize(size->out);
  if (report.sizes.size() != 2) {
    diagnostics.AddError("compiler-failed", TargetTool(*target, "size"), "cannot measure the objects");
    return failed;
  }
  Result<Bytes> stack_usage = ReadInputFile(staging.File(name + ".su"), uint64_t{64} << 20);
  if (!stack_usage) {
    diagnostics.AddError("compiler-failed", cc, "wrote no stack-usage report (-fstack-usage)");
    return failed;
  }
  StackFrame largest =
      LargestStackFrame(std::string_view(reinterpret_cast<const char*>(stack_usage->data()), stack_usage->size()));
  report.largest_frame_function = largest.function;
  report.largest_frame_bytes = largest.bytes;
  return report;
}

}  // namespace

Result<AotReport> CompileAot(const Bytes& wasm, const std::string& path, const AotOptions& options,
                             Diagnostics& diagnostics) {
  std::optional<Staging> staging;
  Result<AotReport> compiled = CompileInto(staging, wasm, path, options, diagnostics);
  if (!compiled) return compiled;
  AotReport report = std::move(compiled).value();
  for (const std::string& file : report.files) {
    if (!RefuseOverwritingInputs(options.output_dir + "/" + file, "-o", false, options.inputs, diagnostics)) {
      return Error{ErrorKind::kInvalidInput, "cannot compile"};
    }
  }
  Status committed = staging->Commit(options.output_dir, report.files);
  if (!committed) {
    diagnostics.AddError("io-error", options.output_dir, committed.error().message);
    return committed.error();
  }
  return report;
}

Result<Bytes> CompileAotLibrary(const Bytes& wasm, const std::string& path, const AotOptions& options,
                                Diagnostics& diagnostics) {
  std::optional<Staging> staging;
  Result<AotReport> compiled = CompileInto(staging, wasm, path, options, diagnostics);
  if (!compiled) return compiled.error();
  Result<Bytes> library = ReadInputFile(staging->File(compiled->library), uint64_t{1} << 30);
  if (!library) diagnostics.AddError("io-error", staging->File(compiled->library), library.error().message);
  return library;
}

}  // namespace wasmiot
