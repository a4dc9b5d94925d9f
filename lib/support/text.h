// Small text helpers shared by the parsers and the tool.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wasmiot {

// Levenshtein distance, for "did you mean" hints.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, if it is near enough to be a likely typo.
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string_view>& candidates);

// Bytes from hex digits (either case), or nothing if a digit is bad or odd.
std::optional<std::vector<uint8_t>> ParseHex(std::string_view hex);

}  // namespace wasmiot
