#include "opt/binaryen_bridge.h"

#include <cstdlib>
#include <memory>
#include <mutex>

#include <binaryen-c.h>
#include <fmt/format.h>

namespace wasmiot {
namespace {

std::mutex& BinaryenLock() {
  static std::mutex lock;
  return lock;
}

// Sets Binaryen's global options for one job and puts the old ones back.
class GlobalOptions {
 public:
  GlobalOptions(int optimize_level, int shrink_level, bool debug_info)
      : optimize_(BinaryenGetOptimizeLevel()),
        shrink_(BinaryenGetShrinkLevel()),
        debug_(BinaryenGetDebugInfo()) {
    BinaryenSetOptimizeLevel(optimize_level);
    BinaryenSetShrinkLevel(shrink_level);
    BinaryenSetDebugInfo(debug_info);
    BinaryenClearPassArguments();
  }
  ~GlobalOptions() {
    BinaryenSetOptimizeLevel(optimize_);
    BinaryenSetShrinkLevel(shrink_);
    BinaryenSetDebugInfo(debug_);
    BinaryenClearPassArguments();
  }
  GlobalOptions(const GlobalOptions&) = delete;
  GlobalOptions& operator=(const GlobalOptions&) = delete;

 private:
  int optimize_;
  int shrink_;
  bool debug_;
};

struct ModuleDeleter {
  void operator()(BinaryenModuleRef m) const { BinaryenModuleDispose(m); }
};
using ModulePtr = std::unique_ptr<std::remove_pointer_t<BinaryenModuleRef>, ModuleDeleter>;

BinaryenFeatures ToBinaryen(const FeatureSet& set) {
  BinaryenFeatures out = BinaryenFeatureMVP();
  for (Feature f : set.List()) {
    switch (f) {
      case Feature::kMutableGlobals: out |= BinaryenFeatureMutableGlobals(); break;
      case Feature::kSaturatingFloatToInt: out |= BinaryenFeatureNontrappingFPToInt(); break;
      case Feature::kSignExtension: out |= BinaryenFeatureSignExt(); break;
      case Feature::kMultiValue: out |= BinaryenFeatureMultivalue(); break;
      case Feature::kBulkMemory: out |= BinaryenFeatureBulkMemory(); break;
      case Feature::kReferenceTypes: out |= BinaryenFeatureReferenceTypes(); break;
      case Feature::kSimd: out |= BinaryenFeatureSIMD128(); break;
      case Feature::kRelaxedSimd: out |= BinaryenFeatureRelaxedSIMD(); break;
      case Feature::kThreads: out |= BinaryenFeatureAtomics(); break;
      case Feature::kTailCall: out |= BinaryenFeatureTailCall(); break;
      case Feature::kExceptions: out |= BinaryenFeatureExceptionHandling(); break;
      case Feature::kMemory64: out |= BinaryenFeatureMemory64(); break;
      case Feature::kExtendedConst: out |= BinaryenFeatureExtendedConst(); break;
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
  for (BinaryenIndex i = 0; i < BinaryenGetNumFunctions(m); ++i) {
    BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
    if (Imported(BinaryenFunctionImportGetModule(f))) pin(BinaryenAddFunctionExport, BinaryenFunctionGetName(f));
  }
  for (BinaryenIndex i = 0; i < BinaryenGetNumGlobals(m); ++i) {
    BinaryenGlobalRef g = BinaryenGetGlobalByIndex(m, i);
    if (Imported(BinaryenGlobalImportGetModule(g))) pin(BinaryenAddGlobalExport, BinaryenGlobalGetName(g));
  }
  for (BinaryenIndex i = 0; i < BinaryenGetNumTables(m); ++i) {
    BinaryenTableRef t = BinaryenGetTableByIndex(m, i);
    if (Imported(BinaryenTableImportGetModule(t))) pin(BinaryenAddTableExport, BinaryenTableGetName(t));
  }
  // Binaryen 108 has one memory, named "0"; exporting it keeps an imported one.
  if (has_imported_memory) pin(BinaryenAddMemoryExport, "0");
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
  std::lock_guard<std::mutex> guard(BinaryenLock());
  GlobalOptions options(job.optimize_level, job.shrink_level, job.keep_debug);

  std::vector<char> buffer(input.begin(), input.end());
  ModulePtr module(BinaryenModuleRead(buffer.data(), buffer.size()));
  BinaryenModuleRef m = module.get();
  FeatureSet reading = job.features;
  if (job.lower_memory64) reading.Add(Feature::kMemory64);
  BinaryenModuleSetFeatures(m, ToBinaryen(reading));

  for (const std::string& name : job.remove_exports) BinaryenRemoveExport(m, name.c_str());
  std::vector<std::string> pins = PinImports(m, job.has_imported_memory);

  std::vector<const char*> passes;
  if (job.lower_memory64) passes.push_back("memory64-lowering");
  if (!passes.empty()) BinaryenModuleRunPasses(m, passes.data(), static_cast<BinaryenIndex>(passes.size()));
  BinaryenModuleSetFeatures(m, ToBinaryen(job.features));
  if (job.optimize_level > 0 || job.shrink_level > 0) BinaryenModuleOptimize(m);
  for (const std::string& pin : pins) BinaryenRemoveExport(m, pin.c_str());

  std::vector<const char*> strip;
  if (!job.keep_debug) strip = {"strip-debug", "strip-producers", "strip-target-features"};
  if (!strip.empty()) BinaryenModuleRunPasses(m, strip.data(), static_cast<BinaryenIndex>(strip.size()));
  if (!BinaryenModuleValidate(m)) {
    return Error{ErrorKind::kInternal, "Binaryen produced a module that does not validate"};
  }
  BinaryenModuleAllocateAndWriteResult written = BinaryenModuleAllocateAndWrite(m, nullptr);
  const auto* bytes = static_cast<const uint8_t*>(written.binary);
  Bytes out(bytes, bytes + written.binaryBytes);
  std::free(written.binary);
  if (written.sourceMap) std::free(written.sourceMap);
  return out;
}

}  // namespace wasmiot
