// Shared by the libFuzzer harnesses of tests/fuzz. A harness defines
// LLVMFuzzerTestOneInput and runs the code under test inside fuzz::guard(), which
// records how the input ended ("ok", "input_error:RULE", "instrument_error", "exception"
// or "exit:N" for the command line): thrown exceptions are the expected answer to bad
// input, never a finding. Findings are crashes, sanitizer reports, timeouts and memory
// beyond -rss_limit_mb, which libFuzzer (or, without it, driver.cpp) reports.
#pragma once

#include <reinscore/error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>

namespace fuzz {

/// How the last input ended; driver.cpp prints it and compares it with --expect.
inline std::string& outcome() {
  static std::string s;
  return s;
}

template <class F>
void guard(F&& f) {
  outcome() = "ok";  // f may replace it (the command line sets "exit:N")
  try {
    f();
  } catch (const reinscore::input_error& e) {
    outcome() = "input_error:" + e.rule();
  } catch (const reinscore::instrument_error&) {
    outcome() = "instrument_error";
  } catch (const std::exception&) {
    outcome() = "exception";
  }
}

/// A private directory for the temporary files of one process, removed at exit. Inputs
/// are written there and removed after each run, so a long fuzzing session leaves nothing.
class TempDir {
 public:
  static const std::filesystem::path& path() {
    static TempDir dir;
    return dir.path_;
  }
  /// Removes everything in the directory (after each input).
  static void clear() {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(path(), ec))
      std::filesystem::remove_all(e.path(), ec);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

 private:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/reinscore-fuzz-XXXXXX";
    if (!::mkdtemp(tmpl.data())) std::abort();
    path_ = tmpl;
  }
  std::filesystem::path path_;
};

/// Writes `bytes` to `name` inside the temporary directory; returns the full path.
inline std::string write_temp(const std::string& name, std::string_view bytes) {
  const auto p = TempDir::path() / name;
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) std::abort();
  return p.string();
}

/// Sends std::cout and std::cerr to nowhere while alive (the command line's tables and
/// messages are not what is being tested; sanitizer reports go to fd 2 and stay visible).
class Quiet {
 public:
  Quiet() : out_(std::cout.rdbuf(&null_)), err_(std::cerr.rdbuf(&null_)) {}
  ~Quiet() {
    std::cout.clear();
    std::cerr.clear();
    std::cout.rdbuf(out_);
    std::cerr.rdbuf(err_);
  }
  Quiet(const Quiet&) = delete;
  Quiet& operator=(const Quiet&) = delete;

 private:
  struct Null : std::streambuf {
    int overflow(int c) override { return c == traits_type::eof() ? 0 : c; }
    std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
  } null_;
  std::streambuf* out_;
  std::streambuf* err_;
};

/// Reads selector bytes from the front of the input.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size)
      : p_(reinterpret_cast<const char*>(data)), n_(size) {}
  std::uint8_t byte() {
    if (n_ == 0) return 0;
    --n_;
    return static_cast<std::uint8_t>(*p_++);
  }
  std::string_view rest() const { return {p_, n_}; }

 private:
  const char* p_;
  std::size_t n_;
};

/// The directory of the shipped instruments and examples (REINSCORE_DATA_DIR is set by
/// tests/fuzz/CMakeLists.txt; REINSCORE_FUZZ_DATA overrides it for a moved binary).
inline std::string data_dir() {
  if (const char* d = std::getenv("REINSCORE_FUZZ_DATA")) return d;
  return REINSCORE_DATA_DIR;
}

}  // namespace fuzz
