#include "support/staging.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace wasmiot {

namespace fs = std::filesystem;

namespace {

// Removes staging folders beside `base` whose process is gone: "BASE.tmp-PID-XXXXXX".
void RemoveStaleStaging(const std::string& base) {
  fs::path parent = fs::path(base).parent_path();
  std::string prefix = fs::path(base).filename().string() + ".tmp-";
  std::error_code ec;
  for (fs::directory_iterator it(parent.empty() ? fs::path(".") : parent, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    char* rest = nullptr;
    long pid = std::strtol(name.c_str() + prefix.size(), &rest, 10);
    if (pid <= 0 || !rest || *rest != '-' || std::strlen(rest) != 7) continue;  // not ours: "-XXXXXX" follows
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // still running
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);
  }
}

}  // namespace

Staging::Staging(const std::string& output_dir) {
  std::string base = fs::path(output_dir).lexically_normal().string();
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::error_code ignored;
  fs::path parent = fs::path(base).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ignored);  // "created if missing", parents too
  RemoveStaleStaging(base);
  std::string templ = fmt::format("{}.tmp-{}-XXXXXX", base, ::getpid());
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

Status Staging::ReplaceFolder(const std::string& dir) {
  if (::rename(path_.c_str(), dir.c_str()) == 0) {  // a new folder, or an empty one: replaced whole
    path_.clear();
    return Ok{};
  }
  if (errno != EEXIST && errno != ENOTEMPTY) {
    return Error{ErrorKind::kIo, fmt::format("cannot move the new folder into place: {}", std::strerror(errno))};
  }
  if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) != 0) {
    return Error{ErrorKind::kIo, fmt::format("cannot exchange the new folder with {}: {}", dir, std::strerror(errno))};
  }
  // path_ now names the old folder: the destructor removes it.
  return Ok{};
}

}  // namespace wasmiot
