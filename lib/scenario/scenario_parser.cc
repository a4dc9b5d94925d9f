// Scenario files (docs/scenarios.md): JSON to a Scenario, every problem a
// diagnostic with line:column; sensor series from CSV or JSON files beside it.
#include "scenario/scenario.h"


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
#include "runtime/engine.h"
#include "runtime/host.h"
#include "support/text.h"
#include "scenario/stream_input.h"
#include "support/file_io.h"

namespace wasmiot {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kScenarioCode = "scenario-invalid";

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
        if (JsonWalker::Expect(a->is_array(), *a, ap, "an array of numbers and buffers")) {
          for (size_t k = 0; k < a->size(); ++k) {
            std::string kp = JsonPointerChild(ap, k);
            if ((*a)[k].is_object()) {
              if (auto b = BufferContents((*a)[k], kp)) call.args.push_back({0, "", At(kp), std::move(b)});
            } else if (auto n = Number((*a)[k], kp)) {
              call.args.push_back({*n, NumberAsWritten(kp), At(kp), std::nullopt});
            }
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

  // "text" (UTF-8) or "hex" bytes of `v`, exactly one of them; is_text says which.
  std::optional<Bytes> TextOrHex(const json& v, const std::string& p, bool* is_text) {
    if (v.contains("text") == v.contains("hex")) {
      ValueError(p, "give exactly one of \"text\" and \"hex\"");
      return std::nullopt;
    }
    *is_text = v.contains("text");
    if (auto t = String(v, p, "text", nullptr, 65536)) return Bytes(t->begin(), t->end());
    if (auto h = String(v, p, "hex", nullptr, 131072)) {
      std::optional<Bytes> bytes = ParseHex(*h);
      if (!bytes) ValueError(JsonPointerChild(p, "hex"), "an even number of hex digits");
      return bytes;
    }
    return std::nullopt;
  }

  // {"buffer": N}, {"text": "..."} or {"hex": "..."}: a buffer argument's bytes.
  std::optional<Bytes> BufferContents(const json& v, const std::string& p) {
    if (!Object(v, p, {"buffer", "text", "hex"}, {})) return std::nullopt;
    if (v.contains("buffer")) {
      if (v.size() != 1) {
        ValueError(p, "give one of {\"buffer\": BYTES}, {\"text\": ...} and {\"hex\": ...}");
        return std::nullopt;
      }
      std::optional<uint64_t> n = Integer(v, p, "buffer", 0, kMaxScenarioBufferBytes);
      if (!n) return std::nullopt;
      return Bytes(*n, 0);
    }
    bool is_text = false;
    return TextOrHex(v, p, &is_text);
  }

  // {"at": ADDRESS | "buffer": PARAMETER, "text": "..." | "hex": "0a0b..."}
  std::optional<ExpectedMemory> Memory(const json& v, const std::string& p) {
    if (!Object(v, p, {"at", "buffer", "text", "hex"}, {})) return std::nullopt;
    ExpectedMemory m;
    if (v.contains("at") == v.contains("buffer")) {
      ValueError(p, "give exactly one of \"at\" (an address) and \"buffer\" (a pointer parameter's name)");
    }
    if (v.contains("at")) m.at = Integer(v, p, "at", 0, UINT32_MAX).value_or(0);
    if (v.contains("buffer")) m.buffer = String(v, p, "buffer", nullptr, 256).value_or("");
    if (auto bytes = TextOrHex(v, p, &m.is_text)) m.bytes = std::move(*bytes);
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

}  // namespace

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

}  // namespace wasmiot
