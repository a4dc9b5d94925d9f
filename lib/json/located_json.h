// JSON parsed with nlohmann-json, plus where each value and key starts in the
// text, so that every later error can say line and column. Stricter than
// nlohmann's own parser: duplicate keys, deep nesting and non-finite numbers
// are errors, and parsing never throws.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "support/diagnostics.h"
#include "support/result.h"

namespace wasmiot {

inline constexpr size_t kMaxJsonDepth = 32;

class LocatedJson {
 public:
  const nlohmann::json& root() const { return root_; }
  std::string_view text() const { return text_; }

  // Byte offset where the value at `pointer` (RFC 6901) starts, or where its
  // key starts; 0 if unknown.
  size_t ValueOffset(const std::string& pointer) const;
  size_t KeyOffset(const std::string& pointer) const;

 private:
  friend class LocatingSaxHandler;
  friend Result<LocatedJson> ParseLocatedJson(std::string text);

  std::string text_;
  nlohmann::json root_;
  std::unordered_map<std::string, size_t> value_offsets_;
  std::unordered_map<std::string, size_t> key_offsets_;
};

// On failure the error carries the byte offset of the problem.
Result<LocatedJson> ParseLocatedJson(std::string text);

// Appends one RFC 6901 reference token to a JSON pointer.
std::string JsonPointerChild(const std::string& pointer, std::string_view token);
std::string JsonPointerChild(const std::string& pointer, size_t index);

}  // namespace wasmiot
