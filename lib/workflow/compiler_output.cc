#include "workflow/compiler_output.h"

#include <charconv>
#include <optional>
#include <vector>

namespace wasmiot {
namespace {

struct Location {
  std::string file;
  uint32_t line = 0, column = 0;
};

std::optional<uint32_t> Number(std::string_view s) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// "file:12:5" at the start of `s`, with the rest after it.
std::optional<Location> ParseLocation(std::string_view s, std::string_view& rest) {
  size_t c2 = s.find(": ");
  if (c2 == std::string_view::npos) c2 = s.size();
  std::string_view head = s.substr(0, c2);
  size_t b = head.rfind(':');
  if (b == std::string_view::npos) return std::nullopt;
  size_t a = head.rfind(':', b - 1);
  if (a == std::string_view::npos || a == 0) return std::nullopt;
  auto line = Number(head.substr(a + 1, b - a - 1));
  auto column = Number(head.substr(b + 1));
  if (!line || !column) return std::nullopt;
  rest = c2 < s.size() ? s.substr(c2 + 2) : std::string_view();
  return Location{std::string(head.substr(0, a)), *line, *column};
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

}  // namespace

void AddCompilerDiagnostics(std::string_view output, const Project& project, bool failed, Diagnostics& diagnostics) {
  std::vector<std::string_view> lines = Lines(output);
  size_t errors = 0;
  Diagnostic* last_error = nullptr;
  auto add = [&](std::string_view severity, std::string message, const std::optional<Location>& at) {
    Severity s = severity == "error" ? Severity::kError : severity == "warning" ? Severity::kWarning : Severity::kNote;
    std::string code = s == Severity::kError ? "compile-failed" : s == Severity::kWarning ? "compiler-warning" : "compiler-note";
    Diagnostic& d = diagnostics.Add(s, code, at ? project.Resolve(at->file) : project.path, std::move(message));
    if (at) d.position = TextPosition{at->line, at->column};
    if (s == Severity::kError) {
      ++errors;
      last_error = &d;
    }
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    // rustc quotes the linker's own errors as notes: "  = note: rust-lld: error: ..."
    if (size_t note = line.find("= note: "); note != std::string_view::npos &&
                                              line.substr(0, note).find_first_not_of(' ') == std::string_view::npos) {
      line = line.substr(note + 8);
      if (line.find(": error: ") == std::string_view::npos) continue;  // the linker's command line
    }
    std::string_view rest;
    // clang: "src/x.c:12:5: error: message"
    if (auto at = ParseLocation(line, rest)) {
      if (StartsWith(rest, "fatal error: ")) rest.remove_prefix(6);
      for (std::string_view severity : {"error", "warning", "note"}) {
        if (StartsWith(rest, std::string(severity) + ": ")) add(severity, std::string(rest.substr(severity.size() + 2)), at);
      }
      continue;
    }
    // rustc: "error[E0425]: message" then " --> src/lib.rs:10:5"; wasm-ld: "wasm-ld: error: message"
    for (std::string_view severity : {"error", "warning"}) {
      std::string_view message;
      if (StartsWith(line, severity) && (line.substr(severity.size(), 2) == ": " || line.substr(severity.size(), 1) == "[")) {
        message = line.substr(line.find(": ") == std::string_view::npos ? line.size() : line.find(": ") + 2);
      } else if (size_t p = line.find(std::string(": ") + std::string(severity) + ": "); p != std::string_view::npos &&
                 line.substr(0, p).find(' ') == std::string_view::npos) {
        message = line.substr(p + severity.size() + 4);  // "rust-lld: error: ..." (the tool's name has no spaces)
      } else {
        continue;
      }
      if (StartsWith(message, "aborting due to") || StartsWith(message, "could not compile")) break;
      std::optional<Location> at;
      if (i + 1 < lines.size()) {
        std::string_view next = lines[i + 1];
        size_t arrow = next.find("--> ");
        std::string_view unused;
        if (arrow != std::string_view::npos) at = ParseLocation(next.substr(arrow + 4), unused);
      }
      if (StartsWith(message, "linking with `rust-lld` failed")) continue;  // its details follow on later lines
      add(severity, std::string(message), at);
      break;
    }
  }
  if (failed && errors == 0) {
    std::string text(output.substr(0, 4000));
    add("error", text.empty() ? "the compiler failed and printed nothing" : text, std::nullopt);
  }
  if (failed && last_error) {
    std::string hint = CompileFailureHint(output, project.language);
    if (!hint.empty()) last_error->message += " (" + hint + ")";
  }
}

std::string CompileFailureHint(std::string_view out, SourceLanguage language) {
  auto has = [&](std::string_view s) { return out.find(s) != std::string_view::npos; };
  if (has("initial memory too small") || has("stack too large")) {
    return "hint: the data and the stack do not fit the device's initial memory: lower stack_bytes or raise "
           "budgets.memory.initial_pages in the device manifest, or use less static data";
  }
  if (has("undefined symbol")) {
    return "hint: a function the module calls is neither defined nor a host function: declare the device's "
           "functions as imports (`wasmiot gen` writes the declarations), and link no libc (-nostdlib)";
  }
  if (language == SourceLanguage::kRust && (has("can't find crate for `core`") || has("can't find crate for `std`"))) {
    return "hint: Debian's wasm32 standard library is missing: apt-get install libstd-rust-dev-wasm32, and use "
           "/usr/bin/rustc (a rustup toolchain needs `rustup target add wasm32-unknown-unknown`)";
  }
  if (language == SourceLanguage::kRust && has("`#[panic_handler]` function required")) {
    return "hint: a #![no_std] module defines its own #[panic_handler] (see the templates' src/lib.rs)";
  }
  if (language == SourceLanguage::kC && (has("stdio.h") || has("stdlib.h") || has("string.h")) && has("not found")) {
    return "hint: there is no libc on the device: write freestanding C (stdint.h, stddef.h and stdbool.h are "
           "there), or implement the few functions you need";
  }
  return "";
}

}  // namespace wasmiot
