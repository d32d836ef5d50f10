#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"

#include <reinscore/app/validate.hpp>
#include <reinscore/weights.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <system_error>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace reinscore::cli {

namespace fs = std::filesystem;
namespace po = boost::program_options;

int fail(const std::string& command, const std::string& message, int code) {
  std::cerr << "reinscore" << (command.empty() ? "" : " ") << command << ": " << message << "\n";
  return code;
}

namespace {

bool is_positional(const std::string& name, const po::positional_options_description& pos) {
  // Positions past the named ones repeat the last name (an unlimited positional).
  const unsigned named = std::min(pos.max_total_count(), 64u);
  for (unsigned i = 0; i < named; ++i)
    if (pos.name_for_position(i) == name) return true;
  return false;
}

// "input" -> "INPUT", as the synopsis names the argument.
std::string argument_name(std::string name) {
  for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

// The options as --help shows them. Positional options (the input file, the action of
// `instrument`) are listed as arguments under the name the synopsis gives them (INPUT),
// never as "--input arg": that spelling is internal.
std::string help_options(const po::options_description& opts,
                         const po::positional_options_description& pos) {
  po::options_description shown("options");
  std::string arguments;
  for (const auto& o : opts.options()) {
    if (!is_positional(o->long_name(), pos)) {
      shown.add(o);
      continue;
    }
    std::string name = argument_name(o->long_name());
    name.resize(std::max<std::size_t>(name.size() + 2, 12), ' ');
    arguments += "  " + name + o->description() + "\n";
  }
  std::ostringstream out;
  if (!arguments.empty()) out << "arguments:\n" << arguments << "\n";
  out << shown;
  return out.str();
}

}  // namespace

bool parse_options(const std::string& command, const std::string& synopsis,
                   const po::options_description& opts,
                   const po::positional_options_description& pos,
                   const std::vector<std::string>& args, po::variables_map& vm, int& code,
                   const std::string& example) {
  try {
    const po::parsed_options parsed =
        po::command_line_parser(args).options(opts).positional(pos).run();
    // Whole-number options are signed (Boost reads "-1" into an unsigned one as a huge
    // number); their ranges are checked by the Requests.
    po::store(parsed, vm);
    if (vm.count("help")) {
      std::cout << "usage: reinscore " << command << " " << synopsis << "\n\n"
                << help_options(opts, pos) << "\n";
      if (!example.empty()) {
        // One example per line, each indented.
        std::string shown = "  " + example;
        for (std::size_t at = shown.find('\n'); at != std::string::npos;
             at = shown.find('\n', at + 3))
          shown.insert(at + 1, "  ");
        std::cout << (example.find('\n') == std::string::npos ? "example:\n" : "examples:\n")
                  << shown << "\n";
      }
      code = ok;
      return false;
    }
    po::notify(vm);
    return true;
  } catch (const po::error& e) {
    std::string message = e.what();
    // A missing argument is named as the synopsis names it, not as the internal option.
    if (const auto* req = dynamic_cast<const po::required_option*>(&e)) {
      std::string name = req->get_option_name();
      name.erase(0, name.find_first_not_of('-'));
      if (is_positional(name, pos))
        message = "missing the " + name + " argument (" + argument_name(name) + ")";
    }
    std::cerr << "reinscore " << command << ": " << message << "\n"
              << "usage: reinscore " << command << " " << synopsis << "\n";
    code = usage_or_input;
    return false;
  }
}

void print_report(const std::string& command, const app::Report& report, app::Format format,
                  const std::string& table) {
  if (!table.empty() && format != app::Format::json)
    std::cout << app::render(report.table(table), format);
  else
    std::cout << app::render(report, format);
  for (const auto& n : report.notes) std::cerr << "reinscore " << command << ": " << n.text << "\n";
}

io::OpenOptions open_options(const std::string& delimiter, const std::string& sheet) {
  io::OpenOptions opts;
  opts.delimiter = app::delimiter_option(delimiter);  // the one rule for --delimiter
  opts.sheet = sheet;
  return opts;
}

app::InstrumentSearch instrument_search() {
  std::vector<std::string> builtin;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    builtin.push_back(
        (exe.parent_path().parent_path() / "share" / "reinscore" / "instruments").string());
#ifdef REINSCORE_SOURCE_DATA_DIR
  builtin.push_back(REINSCORE_SOURCE_DATA_DIR "/instruments");
#endif
  return app::InstrumentSearch::from_environment(builtin);
}

std::vector<std::string> instrument_dirs() { return instrument_search().dirs; }

Instrument resolve_instrument(const std::string& name_or_path) {
  return app::resolve_instrument(name_or_path, instrument_search());
}

Instrument instrument_by_plain_name(const std::string& id) {
  return app::instrument_by_plain_name(id, instrument_search());
}

void require_not_directory(const std::string& option, const std::string& path) {
  std::error_code ec;
  if (!path.empty() && path != "-" && fs::is_directory(path, ec))
    throw usage_error(option + " '" + path + "' is a directory; give a file [not_a_file]");
}

Instrument apply_weights(const Instrument& ins, const std::string& name_or_path) {
  return app::apply_weights(ins, name_or_path);
}

// ---- Output -------------------------------------------------------------------------

namespace {

// Temporary files of live Outputs, for the signal handler of remove_temp_files_on_signal():
// plain pointers in lock-free slots, the only state a handler may read.
constexpr std::size_t max_live_outputs = 16;
std::array<std::atomic<const char*>, max_live_outputs> live_temp_files{};

void track_temp_file(const char* path) noexcept {
  for (auto& slot : live_temp_files) {
    const char* expected = nullptr;
    if (slot.compare_exchange_strong(expected, path)) return;
  }
}

void untrack_temp_file(const char* path) noexcept {
  for (auto& slot : live_temp_files) {
    const char* expected = path;
    if (slot.compare_exchange_strong(expected, nullptr)) return;
  }
}

extern "C" void remove_temp_files_and_die(int sig) {
  for (auto& slot : live_temp_files)
    if (const char* p = slot.load()) ::unlink(p);  // async-signal-safe
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// `err` is taken before the message is built: building it may change errno.
std::ios_base::failure errno_error(int err, const std::string& message) {
  return std::ios_base::failure(message, std::error_code(err, std::generic_category()));
}

}  // namespace

FdStreamBuf::FdStreamBuf(int fd, std::string what)
    : fd_(fd), what_(std::move(what)), buf_(std::size_t{1} << 16) {
  setp(buf_.data(), buf_.data() + buf_.size());
}

FdStreamBuf::FdStreamBuf(std::streambuf* next, std::string what)
    : next_(next), what_(std::move(what)), buf_(std::size_t{1} << 16) {
  setp(buf_.data(), buf_.data() + buf_.size());
}

FdStreamBuf::~FdStreamBuf() = default;

void FdStreamBuf::write_all(const char* p, std::size_t n) {
  if (error_ != 0) throw errno_error(error_, "writing to " + what_ + " failed");
  if (next_ != nullptr) {
    errno = 0;
    const auto size = static_cast<std::streamsize>(n);
    if (n > 0 && next_->sputn(p, size) != size) {
      error_ = errno != 0 ? errno : EIO;
      throw errno_error(error_, "writing to " + what_ + " failed");
    }
    return;
  }
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      throw errno_error(error_, "writing to " + what_ + " failed");
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void FdStreamBuf::drain() {
  const auto n = static_cast<std::size_t>(pptr() - pbase());
  setp(buf_.data(), buf_.data() + buf_.size());  // dropped on failure: nothing is retried
  write_all(buf_.data(), n);
}

FdStreamBuf::int_type FdStreamBuf::overflow(int_type c) {
  drain();
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
  }
  return traits_type::not_eof(c);
}

std::streamsize FdStreamBuf::xsputn(const char* s, std::streamsize n) {
  const auto size = static_cast<std::size_t>(n);
  if (size <= static_cast<std::size_t>(epptr() - pptr())) {
    std::memcpy(pptr(), s, size);
    pbump(static_cast<int>(size));
    return n;
  }
  drain();  // large blocks go straight through
  if (size < buf_.size()) {
    std::memcpy(pptr(), s, size);
    pbump(static_cast<int>(size));
  } else {
    write_all(s, size);
  }
  return n;
}

int FdStreamBuf::sync() {
  drain();
  if (next_ != nullptr) {
    errno = 0;
    if (next_->pubsync() == -1) {
      error_ = errno != 0 ? errno : EIO;
      throw errno_error(error_, "writing to " + what_ + " failed");
    }
  }
  return 0;
}

Output::Output(const std::string& path) : path_(path) {
  if (path_.empty() || path_ == "-") {
    // std::cout's buffer (checked by run(): CheckedStdout), through a stream of its own
    // that throws at the first failed write, where std::cout only records it.
    path_ = "standard output";
    stream_ = std::make_unique<std::ostream>(std::cout.rdbuf());
    stream_->exceptions(std::ios::badbit);
    return;
  }
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      throw usage_error("output '" + path_ +
                        "' is a directory; give a file name [output_is_directory]");
    if (!S_ISREG(st.st_mode)) {
      // A device or FIFO is written in place: renaming over it would replace it.
      fd_ = ::open(path_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
      if (fd_ < 0) {
        const int err = errno;
        throw errno_error(err, "cannot open output '" + path_ + "'");
      }
      buf_ = std::make_unique<FdStreamBuf>(fd_, "'" + path_ + "'");
      stream_ = std::make_unique<std::ostream>(buf_.get());
      stream_->exceptions(std::ios::badbit);
      return;
    }
  }
  // A symbolic link to a regular file: replace the file it names, keep the link.
  target_ = path_;
  struct stat lst {};
  if (::lstat(path_.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
    std::error_code ec;
    const fs::path real = fs::canonical(path_, ec);
    if (!ec) {
      target_ = real.string();
    } else {
      // A dangling link: write the file it names (as `>` in a shell does), never replace
      // the link itself. Its target is resolved relative to the link's directory.
      fs::path to = fs::read_symlink(path_, ec);
      if (!ec) target_ = (to.is_absolute() ? to : fs::path(path_).parent_path() / to).string();
    }
  }
  std::random_device rd;
  for (int attempt = 0; fd_ < 0; ++attempt) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".partial-%08x%08x", rd(), rd());
    tmp_ = target_ + suffix;
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC, 0666);
    if (fd_ < 0 && (errno != EEXIST || attempt > 100)) {
      const int err = errno;
      tmp_.clear();
      throw errno_error(err, "cannot create output file '" + path_ + "'");
    }
  }
  track_temp_file(tmp_.c_str());
  struct stat old {};
  if (::stat(target_.c_str(), &old) == 0 && S_ISREG(old.st_mode))
    (void)::fchmod(fd_, old.st_mode & 07777);  // a replaced file keeps its permissions
  buf_ = std::make_unique<FdStreamBuf>(fd_, "'" + path_ + "'");
  stream_ = std::make_unique<std::ostream>(buf_.get());
  stream_->exceptions(std::ios::badbit);
}

Output::~Output() {
  stream_.reset();
  buf_.reset();
  if (fd_ >= 0) ::close(fd_);
  if (!tmp_.empty() && !committed_) ::unlink(tmp_.c_str());
  if (!tmp_.empty()) untrack_temp_file(tmp_.c_str());
}

std::ostream& Output::stream() { return *stream_; }

void Output::commit() {
  stream_->flush();
  if (fd_ < 0) {  // standard output: flushed
    committed_ = true;
    return;
  }
  if (!tmp_.empty() && ::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) {
    const int err = errno;
    throw errno_error(err, "writing the output file '" + path_ + "' failed");
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0 && errno != EINTR) {
    const int err = errno;
    throw errno_error(err, "writing to '" + path_ + "' failed");
  }
  if (tmp_.empty()) {
    committed_ = true;
    return;
  }
  if (::rename(tmp_.c_str(), target_.c_str()) != 0) {
    const int err = errno;
    throw errno_error(err, "cannot replace output file '" + path_ + "'");
  }
  committed_ = true;
}

void remove_temp_files_on_signal() {
  struct sigaction sa {};
  sa.sa_handler = remove_temp_files_and_die;
  sigemptyset(&sa.sa_mask);
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    // A signal the caller ignores (nohup, a background job's SIGINT) stays ignored.
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
}

void check_output_path(const std::string& option, const std::string& path) {
  struct stat st {};
  if (path.empty() || path == "-" || ::stat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode))
    throw usage_error(option + " '" + path +
                      "' is a directory; give a file name [output_is_directory]");
}

void write_text_file(const std::string& path, std::string_view text) {
  Output out(path);
  out.stream().write(text.data(), static_cast<std::streamsize>(text.size()));
  out.commit();
}

int fail_output(const std::string& command, const std::exception& e) {
  if (const auto* se = dynamic_cast<const std::system_error*>(&e))
    if (se->code() == std::errc::broken_pipe) return output_failed;  // `| head`: quiet
  return fail(command, e.what(), output_failed);
}

CheckedStdout::CheckedStdout()
    : old_(std::cout.rdbuf()), old_state_(std::cout.rdstate()), buf_(old_, "standard output") {
  std::cout.rdbuf(&buf_);
  std::cout.clear();
}

CheckedStdout::~CheckedStdout() {
  std::cout.rdbuf(old_);
  std::cout.clear(old_state_);
}

void CheckedStdout::finish() {
  std::cout.flush();
  if (buf_.error() != 0) throw errno_error(buf_.error(), "writing to standard output failed");
  if (!std::cout) throw std::ios_base::failure("writing to standard output failed");
}

}  // namespace reinscore::cli
