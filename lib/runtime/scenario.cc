#include "runtime/scenario.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <tuple>

#include <fmt/format.h>

#include "json/json_walker.h"
#include "core/limits.h"
#include "runtime/host.h"
#include "support/text.h"
#include "runtime/stream_input.h"
#include "support/file_io.h"

namespace wasmiot {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kScenarioCode = "scenario-invalid";

// ---- parsing ----------------------------------------------------------------

class ScenarioParser : public JsonWalker {
 public:
  ScenarioParser(const LocatedJson& doc, const std::string& path, Diagnostics& diagnostics)
      : JsonWalker(doc, path, kScenarioCode, diagnostics) {}

  bool Parse(Scenario& s) {
    const json& root = doc_.root();
    if (!Object(root, "",
                {"$schema", "scenario_version", "name", "module", "manifest", "duration_ms", "budgets", "calls",
                 "sensors", "streams", "host_latency_ms", "expect"},
                {"scenario_version", "duration_ms", "calls"})) {
      return false;
    }
    if (const json* v = Field(root, "scenario_version")) {
      if (!(v->is_number_unsigned() && v->get<uint64_t>() == kScenarioFormatVersion)) {
        ValueError("/scenario_version", fmt::format("unsupported scenario_version {}: this wasmiot reads version {}",
                                                    v->dump(), kScenarioFormatVersion));
      }
    }
    if (root.contains("$schema")) String(root, "", "$schema", nullptr, 1024);
    s.name = String(root, "", "name", nullptr, 200).value_or(fs::path(path_).filename().string());
    s.module = Path(root, "module");
    s.manifest = Path(root, "manifest");
    s.duration_ms = Integer(root, "", "duration_ms", 1, 7ull * 24 * 3600 * 1000).value_or(1);
    if (const json* b = Field(root, "budgets")) Budgets(*b, "/budgets", s);
    if (const json* c = Field(root, "calls")) Calls(*c, "/calls", s);
    if (const json* v = Field(root, "sensors")) Sensors(*v, "/sensors", s);
    if (const json* v = Field(root, "streams")) Streams(*v, "/streams", s);
    if (const json* v = Field(root, "host_latency_ms")) Latencies(*v, "/host_latency_ms", s);
    if (const json* v = Field(root, "expect")) Expect(*v, "/expect", s);
    return ok();
  }

 private:
  TextPosition At(const std::string& ptr) const { return PositionOf(doc_.text(), doc_.ValueOffset(ptr)); }

  // A path in the scenario, relative to the scenario's folder.
  std::string Path(const json& obj, std::string_view key) {
    std::optional<std::string> p = String(obj, "", key, nullptr, 4096);
    if (!p || p->empty()) return "";
    return PathBesideFile(path_, *p);
  }

  std::optional<double> Number(const json& v, const std::string& p) {
    if (!JsonWalker::Expect(v.is_number(), v, p, "a number")) return std::nullopt;
    return v.get<double>();
  }

  void Budgets(const json& v, const std::string& p, Scenario& s) {
    if (!Object(v, p, {"fuel_per_call", "max_pages", "max_call_depth", "wall_ms_per_call"}, {})) return;
    if (auto w = Integer(v, p, "wall_ms_per_call", 1, kMaxWallMsPerCall)) s.wall_ms_per_call = *w;
    if (auto f = Integer(v, p, "fuel_per_call", 1, kMaxFuelPerCall)) s.fuel_per_call = *f;
    if (auto m = Integer(v, p, "max_pages", 0, 65536)) s.max_pages = static_cast<uint32_t>(*m);
    if (auto d = Integer(v, p, "max_call_depth", 1, 100000)) s.max_call_depth = static_cast<uint32_t>(*d);
  }

  void Calls(const json& v, const std::string& p, Scenario& s) {
    if (!JsonWalker::Expect(v.is_array() && !v.empty(), v, p, "a non-empty array of calls")) return;
    for (size_t i = 0; i < v.size(); ++i) {
      std::string cp = JsonPointerChild(p, i);
      const json& c = v[i];
      if (!Object(c, cp, {"export", "args", "at_ms", "every_ms", "until_ms"}, {"export"})) continue;
      ScenarioCall call;
      call.position = At(cp);
      call.export_name = String(c, cp, "export", nullptr, 256).value_or("");
      call.at_ms = Integer(c, cp, "at_ms", 0, s.duration_ms).value_or(0);
      call.every_ms = Integer(c, cp, "every_ms", 1, s.duration_ms).value_or(0);
      if (auto u = Integer(c, cp, "until_ms", 0, s.duration_ms)) call.until_ms = *u;
      if (c.contains("until_ms") && !c.contains("every_ms")) {
        ValueError(JsonPointerChild(cp, "until_ms"), "until_ms needs every_ms");
      } else if (call.every_ms > 0 && call.until_ms.value_or(s.duration_ms) <= call.at_ms) {
        // until_ms is exclusive: a repeated call that ends where it starts is never made.
        if (call.until_ms) {
          ValueError(JsonPointerChild(cp, "until_ms"),
                     fmt::format("until_ms {} is not after at_ms {}: the call would never be made", *call.until_ms,
                                 call.at_ms));
        } else {
          ValueError(JsonPointerChild(cp, "at_ms"),
                     fmt::format("at_ms {} is not before duration_ms {}: the repeated call would never be made",
                                 call.at_ms, s.duration_ms));
        }
      }
      if (const json* a = Field(c, "args")) {
        std::string ap = JsonPointerChild(cp, "args");
        if (JsonWalker::Expect(a->is_array(), *a, ap, "an array of numbers")) {
          for (size_t k = 0; k < a->size(); ++k) {
            std::string kp = JsonPointerChild(ap, k);
            if (auto n = Number((*a)[k], kp)) call.args.push_back({*n, NumberAsWritten(kp), At(kp)});
          }
        }
      }
      s.calls.push_back(std::move(call));
    }
  }

  // A problem in a file the scenario names, at its own line and column.
  void FileError(const std::string& file, TextPosition position, std::string message) {
    Diagnostic& d = diagnostics_.AddError(std::string(code_), file, std::move(message));
    d.position = position;
    ok_ = false;
  }

  // Appends one step read from a file; false (after a diagnostic) if it is out of order or range.
  bool AddStep(SensorSeries& out, const std::string& file, TextPosition at, uint64_t ms, double value,
               uint64_t duration_ms) {
    if (ms > duration_ms) {
      FileError(file, at, fmt::format("{} ms is past the scenario's duration_ms {}", ms, duration_ms));
    } else if (!out.empty() && ms <= out.back().first) {
      FileError(file, at, "series times must increase");
    } else if (!std::isfinite(value)) {
      FileError(file, at, "the value is not a finite number");
    } else {
      out.push_back({ms, value});
      return true;
    }
    return false;
  }

  // A series from a file: CSV rows "ms,value" (blank lines, '#' comments and a
  // header row are skipped) or, for .json, an array of [ms, value] pairs.
  std::optional<SensorSeries> SeriesFile(const std::string& file, uint64_t duration_ms) {
    Result<Bytes> bytes = ReadInput(file, kMaxScenarioBytes * 16, std::string(code_), diagnostics_);
    if (!bytes) {
      ok_ = false;
      return std::nullopt;
    }
    std::string text(bytes->begin(), bytes->end());
    SensorSeries out;
    if (fs::path(file).extension() == ".json") {
      Result<LocatedJson> doc = ParseLocatedJson(text);
      if (!doc) {
        FileError(file, PositionOf(text, doc.error().offset.value_or(0)), doc.error().message);
        return std::nullopt;
      }
      const json& rows = doc->root();
      if (!rows.is_array()) {
        FileError(file, {1, 1}, "expected an array of [ms, value] pairs");
        return std::nullopt;
      }
      for (size_t k = 0; k < rows.size(); ++k) {
        TextPosition at = PositionOf(text, doc->ValueOffset(JsonPointerChild("", k)));
        const json& r = rows[k];
        if (!(r.is_array() && r.size() == 2 && r[0].is_number_unsigned() && r[1].is_number())) {
          FileError(file, at, "expected a pair [ms, value] of a whole number and a number");
          return std::nullopt;
        }
        if (!AddStep(out, file, at, r[0].get<uint64_t>(), r[1].get<double>(), duration_ms)) return std::nullopt;
      }
    } else {
      uint32_t line_number = 0;
      bool header_allowed = true;
      for (size_t at = 0; at < text.size();) {
        size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(at, end - at);
        at = end + 1;
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        size_t first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        size_t comma = line.find(',');
        std::string ms_text = comma == std::string::npos ? line : line.substr(0, comma);
        std::string value_text = comma == std::string::npos ? "" : line.substr(comma + 1);
        auto trim = [](std::string t) {
          size_t a = t.find_first_not_of(" \t"), b = t.find_last_not_of(" \t");
          return a == std::string::npos ? std::string() : t.substr(a, b - a + 1);
        };
        ms_text = trim(ms_text);
        value_text = trim(value_text);
        uint64_t ms = 0;
        double value = 0;
        auto ms_end = std::from_chars(ms_text.data(), ms_text.data() + ms_text.size(), ms);
        auto value_end = std::from_chars(value_text.data(), value_text.data() + value_text.size(), value);
        bool ms_ok = !ms_text.empty() && ms_end.ec == std::errc() && ms_end.ptr == ms_text.data() + ms_text.size();
        bool value_ok = !value_text.empty() && value_end.ec == std::errc() &&
                        value_end.ptr == value_text.data() + value_text.size();
        // Only a first row that starts with a letter ("ms,value") is a header.
        bool header = header_allowed && !ms_text.empty() && std::isalpha(static_cast<unsigned char>(ms_text[0]));
        header_allowed = false;
        if (header) continue;
        TextPosition pos{line_number, static_cast<uint32_t>(first + 1)};
        if (comma == std::string::npos || line.find(',', comma + 1) != std::string::npos) {
          FileError(file, pos, "expected two fields: ms,value");
          return std::nullopt;
        }
        if (!ms_ok) {
          FileError(file, pos, fmt::format("\"{}\" is not a time in whole milliseconds", ms_text));
          return std::nullopt;
        }
        if (!value_ok) {
          FileError(file, {line_number, static_cast<uint32_t>(comma + 2)}, fmt::format("\"{}\" is not a number", value_text));
          return std::nullopt;
        }
        if (!AddStep(out, file, pos, ms, value, duration_ms)) return std::nullopt;
      }
    }
    if (out.empty()) {
      FileError(file, {1, 1}, "no [ms, value] steps in the file");
      return std::nullopt;
    }
    return out;
  }

  // A constant (number), {"series": [[ms, v], ...]} or {"file": "temperatures.csv"}.
  std::optional<SensorSeries> Series(const json& input, const std::string& p, uint64_t duration_ms) {
    if (input.is_number()) return SensorSeries{{0, input.get<double>()}};
    if (input.is_object() && input.contains("file")) {
      if (!Object(input, p, {"file"}, {"file"})) return std::nullopt;
      std::optional<std::string> file = String(input, p, "file", nullptr, 4096);
      if (!file || file->empty()) return std::nullopt;
      return SeriesFile(PathBesideFile(path_, *file), duration_ms);
    }
    if (!Object(input, p, {"series"}, {"series"})) return std::nullopt;
    std::string sp = JsonPointerChild(p, "series");
    const json& series = input["series"];
    if (!JsonWalker::Expect(series.is_array() && !series.empty(), series, sp, "a non-empty array of [ms, value]")) {
      return std::nullopt;
    }
    SensorSeries out;
    for (size_t k = 0; k < series.size(); ++k) {
      std::string pp = JsonPointerChild(sp, k);
      const json& step = series[k];
      if (!JsonWalker::Expect(step.is_array() && step.size() == 2, step, pp, "a pair [ms, value]")) continue;
      auto t = IntegerValue(step[0], JsonPointerChild(pp, size_t{0}), 0, duration_ms);
      auto n = Number(step[1], JsonPointerChild(pp, size_t{1}));
      if (!t || !n) continue;
      if (!out.empty() && *t <= out.back().first) {
        ValueError(pp, "series times must increase");
        continue;
      }
      out.push_back({*t, *n});
    }
    if (out.empty()) return std::nullopt;
    return out;
  }

  // A channel: a constant, {"series": ...}, or {"elements": [each a constant or {"series": ...}]}.
  void Sensors(const json& v, const std::string& p, Scenario& s) {
    if (!JsonWalker::Expect(v.is_object(), v, p, "an object")) return;
    for (const auto& [channel, input] : v.items()) {
      std::string cp = JsonPointerChild(p, channel);
      SensorInput in;
      if (input.is_object() && input.contains("elements")) {
        if (!Object(input, cp, {"elements"}, {"elements"})) continue;
        std::string ep = JsonPointerChild(cp, "elements");
        const json& elements = input["elements"];
        if (JsonWalker::Expect(elements.is_array(), elements, ep, "an array of numbers or series")) {
          for (size_t k = 0; k < elements.size(); ++k) {
            if (auto e = Series(elements[k], JsonPointerChild(ep, k), s.duration_ms)) in.elements.push_back(std::move(*e));
          }
        }
      } else if (auto series = Series(input, cp, s.duration_ms)) {
        in.series = std::move(*series);
      }
      s.sensors[channel] = std::move(in);
    }
  }

  // A stream's file, or its files in order.
  void Streams(const json& v, const std::string& p, Scenario& s) {
    if (!JsonWalker::Expect(v.is_object(), v, p, "an object")) return;
    for (const auto& [name, files] : v.items()) {
      std::string fp = JsonPointerChild(p, name);
      std::vector<std::string>& out = s.streams[name];
      auto add = [&](const json& file, const std::string& at) {
        if (!JsonWalker::Expect(file.is_string() && !file.get<std::string>().empty(), file, at, "a file name")) return;
        out.push_back(PathBesideFile(path_, file.get<std::string>()));
      };
      if (files.is_array() && !files.empty()) {
        for (size_t k = 0; k < files.size(); ++k) add(files[k], JsonPointerChild(fp, k));
      } else {
        add(files, fp);
      }
    }
  }

  void Latencies(const json& v, const std::string& p, Scenario& s) {
    if (!JsonWalker::Expect(v.is_object(), v, p, "an object of MODULE.NAME: milliseconds")) return;
    for (const auto& [function, ms] : v.items()) {
      if (auto n = IntegerValue(ms, JsonPointerChild(p, function), 0, kMaxWallMsPerCall)) s.host_latency_ms[function] = *n;
    }
  }

  // [{"at": OFFSET, "type": "u16", "value": N, "tolerance": T}, ...]
  std::vector<ExpectedField> Fields(const json& v, const std::string& p, double tolerance) {
    std::vector<ExpectedField> out;
    if (!JsonWalker::Expect(v.is_array(), v, p, "an array of fields")) return out;
    for (size_t k = 0; k < v.size(); ++k) {
      std::string fp = JsonPointerChild(p, k);
      const json& f = v[k];
      if (!Object(f, fp, {"at", "type", "value", "tolerance"}, {"at", "type", "value"})) continue;
      ExpectedField field;
      field.at = Integer(f, fp, "at", 0, kMaxStreamBytes).value_or(0);
      field.type = String(f, fp, "type", nullptr, 8).value_or("");
      if (!field.type.empty() && FieldSize(field.type) == 0) {
        ValueError(JsonPointerChild(fp, "type"), fmt::format("unknown field type \"{}\" (u8, u16, u32, u64, i8, i16, "
                                                             "i32, i64, f32, f64)", field.type));
      }
      field.value = {Number(f["value"], JsonPointerChild(fp, "value")).value_or(0), Tolerance(f, fp, tolerance)};
      out.push_back(std::move(field));
    }
    return out;
  }

  // {"at": ADDRESS, "text": "..."} or {"at": ADDRESS, "hex": "0a0b..."}
  std::optional<ExpectedMemory> Memory(const json& v, const std::string& p) {
    if (!Object(v, p, {"at", "text", "hex"}, {"at"})) return std::nullopt;
    ExpectedMemory m;
    m.at = Integer(v, p, "at", 0, UINT32_MAX).value_or(0);
    if (auto t = String(v, p, "text", nullptr, 65536)) {
      m.bytes.assign(t->begin(), t->end());
      m.is_text = true;
    }
    if (auto h = String(v, p, "hex", nullptr, 131072)) {
      std::optional<Bytes> bytes = ParseHex(*h);
      if (!bytes) ValueError(JsonPointerChild(p, "hex"), "an even number of hex digits");
      else m.bytes = std::move(*bytes);
    }
    if (v.contains("text") == v.contains("hex")) ValueError(p, "give exactly one of \"text\" and \"hex\"");
    return m;
  }

  std::vector<ExpectedNumber> Numbers(const json& v, const std::string& p, double tolerance) {
    std::vector<ExpectedNumber> out;
    if (!JsonWalker::Expect(v.is_array(), v, p, "an array of numbers")) return out;
    for (size_t k = 0; k < v.size(); ++k) {
      if (auto n = Number(v[k], JsonPointerChild(p, k))) out.push_back({*n, tolerance});
    }
    return out;
  }

  double Tolerance(const json& obj, const std::string& p, double fallback) {
    const json* t = Field(obj, "tolerance");
    if (!t) return fallback;
    auto n = Number(*t, JsonPointerChild(p, "tolerance"));
    if (n && *n < 0) ValueError(JsonPointerChild(p, "tolerance"), "a tolerance is not negative");
    return n && *n >= 0 ? *n : fallback;
  }

  void Expect(const json& v, const std::string& p, Scenario& s) {
    if (!Object(v, p, {"host_calls", "exact", "results", "traps", "tolerance"}, {})) return;
    double tolerance = Tolerance(v, p, 0);
    if (const json* e = Field(v, "exact")) {
      if (JsonWalker::Expect(e->is_boolean(), *e, JsonPointerChild(p, "exact"), "true or false")) s.host_calls_exact = e->get<bool>();
    }
    auto each = [&](std::string_view key, auto&& parse) {
      const json* list = Field(v, key);
      if (!list) return;
      std::string lp = JsonPointerChild(p, key);
      if (!JsonWalker::Expect(list->is_array(), *list, lp, "an array")) return;
      for (size_t i = 0; i < list->size(); ++i) parse((*list)[i], JsonPointerChild(lp, i));
    };
    each("host_calls", [&](const json& c, const std::string& cp) {
      if (!Object(c, cp, {"function", "args", "at_ms", "text", "length", "fields", "tolerance"}, {"function"})) return;
      ExpectedHostCall e;
      e.position = At(cp);
      e.function_position = At(JsonPointerChild(cp, "function"));
      e.function = String(c, cp, "function", nullptr, 200).value_or("");
      if (const json* a = Field(c, "args")) e.args = Numbers(*a, JsonPointerChild(cp, "args"), Tolerance(c, cp, tolerance));
      if (auto t = Integer(c, cp, "at_ms", 0, s.duration_ms)) e.at_ms = *t;
      if (auto t = String(c, cp, "text", nullptr, 65536)) e.text = *t;
      if (auto n = Integer(c, cp, "length", 0, kMaxStreamBytes)) e.length = *n;
      if (const json* f = Field(c, "fields")) e.fields = Fields(*f, JsonPointerChild(cp, "fields"), Tolerance(c, cp, tolerance));
      s.host_calls.push_back(std::move(e));
    });
    each("results", [&](const json& r, const std::string& rp) {
      if (!Object(r, rp, {"export", "at_ms", "values", "memory", "tolerance"}, {"export"})) return;
      if (!r.contains("values") && !r.contains("memory")) ValueError(rp, "give \"values\", \"memory\" or both");
      ExpectedResult e;
      e.position = At(rp);
      e.export_position = At(JsonPointerChild(rp, "export"));
      e.export_name = String(r, rp, "export", nullptr, 256).value_or("");
      if (auto t = Integer(r, rp, "at_ms", 0, s.duration_ms)) e.at_ms = *t;
      if (const json* vals = Field(r, "values")) e.values = Numbers(*vals, JsonPointerChild(rp, "values"), Tolerance(r, rp, tolerance));
      if (const json* m = Field(r, "memory")) e.memory = Memory(*m, JsonPointerChild(rp, "memory"));
      s.results.push_back(std::move(e));
    });
    each("traps", [&](const json& t, const std::string& tp) {
      if (!Object(t, tp, {"export", "at_ms", "kind"}, {"export", "kind"})) return;
      ExpectedTrap e;
      e.position = At(tp);
      e.export_position = At(JsonPointerChild(tp, "export"));
      e.export_name = String(t, tp, "export", nullptr, 256).value_or("");
      if (auto at = Integer(t, tp, "at_ms", 0, s.duration_ms)) e.at_ms = *at;
      e.kind = String(t, tp, "kind", nullptr, 64).value_or("");
      if (!e.kind.empty() && !IsTrapKindName(e.kind)) {
        ValueError(JsonPointerChild(tp, "kind"), fmt::format("unknown trap kind \"{}\"", e.kind));
      }
      s.traps.push_back(std::move(e));
    });
  }
};

// ---- arguments ----------------------------------------------------------------

// The integer a JSON number's text denotes, exactly: "25", "-3", "1e3",
// "2.50e1" and "3.0" are integers, "1.5" and "1e-3" are not. Nothing if it is
// not an integer or its magnitude passes 2^64-1 (`too_large` then says which).
std::optional<std::pair<bool, uint64_t>> ExactInteger(std::string_view text, bool& too_large) {
  too_large = false;
  size_t i = 0;
  bool negative = i < text.size() && text[i] == '-';
  if (negative) ++i;
  std::string digits;
  int64_t exponent = 0;  // of ten, applied to `digits`
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < text.size() && is_digit(text[i])) digits += text[i++];
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && is_digit(text[i]); ++i) {
      digits += text[i];
      --exponent;
    }
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool minus = i < text.size() && text[i] == '-';
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    int64_t e = 0;
    for (; i < text.size() && is_digit(text[i]); ++i) e = std::min<int64_t>(e * 10 + (text[i] - '0'), 1'000'000);
    exponent += minus ? -e : e;
  }
  if (i != text.size() || digits.empty()) return std::nullopt;
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.empty()) return std::make_pair(false, uint64_t{0});  // -0 is 0
  for (; exponent < 0; ++exponent) {  // a fraction: only zeros may go
    if (digits.back() != '0') return std::nullopt;
    digits.pop_back();
  }
  if (exponent + static_cast<int64_t>(digits.size()) > 20) {
    too_large = true;
    return std::nullopt;
  }
  digits.append(static_cast<size_t>(exponent), '0');
  if (digits.size() == 20 && digits > "18446744073709551615") {
    too_large = true;
    return std::nullopt;
  }
  return std::make_pair(negative, std::stoull(digits));
}

// ---- running ----------------------------------------------------------------

// A little-endian field of `bytes` at `at` as a number; nothing if it does not fit.
std::optional<double> ReadField(const Bytes& bytes, uint64_t at, const std::string& type) {
  size_t size = FieldSize(type);
  if (size == 0 || at > bytes.size() || size > bytes.size() - at) return std::nullopt;
  uint64_t raw = 0;
  for (size_t i = 0; i < size; ++i) raw |= uint64_t{bytes[at + i]} << (8 * i);
  if (type == "f32") {
    float f;
    uint32_t r32 = static_cast<uint32_t>(raw);
    std::memcpy(&f, &r32, 4);
    return f;
  }
  if (type == "f64") {
    double d;
    std::memcpy(&d, &raw, 8);
    return d;
  }
  if (type[0] == 'i' && size < 8 && (raw >> (8 * size - 1)) & 1) raw |= ~uint64_t{0} << (8 * size);  // sign-extend
  return type[0] == 'i' ? static_cast<double>(static_cast<int64_t>(raw)) : static_cast<double>(raw);
}

// Where a buffer differs from the expected length and fields; "" if nowhere.
std::string FieldMismatch(const Bytes& bytes, const ExpectedHostCall& e) {
  if (e.length && bytes.size() != *e.length) return fmt::format("{}, not {}", Plural(bytes.size(), "byte"), *e.length);
  for (const ExpectedField& f : e.fields) {
    std::optional<double> v = ReadField(bytes, f.at, f.type);
    if (!v) return fmt::format("no {} at offset {} in {}", f.type, f.at, Plural(bytes.size(), "byte"));
    if (!(std::isnan(*v) ? std::isnan(f.value.value) : std::fabs(*v - f.value.value) <= f.value.tolerance)) {
      return fmt::format("{} at offset {} is {}, not {}", f.type, f.at, *v, f.value.value);
    }
  }
  return "";
}

double SensorAt(const SensorSeries& series, uint64_t t) {
  double v = series.empty() ? 0 : series.front().second;  // before the first step: its value
  for (const auto& [from, value] : series) {
    if (from <= t) v = value;
  }
  return v;
}

bool Near(double actual, const ExpectedNumber& e) {
  if (std::isnan(actual) || std::isnan(e.value)) return std::isnan(actual) && std::isnan(e.value);
  return std::fabs(actual - e.value) <= e.tolerance;
}

bool ValuesMatch(const std::vector<Value>& actual, const std::vector<ExpectedNumber>& expected) {
  if (actual.size() != expected.size()) return false;
  for (size_t i = 0; i < actual.size(); ++i) {
    if (!Near(actual[i].AsNumber(), expected[i])) return false;
  }
  return true;
}

std::string Numbers(const std::vector<ExpectedNumber>& values) {
  std::string out;
  for (const ExpectedNumber& v : values) {
    out += (out.empty() ? "" : ", ") + fmt::format("{}", v.value);
    if (v.tolerance > 0) out += fmt::format(" ± {}", v.tolerance);
  }
  return out;
}

std::string Where(const Scenario& s, const TextPosition& p) { return fmt::format("{}:{}:{}", s.path, p.line, p.column); }

// A string the device or the scenario gave, quoted for a report: escaped, so
// that its bytes can neither forge a line of the report nor reach a terminal.
std::string Quoted(std::string_view text) { return "\"" + Printable(text) + "\""; }

std::string Describe(const ExpectedHostCall& e) {
  std::string out = e.function + (e.args ? "(" + Numbers(*e.args) + ")" : "(...)");
  if (e.text) out += " with text " + Quoted(*e.text);
  if (e.length) out += " with " + Plural(*e.length, "byte");
  for (const ExpectedField& f : e.fields) out += fmt::format(", {}@{} = {}", f.type, f.at, f.value.value);
  if (e.at_ms) out += fmt::format(" at {} ms", *e.at_ms);
  return out;
}

bool CallMatches(const HostCall& c, const ExpectedHostCall& e) {
  if (c.function->QualifiedName() != e.function) return false;
  if (e.at_ms && c.time_us != *e.at_ms * 1000) return false;
  if (e.text && c.text != *e.text) return false;
  if ((e.length || !e.fields.empty()) && !FieldMismatch(c.bytes, e).empty()) return false;
  return !e.args || ValuesMatch(c.args, *e.args);
}

std::string ActualCall(const HostCall& c) {
  std::string text = FormatHostCall(c);
  if (c.function->sim.kind == SimKind::kLog) text += " " + Quoted(c.text);
  return fmt::format("{:>8} ms  {}", c.time_us / 1000, text);
}

// How far a call is from an expectation: by the function's name first, then
// by how many of its arguments, time, text and buffer differ, then by how far
// its time and arguments are off.
struct CallDistance {
  size_t name = 0;
  int fields = 0;
  uint64_t time_us = 0;
  double args = 0;
  bool operator<(const CallDistance& o) const {
    return std::tie(name, fields, time_us, args) < std::tie(o.name, o.fields, o.time_us, o.args);
  }
};

CallDistance DistanceOf(const HostCall& c, const ExpectedHostCall& e) {
  CallDistance d;
  d.name = EditDistance(c.function->QualifiedName(), e.function);
  if (e.args && !ValuesMatch(c.args, *e.args)) {
    ++d.fields;
    if (c.args.size() != e.args->size()) {
      d.args = std::numeric_limits<double>::infinity();
    } else {
      for (size_t i = 0; i < c.args.size(); ++i) {
        double off = std::fabs(c.args[i].AsNumber() - (*e.args)[i].value);
        d.args += std::isnan(off) ? 1 : off;
      }
    }
  }
  if (e.at_ms && c.time_us != *e.at_ms * 1000) {
    ++d.fields;
    d.time_us = c.time_us > *e.at_ms * 1000 ? c.time_us - *e.at_ms * 1000 : *e.at_ms * 1000 - c.time_us;
  }
  if (e.text && c.text != *e.text) ++d.fields;
  if ((e.length || !e.fields.empty()) && !FieldMismatch(c.bytes, e).empty()) ++d.fields;
  return d;
}

// In words, how a call differs from an expectation.
std::string Differences(const HostCall& c, const ExpectedHostCall& e) {
  std::vector<std::string> out;
  if (c.function->QualifiedName() != e.function) out.push_back(fmt::format("{}, not {}", c.function->QualifiedName(), e.function));
  if (e.args && !ValuesMatch(c.args, *e.args)) {
    out.push_back(fmt::format("arguments ({}), not ({})", FormatValues(c.args), Numbers(*e.args)));
  }
  if (e.at_ms && c.time_us != *e.at_ms * 1000) out.push_back(fmt::format("at {} ms, not {} ms", c.time_us / 1000, *e.at_ms));
  if (e.text && c.text != *e.text) out.push_back(fmt::format("text {}, not {}", Quoted(c.text), Quoted(*e.text)));
  if (e.length || !e.fields.empty()) {
    if (std::string why = FieldMismatch(c.bytes, e); !why.empty()) out.push_back("buffer: " + why);
  }
  std::string joined;
  for (const std::string& d : out) joined += (joined.empty() ? "" : "; ") + d;
  return joined;
}

// The call nearest to an expectation that none matched, and how it differs.
std::string NearestCall(const std::vector<HostCall>& calls, const ExpectedHostCall& e, size_t next) {
  if (calls.empty()) return "";
  size_t best = 0;
  CallDistance best_distance = DistanceOf(calls[0], e);
  for (size_t k = 1; k < calls.size(); ++k) {
    CallDistance d = DistanceOf(calls[k], e);
    // On a tie, a call still to come (at or after `next`) is the nearer.
    if (d < best_distance || (!(best_distance < d) && best < next && k >= next)) {
      best = k;
      best_distance = d;
    }
  }
  std::string why = Differences(calls[best], e);
  if (why.empty()) {
    why = fmt::format("it matches, but comes before host call {}, which matched the expectation before it "
                      "(expected host calls match in order)", next);
  }
  return fmt::format("  the nearest call was [{}] {}\n    {}\n", best + 1, ActualCall(calls[best]), why);
}

// The first difference between the host call log and the expectations.
std::string CheckHostCalls(const Scenario& s, const std::vector<HostCall>& calls) {
  size_t next = 0;
  for (size_t i = 0; i < s.host_calls.size(); ++i) {
    const ExpectedHostCall& e = s.host_calls[i];
    size_t found = next;
    if (s.host_calls_exact) {
      if (found >= calls.size() || !CallMatches(calls[found], e)) found = calls.size();
    } else {
      while (found < calls.size() && !CallMatches(calls[found], e)) ++found;
    }
    if (found < calls.size()) {
      next = found + 1;
      continue;
    }
    std::string out = fmt::format("expected host call {} of {} ({}): {}\n", i + 1, s.host_calls.size(),
                                  Where(s, e.position), Describe(e));
    out += next == 0 ? "  from the start the device made:\n"
                     : fmt::format("  after host call {} ({}) the device made:\n", next, FormatHostCall(calls[next - 1]));
    for (size_t k = next; k < calls.size() && k < next + 5; ++k) out += fmt::format("  [{}] {}\n", k + 1, ActualCall(calls[k]));
    if (next >= calls.size()) out += "  (no more host calls)\n";
    else if (calls.size() > next + 5) out += fmt::format("  ... and {} more\n", calls.size() - next - 5);
    if (e.length || !e.fields.empty()) {  // why the next call of that function did not match
      for (size_t k = next; k < calls.size(); ++k) {
        if (calls[k].function->QualifiedName() != e.function) continue;
        if (std::string why = FieldMismatch(calls[k].bytes, e); !why.empty()) {
          out += fmt::format("  the buffer of [{}] differs: {}\n", k + 1, why);
        }
        break;
      }
    }
    out += NearestCall(calls, e, next);
    return out;
  }
  if (s.host_calls_exact && next < calls.size()) {
    return fmt::format("the device made {} more than expected (exact), the first:\n  [{}] {}\n",
                       Plural(calls.size() - next, "host call"), next + 1, ActualCall(calls[next]));
  }
  return "";
}

std::string CheckTraps(const Scenario& s, const std::vector<ScenarioEvent>& events) {
  std::vector<bool> used(s.traps.size(), false);
  for (const ScenarioEvent& ev : events) {
    if (!ev.outcome.trap) continue;
    std::string kind(TrapKindName(ev.outcome.trap->kind));
    bool expected = false;
    for (size_t i = 0; i < s.traps.size() && !expected; ++i) {
      const ExpectedTrap& e = s.traps[i];
      if (!used[i] && e.export_name == ev.export_name && e.kind == kind && (!e.at_ms || *e.at_ms == ev.time_ms)) {
        used[i] = expected = true;
      }
    }
    if (!expected) {
      return fmt::format("unexpected trap at {} ms in {}: {} ({})\n", ev.time_ms, ev.export_name, kind,
                         ev.outcome.trap->message);
    }
  }
  for (size_t i = 0; i < s.traps.size(); ++i) {
    if (!used[i]) {
      const ExpectedTrap& e = s.traps[i];
      return fmt::format("expected trap ({}): {} in {}{} did not happen\n", Where(s, e.position), e.kind, e.export_name,
                         e.at_ms ? fmt::format(" at {} ms", *e.at_ms) : "");
    }
  }
  return "";
}

std::string ShowBytes(const Bytes& bytes, bool as_text) {
  if (as_text) return Quoted(std::string(bytes.begin(), bytes.end()));
  return HexString(bytes.data(), bytes.size());
}

std::string CheckResults(const Scenario& s, const std::vector<ScenarioEvent>& events) {
  for (const ExpectedResult& e : s.results) {
    const ScenarioEvent* ev = nullptr;
    for (const ScenarioEvent& candidate : events) {
      if (candidate.export_name == e.export_name && (!e.at_ms || *e.at_ms == candidate.time_ms)) {
        ev = &candidate;
        break;
      }
    }
    std::string what = fmt::format("expected result ({}): {}{} => {}", Where(s, e.position), e.export_name,
                                   e.at_ms ? fmt::format(" at {} ms", *e.at_ms) : "",
                                   e.values ? Numbers(*e.values) : std::string("..."));
    if (e.memory) what += fmt::format(", then memory at {:#x}: {}", e.memory->at, ShowBytes(e.memory->bytes, e.memory->is_text));
    if (!ev) return what + "\n  but no such call was made\n";
    if (ev->outcome.trap) return what + fmt::format("\n  but it trapped: {}\n", ev->outcome.trap->message);
    if (e.values && !ValuesMatch(ev->outcome.results, *e.values)) {
      return what + fmt::format("\n  but it returned {}\n", FormatValues(ev->outcome.results));
    }
    if (e.memory) {
      auto read = ev->memory_read.find(static_cast<size_t>(&e - s.results.data()));
      if (read == ev->memory_read.end()) return what + "\n  but those bytes are outside linear memory\n";
      if (read->second != e.memory->bytes) {
        return what + fmt::format("\n  but memory held {}\n", ShowBytes(read->second, e.memory->is_text));
      }
    }
  }
  return "";
}

}  // namespace

Result<Value> ArgumentValue(const ScenarioArg& arg, ValueType type) {
  auto refuse = [&](std::string why) { return Error{ErrorKind::kInvalidInput, std::move(why)}; };
  if (type == ValueType::kF32 || type == ValueType::kF64) {
    if (!std::isfinite(arg.number)) return refuse(fmt::format("{} is not a finite number", arg.text));
    if (type == ValueType::kF64) return Value::F64(arg.number);
    if (std::fabs(arg.number) > static_cast<double>(std::numeric_limits<float>::max())) {
      return refuse(fmt::format("{} is outside the range of an f32 (at most {:g} either way)", arg.text,
                                static_cast<double>(std::numeric_limits<float>::max())));
    }
    return Value::F32(static_cast<float>(arg.number));
  }
  bool i32 = type == ValueType::kI32;
  std::string_view range = i32 ? "-2147483648 to 4294967295" : "-9223372036854775808 to 18446744073709551615";
  bool too_large = false;
  std::optional<std::pair<bool, uint64_t>> n = ExactInteger(arg.text, too_large);
  if (!n && !too_large) {
    return refuse(fmt::format("{} is not an integer, and the parameter is an {}", arg.text, ValueTypeName(type)));
  }
  uint64_t most_negative = i32 ? uint64_t{1} << 31 : uint64_t{1} << 63;
  uint64_t most_positive = i32 ? 0xFFFFFFFFull : ~uint64_t{0};
  if (!n || (n->first ? n->second > most_negative : n->second > most_positive)) {
    return refuse(fmt::format("{} does not fit in an {} ({})", arg.text, ValueTypeName(type), range));
  }
  uint64_t bits = n->first ? uint64_t{0} - n->second : n->second;
  return i32 ? Value::I32(static_cast<uint32_t>(bits)) : Value::I64(bits);
}

size_t FieldSize(std::string_view type) {
  constexpr std::pair<std::string_view, size_t> kSizes[] = {{"u8", 1},  {"i8", 1},  {"u16", 2}, {"i16", 2}, {"u32", 4},
                                                            {"i32", 4}, {"f32", 4}, {"u64", 8}, {"i64", 8}, {"f64", 8}};
  for (const auto& [name, size] : kSizes) {
    if (name == type) return size;
  }
  return 0;
}

Result<Scenario> ParseScenario(std::string text, const std::string& path, Diagnostics& diagnostics) {
  Result<LocatedJson> doc = ParseLocatedJson(text);  // a copy: errors need the text
  if (!doc) {
    Diagnostic& d = diagnostics.AddError(std::string(kScenarioCode), path, doc.error().message);
    d.position = PositionOf(text, doc.error().offset.value_or(0));
    return Error{ErrorKind::kInvalidInput, "invalid scenario"};
  }
  Scenario s;
  s.path = path;
  if (!ScenarioParser(*doc, path, diagnostics).Parse(s)) {
    return Error{ErrorKind::kInvalidInput, "invalid scenario"};
  }
  return s;
}

Result<Scenario> LoadScenario(const std::string& path, Diagnostics& diagnostics) {
  Result<Bytes> bytes = ReadInput(path, kMaxScenarioBytes, std::string(kScenarioCode), diagnostics);
  if (!bytes) return bytes.error();
  return ParseScenario(std::string(bytes->begin(), bytes->end()), path, diagnostics);
}

Result<std::unique_ptr<ScenarioSession>> ScenarioSession::Start(const Scenario& s, const Manifest& manifest,
                                                                 const ModuleInfo& module,
                                                                 const Instantiator& instantiate,
                                                                 Diagnostics& diagnostics) {
  std::unique_ptr<ScenarioSession> session(new ScenarioSession(s));
  // The calls must name exports the module has, with the right number of arguments.
  std::vector<Planned>& plan = session->plan_;
  bool ok = true;
  auto refuse = [&](std::string code, TextPosition position, std::string message) {
    diagnostics.AddError(std::move(code), s.path, std::move(message)).position = position;
    ok = false;
  };
  std::vector<std::string> functions;  // what the module exports that a device can call
  for (const ExportInfo& x : module.exports) {
    if (x.kind == ExternKind::kFunc) functions.push_back(x.name);
  }
  auto exported = [&](const std::string& name) {
    return std::find(functions.begin(), functions.end(), name) != functions.end();
  };
  for (size_t i = 0; i < s.calls.size(); ++i) {
    const ScenarioCall& c = s.calls[i];
    auto e = std::find_if(module.exports.begin(), module.exports.end(),
                          [&](const ExportInfo& x) { return x.name == c.export_name && x.kind == ExternKind::kFunc; });
    if (e == module.exports.end()) {
      refuse("scenario-export-unknown", c.position,
             fmt::format("calls/{}: the module exports no function \"{}\"{}", i, c.export_name,
                         DidYouMean(c.export_name, functions)));
      continue;
    }
    if (e->signature.params.size() != c.args.size()) {
      refuse("scenario-invalid", c.position,
             fmt::format("calls/{}: {} takes {} {}, not {}", i, c.export_name,
                         Plural(e->signature.params.size(), "argument"), e->signature.ToString(), c.args.size()));
      continue;
    }
    // Each argument must fit its parameter exactly: never clamped, rounded or truncated.
    std::vector<Value> args;
    for (size_t k = 0; k < c.args.size(); ++k) {
      // A v128 or reference parameter (a SIMD device may export one) has no
      // scenario spelling: refused, not dereferenced.
      Result<ValueType> type = ParseValueType(e->signature.params[k]);
      if (!type) {
        refuse("scenario-invalid", c.args[k].position,
               fmt::format("calls/{}/args/{}: {} takes a {} parameter, which a scenario cannot pass (only i32, i64, "
                           "f32 and f64)",
                           i, k, c.export_name, e->signature.params[k]));
        continue;
      }
      Result<Value> v = ArgumentValue(c.args[k], *type);
      if (v) {
        args.push_back(*v);
      } else {
        refuse("scenario-invalid", c.args[k].position,
               fmt::format("calls/{}/args/{}: {} (argument {} of {} {})", i, k, v.error().message, k + 1,
                           c.export_name, e->signature.ToString()));
      }
    }
    if (args.size() != c.args.size()) continue;
    uint64_t until = c.until_ms.value_or(s.duration_ms);
    for (uint64_t t = c.at_ms; t < until || (c.every_ms == 0 && t == c.at_ms); t += c.every_ms) {
      if (plan.size() >= kMaxScenarioEvents) {
        diagnostics.AddError("scenario-invalid", s.path, fmt::format("more than {} calls", kMaxScenarioEvents));
        return Error{ErrorKind::kInvalidInput, "too many calls"};
      }
      plan.push_back({t, &c, args});
      if (c.every_ms == 0) break;
    }
  }
  // The expectations must name what the module and device have: an expectation
  // about "log" (not "env.log") would otherwise just fail, or pass vacuously.
  const std::vector<std::string> host_functions = HostFunctionNames(manifest);
  for (size_t i = 0; i < s.host_calls.size(); ++i) {
    const ExpectedHostCall& e = s.host_calls[i];
    if (std::find(host_functions.begin(), host_functions.end(), e.function) == host_functions.end()) {
      refuse("scenario-host-unknown", e.function_position,
             fmt::format("expect/host_calls/{}/function: the device has no host function \"{}\"{}", i, e.function,
                         DidYouMean(e.function, host_functions)));
    }
  }
  for (size_t i = 0; i < s.results.size(); ++i) {
    const ExpectedResult& e = s.results[i];
    if (!exported(e.export_name)) {
      refuse("scenario-export-unknown", e.export_position,
             fmt::format("expect/results/{}/export: the module exports no function \"{}\"{}", i, e.export_name,
                         DidYouMean(e.export_name, functions)));
    }
  }
  for (size_t i = 0; i < s.traps.size(); ++i) {
    const ExpectedTrap& e = s.traps[i];
    bool start = e.export_name == "(start)" && module.start_function;  // how a trapping start function is reported
    if (!exported(e.export_name) && !start) {
      refuse("scenario-export-unknown", e.export_position,
             fmt::format("expect/traps/{}/export: the module exports no function \"{}\"{}", i, e.export_name,
                         DidYouMean(e.export_name, functions)));
    }
  }
  const std::vector<std::string> channels = SensorChannels(manifest);
  for (const auto& [channel, input] : s.sensors) {
    if (std::find(channels.begin(), channels.end(), channel) == channels.end()) {
      diagnostics.AddError("scenario-sensor-unknown", s.path,
                           fmt::format("sensors: the device has no sensor channel \"{}\"{}", channel,
                                       DidYouMean(channel, channels)));
      ok = false;
    }
  }
  const std::vector<std::string> streams = InputStreams(manifest);
  for (const auto& [stream, files] : s.streams) {
    if (std::find(streams.begin(), streams.end(), stream) == streams.end()) {
      diagnostics.AddError("scenario-stream-unknown", s.path,
                           fmt::format("streams: no buffer_in function of the device reads a stream \"{}\"{}", stream,
                                       DidYouMean(stream, streams)));
      ok = false;
    }
  }
  for (const auto& [function, ms] : s.host_latency_ms) {
    if (std::find(host_functions.begin(), host_functions.end(), function) == host_functions.end()) {
      diagnostics.AddError("scenario-host-unknown", s.path,
                           fmt::format("host_latency_ms: the device has no host function {}{}", function,
                                       DidYouMean(function, host_functions)));
      ok = false;
    }
  }
  if (!ok) return Error{ErrorKind::kInvalidInput, "the scenario does not fit the module or device"};
  std::stable_sort(plan.begin(), plan.end(), [](const Planned& a, const Planned& b) { return a.time < b.time; });

  SimulatedHost& host = *session->host_;
  for (const auto& [stream, files] : s.streams) {
    Result<Bytes> bytes = LoadStreamFiles(files, diagnostics);
    if (!bytes) return bytes.error();
    host.SetInputStream(stream, std::move(bytes).value());
  }
  for (const auto& [function, ms] : s.host_latency_ms) host.SetLatency(function, ms);
  RunLimits limits = LimitsFromManifest(&manifest);
  if (s.max_pages) limits.max_memory_pages = *s.max_pages;
  if (s.fuel_per_call) limits.fuel_per_call = *s.fuel_per_call;
  if (s.max_call_depth) limits.max_call_depth = *s.max_call_depth;
  if (s.wall_ms_per_call) limits.wall_ms_per_call = *s.wall_ms_per_call;
  session->limits_ = limits;
  Result<Instantiation> inst = instantiate(host, limits);
  if (!inst) {
    diagnostics.AddError("instantiation-refused", s.module.empty() ? s.path : s.module, inst.error().message);
    return inst.error();
  }
  if (inst->trap) {
    ScenarioEvent ev;
    ev.export_name = "(start)";
    ev.outcome.trap = inst->trap;
    session->events_.push_back(std::move(ev));
    session->next_ = plan.size();  // nothing more to call
  }
  session->instance_ = std::move(inst->instance);
  return session;
}

ScenarioSession::ScenarioSession(const Scenario& s)
    : scenario_(s), host_(std::make_unique<SimulatedHost>()) {}

ScenarioSession::~ScenarioSession() = default;

const ScenarioEvent& ScenarioSession::Step() {
  const Scenario& s = scenario_;
  const Planned& p = plan_[next_++];
  SimulatedHost& host = *host_;
  host.SetTimeUs(p.time * 1000);
  for (const auto& [channel, input] : s.sensors) {
    std::vector<double> values;
    if (input.elements.empty()) values.push_back(SensorAt(input.series, p.time));
    for (const SensorSeries& e : input.elements) values.push_back(SensorAt(e, p.time));
    host.SetSensor(channel, std::move(values));
  }
  ScenarioEvent ev;
  ev.time_ms = p.time;
  ev.export_name = p.call->export_name;
  ev.args = p.args;
  ev.first_host_call = host.calls().size();
  ev.outcome = instance_->Call(ev.export_name, ev.args);
  ev.host_call_count = host.calls().size() - ev.first_host_call;
  for (size_t r = 0; r < s.results.size(); ++r) {  // what the device reads back after this call
    const ExpectedResult& e = s.results[r];
    if (!e.memory || e.export_name != ev.export_name || (e.at_ms && *e.at_ms != ev.time_ms)) continue;
    if (std::optional<Bytes> m = instance_->ReadMemory(e.memory->at, e.memory->bytes.size())) {
      ev.memory_read[r] = std::move(*m);
    }
  }
  events_.push_back(std::move(ev));
  return events_.back();
}

uint64_t ScenarioSession::memory_bytes() const { return instance_ ? instance_->memory_bytes() : 0; }

ScenarioReport ScenarioSession::Finish() {
  ScenarioReport report;
  report.events = std::move(events_);
  report.host_calls = host_->calls();
  report.divergence = CheckTraps(scenario_, report.events);
  if (report.divergence.empty()) report.divergence = CheckResults(scenario_, report.events);
  if (report.divergence.empty()) report.divergence = CheckHostCalls(scenario_, report.host_calls);
  report.passed = report.divergence.empty();
  return report;
}

Result<ScenarioReport> RunScenario(const Scenario& s, const Manifest& manifest, const ModuleInfo& module,
                                   const Instantiator& instantiate, Diagnostics& diagnostics) {
  Result<std::unique_ptr<ScenarioSession>> session = ScenarioSession::Start(s, manifest, module, instantiate, diagnostics);
  if (!session) return session.error();
  while (!(*session)->done()) (*session)->Step();
  return (*session)->Finish();
}

std::string FirstEngineDifference(const ScenarioReport& a, std::string_view a_name, const ScenarioReport& b,
                                  std::string_view b_name) {
  std::string engines = fmt::format("{} vs {}", a_name, b_name);
  if (a.events.size() != b.events.size()) {
    return fmt::format("the engines made different numbers of calls ({}): {} vs {}", engines, a.events.size(),
                       b.events.size());
  }
  for (size_t i = 0; i < a.events.size(); ++i) {
    const ScenarioEvent& x = a.events[i];
    const ScenarioEvent& y = b.events[i];
    std::string where = fmt::format("at {} ms, {}", x.time_ms, x.export_name);
    if (std::string d = CompareOutcomes(x.outcome, y.outcome); !d.empty()) {
      return fmt::format("the engines disagree {}: {} ({})", where, d, engines);
    }
    if (x.host_call_count != y.host_call_count) {
      return fmt::format("the engines disagree {}: {} vs {} host calls ({})", where, x.host_call_count,
                         y.host_call_count, engines);
    }
    for (size_t h = 0; h < x.host_call_count; ++h) {
      const HostCall& p = a.host_calls[x.first_host_call + h];
      const HostCall& q = b.host_calls[y.first_host_call + h];
      if (!SameHostCall(p, q)) {
        return fmt::format("the engines disagree {}, host call {}:\n  {}: {}\n  {}: {}", where, h + 1, a_name,
                           FormatHostCall(p), b_name, FormatHostCall(q));
      }
    }
  }
  return "";
}

std::string FormatScenarioTrace(const ScenarioReport& report) {
  std::string out;
  for (const ScenarioEvent& ev : report.events) {
    std::string results = ev.outcome.trap ? fmt::format(" trap {}: {}", TrapKindName(ev.outcome.trap->kind),
                                                         ev.outcome.trap->message)
                                          : ev.outcome.results.empty() ? "" : " " + FormatValues(ev.outcome.results);
    out += fmt::format("[{:>6} ms] {}({}) =>{}\n", ev.time_ms, ev.export_name, FormatValues(ev.args), results);
    for (size_t k = 0; k < ev.host_call_count; ++k) {
      const HostCall& c = report.host_calls[ev.first_host_call + k];
      out += fmt::format("             {}{}\n", FormatHostCall(c),
                         c.function->sim.kind == SimKind::kLog ? " " + Quoted(c.text) : "");
    }
  }
  return out;
}

}  // namespace wasmiot
