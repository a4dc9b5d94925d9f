// wasmiot run MODULE [--manifest M] --invoke EXPORT [ARGS...]
// Runs one export on the reference runtime with the manifest's host functions
// simulated and its memory and table budgets enforced.
#include <memory>

#include <fmt/format.h>

#include "command.h"
#include "core/limits.h"
#include "engine_choice.h"
#include "output.h"
#include "scenario/run_call.h"
#include "scenario/scenario_files.h"
#include "scenario/test_files.h"
#include "scenario_json.h"

namespace wasmiot::tool {
namespace {

struct RunOptions {
  CommonOptions common;
  std::string module_path;
  std::string manifest_path;
  std::string invoke;
  std::string scenario;
  std::string gateway;
  std::string module_dir;
  std::vector<std::string> args;
  std::string engine = "interp";
  std::vector<std::string> sensors;  // CHANNEL=V[,V...]
  std::vector<std::string> inputs;   // STREAM=FILE
  std::vector<std::string> latencies;  // MODULE.NAME=MS
  std::optional<uint64_t> wall_ms;
  std::optional<uint32_t> max_pages;
  std::optional<uint64_t> fuel;
  uint32_t max_call_depth = kDefaultMaxCallDepth;
};


// "NAME=VALUE" into its halves.
std::optional<std::pair<std::string, std::string>> SplitAssignment(const std::string& text) {
  size_t eq = text.find('=');
  if (eq == 0 || eq == std::string::npos) return std::nullopt;
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

// --sensor, --input and --host-latency as the device inputs they give; the
// library checks their names against the device.
DeviceInputs ParseInputs(const RunOptions& options, Diagnostics& diagnostics) {
  DeviceInputs inputs;
  for (const std::string& s : options.sensors) {
    auto kv = SplitAssignment(s);
    std::vector<double> values;
    bool ok = kv.has_value();
    if (ok) {
      std::string list = kv->second + ",";
      for (size_t at = 0, comma; ok && (comma = list.find(',', at)) != std::string::npos; at = comma + 1) {
        Result<Value> v = ParseValue(list.substr(at, comma - at), ValueType::kF64);
        ok = v.ok();
        if (ok) values.push_back(v->f64());
      }
    }
    if (!ok) diagnostics.AddError("usage", "wasmiot", fmt::format("--sensor \"{}\": give CHANNEL=VALUE[,VALUE...]", s));
    else inputs.sensors.push_back({fmt::format("--sensor \"{}\"", s), kv->first, std::move(values)});
  }
  for (const std::string& s : options.inputs) {
    auto kv = SplitAssignment(s);
    if (!kv || kv->second.empty()) diagnostics.AddError("usage", "wasmiot", fmt::format("--input \"{}\": give STREAM=FILE", s));
    else inputs.streams.push_back({fmt::format("--input \"{}\"", s), kv->first, kv->second});
  }
  for (const std::string& s : options.latencies) {
    auto kv = SplitAssignment(s);
    Result<Value> ms = kv ? ParseValue(kv->second, ValueType::kI64) : Result<Value>(Error{ErrorKind::kInvalidInput, ""});
    if (!kv || !ms || static_cast<int64_t>(ms->i64()) < 0) {
      diagnostics.AddError("usage", "wasmiot", fmt::format("--host-latency \"{}\": give MODULE.NAME=MILLISECONDS", s));
    } else {
      inputs.latencies.push_back({fmt::format("--host-latency \"{}\"", s), kv->first, ms->i64()});
    }
  }
  return inputs;
}

nlohmann::json ValuesJson(const std::vector<Value>& values) {
  nlohmann::json out = nlohmann::json::array();
  for (const Value& v : values) {
    nlohmann::json j = {{"type", ValueTypeName(v.type)}};
    if (v.type == ValueType::kI32) j["value"] = static_cast<int32_t>(v.i32());
    else if (v.type == ValueType::kI64) j["value"] = static_cast<int64_t>(v.i64());
    else if (std::isfinite(v.AsNumber())) j["value"] = v.AsNumber();
    else j["value"] = FormatValue(v).substr(4);  // "nan", "inf", "-inf"
    out.push_back(std::move(j));
  }
  return out;
}

nlohmann::json HostCallJson(const HostCall& c) {
  nlohmann::json j = {{"function", c.function->QualifiedName()},
                      {"kind", SimKindName(c.function->sim.kind)},
                      {"time_us", c.time_us},
                      {"args", ValuesJson(c.args)},
                      {"results", ValuesJson(c.results)}};
  if (c.function->sim.kind == SimKind::kLog) j["text"] = c.text;
  if (!c.bytes.empty()) j["bytes"] = c.bytes.size();
  return j;
}

int RunWithScenario(const RunOptions& options) {
  Diagnostics diagnostics;
  if (!options.args.empty() || !options.sensors.empty() || !options.inputs.empty() || options.fuel ||
      options.max_pages || options.wall_ms || !options.latencies.empty()) {
    diagnostics.AddError("usage", "wasmiot",
                         "with --scenario, arguments, inputs and budgets come from the scenario file");
  }
  ScenarioRun run;
  std::vector<EngineKind> engines;
  if (!diagnostics.HasErrors()) engines = ResolveEngines(options.engine, diagnostics);
  if (!engines.empty()) {
    run = RunScenarioFile(options.scenario, ModuleOverride{options.module_path, options.manifest_path, options.module_dir},
                          engines, AotSettingsFromEnvironment(), diagnostics);
  }
  if (!options.common.json) PrintDiagnostics(diagnostics, options.common);  // the verdict is printed below
  AddScenarioVerdict(run, options.scenario, diagnostics);
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("run", exit_code, diagnostics);
    doc["module"] = options.module_path;
    doc["engine"] = EngineNames(engines);
    doc["scenario"] = ScenarioReportJson(run);
    PrintJson(doc);
    return exit_code;
  }
  if (run.report) Print("{}", Lines{FormatScenarioTrace(*run.report)});
  if (run.report) {
    Print("{} {}: {}, {}\n", run.report->passed ? "PASS" : "FAIL", run.scenario->name,
          Plural(run.report->events.size(), "call"), Plural(run.report->host_calls.size(), "host call"));
    if (!run.report->passed) Print("{}", Lines{run.report->divergence});
  }
  return exit_code;
}

int RunWithGateway(const RunOptions& options) {
  Diagnostics diagnostics;
  if (!options.module_path.empty() || !options.manifest_path.empty() || !options.args.empty() ||
      !options.sensors.empty() || !options.inputs.empty() || options.fuel || options.max_pages || options.wall_ms ||
      !options.latencies.empty()) {
    diagnostics.AddError("usage", "wasmiot",
                         "with --gateway, modules, devices, inputs and budgets come from the tenants' scenarios");
  }
  GatewayRun run;
  std::vector<EngineKind> engines;
  if (!diagnostics.HasErrors()) engines = ResolveEngines(options.engine, diagnostics);
  if (!engines.empty()) run = RunGatewayFile(options.gateway, options.module_dir, engines, AotSettingsFromEnvironment(), diagnostics);
  if (!options.common.json) PrintDiagnostics(diagnostics, options.common);
  AddGatewayVerdict(run, options.gateway, diagnostics);
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("run", exit_code, diagnostics);
    doc["engine"] = EngineNames(engines);
    doc["gateway"] = GatewayReportJson(run);
    PrintJson(doc);
    return exit_code;
  }
  if (run.report) {
    Print("{}", Lines{FormatGatewayTrace(*run.report)});
    Print("{} {}: {}\n", run.report->passed ? "PASS" : "FAIL", run.gateway->name,
          Plural(run.report->tenants.size(), "tenant"));
    if (!run.report->passed) Print("{}", Lines{run.report->divergence});
  }
  return exit_code;
}

int RunRun(const RunOptions& options) {
  if (!options.gateway.empty()) return RunWithGateway(options);
  if (options.module_path.empty()) {
    Diagnostics usage;
    usage.AddError("usage", "wasmiot", "give the module (or --gateway FILE)");
    PrintDiagnostics(usage, options.common);
    return ExitCodeFor(usage);
  }
  if (!options.scenario.empty()) return RunWithScenario(options);
  Diagnostics diagnostics;
  if (options.invoke.empty()) diagnostics.AddError("usage", "wasmiot", "give --invoke EXPORT or --scenario FILE");
  CallRequest request;
  request.inputs = ParseInputs(options, diagnostics);
  if (options.manifest_path.empty() && !request.inputs.empty()) {
    diagnostics.AddError("usage", "wasmiot",
                         "--sensor, --input and --host-latency feed the device's host functions: give the device "
                         "with --manifest");
  }
  if (!diagnostics.HasErrors()) request.engines = ResolveEngines(options.engine, diagnostics);
  CallRun run;
  if (!diagnostics.HasErrors()) {
    request.module_path = options.module_path;
    request.manifest_path = options.manifest_path;
    request.export_name = options.invoke;
    request.args = options.args;
    request.aot = AotSettingsFromEnvironment();
    request.max_pages = options.max_pages;
    request.fuel = options.fuel;
    request.wall_ms = options.wall_ms;
    request.max_call_depth = options.max_call_depth;
    request.caller = "wasmiot";
    request.manifest_option = "--manifest";
    run = RunCall(request, diagnostics);
  }
  const std::vector<EngineKind>& engines = request.engines;
  const std::vector<Value>& args = run.args;
  const std::optional<CallOutcome>& outcome = run.outcome;
  const std::vector<HostCall>& calls = run.host_calls;
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("run", exit_code, diagnostics);
    doc["module"] = options.module_path;
    doc["engine"] = EngineNames(engines);
    doc["export"] = options.invoke;
    doc["args"] = ValuesJson(args);
    if (outcome) {
      doc["results"] = ValuesJson(outcome->results);
      doc["trap"] = outcome->trap ? nlohmann::json{{"kind", TrapKindName(outcome->trap->kind)},
                                                   {"message", outcome->trap->message},
                                                   {"export", outcome->trap->export_name}}
                                  : nlohmann::json(nullptr);
      nlohmann::json host_calls = nlohmann::json::array();
      for (const HostCall& c : calls) host_calls.push_back(HostCallJson(c));
      doc["host_calls"] = host_calls;
      doc["memory_bytes"] = run.memory_bytes;
      doc["fuel"] = {{"budget", run.fuel_budget},
                     {"used", outcome->fuel_used ? nlohmann::json(*outcome->fuel_used) : nlohmann::json(nullptr)}};
    }
    PrintJson(doc);
    return exit_code;
  }
  for (const HostCall& c : calls) {
    Print("{}\n", FormatHostCall(c));
    if (c.function->sim.kind == SimKind::kLog) Print("  log: {}\n", c.text);  // the module's bytes, escaped
  }
  PrintDiagnostics(diagnostics, options.common);
  if (outcome && !outcome->trap) {
    std::string results = FormatValues(outcome->results);
    Print("{}({}) =>{}{}\n", options.invoke, FormatValues(args), results.empty() ? "" : " ", results);
  }
  return exit_code;
}

}  // namespace

void RegisterRunCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run a module on the reference runtime");
  cmd->add_option("module", options->module_path, "The .wasm module (not with --gateway)");
  cmd->add_option("-m,--manifest", options->manifest_path,
                  "The device: host functions, budgets (needed when the module has imports)");
  CLI::Option* invoke = cmd->add_option("--invoke", options->invoke, "The export to call");
  CLI::Option* scenario =
      cmd->add_option("--scenario", options->scenario, "Run a scenario file instead (docs/scenarios.md)")->excludes(invoke);
  cmd->add_option("--gateway", options->gateway,
                  "Run a multi-tenant gateway file: its tenants' scenarios on one clock (docs/gateway.md)")
      ->excludes(invoke)
      ->excludes(scenario);
  cmd->add_option("--module-dir", options->module_dir,
                  "With --scenario or --gateway: take each module from this folder, by its file name");
  cmd->add_option("args", options->args, "Its arguments, one per parameter (decimal, 0x-hex, nan, inf)");
  AddEngineOption(*cmd, options->engine);
  cmd->add_option("--sensor", options->sensors, "A sensor channel's value(s): CHANNEL=V[,V...] (repeatable)");
  cmd->add_option("--input", options->inputs,
                  "A buffer_in stream from a file, .pgm images as their pixels: STREAM=FILE (repeatable; files of one "
                  "stream follow each other)");
  cmd->add_option("--host-latency", options->latencies,
                  "A slow host function: MODULE.NAME=MS, each call takes that long in real time (repeatable)");
  cmd->add_option("--wall-ms", options->wall_ms,
                  "Wall-clock milliseconds of host calls per call, instead of the manifest's wall_ms_per_call")
      ->check(UnsignedInteger())
      ->check(CLI::Range(uint64_t{1}, kMaxWallMsPerCall));
  cmd->add_option("--fuel", options->fuel,
                  "Instructions per call, instead of the manifest's fuel_per_call (default without one: 1e7)")
      ->check(UnsignedInteger())
      ->check(CLI::Range(uint64_t{1}, kMaxFuelPerCall));
  cmd->add_option("--max-call-depth", options->max_call_depth, "Nested calls allowed (default 1000)")
      ->check(UnsignedInteger())
      ->check(CLI::Range(1u, 100000u));
  cmd->add_option("--max-pages", options->max_pages, "Memory budget in 64 KiB pages, instead of the manifest's (default 256)")
      ->check(UnsignedInteger())
      ->check(CLI::Range(0u, 65536u));
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Instantiate MODULE with every import bound to the device's simulated host function\n"
      "(sensor values from --sensor, buffers from --input; actuators, logs and buffer outputs\n"
      "are recorded), call EXPORT with ARGS, and print the host calls and the results. With a\n"
      "manifest the module must pass 'wasmiot check' first. Engines: wabt's interpreter (the\n"
      "reference), host AOT (wasm2c and the C compiler, cached), or both, which must agree.\n"
      "Budgets: initial memory or table over the budget refuses instantiation; memory.grow\n"
      "past it returns -1. Fuel: metering injected into the module counts instructions, so a\n"
      "call over its budget traps at the same instruction every run and on every engine (-v\n"
      "prints the fuel used); calls are counted the same way, so recursion traps at\n"
      "--max-call-depth. Host calls may take --wall-ms in all; a slow one is stopped there.\n"
      "Guest buffers are bounds-checked before the host touches them; a bad one, like any\n"
      "trap, stops the call with the trap's kind. With --scenario FILE the device's calls,\n"
      "inputs and expectations come from the scenario (the manifest too, unless -m gives it):\n"
      "the trace is printed, then PASS, or FAIL with the first divergence. With --gateway FILE\n"
      "several tenants' scenarios share one clock; a tenant that traps is stopped, the others\n"
      "go on, and each tenant's calls, fuel, traps and peak memory are summed up."
      "\n\n"
      "Examples:\n"
      "  wasmiot run add.wasm --invoke add 2 3\n"
      "  wasmiot run spin.wasm --invoke spin --fuel 10000 -v\n"
      "  wasmiot run thermostat.wasm -m thermostat.device.json --sensor temperature=17.5 --sensor humidity=40 --invoke control_loop\n"
      "  wasmiot run thermostat.wasm -m thermostat.device.json --invoke init --json --engine aot\n"
      "  wasmiot run thermostat.wasm --scenario heats-when-cold.scenario.json --engine both\n"
      "  wasmiot run motion.wasm -m camera.device.json --input frames=a.pgm --input frames=b.pgm --invoke detect_motion\n"
      "  wasmiot run --gateway three-tenants.gateway.json --module-dir build/workloads\n"
      "\n"
      "Exit status: 0 the call returned (the scenario or gateway passed), 1 it trapped, the\n"
      "module was refused or the scenario failed, 2 usage error, 3 I/O error (or no C\n"
      "compiler for --engine aot).");
  cmd->callback([options, &invocation] { invocation.exit_code = RunRun(*options); });
}

}  // namespace wasmiot::tool
