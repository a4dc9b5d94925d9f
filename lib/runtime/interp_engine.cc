// The one place that includes wabt's interpreter.
#include <cstring>

#include <fmt/format.h>

#include <wabt/binary-reader.h>
#include <wabt/interp/binary-reader-interp.h>
#include <wabt/interp/interp.h>

#include "module/wabt_features.h"
#include "runtime/engine.h"
#include "runtime/metering.h"

namespace wasmiot {
namespace {

namespace wi = wabt::interp;

// wabt's trap messages, by prefix.
TrapKind Classify(const std::string& message) {
  const std::pair<const char*, TrapKind> table[] = {
      {"unreachable executed", TrapKind::kUnreachable},
      {"out of bounds memory access", TrapKind::kMemoryOutOfBounds},
      {"integer divide by zero", TrapKind::kDivideByZero},
      {"integer overflow", TrapKind::kIntegerOverflow},
      {"invalid conversion to integer", TrapKind::kInvalidConversion},
      {"call stack exhausted", TrapKind::kStackExhausted},
      {"uninitialized table element", TrapKind::kIndirectCall},
      {"indirect call signature mismatch", TrapKind::kIndirectCall},
      {"undefined table index", TrapKind::kIndirectCall},
  };
  for (const auto& [prefix, kind] : table) {
    if (message.rfind(prefix, 0) == 0) return kind;
  }
  return TrapKind::kOther;
}

Trap TrapFrom(const wi::Trap::Ptr& trap, const std::string& export_name) {
  std::string message = trap ? trap->message() : "trapped";
  return Trap{Classify(message), message, export_name};
}

wi::Value ToInterp(const Value& v) {
  switch (v.type) {
    case ValueType::kI32: return wi::Value::Make(v.i32());
    case ValueType::kI64: return wi::Value::Make(v.i64());
    case ValueType::kF32: return wi::Value::Make(v.f32());
    case ValueType::kF64: return wi::Value::Make(v.f64());
  }
  return wi::Value::Make(0u);
}

Value FromInterp(const wi::Value& v, wabt::Type type) {
  switch (type) {
    case wabt::Type::I64: return Value::I64(v.Get<wi::u64>());
    case wabt::Type::F32: return Value::F32(v.Get<wi::f32>());
    case wabt::Type::F64: return Value::F64(v.Get<wi::f64>());
    default: return Value::I32(v.Get<wi::u32>());
  }
}

class InterpInstance : public Instance {
 public:
  explicit InterpInstance(const wabt::Features& features) : store_(features) {}

  CallOutcome Call(const std::string& export_name, const std::vector<Value>& args) override {
    CallOutcome out;
    const wi::ModuleDesc& desc = module_->desc();
    for (size_t i = 0; i < desc.exports.size(); ++i) {
      const wi::ExportDesc& e = desc.exports[i];
      if (e.type.name != export_name || e.type.type->kind != wi::ExternKind::Func) continue;
      wi::Func::Ptr func = store_.UnsafeGet<wi::Func>(instance_->exports()[i]);
      const wi::FuncType& type = func->type();
      wi::Values params, results;
      for (const Value& v : args) params.push_back(ToInterp(v));
      wi::Trap::Ptr trap;
      wi::Thread thread(store_);
      Fuel()->UnsafeSet(wi::Value::Make(limits_.fuel_per_call));
      host_error_.reset();
      if (host_) host_->BeginCall(limits_.wall_ms_per_call);
      if (depth_ != wi::Ref::Null) Depth()->UnsafeSet(wi::Value::Make(wi::u32{0}));  // a trap left it anywhere
      bool trapped = wabt::Failed(func->Call(thread, params, results, &trap));
      int64_t fuel_left = static_cast<int64_t>(Fuel()->Get().Get<wi::u64>());
      uint32_t depth = depth_ == wi::Ref::Null ? 0 : Depth()->Get().Get<wi::u32>();
      if (ExplainMeteredTrap(limits_, fuel_left, depth, trapped, export_name, out)) return out;
      if (trapped && host_error_) {
        out.trap = HostTrap(*host_error_, host_ && host_->timed_out(), export_name);
        return out;
      }
      if (trapped) {
        out.trap = TrapFrom(trap, export_name);
        return out;
      }
      for (size_t r = 0; r < results.size(); ++r) out.results.push_back(FromInterp(results[r], type.results[r]));
      return out;
    }
    out.trap = Trap{TrapKind::kOther, fmt::format("no exported function \"{}\"", export_name), export_name};
    return out;
  }

  uint64_t memory_bytes() const override {  // NOLINT: wabt's store has no const accessors
    if (memory_ == wi::Ref::Null) return 0;
    return DeviceSize(const_cast<wi::Store&>(store_).UnsafeGet<wi::Memory>(memory_)->ByteSize());
  }

  std::optional<Bytes> ReadMemory(uint64_t at, uint64_t length) override { return ReadGuest(Memory(), at, length); }
  bool WriteMemory(uint64_t at, const Bytes& bytes) override { return WriteGuest(Memory(), at, bytes); }

  Result<Instantiation> Instantiate(const Bytes& wasm, const Manifest* manifest, SimulatedHost* host,
                                    const RunLimits& limits);

 private:
  GuestMemory Memory() {
    return {[this]() -> uint8_t* {
              return memory_ == wi::Ref::Null ? nullptr : store_.UnsafeGet<wi::Memory>(memory_)->UnsafeData();
            },
            [this]() -> uint64_t {
              return memory_ == wi::Ref::Null ? 0 : DeviceSize(store_.UnsafeGet<wi::Memory>(memory_)->ByteSize());
            }};
  }
  // What of memory 0 the device has (PreparedModule::memory_bytes).
  uint64_t DeviceSize(uint64_t bytes) const { return std::min(bytes, device_memory_bytes_.value_or(bytes)); }

  wi::Global::Ptr Fuel() { return store_.UnsafeGet<wi::Global>(fuel_); }
  wi::Global::Ptr Depth() { return store_.UnsafeGet<wi::Global>(depth_); }

  wi::Store store_;
  wi::Module::Ptr module_;
  wi::Instance::Ptr instance_;
  wi::Ref memory_ = wi::Ref::Null;
  RunLimits limits_;
  SimulatedHost* host_ = nullptr;
  std::optional<Error> host_error_;  // why the last host call failed
  wi::Ref fuel_ = wi::Ref::Null;   // the metering global
  wi::Ref depth_ = wi::Ref::Null;  // the call-depth global, when counted
  std::optional<uint64_t> device_memory_bytes_;
};

Result<Instantiation> InterpInstance::Instantiate(const Bytes& original, const Manifest* manifest, SimulatedHost* host,
                                                  const RunLimits& limits) {
  limits_ = limits;
  host_ = host;
  Result<PreparedModule> prepared = PrepareModule(original, limits);
  if (!prepared) return prepared.error();
  const Bytes& wasm = prepared->wasm;
  device_memory_bytes_ = prepared->memory_bytes;
  wi::ModuleDesc desc;
  wabt::Errors errors;
  wabt::ReadBinaryOptions options(store_.features(), nullptr, /*read_debug_names=*/false, /*stop_on_first_error=*/true,
                                  /*fail_on_custom_section_error=*/false);
  if (wabt::Failed(wi::ReadBinaryInterp("module", wasm.data(), wasm.size(), options, &errors, &desc))) {
    return Error{ErrorKind::kInvalidInput, errors.empty() ? "unreadable module" : errors[0].message};
  }
  module_ = wi::Module::New(store_, desc);
  wi::RefVec imports;
  for (const wi::ImportDesc& import : module_->desc().imports) {
    const wi::ImportType& it = import.type;
    std::string name = it.module + "." + it.name;
    if (it.type->kind == wi::ExternKind::Memory && manifest && manifest->memory_import &&
        manifest->memory_import->module == it.module && manifest->memory_import->name == it.name) {
      // The device supplies the memory as the module asks (within the budget: PrepareModule).
      wi::Memory::Ptr memory = wi::Memory::New(store_, *wabt::cast<wi::MemoryType>(it.type.get()));
      imports.push_back(memory.ref());
      continue;
    }
    const HostFunction* f = manifest ? manifest->FindHostFunction(it.module, it.name) : nullptr;
    if (it.type->kind != wi::ExternKind::Func || !f || !host) {
      return Error{ErrorKind::kInvalidInput,
                   manifest ? fmt::format("import {} is not provided by the device", name)
                            : fmt::format("import {} needs a device manifest to provide it", name)};
    }
    const wi::FuncType& type = *wabt::cast<wi::FuncType>(it.type.get());
    wi::HostFunc::Ptr func = wi::HostFunc::New(
        store_, type,
        [this, f, host, type](wi::Thread& thread, const wi::Values& params, wi::Values& results,
                              wi::Trap::Ptr* out_trap) -> wabt::Result {
          std::vector<Value> args;
          for (size_t i = 0; i < params.size(); ++i) args.push_back(FromInterp(params[i], type.params[i]));
          Result<std::vector<Value>> r = host->Call(*f, args, Memory());
          if (!r) {
            host_error_ = r.error();
            *out_trap = wi::Trap::New(thread.store(), r.error().message);
            return wabt::Result::Error;
          }
          for (size_t i = 0; i < r->size(); ++i) results[i] = ToInterp((*r)[i]);
          return wabt::Result::Ok;
        });
    imports.push_back(func.ref());
  }
  Instantiation out;
  wi::Trap::Ptr trap;
  instance_ = wi::Instance::Instantiate(store_, module_.ref(), imports, &trap);
  if (!instance_) {
    out.trap = TrapFrom(trap, "");
    return out;
  }
  if (!instance_->memories().empty()) memory_ = instance_->memories()[0];
  const wi::ModuleDesc& d = module_->desc();
  bool has_start = false;
  for (size_t i = 0; i < d.exports.size(); ++i) {
    if (d.exports[i].type.name == kFuelGlobalExport) fuel_ = instance_->exports()[i];
    if (d.exports[i].type.name == kDepthGlobalExport) depth_ = instance_->exports()[i];
    if (d.exports[i].type.name == kStartExport) has_start = true;
  }
  if (has_start) out.trap = RunStartFunction(*this);
  return out;
}

}  // namespace

// wabt 1.0.32's threads have a fixed call stack (64 KiB of frames) and no way
// to size it; keep a margin for the frames the runtime itself adds.
static_assert(wi::Thread::Options::kDefaultCallStackSize > kInterpMaxCallDepth + 8);

Result<Instantiation> InstantiateInterp(const Bytes& wasm, const Manifest* manifest, SimulatedHost* host,
                                        const RunLimits& limits) {
  if (limits.max_call_depth > kInterpMaxCallDepth) {
    // Past this the interpreter would stop with stack-exhausted at a depth the
    // AOT engine passes: refuse rather than let the engines disagree.
    return Error{ErrorKind::kInvalidInput,
                 fmt::format("a call-depth limit of {} is more than wabt's interpreter can hold ({} nested calls); "
                             "the AOT engine runs deeper", limits.max_call_depth, kInterpMaxCallDepth)};
  }
  RunLimits resolved = limits;
  if (!resolved.version_loops) resolved.version_loops = false;  // see RunLimits
  auto instance = std::make_unique<InterpInstance>(ToWabtFeatures(FeatureSet::All()));
  Result<Instantiation> r = instance->Instantiate(wasm, manifest, host, resolved);
  if (r && !r->trap) r->instance = std::move(instance);
  return r;
}

}  // namespace wasmiot
