#include "project/compile_flags.h"

#include <filesystem>

#include <fmt/format.h>

namespace wasmiot {
namespace {

struct FeatureFlags {
  Feature feature;
  std::string_view clang;
  std::string_view rust;
};

// LLVM's names for the features a wasm32 compile can enable. Debian 12's
// rustc (1.63) knows fewer than clang: it warns about sign-ext, multivalue,
// tail-call, exception-handling and relaxed-simd, so a Rust module is built
// without them (a subset of the device's features is still within them).
constexpr FeatureFlags kFeatureFlags[] = {
    {Feature::kMutableGlobals, "-mmutable-globals", "mutable-globals"},
    {Feature::kSaturatingFloatToInt, "-mnontrapping-fptoint", "nontrapping-fptoint"},
    {Feature::kSignExtension, "-msign-ext", ""},
    {Feature::kMultiValue, "-mmultivalue", ""},
    {Feature::kBulkMemory, "-mbulk-memory", "bulk-memory"},
    {Feature::kReferenceTypes, "-mreference-types", "reference-types"},
    {Feature::kSimd, "-msimd128", "simd128"},
    {Feature::kRelaxedSimd, "-mrelaxed-simd", ""},
    {Feature::kThreads, "-matomics", "atomics"},
    {Feature::kTailCall, "-mtail-call", ""},
    {Feature::kExceptions, "-mexception-handling", ""},
};

const FeatureFlags* Find(Feature feature) {
  for (const FeatureFlags& f : kFeatureFlags) {
    if (f.feature == feature) return &f;
  }
  return nullptr;
}

uint64_t PageBytes(uint32_t pages) { return uint64_t{pages} * 65536; }

}  // namespace

std::string_view ClangFeatureFlag(Feature feature) {
  const FeatureFlags* f = Find(feature);
  return f ? f->clang : "";
}

std::string_view RustTargetFeature(Feature feature) {
  const FeatureFlags* f = Find(feature);
  return f ? f->rust : "";
}

std::string_view CompilerPackages(SourceLanguage language) {
  return language == SourceLanguage::kRust ? "rustc libstd-rust-dev-wasm32" : "clang lld";
}

CompileCommand MakeCompileCommand(const Project& project, const Manifest& manifest, const std::string& compiler,
                                  const std::string& gen_dir, const std::string& output) {
  const Budgets& b = manifest.budgets;
  std::string initial = std::to_string(PageBytes(b.initial_pages));
  std::string max = std::to_string(PageBytes(b.max_pages));
  std::string stack = std::to_string(b.stack_bytes);
  std::string prefix_map = std::filesystem::absolute(project.dir).lexically_normal().string();
  if (prefix_map.size() > 1 && prefix_map.back() == '/') prefix_map.pop_back();
  CompileCommand c;
  std::vector<std::string>& a = c.argv;
  a.push_back(compiler);
  if (project.language == SourceLanguage::kC) {
    a.insert(a.end(), {"--target=wasm32", "-mcpu=mvp"});
    for (Feature f : manifest.features.List()) {
      if (!ClangFeatureFlag(f).empty()) a.emplace_back(ClangFeatureFlag(f));
    }
    a.insert(a.end(), {"-Oz", "-g0", "-nostdlib", "-ffreestanding", "-Wall", "-Wextra", "-fno-color-diagnostics",
                       "-ffile-prefix-map=" + prefix_map + "=.", "-Wl,--no-entry", "-Wl,--strip-debug",
                       "-Wl,--initial-memory=" + initial, "-Wl,--max-memory=" + max,
                       "-Wl,-z,stack-size=" + stack, "-I" + gen_dir});
    a.insert(a.end(), project.compile_flags.begin(), project.compile_flags.end());
    a.insert(a.end(), {"-o", output});
    a.insert(a.end(), project.sources.begin(), project.sources.end());
  } else {
    std::string features;
    for (Feature f : manifest.features.List()) {
      if (RustTargetFeature(f).empty()) continue;
      features += (features.empty() ? "+" : ",+") + std::string(RustTargetFeature(f));
    }
    a.insert(a.end(), {"--edition", "2021", "--crate-type", "cdylib", "--crate-name", project.name, "--target",
                       "wasm32-unknown-unknown", "-C", "opt-level=z", "-C", "panic=abort", "-C", "codegen-units=1",
                       "-C", "target-cpu=mvp"});
    if (!features.empty()) a.insert(a.end(), {"-C", "target-feature=" + features});
    a.insert(a.end(), {"-C", "debuginfo=0", "-C", "strip=debuginfo", "-C", "link-arg=--initial-memory=" + initial,
                       "-C", "link-arg=--max-memory=" + max, "-C", "link-arg=-zstack-size=" + stack,
                       "--remap-path-prefix=" + prefix_map + "=.", "--color", "never"});
    a.insert(a.end(), project.compile_flags.begin(), project.compile_flags.end());
    a.insert(a.end(), {"-o", output, project.sources.front()});
    c.env.push_back(std::string(kGenDirVariable) + "=" + gen_dir);
  }
  return c;
}

}  // namespace wasmiot
