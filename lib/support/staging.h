// A scratch folder beside an output folder, so that outputs appear whole:
// files are written into it, then Commit() moves them into place, or
// ReplaceFolder() swaps it for the output folder in one step. Removed (with
// whatever is left in it) when it goes out of scope; one left behind by a
// killed process (named after its pid) is removed by the next Staging beside
// the same folder.
#pragma once

#include <string>
#include <vector>

#include "support/result.h"

namespace wasmiot {

class Staging {
 public:
  // Creates `output_dir`'s parents if missing, and the scratch folder beside it.
  explicit Staging(const std::string& output_dir);
  ~Staging();
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;

  bool ok() const { return !path_.empty(); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

  // Puts the files into `dir`. A new folder appears whole (the staging folder is
  // renamed onto it); into an existing one each file moves by an atomic rename.
  Status Commit(const std::string& dir, const std::vector<std::string>& files);

  // Makes the staging folder `dir`: a new folder is renamed into place; an
  // existing one is exchanged with it atomically (renameat2 RENAME_EXCHANGE),
  // so a reader, or a kill at any point, sees the old folder or the new one,
  // never a mix. The old folder is then removed.
  Status ReplaceFolder(const std::string& dir);

 private:
  std::string path_;
};

}  // namespace wasmiot
