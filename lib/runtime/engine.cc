// What every engine shares: trap names, the prepared module, and reading the
// metering globals after a call.
#include "runtime/engine.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "module/module_info.h"
#include "module/wamr_memory.h"
#include "runtime/metering.h"
#include "support/text.h"

namespace wasmiot {

std::string_view EngineKindName(EngineKind kind) { return kind == EngineKind::kAot ? "aot" : "interp"; }

namespace {

// An arithmetic NaN: a NaN with the quiet bit set, the only NaNs arithmetic
// instructions produce.
bool IsArithmeticNan(const Value& v) {
  if (v.type == ValueType::kF32) return (v.bits & 0x7fc00000u) == 0x7fc00000u;
  if (v.type == ValueType::kF64) return (v.bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
  return false;
}

// As the spec permits engines to differ: an arithmetic instruction may return
// any arithmetic NaN (any sign, any payload with the quiet bit), so two of
// them are the same result. Every other value, signalling NaNs included (only
// bit-exact instructions such as load, copysign or reinterpret make them), must
// match bit for bit.
bool SameValue(const Value& a, const Value& b) {
  if (a.type != b.type) return false;
  if (IsArithmeticNan(a) && IsArithmeticNan(b)) return true;
  return a.bits == b.bits;
}

}  // namespace

std::string CompareOutcomes(const CallOutcome& a, const CallOutcome& b) {
  auto trap = [](const CallOutcome& o) { return o.trap ? fmt::format("trap {}", TrapKindName(o.trap->kind)) : std::string("no trap"); };
  if (a.trap.has_value() != b.trap.has_value() || (a.trap && a.trap->kind != b.trap->kind)) {
    return fmt::format("{} vs {}", trap(a), trap(b));
  }
  bool same = a.results.size() == b.results.size();
  for (size_t i = 0; same && i < a.results.size(); ++i) same = SameValue(a.results[i], b.results[i]);
  if (!same) return fmt::format("results {} vs {}", FormatValues(a.results), FormatValues(b.results));
  if (a.fuel_used != b.fuel_used) {
    return fmt::format("fuel used {} vs {}", a.fuel_used.value_or(0), b.fuel_used.value_or(0));
  }
  return "";
}

std::string CompareCalls(const CallTrace& a, const CallTrace& b) {
  if (std::string d = CompareOutcomes(a.outcome, b.outcome); !d.empty()) return d;
  if (a.host_call_count != b.host_call_count) {
    return fmt::format("{} vs {} host calls", a.host_call_count, b.host_call_count);
  }
  for (size_t i = 0; i < a.host_call_count; ++i) {
    const HostCall& p = a.host_calls[i];
    const HostCall& q = b.host_calls[i];
    if (!SameHostCall(p, q)) return fmt::format("host call {}: {} vs {}", i + 1, FormatHostCall(p), FormatHostCall(q));
  }
  return "";
}

RunLimits LimitsFromManifest(const Manifest* manifest) {
  RunLimits limits;
  if (!manifest) return limits;
  const Budgets& b = manifest->budgets;
  limits.max_memory_pages = b.max_pages;
  limits.max_table_elements = b.max_table_elements;
  if (b.fuel_per_call > 0) limits.fuel_per_call = b.fuel_per_call;
  limits.wall_ms_per_call = b.wall_ms_per_call;
  limits.stack_bytes = b.stack_bytes;
  limits.runtime = manifest->runtime;
  limits.heap_bytes = b.heap_bytes;
  return limits;
}

Result<PreparedModule> PrepareModule(const Bytes& wasm, const RunLimits& limits) {
  InstrumentOptions options;
  options.initial_fuel = limits.fuel_per_call;
  options.max_call_depth = limits.max_call_depth;
  options.max_memory_pages = limits.max_memory_pages;
  options.max_table_elements = limits.max_table_elements;
  options.version_loops = limits.version_loops.value_or(false);
  const bool count_stack = limits.stack_bytes > 0 && limits.max_call_depth > 0;
  if (count_stack || IsWamr(limits.runtime)) {
    Diagnostics ignored;
    Result<ModuleInfo> info = ReadModule(wasm, "module", ignored);
    if (!info) return info.error();
    if (count_stack) {
      StackBudget stack;
      stack.limit_bytes = limits.stack_bytes;
      FrameCostModel model = FrameCostModelFor(limits.runtime);
      for (const FunctionFrame& f : info->frames) stack.frame_bytes.push_back(FrameBytes(model, f));
      options.stack = std::move(stack);
    }
    if (IsWamr(limits.runtime)) options.wamr_memory = WamrMemoryLayout(*info, limits.heap_bytes);
  }
  Result<MeteredModule> m = InstrumentModule(wasm, options);
  if (!m) return m.error();
  PreparedModule out;
  out.wasm = std::move(m->wasm);
  if (options.wamr_memory) out.memory_bytes = options.wamr_memory->fixed_bytes;
  return out;
}

std::string PreparationKey(const RunLimits& limits) {
  return fmt::format("fuel {} depth {} pages {} table {} stack {} runtime {} heap {} loops {}\n", limits.fuel_per_call,
                     limits.max_call_depth, limits.max_memory_pages, limits.max_table_elements, limits.stack_bytes,
                     DeviceRuntimeName(limits.runtime), limits.heap_bytes, limits.version_loops.value_or(false) ? 1 : 0);
}

std::optional<Trap> RunStartFunction(Instance& instance) {
  CallOutcome start = instance.Call(kStartExport, {});
  if (start.trap) start.trap->export_name.clear();
  return start.trap;
}

Trap HostTrap(const Error& error, bool timed_out, const std::string& export_name) {
  return Trap{timed_out ? TrapKind::kTimeout : TrapKind::kHost, error.message, export_name};
}

bool ExplainMeteredTrap(const RunLimits& limits, int64_t fuel_left, uint32_t depth, bool trapped,
                        const std::string& export_name, CallOutcome& out) {
  uint64_t budget = limits.fuel_per_call;
  out.fuel_used = fuel_left < 0 ? budget : budget - static_cast<uint64_t>(fuel_left);
  if (!trapped) return false;
  if (fuel_left < 0) {
    out.trap = Trap{TrapKind::kFuelExhausted,
                    fmt::format("fuel exhausted: the budget of {} ran out", Plural(budget, "instruction")), export_name};
    return true;
  }
  if (depth == kStackBudgetExhaustedDepth && limits.stack_bytes > 0) {
    out.trap = Trap{TrapKind::kStackExhausted,
                    fmt::format("stack exhausted: the calls need more than the device's {} of stack ({} frames)",
                                Plural(limits.stack_bytes, "byte"), DeviceRuntimeName(limits.runtime)),
                    export_name};
    return true;
  }
  if (depth > limits.max_call_depth) {
    out.trap = Trap{TrapKind::kStackExhausted,
                    fmt::format("call stack exhausted: more than {}", Plural(limits.max_call_depth, "nested call")),
                    export_name};
    return true;
  }
  return false;
}

}  // namespace wasmiot
