// Keyed pseudonyms for identifiers shared outside the team (docs/privacy.md): HMAC-SHA256
// of the identifier under a secret key, so that the same key gives the same pseudonym in
// every round and file (panels still link) and no one without the key can reverse one or
// link it to another dataset.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace reinscore::io {

/// Key files: a header line naming the format, then the key as 64 hex digits.
inline constexpr std::string_view key_file_header = "reinscore-pseudonym-key v1 hmac-sha256";
inline constexpr std::size_t key_bytes = 32;
/// Hex digits of a pseudonym: the first 128 bits of the HMAC (RFC 2104 allows truncation
/// to half the hash length), short enough for a spreadsheet, far from any collision.
inline constexpr std::size_t pseudonym_hex_digits = 32;
/// Key files are tiny; anything larger is not one (bounded read of an untrusted path).
inline constexpr std::size_t key_file_max_bytes = 1024;

using Key = std::array<unsigned char, key_bytes>;

/// Parses the text of a key file. Strict: the header line, then exactly 64 hex digits
/// (either case), each line ending in LF or CRLF (the last line's end may be missing),
/// nothing else. Throws reinscore::input_error with rule key_file_too_large,
/// key_file_header, key_file_key (not 64 hex digits) or key_file_zero (a key of zero
/// bytes, a placeholder). Messages never contain the file's bytes.
Key parse_key(std::string_view text);
/// Reads and parses a key file: a regular file of at most key_file_max_bytes. Throws
/// reinscore::input_error (rules key_file_unreadable, key_file_not_regular, and those of
/// parse_key) naming the path.
Key load_key(const std::string& path);
/// The text of a key file for `key`: the header line and the hex digits, each with LF.
std::string format_key(const Key& key);
/// A new key of random bytes from OpenSSL's RAND_bytes; throws std::runtime_error if the
/// generator fails.
Key generate_key();

/// Full HMAC-SHA256 of `data` under `key`, lower-case hex (64 digits): for test vectors.
std::string hmac_sha256_hex(std::span<const unsigned char> key, std::string_view data);

/// Replaces identifiers by keyed pseudonyms. Thread-safe: const calls share no state.
class Pseudonymiser {
 public:
  explicit Pseudonymiser(const Key& key);
  ~Pseudonymiser();
  Pseudonymiser(Pseudonymiser&&) noexcept;
  Pseudonymiser& operator=(Pseudonymiser&&) noexcept;

  /// The pseudonym of `id`: the first pseudonym_hex_digits lower-case hex digits of
  /// HMAC-SHA256(key, id trimmed of surrounding spaces and tabs, as `panel` matches ids).
  /// An empty (or blank) id stays empty.
  std::string operator()(std::string_view id) const;
  /// Appends the pseudonym of `id` to `out` (no allocation when `out` has room).
  void append(std::string& out, std::string_view id) const;

 private:
  struct State;
  friend std::string hmac_sha256_hex(std::span<const unsigned char> key, std::string_view data);
  std::unique_ptr<State> state_;
};

}  // namespace reinscore::io
