// Small text helpers shared by the parsers and the tool.
#pragma once

#include <cstdint>
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

// The candidate nearest to `word` by its parts: "log" finds "env.log", since a
// MODULE.NAME is often given by its NAME alone. Else as ClosestMatch.
std::optional<std::string> ClosestQualifiedMatch(std::string_view word,
                                                 const std::vector<std::string_view>& candidates);

// `text` safe to show on a terminal: every byte below 0x20 (newline and tab
// too), 0x7f, the C1 controls U+0080..U+009F and every byte that is not part
// of valid UTF-8 become "\xHH" escapes; valid UTF-8 text stays as it is.
// Idempotent: escaping an escaped text changes nothing.
std::string Printable(std::string_view text);

// A string the device or a file gave, quoted for a report: Printable, so
// that its bytes can neither forge a line of the report nor reach a terminal.
std::string Quoted(std::string_view text);

// "1 error", "2 errors", "0 errors"; "1 entry", "3 entries" with `plural`.
std::string Plural(uint64_t count, std::string_view singular, std::string_view plural = {});

// [A-Za-z_][A-Za-z0-9_]*, at most 64 characters.
bool IsIdentifier(std::string_view s);

// An identifier that is also usable as a symbol in generated C, C++ and Rust:
// not a keyword of any of them, and not starting with "__" (reserved in C).
bool IsGeneratedSymbolName(std::string_view s);

// Lower-case hex of `size` bytes.
std::string HexString(const uint8_t* data, size_t size);

// Bytes from hex digits (either case), or nothing if a digit is bad or odd.
std::optional<std::vector<uint8_t>> ParseHex(std::string_view hex);

}  // namespace wasmiot
