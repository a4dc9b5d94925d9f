#include "runtime/host.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "support/text.h"

namespace wasmiot {
namespace {

// The (address, length) pair of pointer parameter `n`, with where its two
// values sit in the flat WebAssembly argument list.
struct Buffer {
  uint32_t address = 0;
  uint32_t length = 0;
};

// Where parameter `index` starts in the flat WebAssembly argument list.
size_t FlatIndex(const Signature& signature, size_t index) {
  size_t flat = 0;
  for (size_t i = 0; i < index && i < signature.params.size(); ++i) flat += signature.params[i].is_pointer ? 2 : 1;
  return flat;
}

Buffer BufferArg(const Signature& signature, const std::vector<Value>& args, size_t pointer_index) {
  if (pointer_index >= signature.params.size()) return {};
  size_t flat = FlatIndex(signature, pointer_index);
  return {args[flat].i32(), args[flat + 1].i32()};
}

// The first string parameter's text: its bytes up to the NUL, which must come
// before the end of linear memory (WAMR refuses a "$" argument without one).
Result<std::optional<std::string>> StringArg(const HostFunction& f, const std::vector<Value>& args,
                                             const GuestMemory& memory) {
  for (size_t i = 0; i < f.signature.params.size(); ++i) {
    if (!f.signature.params[i].is_string) continue;
    uint32_t address = args[FlatIndex(f.signature, i)].i32();
    uint8_t* data = memory.data ? memory.data() : nullptr;
    uint64_t size = data ? memory.size() : 0;
    const void* nul = address < size ? std::memchr(data + address, 0, size - address) : nullptr;
    if (!nul) {
      return Error{ErrorKind::kInvalidInput,
                   fmt::format("{}: string {} at {:#x} has no NUL byte before the end of linear memory ({})",
                               f.QualifiedName(), f.signature.params[i].name, address, Plural(size, "byte"))};
    }
    return std::optional<std::string>(std::string(reinterpret_cast<const char*>(data + address),
                                                  static_cast<const uint8_t*>(nul) - (data + address)));
  }
  return std::optional<std::string>();
}

size_t FirstPointer(const Signature& signature) {
  for (size_t i = 0; i < signature.params.size(); ++i) {
    if (signature.params[i].is_pointer) return i;
  }
  return signature.params.size();
}

// The guest bytes [address, address + length), checked in 64-bit arithmetic
// (the sum of two u32 never wraps there) against the memory's current size.
Result<uint8_t*> Reach(const HostFunction& f, const GuestMemory& memory, Buffer b) {
  uint8_t* data = memory.data ? memory.data() : nullptr;
  if (!data) {
    return Error{ErrorKind::kInvalidInput, fmt::format("{}: the module has no linear memory for its buffer",
                                                       f.QualifiedName())};
  }
  uint64_t size = memory.size();
  if (uint64_t{b.address} + b.length > size) {
    return Error{ErrorKind::kInvalidInput,
                 fmt::format("{}: buffer [{:#x}, {:#x} + {}) is outside linear memory ({})", f.QualifiedName(),
                             b.address, b.address, b.length, Plural(size, "byte"))};
  }
  return data + b.address;
}

std::vector<Value> ResultOf(const HostFunction& f, double number) {
  std::vector<Value> out;
  for (ValueType t : f.signature.WasmResults()) out.push_back(Value::FromNumber(t, number));
  return out;
}

}  // namespace

namespace {

template <typename Name>
std::vector<std::string> NamesOf(const Manifest& manifest, Name name) {
  std::vector<std::string> out;
  for (const HostFunction& f : manifest.host_functions) {
    std::optional<std::string> n = name(f);
    if (n && std::find(out.begin(), out.end(), *n) == out.end()) out.push_back(std::move(*n));
  }
  return out;
}

}  // namespace

std::vector<std::string> SensorChannels(const Manifest& manifest) {
  return NamesOf(manifest, [](const HostFunction& f) -> std::optional<std::string> {
    if (f.sim.kind != SimKind::kSensor) return std::nullopt;
    return f.sim.channel.empty() ? f.name : f.sim.channel;
  });
}

std::vector<std::string> InputStreams(const Manifest& manifest) {
  return NamesOf(manifest, [](const HostFunction& f) -> std::optional<std::string> {
    if (f.sim.kind != SimKind::kBufferIn) return std::nullopt;
    return f.sim.stream.empty() ? f.name : f.sim.stream;
  });
}

std::vector<std::string> HostFunctionNames(const Manifest& manifest) {
  return NamesOf(manifest, [](const HostFunction& f) -> std::optional<std::string> { return f.QualifiedName(); });
}

std::string UnknownDeviceInput(const Manifest& manifest, DeviceInputKind kind, const std::string& name) {
  std::vector<std::string> known = kind == DeviceInputKind::kSensorChannel ? SensorChannels(manifest)
                                   : kind == DeviceInputKind::kStream      ? InputStreams(manifest)
                                                                           : HostFunctionNames(manifest);
  if (std::find(known.begin(), known.end(), name) != known.end()) return "";
  switch (kind) {
    case DeviceInputKind::kSensorChannel:
      return fmt::format("the device has no sensor channel \"{}\"{}", name, DidYouMean(name, known));
    case DeviceInputKind::kStream:
      return fmt::format("no buffer_in function of the device reads a stream \"{}\"{}", name, DidYouMean(name, known));
    case DeviceInputKind::kHostFunction: break;
  }
  return fmt::format("the device has no host function {}{}", name, DidYouMean(name, known));
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& names) {
  std::vector<std::string_view> candidates(names.begin(), names.end());
  std::optional<std::string> near = ClosestQualifiedMatch(word, candidates);
  return near ? fmt::format(" (did you mean \"{}\"?)", *near) : std::string();
}

bool SameHostCall(const HostCall& a, const HostCall& b) {
  return a.function == b.function && a.time_us == b.time_us && a.args == b.args && a.results == b.results &&
         a.text == b.text && a.bytes == b.bytes;
}

std::optional<Bytes> ReadGuest(const GuestMemory& memory, uint64_t at, uint64_t length) {
  uint8_t* data = memory.data ? memory.data() : nullptr;
  uint64_t size = data ? memory.size() : 0;
  if (!data || at > size || length > size - at) return std::nullopt;
  return Bytes(data + at, data + at + length);
}

bool WriteGuest(const GuestMemory& memory, uint64_t at, const Bytes& bytes) {
  uint8_t* data = memory.data ? memory.data() : nullptr;
  uint64_t size = data ? memory.size() : 0;
  if (!data || at > size || bytes.size() > size - at) return false;
  std::copy(bytes.begin(), bytes.end(), data + at);
  return true;
}

std::string FormatHostCall(const HostCall& call) {
  std::string out = fmt::format("called host {}({}) =>", call.function->QualifiedName(), FormatValues(call.args));
  if (!call.results.empty()) out += " " + FormatValues(call.results);
  return out;
}

void SimulatedHost::BeginCall(uint64_t wall_ms_per_call) {
  wall_limit_ms_ = wall_ms_per_call;
  wall_spent_ms_ = 0;
  timed_out_ = false;
}

Result<std::vector<Value>> SimulatedHost::Call(const HostFunction& f, const std::vector<Value>& args,
                                               const GuestMemory& memory) {
  if (auto slow = latency_ms_.find(f.QualifiedName()); slow != latency_ms_.end()) {
    uint64_t ms = slow->second;
    if (wall_limit_ms_ > 0 && wall_spent_ms_ + ms > wall_limit_ms_) {
      uint64_t left = wall_limit_ms_ - wall_spent_ms_;
      std::this_thread::sleep_for(std::chrono::milliseconds(left));
      wall_spent_ms_ = wall_limit_ms_;
      timed_out_ = true;
      return Error{ErrorKind::kInvalidInput,
                   fmt::format("{}: stopped after {} ms: the call's wall-clock limit of {} ms ran out in this host "
                               "call (it takes {} ms)", f.QualifiedName(), left, wall_limit_ms_, ms)};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    wall_spent_ms_ += ms;
  }
  HostCall call;
  call.time_us = time_us_;
  call.function = &f;
  call.args = args;
  Result<std::optional<std::string>> text = StringArg(f, args, memory);
  if (!text) return text.error();
  if (*text) call.text = std::move(**text);
  const Simulation& sim = f.sim;
  switch (sim.kind) {
    case SimKind::kSensor: {
      std::string channel = sim.channel.empty() ? f.name : sim.channel;
      auto it = sensors_.find(channel);
      size_t index = 0;
      if (!sim.indexed_by.empty()) {
        index = args.empty() ? 0 : args[0].i32();
      }
      if (it == sensors_.end() || index >= it->second.size()) {
        return Error{ErrorKind::kInvalidInput,
                     sim.indexed_by.empty()
                         ? fmt::format("{}: sensor channel \"{}\" has no value", f.QualifiedName(), channel)
                         : fmt::format("{}: sensor channel \"{}\" has no element {}", f.QualifiedName(), channel, index)};
      }
      call.results = ResultOf(f, it->second[index]);
      break;
    }
    case SimKind::kActuator:
      call.results = ResultOf(f, sim.returns);
      break;
    case SimKind::kClock: {
      static constexpr uint64_t kPerSecond[] = {1, 1000, 1000000, 1000000000};
      uint64_t per_second = kPerSecond[static_cast<int>(sim.unit)];
      uint64_t ticks = per_second >= 1000000 ? time_us_ * (per_second / 1000000) : time_us_ / (1000000 / per_second);
      std::vector<ValueType> types = f.signature.WasmResults();
      call.results = {types[0] == ValueType::kI64 ? Value::I64(ticks) : Value::I32(static_cast<uint32_t>(ticks))};
      break;
    }
    case SimKind::kLog: {
      if (f.signature.params[0].is_string) break;  // its text is read above
      Buffer b = BufferArg(f.signature, args, FirstPointer(f.signature));
      Result<uint8_t*> at = Reach(f, memory, b);
      if (!at) return at.error();
      call.text.assign(reinterpret_cast<const char*>(*at), b.length);
      break;
    }
    case SimKind::kBufferIn: {
      Buffer b = BufferArg(f.signature, args, FirstPointer(f.signature));
      Result<uint8_t*> at = Reach(f, memory, b);
      if (!at) return at.error();
      InputStream& in = inputs_[sim.stream.empty() ? f.name : sim.stream];
      size_t n = std::min<size_t>(b.length, in.bytes.size() - in.position);
      if (n > 0) std::memcpy(*at, in.bytes.data() + in.position, n);  // an empty stream has no data()
      call.bytes.assign(in.bytes.begin() + static_cast<std::ptrdiff_t>(in.position),
                        in.bytes.begin() + static_cast<std::ptrdiff_t>(in.position + n));
      in.position += n;
      call.results = ResultOf(f, static_cast<double>(n));
      break;
    }
    case SimKind::kBufferOut: {
      Buffer b = BufferArg(f.signature, args, FirstPointer(f.signature));
      Result<uint8_t*> at = Reach(f, memory, b);
      if (!at) return at.error();
      call.bytes.assign(*at, *at + b.length);
      Bytes& out = outputs_[sim.stream.empty() ? f.name : sim.stream];
      out.insert(out.end(), call.bytes.begin(), call.bytes.end());
      // A signed status stays signed: -5 is -5, not 2^32 - 5 (a uint32 length and an int32 status
      // would meet in unsigned arithmetic).
      call.results = ResultOf(f, sim.status ? static_cast<double>(*sim.status) : static_cast<double>(b.length));
      break;
    }
  }
  std::vector<Value> results = call.results;
  calls_.push_back(std::move(call));
  return results;
}

}  // namespace wasmiot
