#include "project_environment.h"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "key_sources.h"
#include "support/process.h"

namespace wasmiot::tool {

namespace fs = std::filesystem;

namespace {

std::string Environment(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string SelfPath() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "" : self.string();
}

}  // namespace

std::string FindTemplatesDir() {
  if (std::string dir = Environment("WASMIOT_TEMPLATES"); !dir.empty()) return dir;
  std::error_code ec;
  std::string self = SelfPath();
  if (!self.empty()) {
    fs::path installed = fs::path(self).parent_path().parent_path() / "share/wasmiot/templates";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  return WASMIOT_SOURCE_TEMPLATES;
}

std::string FindClang() {
  if (std::string cc = Environment("WASMIOT_CLANG"); !cc.empty()) return cc;
  return FindInPath("clang");
}

std::string FindRustc() {
  if (std::string rustc = Environment("WASMIOT_RUSTC"); !rustc.empty()) return rustc;
  if (access("/usr/bin/rustc", X_OK) == 0) return "/usr/bin/rustc";
  return FindInPath("rustc");
}

std::string ToolIdentity() {
  std::string self = SelfPath();
  struct stat st {};
  if (self.empty() || stat(self.c_str(), &st) != 0) return WASMIOT_VERSION;
  return fmt::format("wasmiot {} {} {} {}", WASMIOT_VERSION, self, st.st_size, st.st_mtim.tv_sec);
}

std::optional<SecretKey> LoadProjectKey(const Project& project, bool force, Diagnostics& diagnostics) {
  KeySource source;
  source.force = force;
  if (project.signing.key == KeySourceKind::kFile) source.path = project.Resolve(project.signing.key_value);
  if (project.signing.key == KeySourceKind::kEnv) source.env = project.signing.key_value;
  Diagnostics found;
  Result<LoadedKey> key = LoadKey(source, found);
  if (key && !key->secret) {
    found.AddError("key-invalid", source.path.empty() ? "$" + source.env : source.path,
                   "not a secret key (a public key?): signing needs the secret half");
  }
  for (const Diagnostic& d : found.list()) {
    Diagnostic& at = project.ErrorAt(diagnostics, d.code, "/signing/key",
                                     fmt::format("signing.key: {}: {}", d.path, d.message));
    at.severity = d.severity;
  }
  if (!key || !key->secret) return std::nullopt;
  return *key->secret;
}

std::optional<uint64_t> SourceDateEpoch() {
  std::string v = Environment("SOURCE_DATE_EPOCH");
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return value;
}

}  // namespace wasmiot::tool
