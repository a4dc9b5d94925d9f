// Scenarios (format v1, docs/scenarios.md, schemas/scenario.schema.json):
// the calls a device makes over simulated time, the sensor inputs and
// streams it sees, and what must happen — host calls, export results, traps.
// Run on any engine; `wasmiot run --scenario` and `wasmiot test` use them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "module/module_info.h"
#include "runtime/value.h"
#include "support/diagnostics.h"
#include "support/result.h"

namespace wasmiot {

inline constexpr int kScenarioFormatVersion = 1;
inline constexpr uint64_t kMaxScenarioBytes = 1 << 20;
inline constexpr uint64_t kMaxScenarioEvents = 1'000'000;

// A call's argument as the file gives it. It must fit the export's parameter
// type exactly: an integer within the i32 (-2^31 to 2^32-1, as unsigned
// spellings are common) or i64 (-2^63 to 2^64-1) range, a number within the
// f32 range; anything else is refused when the scenario meets the module.
struct ScenarioArg {
  double number = 0;  // its value as a double
  std::string text;   // as written ("4294967295", "1e3"): integers are read from it exactly
  TextPosition position;
  // {"buffer": N} (N zero bytes), {"text": "..."} or {"hex": "..."}: a buffer
  // the host places for a pointer parameter where the manifest's host_buffers
  // says, standing for both its address and its length.
  std::optional<Bytes> buffer;
};
// The largest buffer a scenario may pass.
inline constexpr uint64_t kMaxScenarioBufferBytes = 1 << 20;

// `arg` as a value of `type`, or why it does not fit.
Result<Value> ArgumentValue(const ScenarioArg& arg, ValueType type);

struct ScenarioCall {
  std::string export_name;
  std::vector<ScenarioArg> args;  // converted to the export's parameter types when run
  uint64_t at_ms = 0;        // the first call
  uint64_t every_ms = 0;     // 0: once
  std::optional<uint64_t> until_ms;  // exclusive; default: the scenario's duration; after at_ms
  TextPosition position;
};

using SensorSeries = std::vector<std::pair<uint64_t, double>>;  // (from_ms, value), sorted; a constant: one step at 0

struct SensorInput {
  SensorSeries series;
  std::vector<SensorSeries> elements;  // an indexed channel: each element a series
};

struct ExpectedNumber {
  double value = 0;
  double tolerance = 0;
};

// A field of a buffer's bytes (a telemetry packet, a frame), decoded
// little-endian: "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "f32", "f64".
// Bytes in a field of that type; 0 for an unknown type.
size_t FieldSize(std::string_view type);

struct ExpectedField {
  uint64_t at = 0;
  std::string type;
  ExpectedNumber value;
};

struct ExpectedHostCall {
  std::string function;  // MODULE.NAME
  std::optional<std::vector<ExpectedNumber>> args;
  std::optional<uint64_t> at_ms;
  std::optional<std::string> text;  // a log's string
  std::optional<uint64_t> length;   // a buffer's length in bytes
  std::vector<ExpectedField> fields;  // a buffer's contents
  TextPosition position;
  TextPosition function_position;  // of "function": it must name a host function of the device
};

// Guest memory right after a call, as the device would read it back.
struct ExpectedMemory {
  uint64_t at = 0;
  std::string buffer;  // instead of `at`: the buffer the call passed for this pointer parameter
  Bytes bytes;  // from "text" (UTF-8) or "hex"
  bool is_text = false;
};

struct ExpectedResult {
  std::string export_name;
  std::optional<uint64_t> at_ms;  // default: its first call
  std::optional<std::vector<ExpectedNumber>> values;
  std::optional<ExpectedMemory> memory;
  TextPosition position;
  TextPosition export_position;  // of "export": it must name an exported function
};

struct ExpectedTrap {
  std::string export_name;
  std::optional<uint64_t> at_ms;
  std::string kind;  // TrapKindName
  TextPosition position;
  TextPosition export_position;
};

struct Scenario {
  std::string path;  // the scenario file
  std::string name;
  std::string module;    // resolved against the scenario's folder; "" if not given
  std::string manifest;  // likewise
  uint64_t duration_ms = 0;
  std::optional<uint64_t> fuel_per_call;
  std::optional<uint32_t> max_pages;
  std::optional<uint32_t> max_call_depth;
  std::optional<uint64_t> wall_ms_per_call;
  std::map<std::string, uint64_t> host_latency_ms;  // MODULE.NAME -> how long each call takes
  std::vector<ScenarioCall> calls;
  std::map<std::string, SensorInput> sensors;
  std::map<std::string, std::vector<std::string>> streams;  // stream -> its files in order, resolved
  std::vector<ExpectedHostCall> host_calls;
  bool host_calls_exact = false;  // the log must be exactly the expected calls
  std::vector<ExpectedResult> results;
  std::vector<ExpectedTrap> traps;
};

// Parses scenario text; every problem is a diagnostic with line:column.
Result<Scenario> ParseScenario(std::string text, const std::string& path, Diagnostics& diagnostics);
Result<Scenario> LoadScenario(const std::string& path, Diagnostics& diagnostics);

}  // namespace wasmiot
