#include "support/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace wasmiot {
namespace {

Error IoError(std::string message) { return Error{ErrorKind::kIo, std::move(message)}; }

std::string Errno() { return std::strerror(errno); }

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

std::string_view FileTypeName(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

bool SameInode(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

// True if `path` is `folder` or lies anywhere below it, by inode, so that
// symlinks on the way count.
bool IsSameOrInside(const std::string& path, const struct stat& folder) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
  if (ec) return false;
  for (;;) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0 && SameInode(st, folder)) return true;
    if (!p.has_relative_path()) return false;  // reached the root
    p = p.parent_path();
  }
}

}  // namespace

const NamedInput* FindOverwrittenInput(const std::string& output, bool output_is_folder,
                                       const std::vector<NamedInput>& inputs) {
  struct stat out {};
  if (output.empty() || ::stat(output.c_str(), &out) != 0) return nullptr;  // a new file destroys nothing
  for (const NamedInput& input : inputs) {
    if (input.path.empty() || input.path == "-") continue;
    struct stat in {};
    if (::stat(input.path.c_str(), &in) == 0 && SameInode(in, out)) return &input;
    if (output_is_folder && S_ISDIR(out.st_mode) && IsSameOrInside(input.path, out)) return &input;
  }
  return nullptr;
}

bool RefuseOverwritingInputs(const std::string& output, std::string_view output_flag, bool output_is_folder,
                             const std::vector<NamedInput>& inputs, Diagnostics& diagnostics) {
  const NamedInput* hit = FindOverwrittenInput(output, output_is_folder, inputs);
  if (!hit) return true;
  std::string_view what = output_is_folder ? "holds" : "is";
  diagnostics.AddError("output-is-input", output,
                       fmt::format("{} {} the input {} ({}), which writing it would destroy; choose another {}",
                                   output_flag, what, hit->path, hit->flag, output_flag));
  return false;
}

Result<Bytes> ReadInputFile(const std::string& path, uint64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; we refuse it below.
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) return IoError(fmt::format("cannot open: {}", Errno()));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return IoError(fmt::format("cannot stat: {}", Errno()));
  if (!S_ISREG(st.st_mode)) {
    return IoError(fmt::format("is {}, expected a regular file", FileTypeName(st.st_mode)));
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return Error{ErrorKind::kInvalidInput,
                 fmt::format("file is {} bytes, more than the limit of {}", st.st_size, max_bytes)};
  }
  Bytes data(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::read(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(fmt::format("cannot read: {}", Errno()));
    if (n == 0) break;  // the file shrank while we read it
    done += static_cast<size_t>(n);
  }
  data.resize(done);
  return data;
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<size_t> InputFile::Read(void* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd_, static_cast<uint8_t*>(data) + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(fmt::format("cannot read: {}", Errno()));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Result<InputFile> OpenInputFile(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) return IoError(fmt::format("cannot open: {}", Errno()));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return IoError(fmt::format("cannot stat: {}", Errno()));
  if (!S_ISREG(st.st_mode)) return IoError(fmt::format("is {}, expected a regular file", FileTypeName(st.st_mode)));
  return InputFile(fd.Release());
}

Result<Bytes> ReadBoundedStream(int fd, uint64_t max_bytes) {
  Bytes data;
  uint8_t buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(fmt::format("cannot read: {}", Errno()));
    if (n == 0) return data;
    if (data.size() + static_cast<uint64_t>(n) > max_bytes) {
      explicit_bzero(data.data(), data.size());  // it may hold part of a secret key
      return Error{ErrorKind::kInvalidInput, fmt::format("more than the limit of {} bytes", max_bytes)};
    }
    data.insert(data.end(), buffer, buffer + n);
  }
}

Result<Bytes> ReadInput(const std::string& path, uint64_t max_bytes, std::string_view too_large_code,
                        Diagnostics& diagnostics) {
  Result<Bytes> bytes = ReadInputFile(path, max_bytes);
  if (!bytes) {
    std::string code = bytes.error().kind == ErrorKind::kIo ? "io-error" : std::string(too_large_code);
    diagnostics.AddError(std::move(code), path, bytes.error().message);
  }
  return bytes;
}

Status WriteFileAtomically(const std::string& path, const void* data, size_t size,
                           unsigned mode) {
  std::string temp = path + ".tmp-XXXXXX";
  FileDescriptor fd(::mkstemp(temp.data()));
  if (fd.get() < 0) return IoError(fmt::format("cannot create a file beside it: {}", Errno()));
  auto fail = [&](std::string what) {
    ::unlink(temp.c_str());
    return IoError(fmt::format("{}: {}", what, Errno()));
  };
  const auto* bytes = static_cast<const uint8_t*>(data);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd.get(), bytes + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) return fail("cannot set permissions");
  if (::fsync(fd.get()) != 0) return fail("cannot flush to disk");
  if (::close(fd.Release()) != 0) return fail("cannot close");
  if (::rename(temp.c_str(), path.c_str()) != 0) return fail("cannot rename into place");
  return Ok{};
}

std::string PathBesideFile(const std::string& base, const std::string& name) {
  std::filesystem::path p(name);
  return p.is_absolute() ? name : (std::filesystem::path(base).parent_path() / p).lexically_normal().string();
}

}  // namespace wasmiot
