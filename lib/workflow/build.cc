#include "workflow/build.h"

#include <sys/stat.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aot/targets.h"
#include "bundle/chunk_files.h"
#include "bundle/sign.h"
#include "check/check.h"
#include "core/sha256.h"
#include "gen/gen.h"
#include "module/module_info.h"
#include "opt/optimize.h"
#include "pipeline/aot_for_device.h"
#include "project/compile_flags.h"
#include "scenario/scenario_files.h"
#include "scenario/test_files.h"
#include "support/process.h"
#include "support/text.h"
#include "workflow/build_state.h"
#include "workflow/compiler_output.h"

namespace wasmiot {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kMaxSourceFolderFiles = 4096;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string DigestHex(const Bytes& bytes) {
  Sha256 d = HashSha256(bytes.data(), bytes.size());
  return HexString(d.data(), d.size());
}

// A compiler's identity without running it: its path, size and time.
std::string ProgramStamp(const std::string& program) {
  std::string path = program.find('/') == std::string::npos ? FindInPath(program) : program;
  struct stat st {};
  if (path.empty() || stat(path.c_str(), &st) != 0) return program + " (missing)";
  return fmt::format("{} {} {}", path, st.st_size, st.st_mtim.tv_sec);
}

std::string BuildDir(const Project& project, const BuildOptions& options) {
  std::string dir = options.build_dir.empty() ? project.Resolve(project.build_dir) : options.build_dir;
  return fs::absolute(dir).lexically_normal().string();
}

class Builder {
 public:
  Builder(const Project& project, const BuildOptions& options, const BuildObserver& observer, Diagnostics& diagnostics)
      : p_(project), o_(options), observer_(observer), diagnostics_(diagnostics) {
    build_dir_ = BuildDir(project, options);
    state_path_ = build_dir_ + "/" + std::string(kBuildStateFile);
    state_ = BuildState::Load(state_path_);
    targets_ = options.targets.empty() ? project.targets : options.targets;
  }

  BuildReport Run() {
    Clock::time_point start = Clock::now();
    report_.name = p_.name;
    report_.version = p_.version;
    report_.build_dir = Relative(build_dir_);
    // Each step stops the chain when it fails; failed_step says which.
    (void)(Prepare() && GenerateBindings() && Compile() && Check() && Optimize() && Aot() && Test() && SignAndChunk());
    report_.seconds = SecondsSince(start);
    return std::move(report_);
  }

 private:
  // -- the project against the device, before anything runs --

  bool Prepare() {
    std::string manifest_path = p_.Resolve(p_.manifest);
    Result<Bytes> manifest_bytes = ReadInput(manifest_path, kMaxManifestBytes, "manifest-invalid", diagnostics_);
    if (!manifest_bytes) return Fail("project", "");
    Result<Manifest> manifest =
        ParseManifest(std::string(manifest_bytes->begin(), manifest_bytes->end()), manifest_path, diagnostics_);
    if (!manifest) return Fail("project", "");
    manifest_ = std::move(manifest).value();
    manifest_digest_ = DigestHex(*manifest_bytes);
    manifest_sha256_ = HashSha256(manifest_bytes->data(), manifest_bytes->size());
    manifest_name_ = fs::path(manifest_path).filename().string();
    // --build-dir may name any folder: never the project's own, where its inputs are.
    std::error_code ec;
    if (fs::exists(build_dir_, ec) && fs::equivalent(build_dir_, p_.dir, ec)) {
      diagnostics_.AddError("output-is-input", build_dir_,
                            "is the project's folder: build into a folder of its own (the project's is build/)");
      return Fail("project", "");
    }
    Result<SemanticVersion> version = ParseSemanticVersion(p_.version);
    if (!version) {
      p_.ErrorAt(diagnostics_, "project-invalid", "/version",
                 fmt::format("version: {} is not MAJOR.MINOR.PATCH (each at most 65535)", Quoted(p_.version)));
    } else {
      version_ = *version;
    }
    for (size_t i = 0; i < p_.sources.size(); ++i) {
      if (!fs::is_regular_file(p_.Resolve(p_.sources[i]), ec)) {
        p_.ErrorAt(diagnostics_, "source-missing", fmt::format("/sources/{}", i),
                   fmt::format("sources: {} is not a file in {}", Quoted(p_.sources[i]), p_.dir));
      }
    }
    for (const std::string& t : o_.targets) {
      if (std::find(p_.targets.begin(), p_.targets.end(), t) == p_.targets.end()) {
        p_.ErrorAt(diagnostics_, "target-not-in-project", "/targets",
                   fmt::format("{} is not one of the project's targets ({}): add it to \"targets\"", Quoted(t),
                               fmt::join(p_.targets, ", ")));
      }
    }
    for (size_t i = 0; i < p_.targets.size(); ++i) {
      Diagnostics target;
      if (!CheckAotTarget(p_.targets[i], &manifest_->aot_targets, target)) {
        for (const Diagnostic& d : target.list()) {
          Diagnostic& at = p_.ErrorAt(diagnostics_, d.code, fmt::format("/targets/{}", i), d.message);
          at.severity = d.severity;
          at.item = p_.targets[i];
        }
      }
    }
    for (size_t i = 0; i < p_.scenarios.size(); ++i) {
      if (!fs::is_regular_file(p_.Resolve(p_.scenarios[i]), ec)) {
        p_.ErrorAt(diagnostics_, "scenario-missing", fmt::format("/scenarios/{}", i),
                   fmt::format("scenarios: {} is not a file in {}", Quoted(p_.scenarios[i]), p_.dir));
      }
    }
    if (p_.signing.key != KeySourceKind::kNone) SequenceNumber();
    return !diagnostics_.HasErrors() || Fail("project", "");
  }

  void SequenceNumber() {
    switch (p_.signing.sequence_policy) {
      case SequencePolicy::kFixed:
        sequence_ = p_.signing.sequence;
        break;
      case SequencePolicy::kFromVersion:
        sequence_ = uint64_t{version_.major} << 32 | uint64_t{version_.minor} << 16 | version_.patch;
        if (sequence_ == 0) {
          p_.ErrorAt(diagnostics_, "project-invalid", "/version",
                     "version 0.0.0 gives sequence number 0, which no device accepts: start at 0.0.1");
        }
        break;
      case SequencePolicy::kSourceDateEpoch:
        if (!o_.source_date_epoch || *o_.source_date_epoch == 0) {
          p_.ErrorAt(diagnostics_, "project-invalid", "/signing/sequence",
                     "signing.sequence is \"source-date-epoch\" but SOURCE_DATE_EPOCH is not set (or is 0): set "
                     "it, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)");
        } else {
          sequence_ = *o_.source_date_epoch;
        }
        break;
    }
  }

  // -- steps --

  // The glue of `wasmiot gen guest` for the sources' language, in build/gen/:
  // C includes wasmiot_guest.h (-I), Rust include!s wasmiot_guest.rs.
  bool GenerateBindings() {
    gen_dir_ = build_dir_ + "/gen";
    GenRequest request;
    request.language = p_.language == SourceLanguage::kRust ? GenLanguage::kRust : GenLanguage::kC;
    request.manifest = &*manifest_;
    request.manifest_name = manifest_name_;
    request.manifest_digest = manifest_sha256_;
    Result<std::vector<GeneratedFile>> files = Generate(request, diagnostics_);
    if (!files) return Fail("gen", "");
    std::vector<std::string> outputs;
    for (const GeneratedFile& f : *files) outputs.push_back(gen_dir_ + "/" + f.name);
    StepKey key;
    key.Add("gen").Add(o_.tool_identity).Add(manifest_digest_).Add(manifest_name_).Add(GenLanguageName(request.language));
    return RunStep("gen", "", key.Hex(), outputs, [&]() -> bool {
      return WriteGenerated(*files, gen_dir_);
    }) || Fail("gen", "");
  }

  bool WriteGenerated(const std::vector<GeneratedFile>& files, const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    for (const GeneratedFile& f : files) {
      Status written = WriteFileAtomically(dir + "/" + f.name, f.text.data(), f.text.size());
      if (!written) {
        diagnostics_.AddError("io-error", dir + "/" + f.name, written.error().message);
        return false;
      }
    }
    return true;
  }

  bool Compile() {
    bool rust = p_.language == SourceLanguage::kRust;
    const std::string& compiler = rust ? o_.rust_compiler : o_.c_compiler;
    if (compiler.empty()) {
      diagnostics_.AddError("compiler-missing", p_.path,
                            fmt::format("no {} compiler: install Debian's {} (apt-get install {})",
                                        rust ? "Rust" : "C", CompilerPackages(p_.language),
                                        CompilerPackages(p_.language)));
      return Fail("compile", "");
    }
    compiled_ = build_dir_ + "/wasm/" + p_.name + ".wasm";
    CompileCommand command =
        MakeCompileCommand(p_, *manifest_, compiler, fs::absolute(gen_dir_).lexically_normal().string(), "OUTPUT");
    StepKey key;
    key.Add("compile").Add(o_.tool_identity).Add(ProgramStamp(compiler));
    for (const std::string& arg : command.argv) key.Add(arg);
    for (const std::string& var : command.env) key.Add(var);
    key.Add(manifest_digest_);  // the generated bindings the sources include
    if (!AddSourceFolders(key)) return Fail("compile", "");
    return RunStep("compile", "", key.Hex(), {compiled_}, [&]() -> bool {
      fs::create_directories(build_dir_ + "/wasm");
      std::string scratch = compiled_ + fmt::format(".tmp{}", getpid());
      std::replace(command.argv.begin(), command.argv.end(), std::string("OUTPUT"), scratch);
      Result<ProcessResult> r = RunProcess(command.argv, p_.dir, command.env);
      if (!r) {
        diagnostics_.AddError("compiler-missing", compiler,
                              fmt::format("cannot run {}: {}; install Debian's {}", compiler, r.error().message,
                                          CompilerPackages(p_.language)));
        return false;
      }
      AddCompilerDiagnostics(r->err + r->out, p_, r->exit_code != 0, diagnostics_);
      if (r->exit_code != 0) {
        fs::remove(scratch);
        return false;
      }
      std::error_code ec;
      fs::rename(scratch, compiled_, ec);
      if (ec) diagnostics_.AddError("io-error", compiled_, ec.message());
      return !ec;
    }) || Fail("compile", "");
  }

  // Every file in the sources' folders, so a changed header or Rust module rebuilds.
  bool AddSourceFolders(StepKey& key) {
    std::set<std::string> folders;
    for (const std::string& s : p_.sources) folders.insert(fs::path(p_.Resolve(s)).parent_path().string());
    std::vector<std::string> files;
    for (const std::string& folder : folders) {
      std::error_code ec;
      for (auto it = fs::recursive_directory_iterator(folder.empty() ? "." : folder, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec)) files.push_back(it->path().string());
        if (files.size() > kMaxSourceFolderFiles) {
          diagnostics_.AddError("project-invalid", folder,
                                fmt::format("more than {} files under the sources' folder: keep sources in a "
                                            "folder of their own (src/)",
                                            kMaxSourceFolderFiles));
          return false;
        }
      }
    }
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) key.AddFile(f);
    return true;
  }

  bool Check() {
    Result<Bytes> compiled = ReadInputFile(compiled_, kMaxModuleFileBytes);
    StepKey key;
    key.Add("check").Add(o_.tool_identity).Add(compiled ? DigestHex(*compiled) : "").Add(manifest_digest_);
    return RunStep("check", "", key.Hex(), {}, [&]() -> bool {
      (void)LoadAndCheckModule(compiled_, *manifest_, diagnostics_);
      return !diagnostics_.HasErrors();
    }) || Fail("check", "");
  }

  bool Optimize() {
    module_ = build_dir_ + "/" + p_.name + ".wasm";
    Result<Bytes> input = ReadInputFile(compiled_, kMaxModuleFileBytes);
    if (!input) {
      diagnostics_.AddError("io-error", compiled_, input.error().message);
      return Fail("opt", "");
    }
    StepKey key;
    key.Add("opt").Add(o_.tool_identity).Add(*input).Add(manifest_digest_).Add(p_.opt_level);
    return RunStep("opt", "", key.Hex(), {module_}, [&]() -> bool {
      OptimizeOptions options;
      options.level = p_.opt_level;
      options.manifest = &*manifest_;
      OptimizeReport unused;
      Result<Bytes> out = OptimizeModule(*input, compiled_, options, unused, diagnostics_);
      if (!out) return false;
      Status written = WriteFileAtomically(module_, out->data(), out->size());
      if (!written) diagnostics_.AddError("io-error", module_, written.error().message);
      return written.ok();
    }) && Remember(module_, "module", "");
  }

  bool Aot() {
    Result<Bytes> wasm = ReadInputFile(module_, kMaxModuleFileBytes);
    if (!wasm) {
      diagnostics_.AddError("io-error", module_, wasm.error().message);
      return Fail("aot", "");
    }
    // The firmware's glue for each target's output (gen host --lang wasm2c),
    // instantiating with exactly the import modules this module uses.
    Diagnostics read;
    Result<ModuleInfo> info = ReadModule(*wasm, module_, read);
    if (!info) {
      diagnostics_.Append(read);
      return Fail("aot", "");
    }
    GenRequest request;
    request.language = GenLanguage::kWasm2c;
    request.manifest = &*manifest_;
    request.manifest_name = manifest_name_;
    request.manifest_digest = manifest_sha256_;
    request.module_name = p_.name;
    request.module_import_modules.emplace();
    for (const ImportInfo& i : info->imports) request.module_import_modules->insert(i.module);
    Result<std::vector<GeneratedFile>> glue = Generate(request, diagnostics_);
    if (!glue) return Fail("aot", "");
    glue_ = std::move(glue).value();
    std::vector<bool> ok(targets_.size(), false);
    std::vector<Diagnostics> found(targets_.size());
    std::atomic<size_t> next{0};
    auto work = [&]() {
      for (size_t i = next++; i < targets_.size(); i = next++) ok[i] = CompileTarget(*wasm, targets_[i], found[i]);
    };
    std::vector<std::thread> threads;
    size_t workers = std::min<size_t>(std::max(1u, o_.jobs), targets_.size());
    for (size_t i = 1; i < workers; ++i) threads.emplace_back(work);
    if (workers > 0) work();
    for (std::thread& t : threads) t.join();
    // The report lists targets in the project's order, whichever finished first.
    auto first_aot = std::find_if(report_.steps.begin(), report_.steps.end(),
                                  [](const StepReport& s) { return s.step == "aot"; });
    std::stable_sort(first_aot, report_.steps.end(), [&](const StepReport& a, const StepReport& b) {
      auto index = [&](const std::string& t) { return std::find(targets_.begin(), targets_.end(), t); };
      return index(a.detail) < index(b.detail);
    });
    bool all = true;
    for (size_t i = 0; i < targets_.size(); ++i) {
      if (o_.warnings_as_errors && found[i].Count(Severity::kWarning) > 0) {
        found[i].PromoteWarningsToErrors();
        ok[i] = false;
      }
      diagnostics_.Append(found[i]);
      if (!ok[i]) all = false;
      else Remember(AotLibrary(targets_[i]), "aot-library", targets_[i]);
    }
    return all || Fail("aot", "");
  }

  std::string AotDir(const std::string& target) const { return build_dir_ + "/aot/" + target; }
  std::string AotLibrary(const std::string& target) const { return AotDir(target) + "/lib" + p_.name + ".a"; }

  bool CompileTarget(const Bytes& wasm, const std::string& target, Diagnostics& found) {
    const AotTarget* t = FindAotTarget(target);
    StepKey key;
    key.Add("aot").Add(o_.tool_identity).Add(wasm).Add(manifest_digest_).Add(target).Add(p_.name);
    if (t) key.Add(ProgramStamp(TargetTool(*t, "gcc")));
    std::vector<std::string> outputs{AotLibrary(target)};
    for (const GeneratedFile& f : glue_) outputs.push_back(AotDir(target) + "/" + f.name);
    return RunStep("aot", target, key.Hex(), outputs, [&]() -> bool {
      AotOptions options;
      options.target = target;
      options.output_dir = AotDir(target);
      options.module_name = p_.name;
      if (!CompileAotForDevice(wasm, module_, &*manifest_, options, found).ok()) return false;
      for (const GeneratedFile& f : glue_) {
        Status written = WriteFileAtomically(AotDir(target) + "/" + f.name, f.text.data(), f.text.size());
        if (!written) {
          found.AddError("io-error", AotDir(target) + "/" + f.name, written.error().message);
          return false;
        }
      }
      return true;
    });
  }

  bool Test() {
    std::vector<EngineKind> engines;
    if (p_.engine != "aot") engines.push_back(EngineKind::kInterp);
    if (p_.engine != "interp") engines.push_back(EngineKind::kAot);
    Result<Bytes> wasm = ReadInputFile(module_, kMaxModuleFileBytes);
    bool all = true;
    for (const std::string& scenario : p_.scenarios) {
      std::string path = p_.Resolve(scenario);
      StepKey key;
      key.Add("test").Add(o_.tool_identity).Add(wasm ? DigestHex(*wasm) : "").Add(manifest_digest_).Add(p_.engine);
      // The scenario and the series, frames and tenants beside it.
      std::error_code ec;
      std::vector<std::string> beside;
      for (const auto& e : fs::directory_iterator(fs::path(path).parent_path().empty() ? "." : fs::path(path).parent_path(), ec)) {
        if (e.is_regular_file(ec)) beside.push_back(e.path().string());
      }
      std::sort(beside.begin(), beside.end());
      for (const std::string& f : beside) key.AddFile(f);
      ScenarioVerdict verdict;
      verdict.file = scenario;
      verdict.engines = p_.engine == "both" ? "interp+aot" : p_.engine;
      bool passed = RunStep("test", scenario, key.Hex(), {}, [&]() -> bool {
        Diagnostics found;
        if (IsGatewayFile(path)) {
          GatewayRun run = RunGatewayFile(path, build_dir_, engines, o_.host_aot, found);
          AddGatewayVerdict(run, path, found);
        } else {
          ScenarioRun run = RunScenarioFile(path, ModuleOverride{module_, p_.Resolve(p_.manifest), ""}, engines,
                                            o_.host_aot, found);
          AddScenarioVerdict(run, path, found);
        }
        for (const Diagnostic& d : found.list()) {
          if (d.severity == Severity::kError && verdict.message.empty()) verdict.message = d.message;
        }
        diagnostics_.Append(found);
        return !found.HasErrors();
      });
      verdict.passed = passed;
      verdict.up_to_date = passed && report_.steps.back().status == StepStatus::kUpToDate;
      report_.scenarios.push_back(verdict);
      all = all && passed;
    }
    return all || Fail("test", "");
  }

  bool SignAndChunk() {
    if (!o_.key) return true;
    std::vector<std::string> targets{""};
    targets.insert(targets.end(), targets_.begin(), targets_.end());
    report_.sequence = sequence_;
    PublicKey public_key = o_.key->Public();
    for (const std::string& target : targets) {
      std::string stem = target.empty() ? p_.name : p_.name + "-" + target;
      std::string bundle = build_dir_ + "/" + stem + ".bundle";
      std::string payload = target.empty() ? module_ : AotLibrary(target);
      StepKey key;
      key.Add("sign").Add(o_.tool_identity).AddFile(module_).AddFile(payload).Add(manifest_digest_);
      key.Add(p_.version).Add(sequence_).Add(p_.chunk_size).Add(target).Add(p_.name);
      key.Add(std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size()));
      bool ok = RunStep("sign", target.empty() ? "wasm" : target, key.Hex(), {bundle}, [&]() -> bool {
        SignRequest r;
        r.module_path = module_;
        r.manifest = &*manifest_;
        r.manifest_path = p_.Resolve(p_.manifest);
        r.version = version_;
        r.sequence = sequence_;
        r.chunk_size = p_.chunk_size;
        r.target = target;
        r.module_name = p_.name;
        r.payload_path = target.empty() ? "" : payload;
        r.payload_compiled_by_caller = !target.empty();
        r.scratch_beside = bundle;
        r.chunk_size_option = "chunk_size in " + p_.path;
        Result<SignedBundle> signed_bundle = SignModule(r, *o_.key, diagnostics_);
        if (!signed_bundle) return false;
        Status written = WriteFileAtomically(bundle, signed_bundle->bytes.data(), signed_bundle->bytes.size());
        if (!written) diagnostics_.AddError("io-error", bundle, written.error().message);
        return written.ok();
      });
      if (!ok) return Fail("sign", target);
      Remember(bundle, "bundle", target);
      std::string chunks = build_dir_ + "/chunks/" + stem;
      std::string stream = build_dir_ + "/" + stem + ".stream";
      StepKey chunk_key;
      chunk_key.Add("chunk").Add(o_.tool_identity).AddFile(bundle);
      ok = RunStep("chunk", target.empty() ? "wasm" : target, chunk_key.Hex(), {stream}, [&]() -> bool {
        ChunkRequest c;
        c.bundle_path = bundle;
        c.output_dir = chunks;
        c.stream_path = stream;
        c.replace_chunks = true;
        return WriteChunks(c, diagnostics_).ok();
      });
      if (!ok) return Fail("chunk", target);
      Remember(stream, "stream", target);
      ArtifactReport folder{"chunks", target, Relative(chunks), 0, ""};
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(chunks, ec)) folder.bytes += e.is_regular_file(ec) ? e.file_size(ec) : 0;
      report_.artifacts.push_back(folder);
    }
    return true;
  }

  // -- bookkeeping --

  // Runs `work` unless the step is up to date; records it in the state file
  // once it succeeded, forgets it when it failed.
  bool RunStep(const std::string& step, const std::string& detail, const std::string& key,
               const std::vector<std::string>& outputs, const std::function<bool()>& work) {
    std::string id = detail.empty() ? step : step + ":" + detail;
    StepReport r{step, detail, StepStatus::kUpToDate, 0};
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!o_.force && state_.UpToDate(id, key)) {
        Started(r);
        Finished(r);
        report_.steps.push_back(r);
        return true;
      }
      r.status = StepStatus::kBuilt;
      Started(r);
    }
    Clock::time_point start = Clock::now();
    size_t warnings_before = diagnostics_.Count(Severity::kWarning);
    bool ok = work();
    std::lock_guard<std::mutex> lock(mutex_);
    if (o_.warnings_as_errors && diagnostics_.Count(Severity::kWarning) > warnings_before) {
      diagnostics_.PromoteWarningsToErrors();
      ok = false;
    }
    r.seconds = SecondsSince(start);
    r.status = ok ? StepStatus::kBuilt : StepStatus::kFailed;
    if (ok) {
      state_.Record(id, key, outputs);
    } else {
      state_.Forget(id);
    }
    SaveState();
    Finished(r);
    report_.steps.push_back(r);
    return ok;
  }

  void SaveState() {
    std::error_code ec;
    fs::create_directories(build_dir_, ec);
    Status saved = state_.Save(state_path_);
    (void)saved;  // a lost state file only means a full rebuild next time
  }

  bool Remember(const std::string& path, const std::string& kind, const std::string& target) {
    Result<Bytes> bytes = ReadInputFile(path, uint64_t{1} << 30);
    if (!bytes) return true;
    report_.artifacts.push_back({kind, target, Relative(path), bytes->size(), DigestHex(*bytes)});
    return true;
  }

  std::string Relative(const std::string& path) const {
    return fs::path(path).lexically_relative(fs::absolute(p_.dir).lexically_normal()).string();
  }

  bool Fail(const std::string& step, const std::string& detail) {
    if (report_.failed_step.empty()) report_.failed_step = detail.empty() ? step : step + " " + detail;
    return false;
  }

  void Started(const StepReport& r) {
    if (observer_.started) observer_.started(r);
  }
  void Finished(const StepReport& r) {
    if (observer_.finished) observer_.finished(r);
  }

  const Project& p_;
  const BuildOptions& o_;
  const BuildObserver& observer_;
  Diagnostics& diagnostics_;
  std::string build_dir_;
  std::string state_path_;
  BuildState state_;
  std::mutex mutex_;
  std::optional<Manifest> manifest_;
  std::string manifest_digest_;
  Sha256 manifest_sha256_{};
  std::string manifest_name_;  // its file name, for the generated files' first line
  std::string gen_dir_;        // build/gen: the guest bindings
  std::vector<GeneratedFile> glue_;  // each AOT folder's firmware glue
  SemanticVersion version_;
  uint64_t sequence_ = 0;
  std::string compiled_;  // the compiler's output
  std::string module_;    // the optimized module: what is tested, compiled and signed
  std::vector<std::string> targets_;  // the ones this build compiles
  BuildReport report_;
};

}  // namespace

std::string_view StepStatusName(StepStatus status) {
  switch (status) {
    case StepStatus::kBuilt: return "built";
    case StepStatus::kUpToDate: return "up-to-date";
    case StepStatus::kFailed: return "failed";
    case StepStatus::kNotRun: return "not-run";
  }
  return "?";
}

BuildReport BuildProject(const Project& project, const BuildOptions& options, const BuildObserver& observer,
                         Diagnostics& diagnostics) {
  Builder builder(project, options, observer, diagnostics);
  BuildReport report = builder.Run();
  // The last build's summary beside its outputs (not itself an input of any step).
  std::string summary = BuildReportJson(report) + "\n";
  std::string dir = BuildDir(project, options);
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    Status written = WriteFileAtomically(dir + "/" + std::string(kBuildSummaryFile), summary.data(), summary.size());
    if (!written) diagnostics.AddError("io-error", dir, written.error().message);
  }
  return report;
}

std::string BuildReportJson(const BuildReport& r) {
  nlohmann::json steps = nlohmann::json::array();
  for (const StepReport& s : r.steps) {
    steps.push_back({{"step", s.step}, {"detail", s.detail}, {"status", StepStatusName(s.status)},
                     {"seconds", s.seconds}});
  }
  nlohmann::json artifacts = nlohmann::json::array();
  for (const ArtifactReport& a : r.artifacts) {
    artifacts.push_back({{"kind", a.kind}, {"target", a.target}, {"path", a.path}, {"bytes", a.bytes},
                         {"sha256", a.sha256}});
  }
  nlohmann::json scenarios = nlohmann::json::array();
  for (const ScenarioVerdict& v : r.scenarios) {
    scenarios.push_back({{"file", v.file}, {"passed", v.passed}, {"up_to_date", v.up_to_date},
                         {"engines", v.engines}, {"message", v.message}});
  }
  nlohmann::json doc = {{"name", r.name},       {"version", r.version},     {"build_dir", r.build_dir},
                        {"ok", r.failed_step.empty()}, {"failed_step", r.failed_step}, {"steps", steps},
                        {"artifacts", artifacts}, {"scenarios", scenarios}, {"seconds", r.seconds}};
  doc["sequence"] = r.sequence ? nlohmann::json(*r.sequence) : nlohmann::json(nullptr);
  return doc.dump(2);
}

}  // namespace wasmiot
