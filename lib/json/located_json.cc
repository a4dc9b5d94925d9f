#include "json/located_json.h"

#include <iterator>
#include <set>
#include <vector>

#include <fmt/format.h>

namespace wasmiot {
namespace {

using nlohmann::json;

// An input iterator over the text that publishes how far the lexer has read,
// so the SAX handler knows where the token it is handed ends.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* p, const char** cursor) : p_(p), cursor_(cursor) {}
  reference operator*() const { return *p_; }
  CountingIterator& operator++() {
    *cursor_ = ++p_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++*this;
    return old;
  }
  bool operator==(const CountingIterator& other) const { return p_ == other.p_; }
  bool operator!=(const CountingIterator& other) const { return p_ != other.p_; }

 private:
  const char* p_;
  const char** cursor_;
};

bool IsNumberChar(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

}  // namespace

std::string JsonPointerChild(const std::string& pointer, std::string_view token) {
  std::string out = pointer + "/";
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string JsonPointerChild(const std::string& pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

size_t LocatedJson::ValueOffset(const std::string& pointer) const {
  auto it = value_offsets_.find(pointer);
  return it == value_offsets_.end() ? 0 : it->second;
}

size_t LocatedJson::KeyOffset(const std::string& pointer) const {
  auto it = key_offsets_.find(pointer);
  return it == key_offsets_.end() ? ValueOffset(pointer) : it->second;
}

// Builds the DOM like nlohmann's json_sax_dom_parser, recording offsets.
class LocatingSaxHandler {
 public:
  LocatingSaxHandler(LocatedJson& out, const char** cursor)
      : out_(out), begin_(out.text_.data()), cursor_(cursor) {}

  bool null() { return Value(json(nullptr), Literal(4)); }
  bool boolean(bool v) { return Value(json(v), Literal(v ? 4 : 5)); }
  bool number_integer(json::number_integer_t v) { return Value(json(v), NumberStart()); }
  bool number_unsigned(json::number_unsigned_t v) { return Value(json(v), NumberStart()); }
  bool number_float(json::number_float_t v, const std::string&) {
    return Value(json(v), NumberStart());
  }
  bool string(std::string& v) { return Value(json(std::move(v)), StringStart()); }
  bool binary(json::binary_t&) { return Fail(Offset(), "binary values are not JSON"); }

  bool start_object(std::size_t) { return Open(json::object()); }
  bool start_array(std::size_t) { return Open(json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }

  bool key(std::string& k) {
    Frame& frame = frames_.back();
    if (!frame.keys.insert(k).second) {
      return Fail(StringStart(), fmt::format("duplicate key \"{}\"", k));
    }
    pending_key_ = k;
    pending_key_offset_ = StringStart();
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at
    // line 1, column 5: syntax error while parsing value - ..."; keep the reason.
    std::string message = e.what();
    if (message.rfind("[json.exception.", 0) == 0) message = message.substr(message.find("] ") + 2);
    if (message.rfind("parse error at line ", 0) == 0) message = message.substr(message.find(": ") + 2);
    // `position` counts the characters read: point at the last one, where the
    // lexer found the problem. (Its token text is no guide to the token's
    // start: it is not reset before punctuation or literals.)
    return Fail(position > 0 ? position - 1 : 0, message);
  }

  const Error* error() const { return error_set_ ? &error_ : nullptr; }

 private:
  struct Frame {
    json* value;
    std::string pointer;
    std::set<std::string> keys;
  };

  size_t Offset() const { return static_cast<size_t>(*cursor_ - begin_); }
  size_t Literal(size_t length) const { return Offset() - length; }

  size_t NumberStart() const {
    size_t end = Offset();
    // The lexer reads one character past a number, unless the text ended.
    if (end > 0 && !IsNumberChar(begin_[end - 1])) --end;
    while (end > 0 && IsNumberChar(begin_[end - 1])) --end;
    return end;
  }

  size_t StringStart() const {
    // The lexer stops on the closing quote: walk back to the unescaped opening one.
    size_t i = Offset() - 1;
    while (i > 0) {
      --i;
      if (begin_[i] != '"') continue;
      size_t backslashes = 0;
      while (i > backslashes && begin_[i - 1 - backslashes] == '\\') ++backslashes;
      if (backslashes % 2 == 0) return i;
    }
    return 0;
  }

  // Places a new value into the current container and records its offset.
  json* Place(json&& value, size_t offset) {
    std::string pointer;
    json* slot;
    if (frames_.empty()) {
      out_.root_ = std::move(value);
      slot = &out_.root_;
    } else {
      Frame& parent = frames_.back();
      if (parent.value->is_array()) {
        pointer = JsonPointerChild(parent.pointer, parent.value->size());
        parent.value->push_back(std::move(value));
        slot = &parent.value->back();
      } else {
        pointer = JsonPointerChild(parent.pointer, pending_key_);
        slot = &(*parent.value)[pending_key_];
        *slot = std::move(value);
        out_.key_offsets_[pointer] = pending_key_offset_;
      }
    }
    out_.value_offsets_[pointer] = offset;
    last_pointer_ = std::move(pointer);
    return slot;
  }

  bool Value(json&& value, size_t offset) {
    Place(std::move(value), offset);
    return true;
  }

  bool Open(json&& container) {
    size_t offset = Offset() - 1;
    if (frames_.size() >= kMaxJsonDepth) {
      return Fail(offset, fmt::format("nesting deeper than {} levels", kMaxJsonDepth));
    }
    json* slot = Place(std::move(container), offset);
    frames_.push_back(Frame{slot, last_pointer_, {}});
    return true;
  }

  bool Close() {
    frames_.pop_back();
    return true;
  }

  bool Fail(size_t offset, std::string message) {
    if (!error_set_) {
      error_ = Error{ErrorKind::kInvalidInput, std::move(message), offset};
      error_set_ = true;
    }
    return false;
  }

  LocatedJson& out_;
  const char* begin_;
  const char** cursor_;
  std::vector<Frame> frames_;
  std::string pending_key_;
  size_t pending_key_offset_ = 0;
  std::string last_pointer_;
  Error error_;
  bool error_set_ = false;
};

Result<LocatedJson> ParseLocatedJson(std::string text) {
  LocatedJson out;
  out.text_ = std::move(text);
  const char* begin = out.text_.data();
  const char* cursor = begin;
  LocatingSaxHandler handler(out, &cursor);
  CountingIterator first(begin, &cursor);
  CountingIterator last(begin + out.text_.size(), &cursor);
  bool ok = json::sax_parse(first, last, &handler, json::input_format_t::json, /*strict=*/true);
  if (!ok) {
    if (const Error* e = handler.error()) return *e;
    return Error{ErrorKind::kInvalidInput, "malformed JSON", 0};
  }
  return out;
}

}  // namespace wasmiot
