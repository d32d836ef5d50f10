// `reinscore keygen`: creates a key file for `score --pseudonymise` (docs/privacy.md).
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "io/pseudonymise.hpp"

#include <openssl/crypto.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>

namespace reinscore::cli {

namespace po = boost::program_options;

int cmd_keygen(const std::vector<std::string>& args) {
  const std::string synopsis = "-o KEYFILE";
  po::options_description opts("options");
  std::string output;
  opts.add_options()("help,h", "show this help")(
      "output,o", po::value(&output)->required(),
      "key file to create (never overwritten; readable by its owner only)");
  po::positional_options_description pos;
  po::variables_map vm;
  int code = ok;
  if (!parse_options("keygen", synopsis, opts, pos, args, vm, code,
                     "reinscore keygen -o project.key"))
    return code;
  if (output.empty() || output == "-")
    return fail("keygen", "-o must name a file: a key is never printed", usage_or_input);

  io::Key key = io::generate_key();
  std::string text = io::format_key(key);
  OPENSSL_cleanse(key.data(), key.size());
  struct Wipe {  // the key's text leaves memory with this command
    std::string& s;
    ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
  } wipe{text};

  // O_EXCL: an existing key is never replaced (its pseudonyms would stop linking), and a
  // link planted at the path is not followed. Mode 0600 from the start: no moment at
  // which others can read the key.
  const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        S_IRUSR | S_IWUSR);
  if (fd < 0) {
    if (errno == EEXIST)
      return fail("keygen",
                  "'" + output +
                      "' already exists: refusing to overwrite it (pseudonyms made with the old "
                      "key would no longer link) [key_file_exists]",
                  usage_or_input);
    return fail("keygen", "cannot create '" + output + "': " + std::strerror(errno), output_failed);
  }
  int err = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0 ? 0 : errno;  // whatever the umask did
  std::size_t done = 0;
  while (err == 0 && done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      err = n < 0 ? errno : EIO;
    else
      done += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlink(output.c_str());  // no half-written key left behind
    return fail("keygen", "writing '" + output + "' failed: " + std::strerror(err), output_failed);
  }
  std::cerr << "reinscore keygen: wrote a new key to '" << output
            << "'; keep it secret and keep a copy: without it, pseudonyms of later rounds will "
               "not link to these\n";
  return ok;
}

}  // namespace reinscore::cli
