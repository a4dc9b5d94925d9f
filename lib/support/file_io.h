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

}  // namespace wasmiot
