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

// Reads a whole regular file of at most max_bytes.
Result<Bytes> ReadInputFile(const std::string& path, uint64_t max_bytes);

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
