// The output layer: diagnostics to stderr as `path: error: message`, results to
// stdout as human text or one JSON document (also on failure).
#pragma once

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.h"
#include "manifest/manifest.h"
#include "support/diagnostics.h"
#include "support/text.h"

namespace wasmiot::tool {

// ---- human output ----------------------------------------------------------
//
// Everything the tool prints for people goes through Print and PrintError (and
// PrintDiagnostics), the one place where untrusted text meets the terminal:
// names and messages from modules, manifests, bundles, scenarios and file
// names. Every string argument is escaped there with Printable() (control
// bytes, DEL and invalid UTF-8 become \x1b escapes, newlines too); the format
// string is ours and is not. JSON output is not escaped: JSON escapes itself.

// A multi-line text rendered for people by a library printer (a scenario
// trace, a divergence): its newlines are its own and are kept, any other
// control byte is escaped. The printer has escaped the free text it quotes.
struct Lines {
  std::string_view text;
};

namespace output_detail {
std::string EscapeLines(std::string_view text);
inline std::string Escaped(const std::string& s) { return Printable(s); }
inline std::string Escaped(std::string_view s) { return Printable(s); }
inline std::string Escaped(const char* s) { return Printable(s); }
inline std::string Escaped(char* s) { return Printable(s); }
template <size_t N>
std::string Escaped(const char (&s)[N]) {  // fixed-size fields (a bundle header's names)
  return Printable(std::string_view(s, ::strnlen(s, N)));
}
inline std::string Escaped(Lines lines) { return EscapeLines(lines.text); }
template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T> || std::is_enum_v<T>>>
T Escaped(T value) {
  return value;
}
template <typename T>
using EscapedType = std::decay_t<decltype(Escaped(std::declval<const T&>()))>;
}  // namespace output_detail

template <typename... Args>
void Print(fmt::format_string<output_detail::EscapedType<Args>...> format, const Args&... args) {
  fmt::print(stdout, format, output_detail::Escaped(args)...);
}

template <typename... Args>
void PrintError(fmt::format_string<output_detail::EscapedType<Args>...> format, const Args&... args) {
  fmt::print(stderr, format, output_detail::Escaped(args)...);
}

// ---- exit codes, diagnostics, JSON -------------------------------------------

// The exit status for a run's diagnostics: 0 without errors, else the highest
// status of its errors: 1 for a check that failed, 2 usage, 3 I/O or tools.
int ExitCodeFor(const Diagnostics& diagnostics);

// The manifest at `path`, or nothing if `path` is empty or it failed to load
// (its problems are then in `diagnostics`).
std::optional<Manifest> LoadOptionalManifest(const std::string& path, Diagnostics& diagnostics);

nlohmann::json DiagnosticToJson(const Diagnostic& diagnostic);

// The envelope every command's JSON document shares; `body` fields are merged in.
nlohmann::json JsonDocument(std::string_view command, int exit_code, const Diagnostics& diagnostics);

// Prints diagnostics to stderr (notes only when verbose), one line each, escaped.
void PrintDiagnostics(const Diagnostics& diagnostics, const CommonOptions& options);

void PrintJson(const nlohmann::json& document);

}  // namespace wasmiot::tool
