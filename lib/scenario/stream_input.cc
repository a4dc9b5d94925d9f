#include "scenario/stream_input.h"

#include <cctype>

#include <fmt/format.h>

namespace wasmiot {
namespace {

// Netpbm header tokens: whitespace separated, '#' comments to the end of a line.
class PgmHeader {
 public:
  explicit PgmHeader(const Bytes& file) : file_(file) {}

  Result<uint64_t> Number(std::string_view what) {
    SkipSpaceAndComments();
    size_t start = at_;
    uint64_t n = 0;
    while (at_ < file_.size() && std::isdigit(file_[at_])) {
      n = n * 10 + (file_[at_++] - '0');
      if (n > 1'000'000) return Error{ErrorKind::kInvalidInput, fmt::format("{} is too large", what), start};
    }
    if (at_ == start) return Error{ErrorKind::kInvalidInput, fmt::format("expected the {}", what), start};
    return n;
  }

  void SkipSpaceAndComments() {
    while (at_ < file_.size()) {
      if (file_[at_] == '#') {
        while (at_ < file_.size() && file_[at_] != '\n') ++at_;
      } else if (std::isspace(file_[at_])) {
        ++at_;
      } else {
        break;
      }
    }
  }

  size_t at_ = 2;  // after the magic
  const Bytes& file_;
};

}  // namespace

Result<PgmImage> DecodePgm(const Bytes& file) {
  if (file.size() < 2 || file[0] != 'P' || (file[1] != '5' && file[1] != '2')) {
    return Error{ErrorKind::kInvalidInput, "not a PGM image (it must start with P5 or P2)", 0};
  }
  bool binary = file[1] == '5';
  PgmHeader h(file);
  Result<uint64_t> width = h.Number("width");
  if (!width) return width.error();
  Result<uint64_t> height = h.Number("height");
  if (!height) return height.error();
  size_t maxval_at = h.at_;
  Result<uint64_t> maxval = h.Number("maxval");
  if (!maxval) return maxval.error();
  if (*maxval == 0 || *maxval > 255) {
    return Error{ErrorKind::kInvalidInput, fmt::format("maxval {} is not 1..255 (one byte per pixel)", *maxval), maxval_at};
  }
  PgmImage image{static_cast<uint32_t>(*width), static_cast<uint32_t>(*height), {}};
  uint64_t count = *width * *height;  // each at most 1e6: no overflow
  if (binary) {
    // Exactly one whitespace byte ends the header; the pixels follow.
    if (h.at_ >= file.size() || !std::isspace(file[h.at_])) {
      return Error{ErrorKind::kInvalidInput, "expected whitespace after maxval", h.at_};
    }
    uint64_t start = h.at_ + 1;
    if (file.size() - start < count) {
      return Error{ErrorKind::kInvalidInput,
                   fmt::format("{}x{} pixels need {} bytes, only {} follow the header", *width, *height, count,
                               file.size() - start),
                   file.size()};
    }
    image.pixels.assign(file.begin() + start, file.begin() + start + count);
  } else {
    // Each value takes a digit and a separator (the last needs no separator):
    // refuse a header promising more pixels than the file can hold before
    // reserving memory for them ("P2 1000000 1000000 255" would be 10^12).
    uint64_t room = file.size() > h.at_ ? (file.size() - h.at_ + 1) / 2 : 0;
    if (count > room) {
      return Error{ErrorKind::kInvalidInput,
                   fmt::format("{}x{} pixels need at least {} bytes of text, the file has {} after the header", *width,
                               *height, 2 * count - 1, file.size() - h.at_),
                   file.size()};
    }
    image.pixels.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      size_t at = h.at_;
      Result<uint64_t> v = h.Number("next pixel value");
      if (!v) return v.error();
      if (*v > *maxval) return Error{ErrorKind::kInvalidInput, fmt::format("pixel value {} is above maxval {}", *v, *maxval), at};
      image.pixels.push_back(static_cast<uint8_t>(*v));
    }
  }
  return image;
}

Result<Bytes> LoadStreamFiles(const std::vector<std::string>& files, Diagnostics& diagnostics) {
  Bytes stream;
  for (const std::string& file : files) {
    Result<Bytes> bytes = ReadInput(file, kMaxStreamBytes, "input-too-large", diagnostics);
    if (!bytes) return bytes.error();
    bool pgm = file.size() >= 4 && file.compare(file.size() - 4, 4, ".pgm") == 0;
    if (!pgm) {
      stream.insert(stream.end(), bytes->begin(), bytes->end());
    } else {
      Result<PgmImage> image = DecodePgm(*bytes);
      if (!image) {
        Diagnostic& d = diagnostics.AddError("input-invalid", file, image.error().message);
        d.offset = image.error().offset;
        return image.error();
      }
      stream.insert(stream.end(), image->pixels.begin(), image->pixels.end());
    }
    if (stream.size() > kMaxStreamBytes) {
      diagnostics.AddError("input-too-large", file, fmt::format("the stream passes {} bytes", kMaxStreamBytes));
      return Error{ErrorKind::kInvalidInput, "stream too large"};
    }
  }
  return stream;
}

}  // namespace wasmiot
