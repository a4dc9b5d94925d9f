#include "support/diagnostics.h"

#include <algorithm>

#include <fmt/format.h>

namespace wasmiot {

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

Diagnostic& Diagnostics::Add(Severity severity, std::string code, std::string path,
                             std::string message) {
  Diagnostic& d = list_.emplace_back();
  d.severity = severity;
  d.code = std::move(code);
  d.path = std::move(path);
  d.message = std::move(message);
  return d;
}

void Diagnostics::PromoteWarningsToErrors() {
  for (Diagnostic& d : list_) {
    if (d.severity == Severity::kWarning) d.severity = Severity::kError;
  }
}

size_t Diagnostics::Count(Severity severity) const {
  return static_cast<size_t>(std::count_if(list_.begin(), list_.end(),
      [severity](const Diagnostic& d) { return d.severity == severity; }));
}

std::string FormatDiagnostic(const Diagnostic& d) {
  std::string out = d.path;
  if (d.position) {
    out += fmt::format(":{}:{}", d.position->line, d.position->column);
  } else if (d.offset) {
    out += fmt::format(":{:#x}", *d.offset);
  }
  out += fmt::format(": {}: ", SeverityName(d.severity));
  if (!d.item.empty()) out += d.item + ": ";
  out += d.message;
  if (!d.code.empty()) out += fmt::format(" [{}]", d.code);
  return out;
}

TextPosition PositionOf(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  TextPosition pos{1, 1};
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return pos;
}

}  // namespace wasmiot
