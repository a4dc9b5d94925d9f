#include "check/check.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "module/wamr_memory.h"
#include "support/text.h"

namespace wasmiot {
namespace {

std::vector<WasmType> Types(const std::vector<ValueType>& types) {
  std::vector<WasmType> out;
  for (ValueType t : types) out.push_back(WasmTypeOf(t));
  return out;
}

// The names of the flat wasm parameters: a pointer gives its own and its length's.
std::vector<std::string> ParamNames(const Signature& sig) {
  std::vector<std::string> out;
  for (const Param& p : sig.params) {
    out.push_back(p.name);
    if (p.is_pointer) out.push_back(p.length_name);
  }
  return out;
}

// Says how the module's signature differs from the declared one, or "" if it does not.
std::string DescribeMismatch(const FuncSignature& actual, const Signature& declared,
                             std::string_view provider) {
  std::vector<WasmType> want_params = Types(declared.WasmParams());
  std::vector<WasmType> want_results = Types(declared.WasmResults());
  std::vector<std::string> problems;
  if (actual.params.size() != want_params.size()) {
    problems.push_back(fmt::format("takes {} {}, {} {} {}", Plural(actual.params.size(), "parameter"),
                                   FormatTypeList(actual.params), provider, want_params.size(), FormatTypeList(want_params)));
  } else {
    std::vector<std::string> names = ParamNames(declared);
    for (size_t i = 0; i < want_params.size(); ++i) {
      if (actual.params[i] != want_params[i]) {
        problems.push_back(fmt::format("parameter {} ({}) type {}, {} {}", i, names[i],
                                       WasmTypeName(actual.params[i]), provider, WasmTypeName(want_params[i])));
      }
    }
  }
  if (actual.results.size() != want_results.size()) {
    problems.push_back(fmt::format("returns {} {}, {} {} {}", Plural(actual.results.size(), "value"),
                                   FormatTypeList(actual.results), provider, want_results.size(),
                                   FormatTypeList(want_results)));
  } else {
    for (size_t i = 0; i < want_results.size(); ++i) {
      if (actual.results[i] != want_results[i]) {
        std::string which = want_results.size() == 1 ? "result" : fmt::format("result {}", i);
        problems.push_back(fmt::format("{} type {}, {} {}", which, WasmTypeName(actual.results[i]), provider,
                                       WasmTypeName(want_results[i])));
      }
    }
  }
  std::string out;
  for (const std::string& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

class Checker {
 public:
  Checker(const ModuleInfo& module, const Manifest& manifest, const std::string& path,
          Diagnostics& diagnostics)
      : module_(module), manifest_(manifest), path_(path), diagnostics_(diagnostics) {}

  void Run() {
    Features();
    Imports();
    Exports();
    Memories();
    Tables();
    Size();
    Stack();
    WamrShrinksMemory();
    HostBufferRegion();
    UnusedHostFunctions();
  }

 private:
  void Add(Severity severity, std::string_view code, std::string item, std::string message) {
    Diagnostic& d = diagnostics_.Add(severity, std::string(code), path_, std::move(message));
    d.item = std::move(item);
  }
  void Error(std::string_view code, std::string item, std::string message) {
    Add(Severity::kError, code, std::move(item), std::move(message));
  }

  void Features() {
    for (Feature f : module_.features_used.List()) {
      if (!manifest_.features.Has(f)) {
        Error("feature-unsupported", std::string(FeatureName(f)),
              "the module uses this feature; the device does not support it: compile for the device's features "
              "only (clang: -mcpu=mvp plus one -m<feature> per feature the manifest lists; rustc: -C "
              "target-cpu=mvp -C target-feature=+...; `wasmiot build` derives them), or let `wasmiot opt "
              "--manifest` lower it");
      }
    }
  }

  void Imports() {
    for (const ImportInfo& import : module_.imports) {
      std::string item = import.QualifiedName();
      const HostFunction* fn = manifest_.FindHostFunction(import.module, import.name);
      if (import.kind == ExternKind::kFunc) {
        if (!fn) {
          bool known_module = std::any_of(manifest_.host_functions.begin(), manifest_.host_functions.end(),
              [&](const HostFunction& f) { return f.module == import.module; });
          std::string hint;
          if (import.module.rfind("wasi", 0) == 0) {
            hint = ": the device offers no WASI; build freestanding (clang: --target=wasm32 -nostdlib, not "
                   "wasm32-wasi; Rust: --target wasm32-unknown-unknown with #![no_std]) and call the device's "
                   "host functions instead";
          }
          Error("import-unknown", item,
                (known_module ? std::string("the device provides no such function")
                              : fmt::format("the device provides no import module \"{}\"", import.module)) +
                    hint);
          continue;
        }
        used_.insert(item);
        std::string mismatch = DescribeMismatch(import.signature, fn->signature, "device provides");
        if (!mismatch.empty()) Error("import-signature-mismatch", item, mismatch);
        continue;
      }
      if (fn) {
        Error("import-kind-mismatch", item,
              fmt::format("imported as a {}, the device provides a function", ExternKindName(import.kind)));
        continue;
      }
      if (import.kind == ExternKind::kMemory) {
        const auto& expected = manifest_.memory_import;
        if (!expected) {
          Error("import-kind-unsupported", item, "the device does not provide an imported memory");
        } else if (expected->module != import.module || expected->name != import.name) {
          Error("import-kind-unsupported", item,
                fmt::format("the device provides its memory as {}.{}", expected->module, expected->name));
        } else {
          CheckMemoryLimits(import.limits, item);
        }
        continue;
      }
      Error("import-kind-unsupported", item,
            fmt::format("the device provides no imported {}s", ExternKindName(import.kind)));
    }
  }

  void Exports() {
    for (const ExportSpec& spec : manifest_.exports) {
      const ExportInfo* e = module_.FindExport(spec.name);
      ExternKind want = spec.kind == ExportKind::kMemory ? ExternKind::kMemory : ExternKind::kFunc;
      if (!e) {
        if (spec.required) {
          Error("export-missing", spec.name,
                fmt::format("required {} export is missing", ExportKindName(spec.kind)));
        } else {
          Add(Severity::kWarning, "export-optional-missing", spec.name,
              fmt::format("optional {} export is not provided", ExportKindName(spec.kind)));
        }
        continue;
      }
      if (e->kind != want) {
        Error("export-kind-mismatch", spec.name,
              fmt::format("exported as a {}, the device expects a {}", ExternKindName(e->kind),
                          ExternKindName(want)));
        continue;
      }
      if (want == ExternKind::kFunc) {
        std::string mismatch = DescribeMismatch(e->signature, spec.signature, "device expects");
        if (!mismatch.empty()) Error("export-signature-mismatch", spec.name, mismatch);
      }
    }
  }

  void CheckMemoryLimits(const Limits& limits, const std::string& item) {
    const Budgets& b = manifest_.budgets;
    if (limits.initial > b.initial_pages) {
      Error("memory-over-budget", item,
            fmt::format("initial size {} ({} KiB), budget allows {}: link with --initial-memory={} (clang: "
                        "-Wl,--initial-memory={}; rustc: -C link-arg=--initial-memory={})",
                        Plural(limits.initial, "page"), limits.initial * 64, Plural(b.initial_pages, "page"),
                        uint64_t{b.initial_pages} * 65536, uint64_t{b.initial_pages} * 65536,
                        uint64_t{b.initial_pages} * 65536));
    }
    if (!limits.max) {
      Add(Severity::kWarning, "memory-unbounded", item,
          fmt::format("declares no maximum; the device caps growth at {}", Plural(b.max_pages, "page")));
    } else if (*limits.max > b.max_pages) {
      Error("memory-over-budget", item,
            fmt::format("maximum size {}, budget allows {}: link with --max-memory={} (clang: "
                        "-Wl,--max-memory={}; rustc: -C link-arg=--max-memory={})",
                        Plural(*limits.max, "page"), Plural(b.max_pages, "page"), uint64_t{b.max_pages} * 65536,
                        uint64_t{b.max_pages} * 65536, uint64_t{b.max_pages} * 65536));
    }
  }

  void Memories() {
    for (size_t i = 0; i < module_.memories.size(); ++i) {
      CheckMemoryLimits(module_.memories[i], fmt::format("memory[{}]", i));
    }
  }

  void Tables() {
    uint32_t budget = manifest_.budgets.max_table_elements;
    for (size_t i = 0; i < module_.tables.size(); ++i) {
      const Limits& l = module_.tables[i].limits;
      std::string item = fmt::format("table[{}]", i);
      if (l.initial > budget) {
        Error("table-over-budget", item,
              fmt::format("initial size {}, budget allows {}", Plural(l.initial, "element"), budget));
      }
      if (l.max && *l.max > budget) {
        Error("table-over-budget", item,
              fmt::format("maximum size {}, budget allows {}", Plural(*l.max, "element"), budget));
      } else if (!l.max) {
        Add(Severity::kWarning, "table-unbounded", item,
            fmt::format("declares no maximum; the device caps growth at {}", Plural(budget, "element")));
      }
    }
  }

  void Size() {
    uint64_t budget = manifest_.budgets.max_module_bytes;
    if (module_.size_bytes > budget) {
      Error("module-too-large", "module",
            fmt::format("{}, budget allows {}: `wasmiot opt --manifest` shrinks it (-Oz), or compile with -Oz / "
                        "-C opt-level=z",
                        Plural(module_.size_bytes, "byte"), budget));
    }
  }

  // Where the call graph allows a bound: the deepest chain of frames from each
  // export and the start function, on the device's runtime, against its stack.
  void Stack() {
    uint64_t budget = manifest_.budgets.stack_bytes;
    if (module_.frames.empty() || budget == 0) return;
    FrameCostModel model = FrameCostModelFor(manifest_.runtime);
    uint32_t imports = module_.FunctionImportCount();
    std::map<uint32_t, std::string> names;
    for (const ExportInfo& e : module_.exports) {
      if (e.kind == ExternKind::kFunc) names.emplace(e.index, e.name);
    }
    auto name = [&](uint32_t index) {
      auto it = names.find(index);
      return it != names.end() ? it->second : fmt::format("function {}", index);
    };
    std::vector<std::pair<uint32_t, std::string>> entries;
    for (const ExportInfo& e : module_.exports) {
      if (e.kind == ExternKind::kFunc && manifest_.FindExport(e.name)) entries.push_back({e.index, e.name});
    }
    if (module_.start_function) entries.push_back({*module_.start_function, "start function"});
    for (const auto& [index, item] : entries) {
      StackBound bound = WorstCaseStack(module_.frames, imports, index, model);
      if (!bound.bytes) {
        Add(Severity::kNote, "stack-unbounded", item,
            fmt::format("its stack has no static bound ({}); `wasmiot run` and scenarios stop it at the device's {} "
                        "of stack",
                        bound.unbounded, Plural(budget, "byte")));
        continue;
      }
      if (*bound.bytes <= budget) continue;
      std::string chain;
      for (uint32_t f : bound.chain) chain += (chain.empty() ? "" : " -> ") + name(f);
      Error("stack-over-budget", item,
            fmt::format("needs up to {} of stack on {} ({}), the device gives {}: shorten the call chain or "
                        "its largest frames, or raise budgets.stack_bytes",
                        Plural(*bound.bytes, "byte"), DeviceRuntimeName(manifest_.runtime), chain, budget));
    }
  }

  // WAMR shrinks the memory of a module that never grows it and exports
  // __heap_base and __data_end (a rustc cdylib does) to __heap_base
  // (module/wamr_memory.h): what lies above works on a memory of whole pages
  // and traps on the device. `run` models it.
  void WamrShrinksMemory() {
    if (!IsWamr(manifest_.runtime)) return;
    WamrMemory layout = WamrMemoryLayout(module_, manifest_.budgets.heap_bytes);
    if (!layout.shrunk_from || !layout.fixed_bytes) return;
    std::string heap = layout.heap_bytes > 0 ? fmt::format(" plus its {} app heap", Plural(layout.heap_bytes, "byte")) : "";
    Add(Severity::kWarning, "wamr-memory-shrunk", "memory[0]",
        fmt::format("{} shrinks this module's memory from {} to {} (__heap_base, rounded up to 8, as the module exports "
                    "__heap_base and __data_end and never grows memory){}: an access at or above {} traps on the "
                    "device, e.g. a buffer the host places there. Keep buffers below __heap_base, or do not export "
                    "__heap_base and __data_end",
                    DeviceRuntimeName(manifest_.runtime), Plural(*layout.shrunk_from, "byte"),
                    Plural(layout.heap_offset, "byte"), heap, *layout.fixed_bytes));
  }

  // When the host passes the module buffers, the reserved region of
  // host_buffers must lie in memory the module has on the device and does not
  // use itself: not past it (WAMR may have shrunk it),
  // not in WAMR's app heap, not in a data segment; and better not in the stack.
  void HostBufferRegion() {
    if (!manifest_.host_buffers || manifest_.host_buffers->kind != HostBufferKind::kReserved) return;
    bool used = false;  // only when the module exports a function the host passes buffers
    for (const ExportSpec& e : manifest_.exports) {
      used = used || (e.signature.TakesBuffers() && module_.FindExport(e.name));
    }
    if (!used) return;
    const HostBuffers& region = *manifest_.host_buffers;
    const uint64_t begin = region.address, end = begin + region.bytes;
    auto overlaps = [&](uint64_t from, uint64_t to) { return from < end && begin < to; };
    const std::string item = "host_buffers";
    const std::string where = fmt::format("the host's buffers [{}, {})", begin, end);
    const Limits* memory = FirstMemory(module_);
    if (!memory) {
      Error("host-buffers-outside-memory", item, fmt::format("{} need a memory, and the module has none", where));
      return;
    }
    uint64_t own = memory->initial * kWasmPageBytes;
    std::string why = "its initial memory";
    WamrMemory layout;
    if (IsWamr(manifest_.runtime)) layout = WamrMemoryLayout(module_, manifest_.budgets.heap_bytes);
    if (layout.shrunk_from) {
      own = layout.heap_offset;
      why = fmt::format("what {} leaves of its memory after shrinking it to __heap_base", DeviceRuntimeName(manifest_.runtime));
    }
    if (end > own) {
      Error("host-buffers-outside-memory", item,
            fmt::format("{} end past {} ({}): {}", where, why, Plural(own, "byte"),
                        layout.shrunk_from ? "use host_buffers of kind \"allocator\", or do not export __heap_base"
                                           : "move the region down, or give the module more initial memory"));
      return;
    }
    if (layout.heap_bytes > 0 && overlaps(layout.heap_offset, layout.heap_offset + layout.heap_bytes)) {
      Error("host-buffers-overlap-heap", item,
            fmt::format("{} overlap {}'s app heap [{}, {}), which WAMR hands out itself", where,
                        DeviceRuntimeName(manifest_.runtime), layout.heap_offset, layout.heap_offset + layout.heap_bytes));
    }
    for (const DataSegmentInfo& d : module_.data_segments) {
      if (d.offset && overlaps(*d.offset, *d.offset + d.size)) {
        Error("host-buffers-overlap-data", item,
              fmt::format("{} overlap data segment {} at [{}, {}): the host would overwrite the module's data. "
                          "Move the region, or the module's data (wasm-ld --global-base)",
                          where, d.index, *d.offset, *d.offset + d.size));
      }
    }
    // The stack pointer as WAMR finds it: the first mutable i32 global set by a constant.
    for (const GlobalInfo& g : module_.globals) {
      if (!g.is_mutable || g.type != WasmType::kI32 || !g.initial) continue;
      uint64_t top = *g.initial, bottom = top > manifest_.budgets.stack_bytes ? top - manifest_.budgets.stack_bytes : 0;
      if (overlaps(bottom, top)) {
        Add(Severity::kWarning, "host-buffers-overlap-stack", item,
            fmt::format("{} overlap the module's stack [{}, {}) (its stack pointer's start, less stack_bytes): a deep "
                        "call would meet the host's bytes",
                        where, bottom, top));
      }
      break;
    }
  }

  void UnusedHostFunctions() {
    for (const HostFunction& fn : manifest_.host_functions) {
      if (!used_.count(fn.QualifiedName())) {
        Add(Severity::kNote, "host-function-unused", fn.QualifiedName(),
            "the device provides this function; the module does not import it");
      }
    }
  }

  const ModuleInfo& module_;
  const Manifest& manifest_;
  const std::string& path_;
  Diagnostics& diagnostics_;
  std::set<std::string> used_;
};

}  // namespace

Result<ModuleInfo> LoadAndCheckModule(const std::string& path, const Manifest& manifest,
                                      Diagnostics& diagnostics) {
  Result<Bytes> bytes = ReadInput(path, kMaxModuleFileBytes, "module-too-large", diagnostics);
  if (!bytes) return bytes.error();
  return ReadAndCheckModule(*bytes, path, manifest, diagnostics);
}

Result<ModuleInfo> ReadAndCheckModule(const Bytes& bytes_in, const std::string& path, const Manifest& manifest,
                                      Diagnostics& diagnostics) {
  const Bytes* bytes = &bytes_in;
  Result<ModuleInfo> module = ReadModule(*bytes, path, diagnostics);
  if (!module) return module;
  CheckModule(*module, manifest, path, diagnostics);
  bool feature_reported = std::any_of(diagnostics.list().begin(), diagnostics.list().end(),
      [](const Diagnostic& d) { return d.code == "feature-unsupported"; });
  if (!feature_reported && !module->valid_without_features) {
    // The features were found by elimination; this proves the module valid
    // with the device's set itself, as its runtime will see it. (Valid with
    // none, it is valid with any set.)
    (void)ValidateWithFeatures(*bytes, path, manifest.features, diagnostics);
  }
  return module;
}

void CheckModule(const ModuleInfo& module, const Manifest& manifest, const std::string& module_path,
                 Diagnostics& diagnostics) {
  Checker(module, manifest, module_path, diagnostics).Run();
}

}  // namespace wasmiot
