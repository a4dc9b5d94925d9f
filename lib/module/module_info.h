// What wasmiot knows about a WebAssembly module after reading and validating
// it: a plain description, free of wabt types, that checks and printers use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/features.h"
#include "module/frames.h"
#include "core/value_types.h"
#include "support/diagnostics.h"
#include "support/file_io.h"
#include "support/result.h"

namespace wasmiot {

inline constexpr uint64_t kMaxModuleFileBytes = 256ull << 20;

enum class ExternKind { kFunc, kTable, kMemory, kGlobal, kTag };
std::string_view ExternKindName(ExternKind kind);

struct FuncSignature {
  std::vector<WasmType> params;
  std::vector<WasmType> results;
  std::string ToString() const;  // "(f32, i32) -> (i32)"
  bool operator==(const FuncSignature& other) const {
    return params == other.params && results == other.results;
  }
};

struct Limits {
  uint64_t initial = 0;
  std::optional<uint64_t> max;
  bool shared = false;
  bool is_64 = false;
};

struct TableInfo {
  WasmType element_type = WasmType::kFuncRef;
  Limits limits;
};

struct GlobalInfo {
  WasmType type = WasmType::kI32;
  bool is_mutable = false;
  std::optional<uint64_t> initial;  // defined globals set by an i32 or i64 constant (as unsigned bits)
};

struct ImportInfo {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::kFunc;
  FuncSignature signature;  // functions
  Limits limits;            // memories and tables
  GlobalInfo global;        // globals
  std::string QualifiedName() const { return module + "." + name; }
};

struct ExportInfo {
  std::string name;
  ExternKind kind = ExternKind::kFunc;
  uint32_t index = 0;
  FuncSignature signature;  // functions
};

struct SectionInfo {
  uint8_t id = 0;
  std::string name;  // "type", "code", or a custom section's own name
  bool custom = false;
  uint64_t offset = 0;  // of the section's contents, after id and size
  uint64_t size = 0;    // of the contents
};

struct DataSegmentInfo {
  uint32_t index = 0;
  bool passive = false;
  uint64_t size = 0;
  std::optional<uint64_t> offset;  // active in memory 0 at a constant i32 address
};

struct ModuleInfo {
  uint64_t size_bytes = 0;
  std::vector<SectionInfo> sections;
  std::vector<ImportInfo> imports;
  std::vector<ExportInfo> exports;
  std::vector<Limits> memories;  // defined in the module (imported ones are in imports)
  std::vector<TableInfo> tables;
  std::vector<GlobalInfo> globals;
  uint32_t function_count = 0;  // defined functions
  std::optional<uint32_t> start_function;
  std::vector<DataSegmentInfo> data_segments;
  FeatureSet features_used;  // post-MVP features the module cannot do without
  // Validated with no feature at all (then with any set: features only admit more).
  bool valid_without_features = false;
  std::vector<FunctionFrame> frames;  // per defined function: what one call takes on a stack

  uint32_t FunctionImportCount() const;
  uint32_t GlobalImportCount() const;
  // A defined global's constant initial value, by its index (imports first).
  std::optional<uint64_t> GlobalInitial(uint32_t index) const;

  const ExportInfo* FindExport(std::string_view name) const;
};

// Reads and validates a module with every feature wasmiot knows enabled, then
// works out which features it actually needs. Structural problems become
// `binary-malformed` diagnostics and validation problems `module-invalid`, both
// with byte offsets in `path`.
// `instrumented`: the module went through the runtime's instrumentation, which
// may nest kInstrumentationDepth levels deeper than a module may.
Result<ModuleInfo> ReadModule(const Bytes& bytes, const std::string& path, Diagnostics& diagnostics,
                              bool instrumented = false);

// Holds the module to the limits of core/limits.h in one streaming pass
// (`module-over-limit` diagnostics with offsets); ReadModule does this first.
Status CheckModuleLimits(const Bytes& bytes, const std::string& path, Diagnostics& diagnostics,
                         bool instrumented = false);

// Validates the module with exactly `features` enabled, as a device runtime
// supporting just those would; problems become `module-invalid` diagnostics.
Status ValidateWithFeatures(const Bytes& bytes, const std::string& path, const FeatureSet& features,
                            Diagnostics& diagnostics);

// Where a valid module needs `feature`: "function 3 (export \"run\")", or the
// section ("the memory section") when it is not in a function body.
std::string DescribeFeatureUse(const Bytes& bytes, const std::string& path, Feature feature);

// Reads the file (at most kMaxModuleFileBytes) and then the module.
Result<ModuleInfo> LoadModule(const std::string& path, Diagnostics& diagnostics);

}  // namespace wasmiot
