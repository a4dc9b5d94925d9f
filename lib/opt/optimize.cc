#include "opt/optimize.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "check/check.h"
#include "module/module_info.h"
#include "opt/binaryen_bridge.h"

namespace wasmiot {
namespace {

// Features Binaryen 108 can lower away.
bool Lowerable(Feature f) { return f == Feature::kMemory64; }

// The same imports, as a set: Binaryen writes them grouped by kind, which
// changes no index (each kind has its own index space, in the same order).
bool SameImports(const ModuleInfo& a, const ModuleInfo& b) {
  auto key = [](const ImportInfo& i) {
    return std::make_tuple(i.kind, i.module, i.name, i.signature.ToString());
  };
  std::vector<decltype(key(a.imports[0]))> x, y;
  for (const ImportInfo& i : a.imports) x.push_back(key(i));
  for (const ImportInfo& i : b.imports) y.push_back(key(i));
  std::stable_sort(x.begin(), x.end(), [](auto& l, auto& r) { return std::get<0>(l) < std::get<0>(r); });
  std::stable_sort(y.begin(), y.end(), [](auto& l, auto& r) { return std::get<0>(l) < std::get<0>(r); });
  return x == y;
}

void LevelsOf(const std::string& level, BinaryenJob& job) {
  job.shrink_level = 0;
  if (level == "s") {
    job.optimize_level = 2;
    job.shrink_level = 1;
  } else if (level == "z") {
    job.optimize_level = 2;
    job.shrink_level = 2;
  } else {
    job.optimize_level = level[0] - '0';
  }
}

}  // namespace

Result<Bytes> OptimizeModule(const Bytes& input, const std::string& path, const OptimizeOptions& options,
                             OptimizeReport& report, Diagnostics& diagnostics) {
  const Error failed{ErrorKind::kInvalidInput, "cannot optimize"};
  if (std::find(std::begin(kOptLevels), std::end(kOptLevels), options.level) == std::end(kOptLevels)) {
    return Error{ErrorKind::kInternal, fmt::format("unknown optimization level '{}'", options.level)};
  }
  Result<ModuleInfo> before = ReadModule(input, path, diagnostics);
  if (!before) return before.error();
  report.input_bytes = input.size();
  const Manifest* manifest = options.manifest;

  // The contract must hold before we start: opt does not repair imports.
  if (manifest) {
    Diagnostics contract;
    CheckModule(*before, *manifest, path, contract);
    for (const Diagnostic& d : contract.list()) {
      // Features are handled below (lowered, or refused saying where they are
      // used); the size budget applies to the output, not the input.
      if (d.severity == Severity::kError && d.code != "feature-unsupported" && d.code != "module-too-large") {
        diagnostics.Append(d);
      }
    }
    if (diagnostics.HasErrors()) return failed;
  }

  BinaryenJob job;
  LevelsOf(options.level, job);
  job.keep_debug = options.keep_debug;
  // Without a manifest the optimizer may use only what the module already uses.
  job.features = manifest ? manifest->features : before->features_used;
  for (Feature f : before->features_used.List()) {
    if (job.features.Has(f)) continue;
    if (Lowerable(f)) {
      job.lower_memory64 = true;
      report.lowered_features.emplace_back(FeatureName(f));
      continue;
    }
    Diagnostic& d = diagnostics.AddError("feature-not-lowerable", path,
        fmt::format("used by {}; the device does not support it and it cannot be lowered",
                    DescribeFeatureUse(input, path, f)));
    d.item = std::string(FeatureName(f));
  }
  for (Feature f : AllFeatures()) {
    if ((job.features.Has(f) || before->features_used.Has(f)) && !BinaryenSupports(f)) {
      Diagnostic& d = diagnostics.AddError("feature-not-lowerable", path,
                                           "Binaryen 108 cannot optimize modules with this feature");
      d.item = std::string(FeatureName(f));
      job.features.Remove(f);
    }
  }
  if (diagnostics.HasErrors()) return failed;

  if (manifest) {
    for (const ExportInfo& e : before->exports) {
      if (!manifest->FindExport(e.name)) {
        job.remove_exports.push_back(e.name);
        report.removed_exports.push_back(e.name);
      }
    }
  }
  job.has_imported_memory = std::any_of(before->imports.begin(), before->imports.end(),
      [](const ImportInfo& i) { return i.kind == ExternKind::kMemory; });

  Result<Bytes> out = RunBinaryen(input, job);
  if (!out) {
    diagnostics.AddError("optimizer-failed", path, out.error().message);
    return failed;
  }

  // Prove the promise: a valid module, the same imports, and (with a manifest)
  // one that passes check. A failure here is a wasmiot bug, not the user's.
  Diagnostics verify;
  Result<ModuleInfo> after = ReadModule(*out, path, verify);
  if (after && manifest) {
    CheckModule(*after, *manifest, path, verify);
    (void)ValidateWithFeatures(*out, path, manifest->features, verify);
  }
  if (!after || verify.HasErrors() || !SameImports(*before, *after)) {
    std::string why = !after || verify.HasErrors() ? FormatDiagnostic(verify.list().front())
                                                   : std::string("the import set changed");
    diagnostics.AddError("internal-error", path, "optimized module failed verification: " + why);
    return Error{ErrorKind::kInternal, "verification failed"};
  }
  report.output_bytes = out->size();
  return out;
}

}  // namespace wasmiot
