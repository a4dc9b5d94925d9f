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

// [A-Za-z_][A-Za-z0-9_]*, at most 64 characters.
bool IsIdentifier(std::string_view s);

// An identifier that is also usable as a symbol in generated C, C++ and Rust:
// not a keyword of any of them, and not starting with "__" (reserved in C).
bool IsGeneratedSymbolName(std::string_view s);

// Bytes from hex digits (either case), or nothing if a digit is bad or odd.
std::optional<std::vector<uint8_t>> ParseHex(std::string_view hex);

}  // namespace wasmiot
