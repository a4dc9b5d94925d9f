// The host AOT engine (runtime/aot_engine.h). The one place that uses dlopen.
#include "runtime/aot_engine.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <pthread.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "aot/aot.h"
#include "aot/device_code.h"
#include "aot/embedded_sources.h"
#include "aot/wasm2c_bridge.h"
#include "core/sha256.h"
#include "module/module_info.h"
#include "runtime/aot_glue.h"
#include "runtime/aot_interface.h"
#include "runtime/loop_versioning.h"
#include "runtime/metering.h"
#include "support/process.h"
#include "support/staging.h"
#include "support/text.h"

namespace wasmiot {
namespace {

namespace fs = std::filesystem;

// Bounds checks instead of guard pages and signals: several modules share the
// process (a gateway), and a SIGSEGV handler per shared object would fight;
// loops proven in bounds run unchecked (runtime/loop_versioning.h). No call
// depth count of wasm2c's own: the instrumentation's (runtime/metering.h)
// traps first, within the native stack RunOnStack sizes for it.
const std::vector<std::string>& CompileFlags() {
  static const std::vector<std::string> flags = {
      "-O3", "-fPIC", "-fvisibility=hidden", "-std=gnu11", "-I.", "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0",
      "-DWASM_RT_USE_STACK_DEPTH_COUNT=0", std::string(kNoFloatContraction)};
  return flags;
}

// Native stack for the calls: every wasm call is one C frame of at most the
// largest frame gcc reports, plus room for the host functions and the glue.
constexpr uint64_t kHostStackSlack = 4u << 20;
constexpr uint64_t kMaxNativeStack = 1ull << 30;

std::string CacheDir(const AotSettings& settings) {
  if (!settings.cache_dir.empty()) return settings.cache_dir;
  return (fs::temp_directory_path() / "wasmiot-aot").string();
}

std::string HexDigest(const std::string& text) {
  Sha256 d = HashSha256(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  return HexString(d.data(), d.size());
}

struct Library {
  void* handle = nullptr;
  uint64_t largest_frame = 0;
  void* (*create)(void*, GlueHostFn, int*) = nullptr;
  void (*destroy)(void*) = nullptr;
  int (*call)(void*, uint32_t, const uint64_t*, uint64_t*) = nullptr;
  uint8_t* (*memory_data)(void*) = nullptr;
  uint64_t (*memory_size)(void*) = nullptr;
  uint64_t* (*fuel)(void*) = nullptr;
  uint32_t* (*depth)(void*) = nullptr;
  ~Library() {
    if (handle) dlclose(handle);
  }
};

template <typename F>
bool Bind(void* handle, const char* name, F& out) {
  out = reinterpret_cast<F>(dlsym(handle, name));
  return out != nullptr;
}

Result<std::shared_ptr<Library>> Open(const std::string& dir) {
  auto lib = std::make_shared<Library>();
  std::ifstream frame(dir + "/stack.txt");
  if (!(frame >> lib->largest_frame)) return Error{ErrorKind::kIo, "no stack report"};
  lib->handle = dlopen((dir + "/module.so").c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib->handle) return Error{ErrorKind::kIo, dlerror()};
  uint32_t (*abi)() = nullptr;
  if (!Bind(lib->handle, "wasmiot_glue_abi", abi) || abi() != kGlueAbi || !Bind(lib->handle, "wasmiot_new", lib->create) ||
      !Bind(lib->handle, "wasmiot_free", lib->destroy) || !Bind(lib->handle, "wasmiot_call", lib->call) ||
      !Bind(lib->handle, "wasmiot_memory_data", lib->memory_data) ||
      !Bind(lib->handle, "wasmiot_memory_size", lib->memory_size) || !Bind(lib->handle, "wasmiot_fuel", lib->fuel) ||
      !Bind(lib->handle, "wasmiot_depth", lib->depth)) {
    return Error{ErrorKind::kIo, "not a wasmiot AOT object of this version"};
  }
  return lib;
}

// Compiles the prepared module into `dir` (appearing whole, or not at all).
Status Compile(const Bytes& prepared, const ModuleInfo& info, const HostCompiler& cc, const std::string& dir) {
  Result<GeneratedC> c = GenerateC(prepared, kGlueModuleName, std::string(kGlueModuleName) + ".h");
  if (!c) return c.error();
  // Every access is bounds-checked (CompileFlags): the forced reads after
  // loads only kept gcc from optimizing (coremix: 20% faster with -O3).
  if (Status dropped = DropForcedReads(c->source); !dropped) return dropped.error();
  RewriteFastLoopsInC(c->source);  // the accesses of loops proven in bounds (runtime/loop_versioning.h)
  Result<std::string> glue = GenerateGlue(info);
  if (!glue) return glue.error();
  Staging staging(dir);
  if (!staging.ok()) return Error{ErrorKind::kIo, fmt::format("cannot create a folder beside {}: {}", dir, std::strerror(errno))};
  const std::pair<std::string, std::string_view> sources[] = {
      {"m.c", c->source},       {"m.h", c->header},
      {"glue.c", *glue},        {"wasm-rt.h", kWasmRtHeader},
      {"wasm-rt-impl.c", kWasmRtImplSource}, {"wasm-rt-impl.h", kWasmRtImplHeader},
  };
  for (const auto& [file, text] : sources) {
    Status s = WriteFileAtomically(staging.File(file), text.data(), text.size());
    if (!s) return s;
  }
  auto run = [&](std::vector<std::string> argv) -> Status {
    Result<ProcessResult> r = RunProcess(argv, staging.File(""));
    if (r && r->exit_code == 0) return Ok{};
    return Error{ErrorKind::kInvalidInput, fmt::format("{} failed:\n{}", fmt::join(argv, " "),
                                                       r ? r->err + r->out : r.error().message)};
  };
  for (const char* unit : {"m", "glue", "wasm-rt-impl"}) {
    std::vector<std::string> argv{cc.path};
    argv.insert(argv.end(), CompileFlags().begin(), CompileFlags().end());
    if (std::string_view(unit) == "m") argv.push_back("-fstack-usage");
    argv.insert(argv.end(), {"-c", std::string(unit) + ".c", "-o", std::string(unit) + ".o"});
    Status s = run(argv);
    if (!s) return s;
  }
  Status linked = run({cc.path, "-shared", "-o", "module.so", "m.o", "glue.o", "wasm-rt-impl.o", "-lm"});
  if (!linked) return linked;
  std::ifstream su(staging.File("m.su"));
  std::string usage{std::istreambuf_iterator<char>(su), std::istreambuf_iterator<char>()};
  std::string frame = std::to_string(LargestStackFrame(usage).bytes) + "\n";
  Status s = WriteFileAtomically(staging.File("stack.txt"), frame.data(), frame.size());
  if (!s) return s;
  return staging.Commit(dir, {"module.so", "stack.txt"});
}

// The lowest address of this thread's stack (asked once per thread: for the
// main thread glibc reads /proc/self/maps), or 0 if unknown.
uintptr_t StackLimitHere() {
  thread_local uintptr_t limit = [] {
    pthread_attr_t attr;
    void* addr = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return uintptr_t{0};
    bool ok = pthread_attr_getstack(&attr, &addr, &size) == 0;
    pthread_attr_destroy(&attr);
    return ok ? reinterpret_cast<uintptr_t>(addr) : uintptr_t{0};
  }();
  return limit;
}

// Runs `fn` with at least `stack_bytes` of stack: deep recursion in compiled
// code uses the native stack, which must not overflow into a crash. On this
// thread when it has that much room left (the usual case), else on a thread
// of that size. False if no such thread could be had (then `fn` did not run).
bool RunOnStack(uint64_t stack_bytes, const std::function<void()>& fn) {
  constexpr uint64_t kGuardMargin = 256u << 10;
  char here;
  uintptr_t sp = reinterpret_cast<uintptr_t>(&here);
  uintptr_t limit = StackLimitHere();
  if (limit != 0 && sp > limit && sp - limit > stack_bytes + kGuardMargin) {
    fn();
    return true;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_t thread;
  auto body = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  bool started = pthread_attr_setstacksize(&attr, static_cast<size_t>(stack_bytes)) == 0 &&
                 pthread_create(&thread, &attr, body, const_cast<std::function<void()>*>(&fn)) == 0;
  if (started) pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  return started;
}

TrapKind FromWasm2c(int code) {
  switch (code) {
    case 1: return TrapKind::kMemoryOutOfBounds;   // WASM_RT_TRAP_OOB
    case 2: return TrapKind::kIntegerOverflow;     // WASM_RT_TRAP_INT_OVERFLOW
    case 3: return TrapKind::kDivideByZero;        // WASM_RT_TRAP_DIV_BY_ZERO
    case 4: return TrapKind::kInvalidConversion;   // WASM_RT_TRAP_INVALID_CONVERSION
    case 5: return TrapKind::kUnreachable;         // WASM_RT_TRAP_UNREACHABLE
    case 6: return TrapKind::kIndirectCall;        // WASM_RT_TRAP_CALL_INDIRECT
    case 8: return TrapKind::kStackExhausted;      // WASM_RT_TRAP_EXHAUSTION
    default: return TrapKind::kOther;
  }
}

// The interpreter's words for the same traps, so both engines read alike.
std::string_view TrapMessage(TrapKind kind) {
  switch (kind) {
    case TrapKind::kMemoryOutOfBounds: return "out of bounds memory access";
    case TrapKind::kIntegerOverflow: return "integer overflow";
    case TrapKind::kDivideByZero: return "integer divide by zero";
    case TrapKind::kInvalidConversion: return "invalid conversion to integer";
    case TrapKind::kUnreachable: return "unreachable executed";
    case TrapKind::kIndirectCall: return "indirect call failed (null, mismatched or out of the table)";
    case TrapKind::kStackExhausted: return "call stack exhausted";
    default: return "trapped";
  }
}

class AotInstance : public Instance {
 public:
  AotInstance(std::shared_ptr<Library> lib, SimulatedHost* host, RunLimits limits, uint64_t stack_bytes,
              std::optional<uint64_t> device_memory_bytes)
      : lib_(std::move(lib)),
        host_(host),
        limits_(limits),
        stack_bytes_(stack_bytes),
        device_memory_bytes_(device_memory_bytes) {}
  ~AotInstance() override {
    if (instance_) lib_->destroy(instance_);
  }

  // Binds the module's function imports (in order) and exports; then creates
  // the instance and runs the start function.
  Result<Instantiation> Instantiate(const AotInterface& module, const Manifest* manifest);

  CallOutcome Call(const std::string& export_name, const std::vector<Value>& args) override {
    CallOutcome out;
    auto it = std::find_if(exports_.begin(), exports_.end(), [&](const auto& e) { return e.name == export_name; });
    if (it == exports_.end()) {
      out.trap = Trap{TrapKind::kOther, fmt::format("no exported function \"{}\"", export_name), export_name};
      return out;
    }
    std::vector<uint64_t> a(std::max<size_t>(1, args.size())), r(std::max<size_t>(1, it->results.size()));
    for (size_t i = 0; i < args.size(); ++i) a[i] = args[i].bits;
    *lib_->fuel(instance_) = limits_.fuel_per_call;
    if (uint32_t* depth = lib_->depth(instance_)) *depth = 0;  // a trap left it anywhere
    host_error_.reset();
    if (host_) host_->BeginCall(limits_.wall_ms_per_call);
    int code = 0;
    uint32_t index = static_cast<uint32_t>(it - exports_.begin());
    if (!RunOnStack(stack_bytes_, [&] { code = lib_->call(instance_, index, a.data(), r.data()); })) {
      out.trap = Trap{TrapKind::kOther, fmt::format("no thread with {} MiB of stack for the call", stack_bytes_ >> 20),
                      export_name};
      return out;
    }
    int64_t fuel_left = static_cast<int64_t>(*lib_->fuel(instance_));
    uint32_t* depth = lib_->depth(instance_);
    if (ExplainMeteredTrap(limits_, fuel_left, depth ? *depth : 0, code != 0, export_name, out)) return out;
    if (code == kGlueHostTrap && host_error_) {
      out.trap = HostTrap(*host_error_, host_ && host_->timed_out(), export_name);
    } else if (code != 0) {
      TrapKind kind = FromWasm2c(code);
      out.trap = Trap{kind, std::string(TrapMessage(kind)), export_name};
    } else {
      for (size_t i = 0; i < it->results.size(); ++i) out.results.push_back(Value{it->results[i], r[i]});
    }
    return out;
  }

  uint64_t memory_bytes() const override { return instance_ ? DeviceSize(lib_->memory_size(instance_)) : 0; }
  std::optional<Bytes> ReadMemory(uint64_t at, uint64_t length) override { return ReadGuest(Memory(), at, length); }
  bool WriteMemory(uint64_t at, const Bytes& bytes) override { return WriteGuest(Memory(), at, bytes); }

 private:
  struct Export {
    std::string name;
    std::vector<ValueType> results;
  };
  struct Import {
    const HostFunction* function;
    std::vector<ValueType> params;
  };

  static int HostThunk(void* ctx, uint32_t index, const uint64_t* a, uint64_t* r) {
    auto* self = static_cast<AotInstance*>(ctx);
    try {
      const Import& import = self->imports_.at(index);
      std::vector<Value> args;
      for (size_t i = 0; i < import.params.size(); ++i) args.push_back(Value{import.params[i], a[i]});
      Result<std::vector<Value>> results = self->host_->Call(*import.function, args, self->Memory());
      if (!results) {
        self->host_error_ = results.error();
        return 1;
      }
      for (size_t i = 0; i < results->size(); ++i) r[i] = (*results)[i].bits;
      return 0;
    } catch (const std::exception& e) {  // never unwind through C frames
      self->host_error_ = Error{ErrorKind::kInternal, e.what()};
      return 1;
    }
  }

  GuestMemory Memory() {
    return {[this]() { return lib_->memory_data(instance_); },
            [this]() { return DeviceSize(lib_->memory_size(instance_)); }};
  }
  // What of memory 0 the device has (PreparedModule::memory_bytes).
  uint64_t DeviceSize(uint64_t bytes) const { return std::min(bytes, device_memory_bytes_.value_or(bytes)); }

  std::shared_ptr<Library> lib_;
  SimulatedHost* host_;
  RunLimits limits_;
  uint64_t stack_bytes_;
  std::optional<uint64_t> device_memory_bytes_;
  void* instance_ = nullptr;
  std::vector<Export> exports_;  // the function exports, in the glue's order
  std::vector<Import> imports_;  // the function imports, likewise
  std::optional<Error> host_error_;
};

Result<std::vector<ValueType>> Types(const std::vector<WasmType>& types) {
  std::vector<ValueType> out;
  for (WasmType type : types) {
    std::optional<ValueType> t = NumericType(type);
    if (!t) return Error{ErrorKind::kInvalidInput, fmt::format("the AOT engine passes only numbers, not {}", WasmTypeName(type))};
    out.push_back(*t);
  }
  return out;
}

Result<Instantiation> AotInstance::Instantiate(const AotInterface& module, const Manifest* manifest) {
  for (const ImportInfo& i : module.imports) {
    if (i.kind == ExternKind::kMemory && manifest && manifest->memory_import &&
        manifest->memory_import->module == i.module && manifest->memory_import->name == i.name) {
      continue;  // the device supplies the memory (the glue allocates it)
    }
    const HostFunction* f = manifest ? manifest->FindHostFunction(i.module, i.name) : nullptr;
    if (i.kind != ExternKind::kFunc || !f || !host_) {
      return Error{ErrorKind::kInvalidInput,
                   manifest ? fmt::format("import {} is not provided by the device", i.QualifiedName())
                            : fmt::format("import {} needs a device manifest to provide it", i.QualifiedName())};
    }
    Result<std::vector<ValueType>> params = Types(i.signature.params);
    if (!params) return params.error();
    imports_.push_back({f, std::move(params).value()});
  }
  for (const ExportInfo& e : module.exports) {
    if (e.kind != ExternKind::kFunc) continue;
    Result<std::vector<ValueType>> results = Types(e.signature.results);
    if (!results) return results.error();
    exports_.push_back({e.name, std::move(results).value()});
  }
  Instantiation out;
  int trap = 0;
  if (!RunOnStack(stack_bytes_, [&] { instance_ = lib_->create(this, &AotInstance::HostThunk, &trap); })) {
    return Error{ErrorKind::kInternal, fmt::format("no thread with {} MiB of stack", stack_bytes_ >> 20)};
  }
  if (!instance_) {
    if (trap < 0) return Error{ErrorKind::kInternal, "out of memory"};
    TrapKind kind = FromWasm2c(trap);
    out.trap = Trap{kind, std::string(TrapMessage(kind)), ""};
    return out;
  }
  if (module.has_start) out.trap = RunStartFunction(*this);
  return out;
}

}  // namespace

Result<HostCompiler> FindHostCompiler(const AotSettings& settings) {
  std::string name = settings.compiler.empty() ? "cc" : settings.compiler;
  HostCompiler cc;
  cc.path = name.find('/') != std::string::npos ? name : FindInPath(name);
  auto missing = [&] {
    return Error{ErrorKind::kIo, fmt::format("no C compiler \"{}\" for the AOT engine (apt-get install gcc)", name)};
  };
  if (cc.path.empty()) return missing();
  // The banner is remembered in the cache under what identifies the binary
  // the path resolves to (its name, size, modification time, inode): a
  // cached start runs no compiler at all, and an upgraded compiler (a new
  // file) is asked again.
  std::error_code ec;
  const fs::path binary = fs::canonical(cc.path, ec);
  struct stat st;
  std::string remembered;
  if (!ec && stat(binary.c_str(), &st) == 0) {
    const std::string key = fmt::format("{}\n{}\n{} {} {} {}.{}", cc.path, binary.string(), st.st_dev, st.st_ino,
                                        st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    remembered = CacheDir(settings) + "/compiler-" + HexDigest(key);
    if (Result<Bytes> banner = ReadInputFile(remembered, 64 * 1024); banner && !banner->empty()) {
      cc.identity = cc.path + "\n" + std::string(banner->begin(), banner->end());
      return cc;
    }
  }
  Result<ProcessResult> version = RunProcess({cc.path, "--version"});
  if (!version || version->exit_code != 0) return missing();
  cc.identity = cc.path + "\n" + version->out;
  if (!remembered.empty() && !version->out.empty()) {
    fs::create_directories(CacheDir(settings), ec);
    (void)WriteFileAtomically(remembered, version->out.data(), version->out.size());  // a cache: best effort
  }
  return cc;
}

namespace {

// Prepares and compiles the module (or finds it compiled in the cache): what
// instantiating it needs.
Result<AotInterface> Build(const Bytes& wasm, const RunLimits& limits, const HostCompiler& cc,
                           const std::string& cache, const std::string& library_key, bool& hit) {
  Result<PreparedModule> module = PrepareModule(wasm, limits);
  if (!module) return module.error();
  const Bytes* prepared = &module->wasm;
  Diagnostics ignored;
  Result<ModuleInfo> info = ReadModule(*prepared, "module", ignored, /*instrumented=*/true);
  if (!info) return Error{ErrorKind::kInvalidInput, "unreadable module"};
  for (Feature f : info->features_used.List()) {
    if (!Wasm2cFeatures().Has(f)) {
      return Error{ErrorKind::kInvalidInput, fmt::format("the AOT engine (wasm2c) cannot compile {}", FeatureName(f))};
    }
  }
  AotInterface out = InterfaceOf(*info);
  out.memory_bytes = module->memory_bytes;
  out.library = HexDigest(library_key + std::string(prepared->begin(), prepared->end()));
  const std::string dir = cache + "/" + out.library;
  hit = Open(dir).ok();
  if (!hit) {
    std::error_code ec;
    fs::remove_all(dir, ec);  // a broken entry (torn by a crash) is rebuilt
    Status compiled = Compile(*prepared, *info, cc, dir);
    if (!compiled) return compiled.error();
  }
  return out;
}

}  // namespace

Result<Instantiation> InstantiateAot(const Bytes& wasm, const Manifest* manifest, SimulatedHost* host,
                                     const RunLimits& requested, const AotSettings& settings, AotLoad* load) {
  RunLimits limits = requested;
  if (!limits.version_loops) limits.version_loops = true;  // see RunLimits
  if (limits.max_call_depth == 0) {  // the only bound on the native stack (CompileFlags)
    return Error{ErrorKind::kInvalidInput, "the AOT engine needs a call-depth limit"};
  }
  Result<HostCompiler> cc = FindHostCompiler(settings);
  if (!cc) return cc.error();
  const std::string cache = CacheDir(settings);
  std::string library_key = fmt::format("wasmiot-aot glue {}\n{}\n{}\n", kGlueAbi, cc->identity, fmt::join(CompileFlags(), " "));
  library_key += std::string(kWasmRtDigest) + "\n";
  // A cached start reads neither the module nor its instrumented copy: the
  // interface of the module prepared under these limits is kept under the
  // hash of the original module and the limits, naming its compiled code.
  const std::string remembered =
      cache + "/prepared-" + HexDigest(library_key + PreparationKey(limits) + std::string(wasm.begin(), wasm.end()));
  std::optional<AotInterface> interface;
  Result<std::shared_ptr<Library>> lib = Error{ErrorKind::kIo, "not loaded"};
  if (Result<Bytes> text = ReadInputFile(remembered, 64u << 20)) {
    if (Result<AotInterface> known = ParseInterface(std::string(text->begin(), text->end()))) {
      lib = Open(cache + "/" + known->library);
      if (lib) interface = std::move(known).value();
    }
  }
  bool hit = interface.has_value();
  if (!interface) {
    Result<AotInterface> built = Build(wasm, limits, *cc, cache, library_key, hit);
    if (!built) return built.error();
    interface = std::move(built).value();
    const std::string dir = cache + "/" + interface->library;
    lib = Open(dir);
    if (!lib) return Error{ErrorKind::kIo, fmt::format("cannot load {}/module.so: {}", dir, lib.error().message)};
    const std::string text = SerializeInterface(*interface);
    (void)WriteFileAtomically(remembered, text.data(), text.size());  // a cache: best effort
  }
  const std::string dir = cache + "/" + interface->library;
  if (load) *load = AotLoad{hit, dir + "/module.so"};
  uint64_t frame = std::max<uint64_t>((*lib)->largest_frame, 64);
  uint64_t stack = (static_cast<uint64_t>(limits.max_call_depth) + 4) * frame + kHostStackSlack;
  if (stack > kMaxNativeStack) {
    return Error{ErrorKind::kInvalidInput,
                 fmt::format("{} nested calls of frames up to {} bytes need {} MiB of native stack, over {} MiB: lower "
                             "the call-depth limit", limits.max_call_depth, frame, stack >> 20, kMaxNativeStack >> 20)};
  }
  auto instance = std::make_unique<AotInstance>(std::move(lib).value(), host, limits, stack, interface->memory_bytes);
  Result<Instantiation> r = instance->Instantiate(*interface, manifest);
  if (r && !r->trap) r->instance = std::move(instance);
  return r;
}

Result<Instantiation> Instantiate(EngineKind engine, const Bytes& wasm, const Manifest* manifest, SimulatedHost* host,
                                  const RunLimits& limits, const AotSettings& settings) {
  if (engine == EngineKind::kAot) return InstantiateAot(wasm, manifest, host, limits, settings);
  return InstantiateInterp(wasm, manifest, host, limits);
}

}  // namespace wasmiot
