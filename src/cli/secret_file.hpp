// SecretFile: where the CLI writes what is shown once (gift-card PINs, coupon codes): a new file
// (never over another), readable by its owner only, opened before the command runs so that a bad
// path cannot lose what the reply holds; removed again unless written.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/result.hpp"

namespace onecard::cli {

class SecretFile {
 public:
  SecretFile() = default;
  SecretFile(const SecretFile&) = delete;
  SecretFile& operator=(const SecretFile&) = delete;
  ~SecretFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!kept_ && !path_.empty()) ::unlink(path_.c_str());
  }
  core::Status Open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "cannot make " + path + ": " + std::strerror(errno) +
                                 " (secrets are written to a new file only)",
                             "out");
    }
    path_ = path;
    return {};
  }
  core::Status Write(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
      if (n <= 0) {
        return core::MakeError(core::ErrorCode::kInvalidArgument,
                               "could not write " + path_ + ": " + std::strerror(errno), "out");
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd_) != 0) {
      return core::MakeError(core::ErrorCode::kInvalidArgument, "could not write " + path_, "out");
    }
    kept_ = true;
    return {};
  }

 private:
  int fd_ = -1;
  std::string path_;
  bool kept_ = false;
};

}  // namespace onecard::cli
