// A value or an error, for operations that fail once (reading a file, parsing a
// header). Checks that find many problems use Diagnostics instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace wasmiot {

// Why an operation failed; the tool maps these onto exit codes (see exit_code.h).
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

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const Error& error() const { return std::get<Error>(state_); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> state_;
};

struct Ok {};
using Status = Result<Ok>;

}  // namespace wasmiot
