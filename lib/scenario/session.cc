// A scenario run: checked against the module and device, its calls made in
// time order on one engine, and held to its expectations.
#include "scenario/session.h"

#include <algorithm>

#include <fmt/format.h>

#include "runtime/host.h"
#include "support/text.h"
#include "scenario/stream_input.h"
#include "support/file_io.h"
#include "scenario/expectations.h"
#include "scenario/host_buffers.h"

namespace wasmiot {
namespace {

double SensorAt(const SensorSeries& series, uint64_t t) {
  double v = series.empty() ? 0 : series.front().second;  // before the first step: its value
  for (const auto& [from, value] : series) {
    if (from <= t) v = value;
  }
  return v;
}

// The pointer parameter whose address is WebAssembly parameter `slot`.
const Param* PointerParamAt(const Signature& signature, size_t slot) {
  size_t at = 0;
  for (const Param& p : signature.params) {
    if (at == slot) return p.is_pointer ? &p : nullptr;
    at += p.is_pointer ? 2 : 1;
  }
  return nullptr;
}

}  // namespace

Result<std::unique_ptr<ScenarioSession>> ScenarioSession::Start(const Scenario& s, const Manifest& manifest,
                                                                 const ModuleInfo& module,
                                                                 const Instantiator& instantiate,
                                                                 Diagnostics& diagnostics) {
  std::unique_ptr<ScenarioSession> session(new ScenarioSession(s));
  // The calls must name exports the module has, with the right number of arguments.
  std::vector<Planned>& plan = session->plan_;
  bool ok = true;
  auto refuse = [&](std::string code, TextPosition position, std::string message) {
    diagnostics.AddError(std::move(code), s.path, std::move(message)).position = position;
    ok = false;
  };
  std::vector<std::string> functions;  // what the module exports that a device can call
  for (const ExportInfo& x : module.exports) {
    if (x.kind == ExternKind::kFunc) functions.push_back(x.name);
  }
  auto exported = [&](const std::string& name) {
    return std::find(functions.begin(), functions.end(), name) != functions.end();
  };
  for (size_t i = 0; i < s.calls.size(); ++i) {
    const ScenarioCall& c = s.calls[i];
    auto e = std::find_if(module.exports.begin(), module.exports.end(),
                          [&](const ExportInfo& x) { return x.name == c.export_name && x.kind == ExternKind::kFunc; });
    if (e == module.exports.end()) {
      refuse("scenario-export-unknown", c.position,
             fmt::format("calls/{}: the module exports no function \"{}\"{}", i, c.export_name,
                         DidYouMean(c.export_name, functions)));
      continue;
    }
    // A buffer argument stands for two parameters: its address and its length.
    size_t slots = 0;
    for (const ScenarioArg& a : c.args) slots += a.buffer ? 2 : 1;
    if (e->signature.params.size() != slots) {
      refuse("scenario-invalid", c.position,
             fmt::format("calls/{}: {} takes {} {}, not {}{}", i, c.export_name,
                         Plural(e->signature.params.size(), "argument"), e->signature.ToString(), slots,
                         slots != c.args.size() ? " (a buffer counts as two: its address and its length)" : ""));
      continue;
    }
    // Each argument must fit its parameter exactly: never clamped, rounded or truncated.
    std::vector<Value> args;
    std::vector<BufferArgument> buffers;
    bool args_ok = true;
    const ExportSpec* spec = manifest.FindExport(c.export_name);
    for (size_t k = 0; k < c.args.size(); ++k) {
      const size_t slot = args.size();
      if (c.args[k].buffer) {
        args.insert(args.end(), {Value::I32(0), Value::I32(0)});  // placed when the call is made
        const Param* param = spec ? PointerParamAt(spec->signature, slot) : nullptr;
        if (!param) {
          refuse("scenario-invalid", c.args[k].position,
                 fmt::format("calls/{}/args/{}: a buffer goes only where the manifest declares a pointer parameter "
                             "of {} (exports.{}.params), and parameter {} is not one",
                             i, k, c.export_name, c.export_name, slot + 1));
          args_ok = false;
        } else if (!manifest.host_buffers) {
          refuse("scenario-invalid", c.args[k].position,
                 fmt::format("calls/{}/args/{}: the manifest has no host_buffers to say where the host puts the "
                             "buffer {}: add \"host_buffers\" (docs/manifest.md), or pass its address and length "
                             "as two numbers",
                             i, k, param->name));
          args_ok = false;
        } else {
          buffers.push_back({slot, param, &*c.args[k].buffer});
        }
        continue;
      }
      // A v128 or reference parameter (a SIMD device may export one) has no
      // scenario spelling: refused, not dereferenced.
      std::optional<ValueType> type = NumericType(e->signature.params[slot]);
      if (!type) {
        refuse("scenario-invalid", c.args[k].position,
               fmt::format("calls/{}/args/{}: {} takes a {} parameter, which a scenario cannot pass (only i32, i64, "
                           "f32 and f64)",
                           i, k, c.export_name, WasmTypeName(e->signature.params[slot])));
        args_ok = false;
        args.push_back(Value::I32(0));
        continue;
      }
      Result<Value> v = ArgumentValue(c.args[k], *type);
      if (!v) {
        refuse("scenario-invalid", c.args[k].position,
               fmt::format("calls/{}/args/{}: {} (argument {} of {} {})", i, k, v.error().message, slot + 1,
                           c.export_name, e->signature.ToString()));
        args_ok = false;
      }
      args.push_back(v ? *v : Value::I32(0));
    }
    if (!args_ok) continue;
    if (!buffers.empty() && manifest.host_buffers->kind == HostBufferKind::kReserved) {
      std::vector<uint32_t> lengths;
      for (const BufferArgument& b : buffers) lengths.push_back(static_cast<uint32_t>(b.contents->size()));
      if (!PlaceInReservedRegion(*manifest.host_buffers, lengths)) {
        refuse("scenario-invalid", c.position,
               fmt::format("calls/{}: its buffers do not fit the {} bytes host_buffers reserves (each starts 8-aligned)",
                           i, manifest.host_buffers->bytes));
        continue;
      }
    }
    uint64_t until = c.until_ms.value_or(s.duration_ms);
    for (uint64_t t = c.at_ms; t < until || (c.every_ms == 0 && t == c.at_ms); t += c.every_ms) {
      if (plan.size() >= kMaxScenarioEvents) {
        diagnostics.AddError("scenario-invalid", s.path, fmt::format("more than {} calls", kMaxScenarioEvents));
        return Error{ErrorKind::kInvalidInput, "too many calls"};
      }
      plan.push_back({t, &c, args, buffers});
      if (c.every_ms == 0) break;
    }
  }
  // The expectations must name what the module and device have: an expectation
  // about "log" (not "env.log") would otherwise just fail, or pass vacuously.
  const std::vector<std::string> host_functions = HostFunctionNames(manifest);
  for (size_t i = 0; i < s.host_calls.size(); ++i) {
    const ExpectedHostCall& e = s.host_calls[i];
    if (std::find(host_functions.begin(), host_functions.end(), e.function) == host_functions.end()) {
      refuse("scenario-host-unknown", e.function_position,
             fmt::format("expect/host_calls/{}/function: the device has no host function \"{}\"{}", i, e.function,
                         DidYouMean(e.function, host_functions)));
    }
  }
  for (size_t i = 0; i < s.results.size(); ++i) {
    const ExpectedResult& e = s.results[i];
    if (!exported(e.export_name)) {
      refuse("scenario-export-unknown", e.export_position,
             fmt::format("expect/results/{}/export: the module exports no function \"{}\"{}", i, e.export_name,
                         DidYouMean(e.export_name, functions)));
    }
  }
  for (size_t i = 0; i < s.results.size(); ++i) {  // memory read back from a buffer the call passed
    const ExpectedResult& e = s.results[i];
    if (!e.memory || e.memory->buffer.empty()) continue;
    const ExportSpec* spec = manifest.FindExport(e.export_name);
    std::vector<std::string> pointers;
    for (const Param& p : spec ? spec->signature.params : std::vector<Param>{}) {
      if (p.is_pointer) pointers.push_back(p.name);
    }
    if (std::find(pointers.begin(), pointers.end(), e.memory->buffer) == pointers.end()) {
      refuse("scenario-invalid", e.position,
             fmt::format("expect/results/{}/memory/buffer: the manifest declares no pointer parameter \"{}\" of {}{}",
                         i, e.memory->buffer, e.export_name, DidYouMean(e.memory->buffer, pointers)));
    }
  }
  for (size_t i = 0; i < s.traps.size(); ++i) {
    const ExpectedTrap& e = s.traps[i];
    bool start = e.export_name == "(start)" && module.start_function;  // how a trapping start function is reported
    if (!exported(e.export_name) && !start) {
      refuse("scenario-export-unknown", e.export_position,
             fmt::format("expect/traps/{}/export: the module exports no function \"{}\"{}", i, e.export_name,
                         DidYouMean(e.export_name, functions)));
    }
  }
  auto known = [&](DeviceInputKind kind, const std::string& name, const char* code, const char* field) {
    std::string problem = UnknownDeviceInput(manifest, kind, name);
    if (problem.empty()) return;
    diagnostics.AddError(code, s.path, fmt::format("{}: {}", field, problem));
    ok = false;
  };
  for (const auto& [channel, input] : s.sensors) {
    known(DeviceInputKind::kSensorChannel, channel, "scenario-sensor-unknown", "sensors");
  }
  for (const auto& [stream, files] : s.streams) {
    known(DeviceInputKind::kStream, stream, "scenario-stream-unknown", "streams");
  }
  for (const auto& [function, ms] : s.host_latency_ms) {
    known(DeviceInputKind::kHostFunction, function, "scenario-host-unknown", "host_latency_ms");
  }
  if (!ok) return Error{ErrorKind::kInvalidInput, "the scenario does not fit the module or device"};
  std::stable_sort(plan.begin(), plan.end(), [](const Planned& a, const Planned& b) { return a.time < b.time; });

  SimulatedHost& host = *session->host_;
  for (const auto& [stream, files] : s.streams) {
    Result<Bytes> bytes = LoadStreamFiles(files, diagnostics);
    if (!bytes) return bytes.error();
    host.SetInputStream(stream, std::move(bytes).value());
  }
  for (const auto& [function, ms] : s.host_latency_ms) host.SetLatency(function, ms);
  RunLimits limits = LimitsFromManifest(&manifest);
  if (s.max_pages) limits.max_memory_pages = *s.max_pages;
  if (s.fuel_per_call) limits.fuel_per_call = *s.fuel_per_call;
  if (s.max_call_depth) limits.max_call_depth = *s.max_call_depth;
  if (s.wall_ms_per_call) limits.wall_ms_per_call = *s.wall_ms_per_call;
  session->limits_ = limits;
  session->host_buffers_ = manifest.host_buffers;
  Result<Instantiation> inst = instantiate(host, limits);
  if (!inst) {
    diagnostics.AddError("instantiation-refused", s.module.empty() ? s.path : s.module, inst.error().message);
    return inst.error();
  }
  if (inst->trap) {
    ScenarioEvent ev;
    ev.export_name = "(start)";
    ev.outcome.trap = inst->trap;
    session->events_.push_back(std::move(ev));
    session->next_ = plan.size();  // nothing more to call
  }
  session->instance_ = std::move(inst->instance);
  return session;
}

ScenarioSession::ScenarioSession(const Scenario& s)
    : scenario_(s), host_(std::make_unique<SimulatedHost>()) {}

ScenarioSession::~ScenarioSession() = default;

const ScenarioEvent& ScenarioSession::Step() {
  const Scenario& s = scenario_;
  const Planned& p = plan_[next_++];
  SimulatedHost& host = *host_;
  host.SetTimeUs(p.time * 1000);
  for (const auto& [channel, input] : s.sensors) {
    std::vector<double> values;
    if (input.elements.empty()) values.push_back(SensorAt(input.series, p.time));
    for (const SensorSeries& e : input.elements) values.push_back(SensorAt(e, p.time));
    host.SetSensor(channel, std::move(values));
  }
  ScenarioEvent ev;
  ev.time_ms = p.time;
  ev.export_name = p.call->export_name;
  ev.args = p.args;
  ev.first_host_call = host.calls().size();
  std::vector<uint32_t> buffers;  // where the call's buffer arguments went
  if (p.buffers.empty()) {
    ev.outcome = instance_->Call(ev.export_name, ev.args);
  } else if (std::optional<Trap> refused =
                 PlaceBuffers(*instance_, *host_buffers_, ev.export_name, p.buffers, ev.args, buffers)) {
    ev.outcome.trap = std::move(refused);
  } else {
    ev.outcome = instance_->Call(ev.export_name, ev.args);
  }
  for (size_t r = 0; r < s.results.size(); ++r) {  // what the device reads back after this call
    const ExpectedResult& e = s.results[r];
    if (!e.memory || e.export_name != ev.export_name || (e.at_ms && *e.at_ms != ev.time_ms)) continue;
    uint64_t at = e.memory->at, length = e.memory->bytes.size();
    if (!e.memory->buffer.empty()) {
      auto b = std::find_if(p.buffers.begin(), p.buffers.end(),
                            [&](const BufferArgument& x) { return x.param->name == e.memory->buffer; });
      size_t index = static_cast<size_t>(b - p.buffers.begin());
      if (index >= buffers.size()) continue;  // not passed, or not placed
      at = buffers[index];
      length = std::min<uint64_t>(length, b->contents->size());
    }
    if (std::optional<Bytes> m = instance_->ReadMemory(at, length)) ev.memory_read[r] = std::move(*m);
  }
  if (std::optional<Trap> failed = FreeBuffers(*instance_, *host_buffers_, buffers); failed && !ev.outcome.trap) {
    ev.outcome.trap = std::move(failed);
  }
  ev.host_call_count = host.calls().size() - ev.first_host_call;
  events_.push_back(std::move(ev));
  return events_.back();
}

uint64_t ScenarioSession::memory_bytes() const { return instance_ ? instance_->memory_bytes() : 0; }

ScenarioReport ScenarioSession::Finish() {
  ScenarioReport report;
  report.events = std::move(events_);
  report.host_calls = host_->calls();
  report.divergence = FirstUnmetExpectation(scenario_, report);
  report.passed = report.divergence.empty();
  return report;
}

Result<ScenarioReport> RunScenario(const Scenario& s, const Manifest& manifest, const ModuleInfo& module,
                                   const Instantiator& instantiate, Diagnostics& diagnostics) {
  Result<std::unique_ptr<ScenarioSession>> session = ScenarioSession::Start(s, manifest, module, instantiate, diagnostics);
  if (!session) return session.error();
  while (!(*session)->done()) (*session)->Step();
  return (*session)->Finish();
}

std::string FirstEngineDifference(const ScenarioReport& a, std::string_view a_name, const ScenarioReport& b,
                                  std::string_view b_name) {
  std::string engines = fmt::format("{} vs {}", a_name, b_name);
  if (a.events.size() != b.events.size()) {
    return fmt::format("the engines made different numbers of calls ({}): {} vs {}", engines, a.events.size(),
                       b.events.size());
  }
  for (size_t i = 0; i < a.events.size(); ++i) {
    const ScenarioEvent& x = a.events[i];
    const ScenarioEvent& y = b.events[i];
    std::string d = CompareCalls({x.outcome, a.host_calls.data() + x.first_host_call, x.host_call_count},
                                 {y.outcome, b.host_calls.data() + y.first_host_call, y.host_call_count});
    if (!d.empty()) return fmt::format("the engines disagree at {} ms, {}: {} ({})", x.time_ms, x.export_name, d, engines);
  }
  return "";
}

std::string FormatScenarioTrace(const ScenarioReport& report) {
  std::string out;
  for (const ScenarioEvent& ev : report.events) {
    std::string results = ev.outcome.trap ? fmt::format(" trap {}: {}", TrapKindName(ev.outcome.trap->kind),
                                                         ev.outcome.trap->message)
                                          : ev.outcome.results.empty() ? "" : " " + FormatValues(ev.outcome.results);
    out += fmt::format("[{:>6} ms] {}({}) =>{}\n", ev.time_ms, ev.export_name, FormatValues(ev.args), results);
    for (size_t k = 0; k < ev.host_call_count; ++k) {
      const HostCall& c = report.host_calls[ev.first_host_call + k];
      out += fmt::format("             {}{}\n", FormatHostCall(c),
                         c.function->sim.kind == SimKind::kLog ? " " + Quoted(c.text) : "");
    }
  }
  return out;
}

}  // namespace wasmiot
