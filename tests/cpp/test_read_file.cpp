// Tests of include/reinscore/detail/read_file.hpp: a small file is read whole; anything
// else (a missing path, a directory, a FIFO, a device, a file over the limit) fails fast
// with the path and the rule, and a FIFO without a writer never blocks.
#include <reinscore/detail/read_file.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <future>
#include <stdexcept>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using reinscore::detail::max_small_file_bytes;
using reinscore::detail::read_small_file;

namespace fs = std::filesystem;

namespace {

fs::path temp_path(const std::string& name) {
  return fs::path(::testing::TempDir()) / ("reinscore_test_read_file_" + name);
}

std::string write_temp(const std::string& name, const std::string& bytes) {
  const fs::path p = temp_path(name);
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
  return p.string();
}

/// The message of the std::invalid_argument read_small_file(path) throws, or "no error".
std::string error_of(const std::string& path, std::size_t limit = max_small_file_bytes) {
  try {
    (void)read_small_file(path, "test file", limit);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST(ReadSmallFile, ReadsEveryByte) {
  const std::string bytes = std::string("a\0b\r\n\xFF", 6) + std::string(200000, 'x');
  EXPECT_EQ(read_small_file(write_temp("bytes", bytes), "test file"), bytes);
  EXPECT_EQ(read_small_file(write_temp("empty", ""), "test file"), "");
}

TEST(ReadSmallFile, MissingFileIsUnreadable) {
  const std::string path = temp_path("no_such_file").string();
  const std::string e = error_of(path);
  EXPECT_TRUE(has(e, "[unreadable_file]")) << e;
  EXPECT_TRUE(has(e, "test file '" + path + "'")) << e;
}

TEST(ReadSmallFile, DirectoryIsNotAFile) {
  const fs::path dir = temp_path("dir");
  fs::create_directories(dir);
  const std::string e = error_of(dir.string());
  EXPECT_TRUE(has(e, "it is a directory [not_a_file]")) << e;
  // A symbolic link to a directory is followed, and refused the same way.
  const fs::path link = temp_path("dir_link");
  fs::remove(link);
  fs::create_directory_symlink(dir, link);
  EXPECT_TRUE(has(error_of(link.string()), "[not_a_file]"));
}

TEST(ReadSmallFile, DevicesAreNotFiles) {
  // /dev/zero never ends and /dev/null is empty: neither is read.
  for (const char* dev : {"/dev/zero", "/dev/null"}) {
    const std::string e = error_of(dev);
    EXPECT_TRUE(has(e, "it is not a regular file [not_a_file]")) << dev << ": " << e;
  }
}

TEST(ReadSmallFile, FifoWithoutWriterDoesNotBlock) {
  const fs::path fifo = temp_path("fifo");
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto result = std::async(std::launch::async, [&] { return error_of(fifo.string()); });
  if (result.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    // Blocked in open() waiting for a writer: become the writer so the thread can end.
    const int fd = ::open(fifo.c_str(), O_WRONLY);
    if (fd >= 0) ::close(fd);
    FAIL() << "read_small_file blocked on a FIFO without a writer";
  }
  const std::string e = result.get();
  EXPECT_TRUE(has(e, "it is not a regular file [not_a_file]")) << e;
  fs::remove(fifo);
}

TEST(ReadSmallFile, SizeLimit) {
  const std::string at_limit = write_temp("at_limit", std::string(1000, 'x'));
  EXPECT_EQ(read_small_file(at_limit, "test file", 1000).size(), 1000u);
  const std::string over = write_temp("over", std::string(1001, 'x'));
  EXPECT_TRUE(has(error_of(over, 1000), "[file_too_large]"));
  EXPECT_EQ(read_small_file(over, "test file", 1001).size(), 1001u);

  // The default limit, 16 MiB: a sparse file one byte over is refused before any read.
  const fs::path big = temp_path("big");
  { std::ofstream(big, std::ios::binary | std::ios::trunc); }
  fs::resize_file(big, max_small_file_bytes + 1);
  const std::string e = error_of(big.string());
  EXPECT_TRUE(has(e, "test file '" + big.string() + "' is larger than 16 MiB [file_too_large]"))
      << e;
  fs::resize_file(big, max_small_file_bytes);
  EXPECT_EQ(read_small_file(big.string(), "test file").size(), max_small_file_bytes);
  fs::remove(big);
}
