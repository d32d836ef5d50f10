// main() for the harnesses when they are not built with -fsanitize=fuzzer (the normal and
// the sanitizer builds): runs each file given (or every file of a directory given) through
// LLVMFuzzerTestOneInput once and prints "FILE: OUTCOME". With --expect=OUTCOME, exits 1
// unless every file ends with an outcome that starts with OUTCOME (so "input_error" accepts
// any rule). This is how ctest replays tests/data/bad/fuzz case by case.
#include "fuzz_common.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::string expect;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--expect=", 0) == 0) {
      expect = a.substr(9);
    } else if (std::filesystem::is_directory(a)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(a))
        if (e.is_regular_file()) files.push_back(e.path());
    } else {
      files.emplace_back(a);
    }
  }
  std::sort(files.begin(), files.end());
  int status = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "%s: cannot open\n", f.c_str());
      return 2;
    }
    const std::string bytes{std::istreambuf_iterator<char>(in), {}};
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    const bool pass = expect.empty() || fuzz::outcome().rfind(expect, 0) == 0;
    std::fprintf(stderr, "%s: %s%s\n", f.c_str(), fuzz::outcome().c_str(),
                 pass ? "" : (" (expected " + expect + ")").c_str());
    if (!pass) status = 1;
  }
  return status;
}
