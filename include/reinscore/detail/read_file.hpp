// Reading a whole small file (instrument, weight table, column map) with a size limit,
// so that a path naming /dev/zero, a FIFO, a huge file or a directory fails fast with a
// clear message instead of blocking or exhausting memory.
#pragma once

#include <cerrno>
#include <cstddef>
#include <stdexcept>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace reinscore::detail {

/// Limit of read_small_file(): instrument, weight and map files are hand-edited text.
inline constexpr std::size_t max_small_file_bytes = std::size_t{16} << 20;  // 16 MiB

/// The bytes of the regular file `path`, at most `limit`. `what` names the file in
/// messages ("instrument file"). Throws std::invalid_argument naming the path and the
/// rule: `unreadable_file` (cannot be opened or read), `not_a_file` (a directory, FIFO,
/// device or socket: opened without blocking and never read), `file_too_large`.
inline std::string read_small_file(const std::string& path, const std::string& what,
                                   std::size_t limit = max_small_file_bytes) {
  // O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    throw std::invalid_argument("cannot open " + what + " '" + path + "' [unreadable_file]");
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    throw std::invalid_argument("cannot open " + what + " '" + path + "' [unreadable_file]");
  if (!S_ISREG(st.st_mode))
    throw std::invalid_argument(
        "cannot read " + what + " '" + path + "': " +
        (S_ISDIR(st.st_mode) ? "it is a directory" : "it is not a regular file") + " [not_a_file]");
  if (static_cast<std::size_t>(st.st_size) > limit)
    throw std::invalid_argument(what + " '" + path + "' is larger than " +
                                std::to_string(limit >> 20) + " MiB [file_too_large]");
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0)
      throw std::invalid_argument("reading " + what + " '" + path + "' failed [unreadable_file]");
    if (got == 0) break;
    // The size may have grown since fstat: the limit holds on what is read.
    if (out.size() + static_cast<std::size_t>(got) > limit)
      throw std::invalid_argument(what + " '" + path + "' is larger than " +
                                  std::to_string(limit >> 20) + " MiB [file_too_large]");
    out.append(buf, static_cast<std::size_t>(got));
  }
  return out;
}

}  // namespace reinscore::detail
