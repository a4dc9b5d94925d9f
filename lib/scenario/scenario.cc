// A scenario's call arguments as the export's parameter types, exactly.
#include "scenario/scenario.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "support/text.h"

namespace wasmiot {
namespace {

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

}  // namespace wasmiot
