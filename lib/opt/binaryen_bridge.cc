#include "opt/binaryen_bridge.h"

#include <dlfcn.h>

#include <cstdlib>
#include <memory>
#include <mutex>

#include <binaryen-c.h>
#include <fmt/format.h>

namespace wasmiot {
namespace {

// Binaryen is loaded when the first job needs it, not at every start: linked
// in, the dynamic loader's relocations for libbinaryen took 3.8 ms of every
// command's start, optimizing or not (docs/benchmarks.md). Each function the
// bridge calls is looked up once; the prototypes still come from binaryen-c.h.
#define WASMIOT_BINARYEN_FUNCTIONS(X) \
  X(BinaryenAddFunctionExport) \
  X(BinaryenAddGlobalExport) \
  X(BinaryenAddMemoryExport) \
  X(BinaryenAddTableExport) \
  X(BinaryenClearPassArguments) \
  X(BinaryenFeatureAtomics) \
  X(BinaryenFeatureBulkMemory) \
  X(BinaryenFeatureExceptionHandling) \
  X(BinaryenFeatureExtendedConst) \
  X(BinaryenFeatureMVP) \
  X(BinaryenFeatureMemory64) \
  X(BinaryenFeatureMultivalue) \
  X(BinaryenFeatureMutableGlobals) \
  X(BinaryenFeatureNontrappingFPToInt) \
  X(BinaryenFeatureReferenceTypes) \
  X(BinaryenFeatureRelaxedSIMD) \
  X(BinaryenFeatureSIMD128) \
  X(BinaryenFeatureSignExt) \
  X(BinaryenFeatureTailCall) \
  X(BinaryenFunctionGetName) \
  X(BinaryenFunctionImportGetModule) \
  X(BinaryenGetDebugInfo) \
  X(BinaryenGetFunctionByIndex) \
  X(BinaryenGetGlobalByIndex) \
  X(BinaryenGetNumFunctions) \
  X(BinaryenGetNumGlobals) \
  X(BinaryenGetNumTables) \
  X(BinaryenGetOptimizeLevel) \
  X(BinaryenGetShrinkLevel) \
  X(BinaryenGetTableByIndex) \
  X(BinaryenGlobalGetName) \
  X(BinaryenGlobalImportGetModule) \
  X(BinaryenModuleAllocateAndWrite) \
  X(BinaryenModuleDispose) \
  X(BinaryenModuleOptimize) \
  X(BinaryenModuleRead) \
  X(BinaryenModuleRunPasses) \
  X(BinaryenModuleSetFeatures) \
  X(BinaryenModuleValidate) \
  X(BinaryenRemoveExport) \
  X(BinaryenSetDebugInfo) \
  X(BinaryenSetOptimizeLevel) \
  X(BinaryenSetShrinkLevel) \
  X(BinaryenTableGetName) \
  X(BinaryenTableImportGetModule)

struct BinaryenApi {
#define WASMIOT_BINARYEN_FIELD(name) decltype(&::name) name = nullptr;
  WASMIOT_BINARYEN_FUNCTIONS(WASMIOT_BINARYEN_FIELD)
#undef WASMIOT_BINARYEN_FIELD
};

// The loaded library, or why it could not be loaded ("" when it was).
const BinaryenApi* LoadBinaryen(std::string& failure) {
  static std::string why;
  static const BinaryenApi* api = []() -> const BinaryenApi* {
    void* library = dlopen(WASMIOT_BINARYEN_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!library) library = dlopen("libbinaryen.so", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      why = fmt::format("cannot load Binaryen ({}): apt-get install binaryen", dlerror());
      return nullptr;
    }
    static BinaryenApi loaded;
#define WASMIOT_BINARYEN_LOAD(name)                                                    \
    loaded.name = reinterpret_cast<decltype(&::name)>(dlsym(library, #name));          \
    if (!loaded.name) {                                                                \
      why = "Binaryen's library has no " #name ": not the Binaryen 108 wasmiot was built with"; \
      return nullptr;                                                                  \
    }
    WASMIOT_BINARYEN_FUNCTIONS(WASMIOT_BINARYEN_LOAD)
#undef WASMIOT_BINARYEN_LOAD
    return &loaded;
  }();
  failure = why;
  return api;
}

// Inside a job: loaded (RunBinaryen returns an error before otherwise).
const BinaryenApi& Api() {
  std::string ignored;
  return *LoadBinaryen(ignored);
}

std::mutex& BinaryenLock() {
  static std::mutex lock;
  return lock;
}

// Sets Binaryen's global options for one job and puts the old ones back.
class GlobalOptions {
 public:
  GlobalOptions(int optimize_level, int shrink_level, bool debug_info)
      : optimize_(Api().BinaryenGetOptimizeLevel()),
        shrink_(Api().BinaryenGetShrinkLevel()),
        debug_(Api().BinaryenGetDebugInfo()) {
    Api().BinaryenSetOptimizeLevel(optimize_level);
    Api().BinaryenSetShrinkLevel(shrink_level);
    Api().BinaryenSetDebugInfo(debug_info);
    Api().BinaryenClearPassArguments();
  }
  ~GlobalOptions() {
    Api().BinaryenSetOptimizeLevel(optimize_);
    Api().BinaryenSetShrinkLevel(shrink_);
    Api().BinaryenSetDebugInfo(debug_);
    Api().BinaryenClearPassArguments();
  }
  GlobalOptions(const GlobalOptions&) = delete;
  GlobalOptions& operator=(const GlobalOptions&) = delete;

 private:
  int optimize_;
  int shrink_;
  bool debug_;
};

struct ModuleDeleter {
  void operator()(BinaryenModuleRef m) const { Api().BinaryenModuleDispose(m); }
};
using ModulePtr = std::unique_ptr<std::remove_pointer_t<BinaryenModuleRef>, ModuleDeleter>;

BinaryenFeatures ToBinaryen(const FeatureSet& set) {
  BinaryenFeatures out = Api().BinaryenFeatureMVP();
  for (Feature f : set.List()) {
    switch (f) {
      case Feature::kMutableGlobals: out |= Api().BinaryenFeatureMutableGlobals(); break;
      case Feature::kSaturatingFloatToInt: out |= Api().BinaryenFeatureNontrappingFPToInt(); break;
      case Feature::kSignExtension: out |= Api().BinaryenFeatureSignExt(); break;
      case Feature::kMultiValue: out |= Api().BinaryenFeatureMultivalue(); break;
      case Feature::kBulkMemory: out |= Api().BinaryenFeatureBulkMemory(); break;
      case Feature::kReferenceTypes: out |= Api().BinaryenFeatureReferenceTypes(); break;
      case Feature::kSimd: out |= Api().BinaryenFeatureSIMD128(); break;
      case Feature::kRelaxedSimd: out |= Api().BinaryenFeatureRelaxedSIMD(); break;
      case Feature::kThreads: out |= Api().BinaryenFeatureAtomics(); break;
      case Feature::kTailCall: out |= Api().BinaryenFeatureTailCall(); break;
      case Feature::kExceptions: out |= Api().BinaryenFeatureExceptionHandling(); break;
      case Feature::kMemory64: out |= Api().BinaryenFeatureMemory64(); break;
      case Feature::kExtendedConst: out |= Api().BinaryenFeatureExtendedConst(); break;
      case Feature::kMultiMemory: break;  // not in Binaryen 108: see BinaryenSupports
    }
  }
  return out;
}

constexpr const char* kKeepPrefix = "__wasmiot_keep_import_";

// Binaryen answers "" (not NULL) for the import module of a defined item.
bool Imported(const char* module) { return module != nullptr && *module != '\0'; }

// Binaryen removes imports nobody uses; the device's contract is the import
// set, so each import is pinned by a temporary export until optimization is done.
std::vector<std::string> PinImports(BinaryenModuleRef m, bool has_imported_memory) {
  std::vector<std::string> pins;
  auto pin = [&](auto add_export, const char* internal_name) {
    std::string name = kKeepPrefix + std::to_string(pins.size());
    add_export(m, internal_name, name.c_str());
    pins.push_back(std::move(name));
  };
  for (BinaryenIndex i = 0; i < Api().BinaryenGetNumFunctions(m); ++i) {
    BinaryenFunctionRef f = Api().BinaryenGetFunctionByIndex(m, i);
    if (Imported(Api().BinaryenFunctionImportGetModule(f))) pin(Api().BinaryenAddFunctionExport, Api().BinaryenFunctionGetName(f));
  }
  for (BinaryenIndex i = 0; i < Api().BinaryenGetNumGlobals(m); ++i) {
    BinaryenGlobalRef g = Api().BinaryenGetGlobalByIndex(m, i);
    if (Imported(Api().BinaryenGlobalImportGetModule(g))) pin(Api().BinaryenAddGlobalExport, Api().BinaryenGlobalGetName(g));
  }
  for (BinaryenIndex i = 0; i < Api().BinaryenGetNumTables(m); ++i) {
    BinaryenTableRef t = Api().BinaryenGetTableByIndex(m, i);
    if (Imported(Api().BinaryenTableImportGetModule(t))) pin(Api().BinaryenAddTableExport, Api().BinaryenTableGetName(t));
  }
  // Binaryen 108 has one memory, named "0"; exporting it keeps an imported one.
  if (has_imported_memory) pin(Api().BinaryenAddMemoryExport, "0");
  return pins;
}

}  // namespace

bool BinaryenSupports(Feature feature) { return feature != Feature::kMultiMemory; }

Result<Bytes> RunBinaryen(const Bytes& input, const BinaryenJob& job) {
  for (Feature f : job.features.List()) {
    if (!BinaryenSupports(f)) {
      return Error{ErrorKind::kInternal, fmt::format("Binaryen cannot optimize {}", FeatureName(f))};
    }
  }
  std::string unavailable;
  if (!LoadBinaryen(unavailable)) return Error{ErrorKind::kIo, unavailable};
  std::lock_guard<std::mutex> guard(BinaryenLock());
  GlobalOptions options(job.optimize_level, job.shrink_level, job.keep_debug);

  std::vector<char> buffer(input.begin(), input.end());
  ModulePtr module(Api().BinaryenModuleRead(buffer.data(), buffer.size()));
  BinaryenModuleRef m = module.get();
  FeatureSet reading = job.features;
  if (job.lower_memory64) reading.Add(Feature::kMemory64);
  Api().BinaryenModuleSetFeatures(m, ToBinaryen(reading));

  for (const std::string& name : job.remove_exports) Api().BinaryenRemoveExport(m, name.c_str());
  std::vector<std::string> pins = PinImports(m, job.has_imported_memory);

  std::vector<const char*> passes;
  if (job.lower_memory64) passes.push_back("memory64-lowering");
  if (!passes.empty()) Api().BinaryenModuleRunPasses(m, passes.data(), static_cast<BinaryenIndex>(passes.size()));
  Api().BinaryenModuleSetFeatures(m, ToBinaryen(job.features));
  if (job.optimize_level > 0 || job.shrink_level > 0) Api().BinaryenModuleOptimize(m);
  for (const std::string& pin : pins) Api().BinaryenRemoveExport(m, pin.c_str());

  std::vector<const char*> strip;
  if (!job.keep_debug) strip = {"strip-debug", "strip-producers", "strip-target-features"};
  if (!strip.empty()) Api().BinaryenModuleRunPasses(m, strip.data(), static_cast<BinaryenIndex>(strip.size()));
  if (!Api().BinaryenModuleValidate(m)) {
    return Error{ErrorKind::kInternal, "Binaryen produced a module that does not validate"};
  }
  BinaryenModuleAllocateAndWriteResult written = Api().BinaryenModuleAllocateAndWrite(m, nullptr);
  const auto* bytes = static_cast<const uint8_t*>(written.binary);
  Bytes out(bytes, bytes + written.binaryBytes);
  std::free(written.binary);
  if (written.sourceMap) std::free(written.sourceMap);
  return out;
}

}  // namespace wasmiot
