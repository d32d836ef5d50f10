#include "io/pseudonymise.hpp"

#include <reinscore/detail/strings.hpp>
#include <reinscore/error.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace reinscore::io {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Takes one line off `text`: up to LF, without a CR just before it.
std::string_view take_line(std::string_view& text) {
  const auto nl = text.find('\n');
  std::string_view line = text.substr(0, nl);
  text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

MdCtx new_ctx() {
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx) throw std::runtime_error("pseudonymise: OpenSSL could not allocate a digest");
  return ctx;
}

}  // namespace

Key parse_key(std::string_view text) {
  if (text.size() > key_file_max_bytes)
    throw input_error("key_file_too_large", "the key file is larger than " +
                                                std::to_string(key_file_max_bytes) +
                                                " bytes: not a reinscore key file");
  const std::string_view header = take_line(text);
  if (header != key_file_header)
    throw input_error("key_file_header", "the first line of the key file is not '" +
                                             std::string(key_file_header) +
                                             "' (create a key with `reinscore keygen`)");
  const std::string_view hex = take_line(text);
  bool ok = hex.size() == 2 * key_bytes && text.empty();
  Key key{};
  for (std::size_t i = 0; ok && i < key_bytes; ++i) {
    const int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    ok = hi >= 0 && lo >= 0;
    key[i] = static_cast<unsigned char>(ok ? hi * 16 + lo : 0);
  }
  if (!ok) {
    OPENSSL_cleanse(key.data(), key.size());
    throw input_error("key_file_key",
                      "the key file must hold, after its header line, one line of exactly " +
                          std::to_string(2 * key_bytes) + " hex digits and nothing else");
  }
  bool zero = true;
  for (const auto b : key) zero = zero && b == 0;
  if (zero)
    throw input_error("key_file_zero",
                      "the key is all zero bytes, a placeholder rather than a secret");
  return key;
}

Key load_key(const std::string& path) {
  const auto fail = [&](const char* rule, const std::string& why) {
    throw input_error(rule, "key file '" + path + "': " + why);
  };
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) fail("key_file_unreadable", std::strerror(errno));
  struct Close {
    int fd;
    ~Close() { ::close(fd); }
  } close_fd{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail("key_file_unreadable", std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail("key_file_not_regular", "not a regular file");
  std::string text(key_file_max_bytes + 1, '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const auto n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("key_file_unreadable", std::strerror(errno));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  text.resize(got);
  try {
    Key key = parse_key(text);
    OPENSSL_cleanse(text.data(), text.size());
    return key;
  } catch (const input_error& e) {
    OPENSSL_cleanse(text.data(), text.size());
    // e.what() ends in " [rule]", which the new error adds again.
    std::string message = e.what();
    const std::string suffix = " [" + e.rule() + "]";
    if (message.size() >= suffix.size() &&
        message.compare(message.size() - suffix.size(), suffix.size(), suffix) == 0)
      message.resize(message.size() - suffix.size());
    throw input_error(e.rule(), "key file '" + path + "': " + message);
  }
}

std::string format_key(const Key& key) {
  std::string out(key_file_header);
  out += '\n';
  for (const auto b : key) {
    out += hex_digits[b >> 4];
    out += hex_digits[b & 0xF];
  }
  out += '\n';
  return out;
}

Key generate_key() {
  Key key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
    throw std::runtime_error("keygen: OpenSSL's random generator failed");
  return key;
}

// HMAC (RFC 2104) over OpenSSL's SHA-256: the two padded key blocks are absorbed once,
// and each identifier costs two copies of a digest state and two short hashes.
struct Pseudonymiser::State {
  MdCtx inner = new_ctx(), outer = new_ctx();

  void absorb_key(std::span<const unsigned char> key) {
    unsigned char block[64] = {};
    if (key.size() > sizeof block) throw std::invalid_argument("hmac: key longer than a block");
    std::memcpy(block, key.data(), key.size());
    unsigned char ipad[64], opad[64];
    for (std::size_t i = 0; i < sizeof block; ++i) {
      ipad[i] = static_cast<unsigned char>(block[i] ^ 0x36);
      opad[i] = static_cast<unsigned char>(block[i] ^ 0x5c);
    }
    const bool ok = EVP_DigestInit_ex(inner.get(), EVP_sha256(), nullptr) == 1 &&
                    EVP_DigestUpdate(inner.get(), ipad, sizeof ipad) == 1 &&
                    EVP_DigestInit_ex(outer.get(), EVP_sha256(), nullptr) == 1 &&
                    EVP_DigestUpdate(outer.get(), opad, sizeof opad) == 1;
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(ipad, sizeof ipad);
    OPENSSL_cleanse(opad, sizeof opad);
    if (!ok) throw std::runtime_error("pseudonymise: OpenSSL digest failed");
  }

  void mac(std::string_view data, unsigned char (&out)[32]) const {
    thread_local MdCtx work = new_ctx();  // reused: one allocation per thread, not per id
    unsigned char inner_digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    const bool ok = EVP_MD_CTX_copy_ex(work.get(), inner.get()) == 1 &&
                    EVP_DigestUpdate(work.get(), data.data(), data.size()) == 1 &&
                    EVP_DigestFinal_ex(work.get(), inner_digest, &len) == 1 && len == 32 &&
                    EVP_MD_CTX_copy_ex(work.get(), outer.get()) == 1 &&
                    EVP_DigestUpdate(work.get(), inner_digest, len) == 1 &&
                    EVP_DigestFinal_ex(work.get(), out, &len) == 1 && len == 32;
    if (!ok) throw std::runtime_error("pseudonymise: OpenSSL digest failed");
  }
};

std::string hmac_sha256_hex(std::span<const unsigned char> key, std::string_view data) {
  Pseudonymiser::State st;
  st.absorb_key(key);
  unsigned char mac[32];
  st.mac(data, mac);
  std::string out;
  for (const auto b : mac) {
    out += hex_digits[b >> 4];
    out += hex_digits[b & 0xF];
  }
  return out;
}

Pseudonymiser::Pseudonymiser(const Key& key) : state_(std::make_unique<State>()) {
  state_->absorb_key(key);
}
Pseudonymiser::~Pseudonymiser() = default;
Pseudonymiser::Pseudonymiser(Pseudonymiser&&) noexcept = default;
Pseudonymiser& Pseudonymiser::operator=(Pseudonymiser&&) noexcept = default;

void Pseudonymiser::append(std::string& out, std::string_view id) const {
  id = detail::trim(id);
  if (id.empty()) return;
  unsigned char mac[32];
  state_->mac(id, mac);
  for (std::size_t i = 0; i < pseudonym_hex_digits / 2; ++i) {
    out += hex_digits[mac[i] >> 4];
    out += hex_digits[mac[i] & 0xF];
  }
}

std::string Pseudonymiser::operator()(std::string_view id) const {
  std::string out;
  append(out, id);
  return out;
}

}  // namespace reinscore::io
