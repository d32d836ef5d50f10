// Reading a whole small file (instrument, weight table, column map) with a size limit,
// so that a path naming /dev/zero, a huge file or a directory fails fast with a clear
// message instead of exhausting memory.
#pragma once

#include <cstddef>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include <sys/stat.h>

namespace reinscore::detail {

/// Limit of read_small_file(): instrument, weight and map files are hand-edited text.
inline constexpr std::size_t max_small_file_bytes = std::size_t{16} << 20;  // 16 MiB

/// The bytes of `path`, at most `limit`. `what` names the file in messages ("instrument
/// file"). Throws std::invalid_argument naming the path and the rule for a file that
/// cannot be opened, is a directory, or is larger than the limit (a device such as
/// /dev/zero counts as larger: it is read only up to the limit).
inline std::string read_small_file(const std::string& path, const std::string& what,
                                   std::size_t limit = max_small_file_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw std::invalid_argument("cannot read " + what + " '" + path +
                                "': it is a directory [not_a_file]");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot open " + what + " '" + path + "' [unreadable_file]");
  std::string out;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    const auto got = static_cast<std::size_t>(in.gcount());
    if (out.size() + got > limit)
      throw std::invalid_argument(what + " '" + path + "' is larger than " +
                                  std::to_string(limit >> 20) + " MiB [file_too_large]");
    out.append(buf, got);
  }
  if (in.bad())
    throw std::invalid_argument("reading " + what + " '" + path + "' failed [unreadable_file]");
  return out;
}

}  // namespace reinscore::detail
