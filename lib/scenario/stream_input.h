// What a buffer_in stream delivers: the bytes of its files, one after the
// other. A PGM image (camera frames: "P5" binary or "P2" text, maxval at most
// 255) delivers its pixels, row-major, without the header; any other file
// delivers its bytes as they are.
#pragma once

#include <string>
#include <vector>

#include "support/diagnostics.h"
#include "support/file_io.h"
#include "support/result.h"

namespace wasmiot {

inline constexpr uint64_t kMaxStreamBytes = 256ull << 20;

struct PgmImage {
  uint32_t width = 0;
  uint32_t height = 0;
  Bytes pixels;  // width * height, row-major
};

// Errors carry the byte offset of the problem.
Result<PgmImage> DecodePgm(const Bytes& file);

// Reads `files` (".pgm" decoded) into one stream; problems are diagnostics
// naming the file (and the byte offset for a bad image).
Result<Bytes> LoadStreamFiles(const std::vector<std::string>& files, Diagnostics& diagnostics);

}  // namespace wasmiot
