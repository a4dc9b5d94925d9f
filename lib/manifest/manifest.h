// The device manifest (format v1): the contract between one device class and
// every module it runs. The JSON form is described by schemas/manifest.schema.json
// and docs/manifest.md; this is its parsed, validated form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/device_runtime.h"
#include "core/features.h"
#include "core/limits.h"
#include "core/value_types.h"
#include "support/diagnostics.h"
#include "support/result.h"

namespace wasmiot {

inline constexpr int kManifestFormatVersion = 1;
inline constexpr uint64_t kMaxManifestBytes = 1 << 20;


enum class BufferAccess { kRead, kWrite, kReadWrite };
std::string_view BufferAccessName(BufferAccess access);

// One declared parameter. A pointer is a guest buffer: two i32 slots in the
// WebAssembly signature, its address and then its length (WAMR's "*~"). A
// string is one i32 slot, the address of a NUL-terminated string the host
// reads (WAMR's "$").
struct Param {
  std::string name;
  ValueType type = ValueType::kI32;  // kI32 for pointers and strings
  bool is_pointer = false;
  bool is_string = false;
  std::string length_name;  // pointers only
  BufferAccess access = BufferAccess::kRead;
  std::string doc;
};

struct NamedResult {
  std::string name;
  ValueType type = ValueType::kI32;
  std::string doc;
};

struct Signature {
  std::vector<Param> params;
  std::vector<NamedResult> results;

  // The flat WebAssembly types; a pointer expands to (i32 address, i32 length).
  std::vector<ValueType> WasmParams() const;
  std::vector<ValueType> WasmResults() const;
  bool TakesBuffers() const;  // some parameter is a pointer
};

// `(f32, i32) -> (i32)` style, for messages.
std::string FormatTypes(const std::vector<ValueType>& types);
std::string FormatSignature(const std::vector<ValueType>& params,
                            const std::vector<ValueType>& results);

enum class SimKind { kSensor, kActuator, kLog, kClock, kBufferIn, kBufferOut };
std::string_view SimKindName(SimKind kind);
inline constexpr SimKind kAllSimKinds[] = {SimKind::kSensor, SimKind::kActuator, SimKind::kLog,
                                           SimKind::kClock,  SimKind::kBufferIn, SimKind::kBufferOut};

enum class ClockUnit { kSeconds, kMilliseconds, kMicroseconds, kNanoseconds };
std::string_view ClockUnitName(ClockUnit unit);

// How the reference runtime simulates a host function.
struct Simulation {
  SimKind kind = SimKind::kActuator;
  std::string channel;     // sensor: input channel (default: the function name)
  std::string indexed_by;  // sensor: i32 parameter selecting channel[index]
  double returns = 0;      // actuator with a result: the value it returns
  std::optional<int32_t> status;  // buffer_out with a result: this instead of the byte count (e.g. 0 "queued")
  ClockUnit unit = ClockUnit::kMilliseconds;  // clock
  std::string stream;      // buffer_in / buffer_out (default: the function name)
};

struct HostFunction {
  std::string module;
  std::string name;
  Signature signature;
  Simulation sim;
  std::string doc;
  TextPosition position;  // where it is declared, for later diagnostics

  std::string QualifiedName() const { return module + "." + name; }
};

std::string_view DeviceRuntimeName(DeviceRuntime runtime);  // "wasm2c", "wamr-classic", ...

enum class ExportKind { kFunc, kMemory };
std::string_view ExportKindName(ExportKind kind);

struct ExportSpec {
  std::string name;
  ExportKind kind = ExportKind::kFunc;
  bool required = false;
  Signature signature;  // functions only
  std::string doc;
};

struct ImportName {
  std::string module;
  std::string name;
};

// Where the host puts the buffers of an export's pointer parameters (the
// manifest's "host_buffers", docs/manifest.md): a region of the module's
// memory kept free for them, or the module's own allocator.
enum class HostBufferKind { kReserved, kAllocator };
struct HostBuffers {
  HostBufferKind kind = HostBufferKind::kReserved;
  uint32_t address = 0;  // reserved: [address, address + bytes), buffers one after another, each 8-aligned
  uint32_t bytes = 0;
  std::string alloc;     // allocator: export (i32 size) -> (i32 address), 0 when there is no room
  std::string free;      // allocator: export (i32 address), or "" when buffers are never freed
};
// A reserved region: the addresses of buffers of these lengths, one after
// another from its start, each at an 8-aligned offset from it; nothing when
// they do not fit.
std::optional<std::vector<uint32_t>> PlaceInReservedRegion(const HostBuffers& region,
                                                            const std::vector<uint32_t>& lengths);

struct Budgets {
  uint32_t initial_pages = 0;  // the module's initial memory may be at most this
  uint32_t max_pages = 0;      // and it may grow to at most this
  uint32_t max_table_elements = 0;
  uint64_t stack_bytes = 0;
  uint64_t heap_bytes = 0;
  uint64_t fuel_per_call = 0;
  uint64_t wall_ms_per_call = 0;
  uint64_t max_module_bytes = 0;
};

struct DeviceIdentity {
  std::string vendor;
  std::string device_class;
  std::string vendor_uuid;  // empty if not given
  std::string class_uuid;
  std::string api_version;  // MAJOR.MINOR.PATCH
  std::string doc;
};

struct Manifest {
  int format_version = kManifestFormatVersion;
  DeviceIdentity device;
  std::vector<HostFunction> host_functions;  // by module, then name (JSON objects are read sorted)
  std::optional<ImportName> memory_import;
  std::vector<ExportSpec> exports;  // by name, then host_buffers' implied ones
  Budgets budgets;
  FeatureSet features;
  std::vector<std::string> aot_targets;
  DeviceRuntime runtime = DeviceRuntime::kWasm2c;  // "runtime": what runs modules on the device
  // Allocator exports are also in `exports`, required, with their signatures.
  std::optional<HostBuffers> host_buffers;

  const HostFunction* FindHostFunction(std::string_view module, std::string_view name) const;
  const ExportSpec* FindExport(std::string_view name) const;
};

// The AOT target names a manifest may list: those of the AOT target table.
const std::vector<std::string_view>& KnownAotTargetNames();

// Parses and validates manifest text. Every problem found becomes a diagnostic
// with line and column in `path`; the result is an error if there was any.
Result<Manifest> ParseManifest(std::string text, const std::string& path, Diagnostics& diagnostics);

// Reads `path` (at most kMaxManifestBytes) and parses it.
Result<Manifest> LoadManifest(const std::string& path, Diagnostics& diagnostics);

}  // namespace wasmiot
