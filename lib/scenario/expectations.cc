// What a scenario's run is held to: its expected traps, results and host calls.
#include "scenario/expectations.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <tuple>

#include <fmt/format.h>

#include "runtime/host.h"
#include "support/text.h"

namespace wasmiot {
namespace {



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
    if (e.memory) {
      std::string where = e.memory->buffer.empty() ? fmt::format("memory at {:#x}", e.memory->at)
                                                   : fmt::format("buffer {}", e.memory->buffer);
      what += fmt::format(", then {}: {}", where, ShowBytes(e.memory->bytes, e.memory->is_text));
    }
    if (!ev) return what + "\n  but no such call was made\n";
    if (ev->outcome.trap) return what + fmt::format("\n  but it trapped: {}\n", ev->outcome.trap->message);
    if (e.values && !ValuesMatch(ev->outcome.results, *e.values)) {
      return what + fmt::format("\n  but it returned {}\n", FormatValues(ev->outcome.results));
    }
    if (e.memory) {
      auto read = ev->memory_read.find(static_cast<size_t>(&e - s.results.data()));
      if (read == ev->memory_read.end()) {
        return what + (e.memory->buffer.empty() ? "\n  but those bytes are outside linear memory\n"
                                                : "\n  but the call passed no such buffer\n");
      }
      if (read->second != e.memory->bytes) {
        return what + fmt::format("\n  but memory held {}\n", ShowBytes(read->second, e.memory->is_text));
      }
    }
  }
  return "";
}

}  // namespace

std::string FirstUnmetExpectation(const Scenario& scenario, const ScenarioReport& report) {
  std::string divergence = CheckTraps(scenario, report.events);
  if (divergence.empty()) divergence = CheckResults(scenario, report.events);
  if (divergence.empty()) divergence = CheckHostCalls(scenario, report.host_calls);
  return divergence;
}

}  // namespace wasmiot
