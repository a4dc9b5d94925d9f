// A value or an error, for operations that fail once (reading a file, parsing a
// header). Checks that find many problems use Diagnostics instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace wasmiot {

// Why an operation failed. Whoever reports an Error picks its diagnostic code
// from this: kIo becomes io-error (exit 3, ReadInput in support/file_io.cc),
// the rest the caller's own code (exit 1 or 2, tools/wasmiot/output.cc).
enum class ErrorKind {
  kInvalidInput,  // the input exists but is not acceptable (malformed, over a limit)
  kIo,            // missing, unreadable, not a regular file, cannot write
  kInternal,
};

struct Error {
  Error() = default;
  Error(ErrorKind error_kind, std::string text, std::optional<uint64_t> at = std::nullopt)
      : kind(error_kind), message(std::move(text)), offset(at) {}

  ErrorKind kind = ErrorKind::kInternal;
  std::string message;
  std::optional<uint64_t> offset;  // where in the input, when known
};

namespace detail {
// Prints "wasmiot: internal error: WHAT" and aborts.
[[noreturn]] void ResultMisuse(const std::string& what);
}  // namespace detail

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  // value() of an error, or error() of a value, is a bug in the caller: it
  // stops the process with the error's message (never an exception thrown
  // across the library's API, which a caller could mistake for bad input).
  T& value() & { return *Checked(std::get_if<T>(&state_)); }
  const T& value() const& { return *Checked(std::get_if<T>(&state_)); }
  T&& value() && { return std::move(*Checked(std::get_if<T>(&state_))); }
  const Error& error() const {
    if (const Error* e = std::get_if<Error>(&state_)) return *e;
    detail::ResultMisuse("error() of a result that holds a value");
  }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  template <typename P>
  P* Checked(P* value) const {
    if (!value) detail::ResultMisuse("value() of a failed result: " + std::get<Error>(state_).message);
    return value;
  }
  std::variant<T, Error> state_;
};

struct Ok {};
using Status = Result<Ok>;

}  // namespace wasmiot
