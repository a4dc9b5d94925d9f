#include "key_sources.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "support/file_io.h"

namespace wasmiot {

Result<std::optional<std::string>> LoadPassword(const KeySource& source) {
  if (!source.password_env.empty()) {
    const char* value = std::getenv(source.password_env.c_str());
    if (!value) return Error{ErrorKind::kIo, fmt::format("environment variable {} is not set", source.password_env)};
    return std::optional<std::string>(value);
  }
  if (!source.password_file.empty()) {
    Result<Bytes> bytes = ReadInputFile(source.password_file, 4096);
    if (!bytes) return Error{bytes.error().kind, fmt::format("{}: {}", source.password_file, bytes.error().message)};
    std::string text(bytes->begin(), bytes->end());
    Wipe(bytes->data(), bytes->size());
    text = text.substr(0, text.find('\n'));
    if (!text.empty() && text.back() == '\r') text.pop_back();
    return std::optional<std::string>(text);
  }
  return std::optional<std::string>();
}

bool NamesOneKey(const KeySource& source) { return source.path.empty() != source.env.empty(); }

Result<LoadedKey> LoadKey(const KeySource& source, Diagnostics& diagnostics) {
  std::string where = !source.env.empty() ? "$" + source.env : source.path == "-" ? "<stdin>" : source.path;
  Bytes text;
  bool from_file = false;
  if (!source.env.empty()) {
    const char* value = std::getenv(source.env.c_str());
    if (!value) {
      diagnostics.AddError("io-error", where, "environment variable is not set");
      return Error{ErrorKind::kIo, "no key"};
    }
    text.assign(value, value + std::strlen(value));
  } else if (source.path == "-") {
    // Read only as far as a key can go: "pubkey - < /dev/zero" must end.
    Result<Bytes> in = ReadBoundedStream(STDIN_FILENO, kMaxKeyFileBytes);
    if (!in) {
      bool io = in.error().kind == ErrorKind::kIo;
      diagnostics.AddError(io ? "io-error" : "key-invalid", where, io ? in.error().message : "more than 64 KiB: not a key");
      return in.error();
    }
    text = std::move(in).value();
  } else {
    Result<Bytes> bytes = ReadInput(source.path, kMaxKeyFileBytes, "key-invalid", diagnostics);
    if (!bytes) return bytes.error();
    text = std::move(bytes).value();
    from_file = true;
  }

  Result<std::optional<std::string>> password = LoadPassword(source);
  if (!password) {
    diagnostics.AddError("io-error", where, password.error().message);
    return password.error();
  }
  Result<LoadedKey> key = ParseKey(text, *password);
  Wipe(text.data(), text.size());
  if (!key) {
    diagnostics.AddError("key-invalid", where, key.error().message);
    return key.error();
  }
  if (key->secret && from_file && !source.force) {
    struct stat st {};
    if (::stat(source.path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      diagnostics.AddError("key-insecure", where,
                           fmt::format("secret key is readable by other users (mode {:04o}): chmod 600 it, or "
                                       "pass --force",
                                       st.st_mode & 07777));
      return Error{ErrorKind::kInvalidInput, "insecure"};
    }
  }
  return key;
}

}  // namespace wasmiot
