// fuzz_pgm: a file's bytes through DecodePgm (lib/scenario/stream_input.h), as
// LoadStreamFiles decodes a `.pgm` camera frame for a buffer_in stream (`wasmiot
// run --input STREAM=FILE.pgm`, scenario streams): binary P5 and text P2, with
// comments, any maxval. A decoded image holds exactly width x height pixels,
// none above the maxval of a text image.
#include <cstddef>
#include <cstdint>
#include <fmt/format.h>

#include "scenario/stream_input.h"

#include "fuzz_support.h"

using namespace wasmiot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxStreamBytes) return -1;  // LoadStreamFiles' cap
  Result<PgmImage> image = DecodePgm(Bytes(data, data + size));
  if (image && image->pixels.size() != uint64_t{image->width} * image->height) {
    fuzz::Fail("fuzz_pgm", fmt::format("{}x{} image with {} pixels", image->width, image->height, image->pixels.size()));
  }
  if (!image && image.error().offset && *image.error().offset > size) {
    fuzz::Fail("fuzz_pgm", fmt::format("error offset {} past the end ({})", *image.error().offset, size));
  }
  return 0;
}
