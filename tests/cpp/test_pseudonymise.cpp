// Tests of src/io/pseudonymise: HMAC-SHA256 against RFC 4231's vectors, pseudonyms, and
// the strict key-file format (errors name the rule and never show the key).
#include "io/pseudonymise.hpp"

#include <reinscore/error.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using reinscore::input_error;
using namespace reinscore::io;

namespace {

std::vector<unsigned char> bytes(std::size_t n, unsigned char b) {
  return std::vector<unsigned char>(n, b);
}

std::string rule_of(const std::string& text) {
  try {
    parse_key(text);
  } catch (const input_error& e) {
    return e.rule();
  }
  return "accepted";
}

const std::string kHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

}  // namespace

// RFC 4231, test cases 1 to 4 (keys shorter than a SHA-256 block, as ours are).
TEST(HmacSha256, Rfc4231Vectors) {
  EXPECT_EQ(hmac_sha256_hex(bytes(20, 0x0b), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  const std::string jefe = "Jefe";
  EXPECT_EQ(hmac_sha256_hex({reinterpret_cast<const unsigned char*>(jefe.data()), jefe.size()},
                            "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hmac_sha256_hex(bytes(20, 0xaa), std::string(50, '\xdd')),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  std::vector<unsigned char> key4;
  for (unsigned char b = 1; b <= 25; ++b) key4.push_back(b);
  EXPECT_EQ(hmac_sha256_hex(key4, std::string(50, '\xcd')),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
}

TEST(Pseudonymiser, TruncatedHmacOfTheTrimmedId) {
  const Key key = parse_key(std::string(key_file_header) + "\n" + kHex + "\n");
  const Pseudonymiser p(key);
  const std::string full = hmac_sha256_hex(key, "R00017");
  EXPECT_EQ(p("R00017"), full.substr(0, pseudonym_hex_digits));
  EXPECT_EQ(p("  R00017\t"), p("R00017"));
  EXPECT_EQ(p(""), "");
  EXPECT_EQ(p(" \t "), "");
  EXPECT_NE(p("R00017"), p("R00018"));
  // Another key, another pseudonym; the same key, always the same one.
  Key other = key;
  other[0] ^= 1;
  EXPECT_NE(Pseudonymiser(other)("R00017"), p("R00017"));
  EXPECT_EQ(Pseudonymiser(key)("R00017"), p("R00017"));
}

TEST(KeyFile, FormatRoundTrips) {
  const Key key = generate_key();
  EXPECT_EQ(parse_key(format_key(key)), key);
  EXPECT_NE(generate_key(), key);
  const std::string text = format_key(key);
  EXPECT_EQ(text.rfind(std::string(key_file_header) + "\n", 0), 0u);
  EXPECT_EQ(text.size(), key_file_header.size() + 1 + 64 + 1);
}

TEST(KeyFile, StrictParsing) {
  const std::string h(key_file_header);
  EXPECT_EQ(rule_of(h + "\n" + kHex + "\n"), "accepted");
  EXPECT_EQ(rule_of(h + "\n" + kHex), "accepted");
  EXPECT_EQ(rule_of(h + "\r\n" + kHex + "\r\n"), "accepted");
  std::string upper = kHex;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(rule_of(h + "\n" + upper + "\n"), "accepted");
  EXPECT_EQ(rule_of(""), "key_file_header");
  EXPECT_EQ(rule_of(kHex + "\n"), "key_file_header");
  EXPECT_EQ(rule_of(" " + h + "\n" + kHex + "\n"), "key_file_header");
  EXPECT_EQ(rule_of(h + "\n"), "key_file_key");
  EXPECT_EQ(rule_of(h + "\n" + kHex.substr(2) + "\n"), "key_file_key");
  EXPECT_EQ(rule_of(h + "\n" + kHex + "00\n"), "key_file_key");
  EXPECT_EQ(rule_of(h + "\n" + kHex + " \n"), "key_file_key");
  EXPECT_EQ(rule_of(h + "\n" + kHex + "\n\n"), "key_file_key");
  EXPECT_EQ(rule_of(h + "\n" + kHex + "\nmore\n"), "key_file_key");
  EXPECT_EQ(rule_of(h + "\n" + "g" + kHex.substr(1) + "\n"), "key_file_key");
  EXPECT_EQ(rule_of(h + "\n" + std::string(64, '0') + "\n"), "key_file_zero");
  EXPECT_EQ(rule_of(h + "\n" + kHex + "\n" + std::string(2000, 'x')), "key_file_too_large");
}

TEST(KeyFile, MessagesNeverShowTheKey) {
  const std::string h(key_file_header);
  for (const std::string& text :
       {h + "\n" + kHex + "zz\n", h + "\n" + kHex.substr(4) + "\n", kHex + "\n" + kHex + "\n"}) {
    try {
      parse_key(text);
      ADD_FAILURE() << "accepted";
    } catch (const input_error& e) {
      EXPECT_EQ(std::string(e.what()).find("0a0b0c"), std::string::npos) << e.what();
    }
  }
}

TEST(KeyFile, LoadChecksThePath) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("reinscore-key-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto rule = [](const std::string& path) {
    try {
      load_key(path);
    } catch (const input_error& e) {
      return e.rule();
    }
    return std::string("accepted");
  };
  const auto good = (dir / "good.key").string();
  std::ofstream(good) << key_file_header << "\n" << kHex << "\n";
  EXPECT_EQ(rule(good), "accepted");
  EXPECT_EQ(rule((dir / "absent.key").string()), "key_file_unreadable");
  EXPECT_EQ(rule(dir.string()), "key_file_not_regular");
  EXPECT_EQ(rule("/dev/zero"), "key_file_not_regular");
  const auto fifo = (dir / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(rule(fifo), "key_file_not_regular");  // refused without waiting for a writer
  const auto big = (dir / "big.key").string();
  std::ofstream(big) << std::string(1 << 20, 'x');
  EXPECT_EQ(rule(big), "key_file_too_large");
  try {
    load_key(big);
  } catch (const input_error& e) {
    EXPECT_NE(std::string(e.what()).find("big.key"), std::string::npos) << "names the file";
  }
  // A key that does not parse: the message names the rule once.
  const auto bad = (dir / "bad.key").string();
  std::ofstream(bad) << key_file_header << "\n" << std::string(64, 'g') << "\n";
  try {
    load_key(bad);
    ADD_FAILURE() << "accepted a key of non-hex digits";
  } catch (const input_error& e) {
    const std::string what = e.what();
    const std::string tag = "[" + e.rule() + "]";
    EXPECT_EQ(what.find(tag), what.rfind(tag)) << what;
    EXPECT_EQ(what.find("gggg"), std::string::npos) << "never shows key bytes";
  }
  std::filesystem::remove_all(dir);
}
