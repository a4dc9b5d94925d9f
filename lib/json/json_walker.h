// Walks a located JSON document (json/located_json.h) against a hand-written
// format: each check that fails adds one diagnostic at the offending key or
// value (line:column) and the walk goes on, so one run reports everything.
// The manifest and scenario parsers derive from it.
#pragma once

#include <cmath>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "json/located_json.h"
#include "support/diagnostics.h"
#include "support/text.h"

namespace wasmiot {
namespace json_walker {

// A rule a string must follow, with the words that explain it.
struct NameRule {
  bool (*check)(std::string_view);
  std::string_view description;
};

template <typename T>
struct EnumEntry {
  std::string_view name;
  T value;
};

template <typename T, size_t N>
std::string_view EnumName(const EnumEntry<T> (&table)[N], T value) {
  for (const auto& e : table) {
    if (e.value == value) return e.name;
  }
  return "?";
}

template <typename T, size_t N>
std::string EnumChoices(const EnumEntry<T> (&table)[N]) {
  std::string out;
  for (const auto& e : table) out += (out.empty() ? "" : ", ") + std::string(e.name);
  return out;
}

}  // namespace json_walker

class JsonWalker {
 protected:
  using json = nlohmann::json;
  using NameRule = json_walker::NameRule;
  template <typename T>
  using EnumEntry = json_walker::EnumEntry<T>;

  // Problems become diagnostics with `code` in `path`.
  JsonWalker(const LocatedJson& doc, const std::string& path, std::string_view code, Diagnostics& diagnostics)
      : doc_(doc), path_(path), code_(code), diagnostics_(diagnostics) {}

  bool ok() const { return ok_; }


  void ErrorAt(size_t offset, std::string message) {
    Diagnostic& d = diagnostics_.AddError(std::string(code_), path_, std::move(message));
    d.position = PositionOf(doc_.text(), offset);
    ok_ = false;
  }
  void ValueError(const std::string& ptr, std::string message) {
    ErrorAt(doc_.ValueOffset(ptr), Where(ptr) + message);
  }
  void KeyError(const std::string& ptr, std::string message) {
    ErrorAt(doc_.KeyOffset(ptr), Where(ptr) + message);
  }
  static std::string Where(const std::string& ptr) {
    return ptr.empty() ? std::string() : ptr.substr(1) + ": ";
  }

  // -- shapes --

  static std::string TypeName(const json& v) {
    if (v.is_number_float()) return "a number";
    if (v.is_number()) return "an integer";
    switch (v.type()) {
      case json::value_t::object: return "an object";
      case json::value_t::array: return "an array";
      case json::value_t::string: return "a string";
      case json::value_t::boolean: return "a boolean";
      case json::value_t::null: return "null";
      default: return "a value";
    }
  }

  bool Expect(bool condition, const json& v, const std::string& ptr, std::string_view what) {
    if (!condition) ValueError(ptr, fmt::format("expected {}, got {}", what, TypeName(v)));
    return condition;
  }

  // Checks that v is an object with only `allowed` keys and all `required` ones.
  // False when it is not an object or a required key is missing, so that no
  // caller goes on to index a key that is not there (nlohmann's const
  // operator[] on a missing key is undefined behaviour; the fuzzer found three).
  bool Object(const json& v, const std::string& ptr, std::initializer_list<std::string_view> allowed,
              std::initializer_list<std::string_view> required) {
    if (!Expect(v.is_object(), v, ptr, "an object")) return false;
    std::vector<std::string_view> known(allowed.begin(), allowed.end());
    for (const auto& [key, value] : v.items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string hint;
        if (auto near = ClosestMatch(key, known)) hint = fmt::format(" (did you mean \"{}\"?)", *near);
        KeyError(JsonPointerChild(ptr, key), fmt::format("unknown field \"{}\"{}", key, hint));
      }
    }
    bool complete = true;
    for (std::string_view key : required) {
      if (!v.contains(std::string(key))) {
        ValueError(ptr, fmt::format("missing required field \"{}\"", key));
        complete = false;
      }
    }
    return complete;
  }

  static const json* Field(const json& obj, std::string_view key) {
    auto it = obj.find(std::string(key));
    return it == obj.end() ? nullptr : &*it;
  }

  std::optional<std::string> String(const json& obj, const std::string& ptr, std::string_view key,
                                    const NameRule* rule, size_t max_length = 4096) {
    const json* v = Field(obj, key);
    if (!v) return std::nullopt;
    std::string p = JsonPointerChild(ptr, key);
    if (!Expect(v->is_string(), *v, p, "a string")) return std::nullopt;
    const std::string& s = v->get_ref<const std::string&>();
    if (rule && !rule->check(s)) {
      ValueError(p, fmt::format("\"{}\" is not {}", s, rule->description));
      return std::nullopt;
    }
    if (s.size() > max_length) {
      ValueError(p, fmt::format("string of {} bytes is longer than {}", s.size(), max_length));
      return std::nullopt;
    }
    return s;
  }

  std::string Doc(const json& obj, const std::string& ptr) {
    return String(obj, ptr, "doc", nullptr).value_or("");
  }

  // Integers follow JSON Schema: 3.0 is the integer 3.
  std::optional<uint64_t> Integer(const json& obj, const std::string& ptr, std::string_view key,
                                  uint64_t min, uint64_t max) {
    const json* v = Field(obj, key);
    if (!v) return std::nullopt;
    return IntegerValue(*v, JsonPointerChild(ptr, key), min, max);
  }

  std::optional<uint64_t> IntegerValue(const json& v, const std::string& p, uint64_t min,
                                       uint64_t max) {
    if (v.is_number_integer() && v.get<int64_t>() < 0 && !v.is_number_unsigned()) {
      ValueError(p, fmt::format("{} is below the minimum {}", v.get<int64_t>(), min));
      return std::nullopt;
    }
    uint64_t value = 0;
    if (v.is_number_unsigned()) {
      value = v.get<uint64_t>();
    } else if (v.is_number_float()) {
      double d = v.get<double>();
      std::string written = NumberAsWritten(p);
      if (d != std::floor(d)) {
        ValueError(p, fmt::format("expected an integer, got {}", written));
        return std::nullopt;
      }
      if (d < 0) {
        ValueError(p, fmt::format("{} is below the minimum {}", written, min));
        return std::nullopt;
      }
      if (d > static_cast<double>(max)) {
        ValueError(p, fmt::format("{} is above the maximum {}", written, max));
        return std::nullopt;
      }
      value = static_cast<uint64_t>(d);
    } else {
      Expect(false, v, p, "an integer");
      return std::nullopt;
    }
    if (value < min) {
      ValueError(p, fmt::format("{} is below the minimum {}", value, min));
      return std::nullopt;
    }
    if (value > max) {
      ValueError(p, fmt::format("{} is above the maximum {}", value, max));
      return std::nullopt;
    }
    return value;
  }

  // A number's text in the file: 18446744073709551616, not 1.8446744073709552e+19.
  std::string NumberAsWritten(const std::string& ptr) const {
    std::string_view text = doc_.text();
    size_t start = doc_.ValueOffset(ptr);
    size_t end = start;
    while (end < text.size() && std::string_view("0123456789+-.eE").find(text[end]) != std::string_view::npos) ++end;
    return std::string(text.substr(start, end - start));
  }

  template <typename T, size_t N>
  std::optional<T> Enum(const json& v, const std::string& p, const EnumEntry<T> (&table)[N],
                        std::string_view what) {
    if (!Expect(v.is_string(), v, p, "a string")) return std::nullopt;
    const std::string& s = v.get_ref<const std::string&>();
    for (const auto& e : table) {
      if (e.name == s) return e.value;
    }
    ValueError(p, fmt::format("unknown {} \"{}\": expected one of {}", what, s, json_walker::EnumChoices(table)));
    return std::nullopt;
  }

  const LocatedJson& doc_;
  const std::string& path_;
  std::string_view code_;
  Diagnostics& diagnostics_;
  bool ok_ = true;
};

}  // namespace wasmiot
