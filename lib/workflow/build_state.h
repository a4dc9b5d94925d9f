// What the last `wasmiot build` made, so the next one redoes only what changed:
// for each step, a digest of everything it read (file contents, flags, tool
// versions) and each output's size and modification time. A step is up to date
// when its digest is the same and its outputs are still as it left them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/sha256.h"
#include "support/file_io.h"
#include "support/result.h"

namespace wasmiot {

// A step's inputs, digested: each part length-prefixed, so no two different
// lists of parts give the same digest.
class StepKey {
 public:
  StepKey& Add(std::string_view part);
  StepKey& Add(const Bytes& part);
  StepKey& Add(uint64_t part);
  StepKey& AddFile(const std::string& path);  // its contents ("missing" if it cannot be read)
  std::string Hex() const;

 private:
  std::string buffer_;
};

class BuildState {
 public:
  // An unreadable or foreign state file is an empty state: everything is rebuilt.
  static BuildState Load(const std::string& path);
  static BuildState FromJson(std::string_view text);
  Status Save(const std::string& path) const;

  bool UpToDate(const std::string& step, const std::string& key) const;
  void Record(const std::string& step, const std::string& key, const std::vector<std::string>& outputs);
  void Forget(const std::string& step);

 private:
  struct Stamp {
    std::string path;
    uint64_t size = 0;
    int64_t mtime_ns = 0;
  };
  struct Entry {
    std::string key;
    std::vector<Stamp> outputs;
  };
  static bool StampOf(const std::string& path, Stamp& stamp);
  std::map<std::string, Entry> steps_;
};

}  // namespace wasmiot
