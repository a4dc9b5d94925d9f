// Problems found in an input, collected so that one run reports all of them.
// A diagnostic knows where it is (file, and a byte offset or a line:column) and,
// for checks, which item it is about (`env.read_temperature`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wasmiot {

enum class Severity { kError, kWarning, kNote };

std::string_view SeverityName(Severity severity);

struct TextPosition {
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in bytes
};

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string code;  // stable, kebab-case: tools and CI match on it
  std::string path;
  std::optional<uint64_t> offset;        // binary inputs
  std::optional<TextPosition> position;  // text inputs
  std::string item;                      // e.g. "env.log", empty if none
  std::string message;
};

class Diagnostics {
 public:
  Diagnostic& Add(Severity severity, std::string code, std::string path, std::string message);
  Diagnostic& AddError(std::string code, std::string path, std::string message) {
    return Add(Severity::kError, std::move(code), std::move(path), std::move(message));
  }

  // Every diagnostic of `other`, whole (offset, position and item included).
  void Append(const Diagnostics& other) { list_.insert(list_.end(), other.list_.begin(), other.list_.end()); }
  void Append(const Diagnostic& diagnostic) { list_.push_back(diagnostic); }

  const std::vector<Diagnostic>& list() const { return list_; }
  // --warnings-as-errors: every warning becomes an error (its code kept).
  void PromoteWarningsToErrors();
  size_t Count(Severity severity) const;
  bool HasErrors() const { return Count(Severity::kError) > 0; }
  bool empty() const { return list_.empty(); }

 private:
  std::vector<Diagnostic> list_;
};

// `path:12:5: error: item: message [code]` or `path:0x1a2b: error: ...`.
std::string FormatDiagnostic(const Diagnostic& diagnostic);

// The line and column of a byte offset in a text.
TextPosition PositionOf(std::string_view text, size_t offset);

}  // namespace wasmiot
