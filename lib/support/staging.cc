#include "support/staging.h"

#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace wasmiot {

namespace fs = std::filesystem;

Staging::Staging(const std::string& output_dir) {
  std::string base = fs::path(output_dir).lexically_normal().string();
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::error_code ignored;
  fs::path parent = fs::path(base).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ignored);  // "created if missing", parents too
  std::string templ = base + ".tmp-XXXXXX";
  if (::mkdtemp(templ.data())) path_ = templ;
}

Staging::~Staging() {
  if (!path_.empty()) {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
}

Status Staging::Commit(const std::string& dir, const std::vector<std::string>& files) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    if (::rename(path_.c_str(), dir.c_str()) == 0) {
      path_.clear();  // nothing left to clean up
      return Ok{};
    }
  }
  fs::create_directories(dir, ec);
  if (ec) return Error{ErrorKind::kIo, fmt::format("cannot create {}: {}", dir, ec.message())};
  for (const std::string& f : files) {
    if (::rename(File(f).c_str(), (dir + "/" + f).c_str()) != 0) {
      return Error{ErrorKind::kIo, fmt::format("cannot move {} into {}: {}", f, dir, std::strerror(errno))};
    }
  }
  return Ok{};
}

}  // namespace wasmiot
