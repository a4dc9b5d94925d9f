// The runtime's engines side by side (bench/runtime.sh runs this): the same
// kernels natively (gcc -O2), on host AOT and on the interpreter, per unit of
// work; the cost of one host call on each engine and of the simulated host's
// own work; and how long instantiating takes, AOT from its cache included.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <benchmark/benchmark.h>

#include "runtime/aot_engine.h"
#include "support/file_io.h"

extern "C" {
void frames_setup(void);
uint32_t frames_run(uint32_t n);
uint32_t pid_run(uint32_t n);
uint32_t crc_run(uint32_t n);
uint32_t matmul_run(uint32_t n);
uint32_t coremix_run(uint32_t n);
void frames_setup_scalar(void);
uint32_t frames_run_scalar(uint32_t n);
uint32_t pid_run_scalar(uint32_t n);
uint32_t crc_run_scalar(uint32_t n);
uint32_t matmul_run_scalar(uint32_t n);
uint32_t coremix_run_scalar(uint32_t n);
}

namespace wasmiot {
namespace {

constexpr const char* kDevice = R"({
  "manifest_version": 1, "device": { "vendor": "acme", "class": "bench", "api_version": "1.0.0" },
  "imports": { "env": { "now_ms": { "results": [{ "name": "t", "type": "i64" }], "sim": { "kind": "clock", "unit": "ms" } } } },
  "exports": {},
  "budgets": { "memory": { "initial_pages": 4, "max_pages": 4 }, "table": { "max_elements": 0 },
               "stack_bytes": 65536, "heap_bytes": 0, "fuel_per_call": 1000000000000,
               "wall_ms_per_call": 1, "max_module_bytes": 1048576 },
  "features": ["mutable-globals"], "aot_targets": ["host"] })";

struct Fixture {
  Fixture() {
    const char* path = std::getenv("WASMIOT_KERNELS_WASM");
    Diagnostics d;
    Result<Bytes> bytes = ReadInput(path ? path : "kernels.wasm", 16u << 20, "input-too-large", d);
    if (!bytes) std::abort();
    wasm = std::move(bytes).value();
    Result<Manifest> m = ParseManifest(kDevice, "bench.device.json", d);
    if (!m || d.HasErrors()) {
      for (const Diagnostic& x : d.list()) std::fprintf(stderr, "%s\n", x.message.c_str());
      std::abort();
    }
    manifest = std::move(m).value();
  }
  Bytes wasm;
  Manifest manifest;
};

Fixture& F() {
  static Fixture f;
  return f;
}

struct Engine {
  explicit Engine(EngineKind kind) {
    RunLimits limits = LimitsFromManifest(&F().manifest);
    limits.fuel_per_call = uint64_t{1} << 62;  // the kernels run long: metered, never stopped
    Result<Instantiation> r = Instantiate(kind, F().wasm, &F().manifest, &host, limits);
    if (!r || r->trap) std::abort();
    instance = std::move(r->instance);
    instance->Call("frames_setup", {});
  }
  uint32_t Run(const char* kernel, uint32_t units) {
    CallOutcome out = instance->Call(kernel, {Value::I32(units)});
    if (out.trap) std::abort();
    host.ForgetCalls();
    return out.results[0].i32();
  }
  SimulatedHost host;
  std::unique_ptr<Instance> instance;
};

uint32_t Scalar(const std::string& kernel, uint32_t units) {
  if (kernel == "frames_run") return frames_run_scalar(units);
  if (kernel == "pid_run") return pid_run_scalar(units);
  if (kernel == "crc_run") return crc_run_scalar(units);
  if (kernel == "coremix_run") return coremix_run_scalar(units);
  return matmul_run_scalar(units);
}

uint32_t Native(const std::string& kernel, uint32_t units) {
  if (kernel == "frames_run") return frames_run(units);
  if (kernel == "pid_run") return pid_run(units);
  if (kernel == "crc_run") return crc_run(units);
  if (kernel == "coremix_run") return coremix_run(units);
  return matmul_run(units);
}

// units per call: native and AOT the same; the interpreter's fewer (it is slow).
void Kernel(benchmark::State& state, const char* kernel, int engine, uint32_t units) {
  std::unique_ptr<Engine> e;
  if (engine == 1) e = std::make_unique<Engine>(EngineKind::kAot);
  if (engine == 2) e = std::make_unique<Engine>(EngineKind::kInterp);
  if (engine == 0) frames_setup();
  if (engine == 3) frames_setup_scalar();
  for (auto _ : state) {
    benchmark::DoNotOptimize(engine == 0   ? Native(kernel, units)
                             : engine == 3 ? Scalar(kernel, units)
                                           : e->Run(kernel, units));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * units);
}

void HostCalls(benchmark::State& state, EngineKind kind) {
  Engine e(kind);
  const uint32_t units = 10000;
  for (auto _ : state) benchmark::DoNotOptimize(e.Run("host_calls_run", units));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * units);
}

// What the simulated host itself does per call (look up, record, answer),
// to be taken off the engines' figures above.
void SimulatedHostOnly(benchmark::State& state) {
  SimulatedHost host;
  const HostFunction& now = F().manifest.host_functions.front();
  GuestMemory none{[] { return static_cast<uint8_t*>(nullptr); }, [] { return uint64_t{0}; }};
  const uint32_t units = 10000;
  for (auto _ : state) {
    for (uint32_t i = 0; i < units; ++i) benchmark::DoNotOptimize(host.Call(now, {}, none));
    host.ForgetCalls();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * units);
}

void Start(benchmark::State& state, EngineKind kind) {
  RunLimits limits = LimitsFromManifest(&F().manifest);
  SimulatedHost host;
  (void)Instantiate(kind, F().wasm, &F().manifest, &host, limits);  // fills the AOT cache
  for (auto _ : state) {
    Result<Instantiation> r = Instantiate(kind, F().wasm, &F().manifest, &host, limits);
    benchmark::DoNotOptimize(r.ok());
  }
}

}  // namespace
}  // namespace wasmiot

using namespace wasmiot;
// Real time throughout: an AOT call may run on a thread of its own (a sized stack).
#define KERNEL(name, units, interp_units)                                                                \
  BENCHMARK_CAPTURE(Kernel, name##_native, #name "_run", 0, units)->Unit(benchmark::kMicrosecond)->UseRealTime(); \
  BENCHMARK_CAPTURE(Kernel, name##_scalar, #name "_run", 3, units)->Unit(benchmark::kMicrosecond)->UseRealTime(); \
  BENCHMARK_CAPTURE(Kernel, name##_aot, #name "_run", 1, units)->Unit(benchmark::kMicrosecond)->UseRealTime();    \
  BENCHMARK_CAPTURE(Kernel, name##_interp, #name "_run", 2, interp_units)->Unit(benchmark::kMicrosecond)->UseRealTime();
KERNEL(frames, 20, 1)
KERNEL(pid, 100000, 2000)
KERNEL(crc, 100000, 2000)
KERNEL(matmul, 200, 4)
KERNEL(coremix, 200, 4)
BENCHMARK_CAPTURE(HostCalls, aot, EngineKind::kAot)->UseRealTime();
BENCHMARK_CAPTURE(HostCalls, interp, EngineKind::kInterp)->UseRealTime();
BENCHMARK(SimulatedHostOnly)->UseRealTime();
BENCHMARK_CAPTURE(Start, aot_cached, EngineKind::kAot)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(Start, interp, EngineKind::kInterp)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
