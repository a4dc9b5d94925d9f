// The simulated device: every host function a manifest declares, behaving as
// its `sim` block says (sensor, actuator, log, clock, buffer_in, buffer_out),
// for any engine. Guest buffers are reached only through GuestMemory, checked
// with overflow-safe arithmetic before any byte is touched.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/manifest.h"
#include "runtime/value.h"
#include "support/file_io.h"
#include "support/result.h"

namespace wasmiot {

// The guest's linear memory as it is right now. Asked again on every access,
// so a memory that grew (and moved) never leaves a stale pointer behind.
struct GuestMemory {
  std::function<uint8_t*()> data;     // nullptr if the module has no memory
  std::function<uint64_t()> size;     // bytes
};

// A copy of guest bytes [at, at + length), or nothing if they are not all
// inside linear memory (checked without overflow).
std::optional<Bytes> ReadGuest(const GuestMemory& memory, uint64_t at, uint64_t length);
// Writes `bytes` at `at` if they all fit in linear memory; false (nothing written) otherwise.
bool WriteGuest(const GuestMemory& memory, uint64_t at, const Bytes& bytes);

// One host call, as the trace and the scenario checks see it.
struct HostCall {
  uint64_t time_us = 0;  // simulated time of the call
  const HostFunction* function = nullptr;
  std::vector<Value> args;     // the WebAssembly arguments
  std::vector<Value> results;  // what the host returned
  std::string text;            // log, or a "string" parameter: the guest's string
  Bytes bytes;                 // buffer_out: the bytes written out; buffer_in: the bytes read in
};

// The same call with the same arguments, results, text and bytes (two engines
// must make identical host calls).
bool SameHostCall(const HostCall& a, const HostCall& b);

// `called host env.set_heater(i32:1) =>` as wasm-interp prints it, with " i32:0"
// after the arrow for a result.
std::string FormatHostCall(const HostCall& call);

// The names a device's inputs go by, in manifest order without repeats: its
// sensor channels, the streams its buffer_in functions read, and its host
// functions as MODULE.NAME (for slow ones). The command line and scenarios
// refuse any other.
std::vector<std::string> SensorChannels(const Manifest& manifest);
std::vector<std::string> InputStreams(const Manifest& manifest);
std::vector<std::string> HostFunctionNames(const Manifest& manifest);

// What a device input names: a sensor channel, the stream of a buffer_in
// function, or a host function (MODULE.NAME).
enum class DeviceInputKind { kSensorChannel, kStream, kHostFunction };

// Why the device has no such input, with a "did you mean" ("the device has
// no sensor channel \"temprature\" (did you mean ...)"); "" if it has one. The
// one check behind the command line's inputs and a scenario's.
std::string UnknownDeviceInput(const Manifest& manifest, DeviceInputKind kind, const std::string& name);

// " (did you mean \"temperature\"?)" for the nearest of `names`, or "".
std::string DidYouMean(std::string_view word, const std::vector<std::string>& names);

class SimulatedHost {
 public:
  // Inputs. A sensor channel is a value, or a list read by `indexed_by`.
  void SetSensor(const std::string& channel, std::vector<double> values) { sensors_[channel] = std::move(values); }
  void SetInputStream(const std::string& stream, Bytes bytes) { inputs_[stream] = {std::move(bytes), 0}; }
  void SetTimeUs(uint64_t time_us) { time_us_ = time_us; }

  // Wall clock. A slow host function (SetLatency, MODULE.NAME) takes that long
  // in real time. During one export call the host calls may take up to
  // `wall_ms_per_call` in all (0: no limit): the call that would pass it is
  // stopped when the limit is reached and fails as a timeout. Only host time
  // counts: the guest's own time is bounded by fuel, the same on every engine.
  void SetLatency(const std::string& function, uint64_t ms) { latency_ms_[function] = ms; }
  void BeginCall(uint64_t wall_ms_per_call);
  bool timed_out() const { return timed_out_; }
  uint64_t time_us() const { return time_us_; }

  // Calls `function` with its WebAssembly arguments. An error is a trap in
  // the guest: a buffer outside linear memory, no memory at all, a sensor
  // channel without a value.
  Result<std::vector<Value>> Call(const HostFunction& function, const std::vector<Value>& args,
                                  const GuestMemory& memory);

  const std::vector<HostCall>& calls() const { return calls_; }
  void ForgetCalls() { calls_.clear(); }  // a long run that does not need its log
  const std::map<std::string, Bytes>& output_streams() const { return outputs_; }

 private:
  struct InputStream {
    Bytes bytes;
    size_t position = 0;
  };
  uint64_t time_us_ = 0;
  std::map<std::string, std::vector<double>> sensors_;
  std::map<std::string, InputStream> inputs_;
  std::map<std::string, Bytes> outputs_;
  std::vector<HostCall> calls_;
  std::map<std::string, uint64_t> latency_ms_;
  uint64_t wall_limit_ms_ = 0;
  uint64_t wall_spent_ms_ = 0;
  bool timed_out_ = false;
};

}  // namespace wasmiot
