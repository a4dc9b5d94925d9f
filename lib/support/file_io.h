// Reading inputs and writing outputs the way every command must: inputs are
// regular files read with a size cap (a FIFO or /dev/zero never hangs or eats
// memory), outputs appear atomically (temp file, fsync, rename) or not at all.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/diagnostics.h"
#include "support/result.h"

namespace wasmiot {

using Bytes = std::vector<uint8_t>;

// A regular file open for reading piece by piece, for inputs that are checked
// as they are read instead of read whole first.
class InputFile {
 public:
  explicit InputFile(int fd) : fd_(fd) {}
  InputFile(InputFile&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  InputFile& operator=(InputFile&&) = delete;
  InputFile(const InputFile&) = delete;
  ~InputFile();
  // Up to `size` bytes; fewer only at the end of the file.
  Result<size_t> Read(void* data, size_t size);

 private:
  int fd_;
};

// Opens a regular file (a FIFO or device is refused without blocking).
Result<InputFile> OpenInputFile(const std::string& path);

// `name` as written in the file `base` (a scenario naming its module, say):
// absolute as it is, else relative to `base`'s folder, normalised.
std::string PathBesideFile(const std::string& base, const std::string& name);

// Reads a whole regular file of at most max_bytes.
Result<Bytes> ReadInputFile(const std::string& path, uint64_t max_bytes);

// Reads an open descriptor (a pipe, a terminal, stdin) to its end, but never
// more than max_bytes: past that it stops reading and fails, so /dev/zero or
// an endless pipe costs max_bytes + 1 bytes, not memory without bound.
Result<Bytes> ReadBoundedStream(int fd, uint64_t max_bytes);

// ReadInputFile that also records a failure as a diagnostic on `path`:
// code "io-error" for I/O problems, `too_large_code` for a file over the cap.
Result<Bytes> ReadInput(const std::string& path, uint64_t max_bytes, std::string_view too_large_code,
                        Diagnostics& diagnostics);

// Replaces `path` with `data`: written to a temporary file beside it, flushed
// to disk, then renamed over it. On failure nothing at `path` changes.
Status WriteFileAtomically(const std::string& path, const void* data, size_t size,
                           unsigned mode = 0644);

// A file or folder a command reads, with the flag or argument that named it.
struct NamedInput {
  std::string flag;  // "-m", "--password-file", "MODULE"
  std::string path;
};

// The first input that writing `output` would destroy: the same file (same
// device and inode, so symlinks, hard links and "./" spellings count), or,
// when `output_is_folder`, an input inside that folder (which may be replaced
// as a whole). Inputs that are empty or "-" (stdin) are skipped.
const NamedInput* FindOverwrittenInput(const std::string& output, bool output_is_folder,
                                       const std::vector<NamedInput>& inputs);

// FindOverwrittenInput as a "usage" diagnostic on `output` that names the
// input and the flag to change. Returns false if it added one.
bool RefuseOverwritingInputs(const std::string& output, std::string_view output_flag, bool output_is_folder,
                             const std::vector<NamedInput>& inputs, Diagnostics& diagnostics);

}  // namespace wasmiot
