// Where the commands write: one helper for every output file and for standard output, so
// that an output never destroys what it names and no failed write goes unnoticed
// (docs/cli.md, "Output files and exit codes").
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace reinscore::cli {

/// A mistake in the command line found after option parsing (exit 2).
class usage_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// A stream buffer over a file descriptor, or in front of another stream buffer. Every
/// failed write throws std::ios_base::failure carrying errno (ENOSPC, EPIPE, ...); a
/// stream with badbit in exceptions() passes it on, any other stream is left bad and
/// error() keeps the errno.
class FdStreamBuf : public std::streambuf {
 public:
  FdStreamBuf(int fd, std::string what);
  /// Forwards to `next` (which keeps any redirection of std::cout by a host program);
  /// a short write or a failed sync of `next` is a failure with the errno it left.
  FdStreamBuf(std::streambuf* next, std::string what);
  ~FdStreamBuf() override;  // unwritten bytes are dropped: commit() is where writes count
  FdStreamBuf(const FdStreamBuf&) = delete;
  FdStreamBuf& operator=(const FdStreamBuf&) = delete;
  /// The errno of the first failed write, 0 when none failed.
  int error() const noexcept { return error_; }

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  void write_all(const char* p, std::size_t n);
  void drain();
  int fd_ = -1;
  std::streambuf* next_ = nullptr;
  std::string what_;
  std::vector<char> buf_;
  int error_ = 0;
};

/// One output of a command, named by the user:
/// - "-" (or empty) is standard output (std::cout's buffer, through a stream that throws);
/// - an existing non-regular file (a device such as /dev/null, a FIFO) is opened and
///   written in place, never replaced;
/// - a directory is a usage_error;
/// - anything else is written to a new temporary file beside it (O_EXCL, a random name
///   ending in ".partial-XXXXXXXXXXXXXXXX") that commit() flushes, syncs and renames over
///   the target. Until then the target is untouched; the destructor removes the temporary
///   file of an output that was never committed.
/// Write errors throw std::ios_base::failure with errno (see fail_output()).
class Output {
 public:
  explicit Output(const std::string& path);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  std::ostream& stream();
  /// Makes the output complete: flushes (and renames a temporary file over the target).
  void commit();

 private:
  std::string path_, target_, tmp_;
  int fd_ = -1;
  std::unique_ptr<FdStreamBuf> buf_;
  std::unique_ptr<std::ostream> stream_;
  bool committed_ = false;
};

/// For programs (not a host such as Python): SIGINT, SIGTERM and SIGHUP remove the
/// temporary files of live Outputs before the process dies of the signal as usual.
void remove_temp_files_on_signal();

/// Throws usage_error when `path` (given with `option`) names a directory: checked before
/// any work so that a command with several outputs fails before writing any of them.
void check_output_path(const std::string& option, const std::string& path);

/// Writes `text` to `path` through an Output ("-": standard output).
void write_text_file(const std::string& path, std::string_view text);

/// Exit code 3 for a failed write. Prints "reinscore <command>: <message>" unless the
/// reader of standard output went away (EPIPE, as with `| head`): that stays quiet.
int fail_output(const std::string& command, const std::exception& e);

/// While alive, std::cout writes through an FdStreamBuf in front of its previous buffer
/// that records the first failed write (std::cout is left bad and never throws: std::cerr
/// flushes it on every message); finish() turns that into an exception. The destructor
/// restores the previous buffer.
class CheckedStdout {
 public:
  CheckedStdout();
  ~CheckedStdout();
  CheckedStdout(const CheckedStdout&) = delete;
  CheckedStdout& operator=(const CheckedStdout&) = delete;
  /// Flushes std::cout; throws std::ios_base::failure (with errno) when that or any
  /// earlier write to it failed.
  void finish();

 private:
  std::streambuf* old_;
  std::ios_base::iostate old_state_;
  FdStreamBuf buf_;
};

}  // namespace reinscore::cli
