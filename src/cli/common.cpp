#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"

#include <reinscore/weights.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

bool parse_options(const std::string& command, const std::string& synopsis,
                   const po::options_description& opts,
                   const po::positional_options_description& pos,
                   const std::vector<std::string>& args, po::variables_map& vm, int& code) {
  try {
    const po::parsed_options parsed =
        po::command_line_parser(args).options(opts).positional(pos).run();
    // Boost reads "-1" into an unsigned option as a huge number: a negative value is
    // refused here, for every unsigned option at once (ranges are checked by the commands).
    for (const auto& o : parsed.options) {
      const auto* d = o.string_key.empty() ? nullptr : opts.find_nothrow(o.string_key, false);
      if (d == nullptr) continue;
      const auto* sem = d->semantic().get();
      const bool is_unsigned = dynamic_cast<const po::typed_value<unsigned>*>(sem) ||
                               dynamic_cast<const po::typed_value<unsigned long>*>(sem) ||
                               dynamic_cast<const po::typed_value<unsigned long long>*>(sem);
      for (const auto& v : o.value)
        if (is_unsigned && v.find_first_not_of(" \t") != std::string::npos &&
            v[v.find_first_not_of(" \t")] == '-')
          throw po::error("--" + o.string_key + " must not be negative [bad_option]");
    }
    po::store(parsed, vm);
    if (vm.count("help")) {
      std::cout << "usage: reinscore " << command << " " << synopsis << "\n\n" << opts << "\n";
      code = ok;
      return false;
    }
    po::notify(vm);
    return true;
  } catch (const po::error& e) {
    std::cerr << "reinscore " << command << ": " << e.what() << "\n"
              << "usage: reinscore " << command << " " << synopsis << "\n";
    code = usage_or_input;
    return false;
  }
}

io::OpenOptions open_options(const std::string& delimiter, const std::string& sheet) {
  io::OpenOptions opts;
  if (!delimiter.empty()) {
    const std::string d = delimiter == "tab" || delimiter == "\\t" ? "\t" : delimiter;
    // A quote or a line break cannot separate fields; other control bytes and non-ASCII
    // bytes are no delimiter of any export.
    const auto c = d.empty() ? 0 : static_cast<unsigned char>(d[0]);
    if (d.size() != 1 || c == '"' || (c < 0x20 && c != '\t') || c >= 0x7f)
      throw usage_error(
          "--delimiter must be one printable ASCII character other than a quote, or 'tab' "
          "[bad_option]");
    opts.delimiter = d[0];
  }
  opts.sheet = sheet;
  return opts;
}

std::vector<std::string> instrument_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("REINSCORE_INSTRUMENT_PATH")) {
    std::stringstream ss(env);
    std::string d;
    while (std::getline(ss, d, ':'))
      if (!d.empty()) dirs.push_back(d);
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed =
        exe.parent_path().parent_path() / "share" / "reinscore" / "instruments";
    if (fs::is_directory(installed, ec)) dirs.push_back(installed.string());
  }
#ifdef REINSCORE_SOURCE_DATA_DIR
  dirs.push_back(REINSCORE_SOURCE_DATA_DIR "/instruments");
#endif
  return dirs;
}

Instrument resolve_instrument(const std::string& name_or_path) {
  const fs::path p(name_or_path);
  if (p.extension() == ".json" || name_or_path.find('/') != std::string::npos)
    return Instrument::load(name_or_path);
  for (const auto& dir : instrument_dirs()) {
    const fs::path candidate = fs::path(dir) / (name_or_path + ".json");
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return Instrument::load(candidate.string());
  }
  std::string searched;
  for (const auto& d : instrument_dirs()) searched += "\n  " + d;
  throw std::invalid_argument("no instrument named '" + name_or_path + "' (searched:" + searched +
                              "); give a path to a .json file or set REINSCORE_INSTRUMENT_PATH");
}

namespace {

// Delimiters an export may use; a field holding one of them other than the delimiter the
// file was split at is a whole line left unsplit.
char other_delimiter_in(std::string_view text, char used) noexcept {
  for (const char d : {',', ';', '\t', '|'})
    if (d != used && text.find(d) != std::string_view::npos) return d;
  return 0;
}

std::string delimiter_name(char d) { return d == '\t' ? std::string("tab") : std::string(1, d); }

}  // namespace

DelimiterCheck::DelimiterCheck(const std::vector<std::string>& header, char delimiter)
    : width_(header.size()), delimiter_(delimiter) {
  if (header.size() == 1) header_holds_ = other_delimiter_in(header[0], delimiter);
}

void DelimiterCheck::add(std::size_t fields, std::string_view first) noexcept {
  ++rows_;
  if (fields == width_) return;
  if (fields == 1 && width_ > 1 && other_delimiter_in(first, delimiter_) != 0)
    ++one_field_;
  else if (fields > 2 * width_)
    ++too_many_;
}

std::string DelimiterCheck::problem() const {
  const std::string split = delimiter_ ? " (split at '" + delimiter_name(delimiter_) + "')" : "";
  if (header_holds_ != 0)
    return "the header is a single column holding '" + delimiter_name(header_holds_) + "'" + split +
           ": the file seems to use another delimiter; give it with --delimiter "
           "[delimiter_mismatch]";
  if (rows_ == 0 || 2 * (one_field_ + too_many_) <= rows_) return {};
  std::string what;
  if (one_field_ >= too_many_)
    what = std::to_string(one_field_) + " of " + std::to_string(rows_) +
           " rows are a single field holding another delimiter";
  else
    what = std::to_string(too_many_) + " of " + std::to_string(rows_) +
           " rows have more than twice the header's " + std::to_string(width_) + " fields";
  return what + split +
         ": the header and the rows seem to use different delimiters; check the export or "
         "give --delimiter [delimiter_mismatch]";
}

Instrument instrument_by_plain_name(const std::string& id) {
  if (!is_plain_name(id))
    throw std::invalid_argument(
        "an instrument id read from data is not a plain name [not_plain_name]");
  for (const auto& dir : instrument_dirs()) {
    const std::string path = (fs::path(dir) / (id + ".json")).string();
    // Only regular files are candidates; read_small_file (through load) checks it again on
    // the open descriptor, never blocks on a FIFO and caps the size.
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) continue;
    return Instrument::load(path);
  }
  throw std::invalid_argument("no instrument named '" + id + "' in the instrument directories");
}

void require_not_directory(const std::string& option, const std::string& path) {
  std::error_code ec;
  if (!path.empty() && path != "-" && fs::is_directory(path, ec))
    throw usage_error(option + " '" + path + "' is a directory; give a file [not_a_file]");
}

Instrument apply_weights(const Instrument& ins, const std::string& name_or_path) {
  if (name_or_path.empty()) return ins;
  for (const auto& w : ins.weight_sets)
    if (w.name == name_or_path) {
      Instrument out = ins;
      out.default_weights = w.name;
      return out;
    }
  const fs::path p(name_or_path);
  require_not_directory("--weights", name_or_path);
  if (p.extension() != ".csv" && p.extension() != ".json") {
    std::string known;
    for (const auto& w : ins.weight_sets) known += (known.empty() ? "" : ", ") + w.name;
    throw std::invalid_argument("no weight set named '" + name_or_path + "' in instrument '" +
                                ins.id + "' (known: " + known +
                                "); or give a .csv or .json weight file");
  }
  return ins.with_weights(load_weights(ins, name_or_path));
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

void throw_option_range(const std::string& option, const std::string& rule) {
  throw usage_error(option + " " + rule + " [bad_option]");
}

std::string number_text(double x) {
  std::ostringstream ss;
  ss << x;
  return ss.str();
}

void require_open_unit(const std::string& option, double value) {
  if (!(value > 0 && value < 1))
    throw_option_range(option, "must be a number between 0 and 1 (both excluded)");
}

}  // namespace reinscore::cli
