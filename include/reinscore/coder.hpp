// Coding: raw answers (choice names, numeric codes, labels or numbers) to values in
// [0, 1] with a reason for every cell, through a per-item lookup built from the scale.
#pragma once

#include <reinscore/instrument.hpp>
#include <reinscore/reason.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace reinscore {

struct CodedCell {
  double value = std::numeric_limits<double>::quiet_NaN();
  Reason reason = Reason::skipped;
};

/// A block of coded interviews: n rows x k items, column-major (one column per item).
/// `values` is NaN wherever `reasons` is not Reason::answered.
struct CodedBlock {
  Eigen::MatrixXd values;
  Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic> reasons;

  void resize(Eigen::Index rows, Eigen::Index items) {
    values.resize(rows, items);
    reasons.resize(rows, items);
  }
  Eigen::Index rows() const noexcept { return values.rows(); }
  Eigen::Index items() const noexcept { return values.cols(); }
  Reason reason(Eigen::Index r, Eigen::Index k) const { return static_cast<Reason>(reasons(r, k)); }
  void set(Eigen::Index r, Eigen::Index k, CodedCell c) {
    values(r, k) = c.value;
    reasons(r, k) = static_cast<std::uint8_t>(c.reason);
  }
};

namespace detail {

/// A string of up to 16 bytes as two zero-padded little words (bytes 0-7 and 8-15): with
/// the length, they determine every byte, so two such keys compare in two instructions.
struct Words16 {
  std::uint64_t a = 0, b = 0;
  bool operator==(const Words16&) const = default;
};

inline std::uint64_t load8(const char* p) noexcept {
  std::uint64_t x;
  std::memcpy(&x, p, 8);  // a fixed-size copy compiles to one load
  return x;
}

/// Mask keeping the first `n` (0 to 8) bytes of a word loaded from memory.
constexpr std::uint64_t first_bytes_mask(std::size_t n) noexcept {
  if (n >= 8) return ~std::uint64_t{0};
  if constexpr (std::endian::native == std::endian::little) {
    return (std::uint64_t{1} << (8 * n)) - 1;
  } else {
    return n == 0 ? 0 : ~std::uint64_t{0} << (64 - 8 * n);
  }
}

/// The first 16 bytes of `s` (zero padded), for any string.
inline Words16 words16(std::string_view s) noexcept {
  char buf[16] = {};
  std::memcpy(buf, s.data(), std::min<std::size_t>(16, s.size()));
  return {load8(buf), load8(buf + 8)};
}

/// Same as words16() for a string followed by at least 16 readable bytes (a field of a
/// padded io::RecordBatch): two fixed loads and masks from a table, no copy and no branch
/// on the length (answer lengths vary from cell to cell, so such a branch mispredicts).
inline Words16 words16_padded(std::string_view s) noexcept {
  static constexpr auto masks = [] {
    std::array<Words16, 17> t{};
    for (std::size_t n = 0; n <= 16; ++n)
      t[n] = {first_bytes_mask(n < 8 ? n : 8), first_bytes_mask(n > 8 ? n - 8 : 0)};
    return t;
  }();
  const Words16& m = masks[s.size() < 16 ? s.size() : 16];
  return {load8(s.data()) & m.a, load8(s.data() + 8) & m.b};
}

/// Hash of a string from its words and length (good in the top bits): one 64 x 64 -> 128
/// bit multiply folded, keyed by `seed` before the multiply so that no fixed set of
/// strings collides for every seed.
inline std::uint64_t hash16(const Words16& w, std::size_t n, std::uint64_t seed) noexcept {
  __extension__ using u128 = unsigned __int128;  // GCC and Clang; -Wpedantic accepts it so
  const u128 p = static_cast<u128>(w.a ^ seed) *
                 (w.b ^ (static_cast<std::uint64_t>(n) * 0x9E3779B97F4A7C15ULL) ^ (seed >> 1) ^
                  0xE7037ED1A0B428DBULL);
  return static_cast<std::uint64_t>(p) ^ static_cast<std::uint64_t>(p >> 64);
}

/// Hash of the bytes of a key past its first 16, so that keys sharing a long prefix
/// still spread over the table.
inline std::uint64_t hash_tail(std::string_view s, std::uint64_t seed) noexcept {
  std::uint64_t h = seed ^ 0xA0761D6478BD642FULL;
  std::size_t i = 16;
  for (; i + 8 <= s.size(); i += 8) {
    h = (h ^ load8(s.data() + i)) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 32;
  }
  if (i < s.size()) {
    char buf[8] = {};
    std::memcpy(buf, s.data() + i, s.size() - i);
    h = (h ^ load8(buf)) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 32;
  }
  return h;
}

/// A seed nobody can predict (std::random_device), for tables keyed on untrusted text:
/// results never depend on it, only the layout does.
inline std::uint64_t random_seed() {
  std::random_device rd;
  return (std::uint64_t{rd()} << 32 | rd()) | 1;
}

/// Seeded hash for std::unordered_map keys from an instrument file (labels, numeric
/// codes): std::hash of an integer is the integer itself, so codes that are multiples of
/// the bucket count would share one chain.
struct SeededHash {
  using is_transparent = void;
  std::uint64_t seed = random_seed();
  std::size_t operator()(std::string_view s) const noexcept {
    const Words16 w = words16(s);
    const std::uint64_t a = s.size() <= 16 ? w.a : w.a ^ hash_tail(s, seed);
    return static_cast<std::size_t>(hash16({a, w.b}, s.size(), seed));
  }
  std::size_t operator()(long long x) const noexcept {
    return static_cast<std::size_t>(hash16({static_cast<std::uint64_t>(x), 0}, 8, seed));
  }
};

/// Table from answer text to coded cell. Scales have a few dozen spellings at most, so
/// build() usually finds a perfect hash: a lookup is then one probe into one 32-byte slot
/// and a two-word comparison. Coding dominates scoring time (benchmarks/RESULTS.md), so
/// the key is read with a few overlapping loads instead of a variable-length memcpy, and
/// the slot holds the cell itself (no second indirection).
///
/// Building is bounded whatever the codes (an instrument file is untrusted input): the
/// search for a perfect hash tries a fixed number of seeds and sizes and, failing that
/// (many keys, or keys a weak hash cannot separate), the table stays an open-addressing
/// table with linear probing at load <= 1/2. Both have O(keys) expected build time and
/// O(1) expected lookups; keys longer than 16 bytes are hashed on all their bytes.
class CodeTable {
 public:
  /// Adds `key` unless already present (the first spelling wins, like map::emplace).
  /// The table is valid after every insert; call build() after the last one for the
  /// one-probe layout.
  void insert(std::string key, CodedCell cell) {
    if (find(key)) return;
    if (keys_.size() >= std::numeric_limits<std::uint32_t>::max())
      throw std::length_error("CodeTable: too many keys");
    keys_.push_back(std::move(key));
    cells_.push_back(cell);
    perfect_ = false;  // a perfect table is also a valid linear-probing table
    if (2 * keys_.size() > slots_.size()) {
      relayout(slots_.empty() ? 8 : 2 * slots_.size(), seed_);
    } else {
      place(keys_.size() - 1);
    }
  }
  /// Looks for a collision-free layout (at most kMaxPerfectKeys keys, a bounded number of
  /// seeds and sizes); keeps the linear-probing layout when none is found.
  void build() {
    const std::size_t n = keys_.size();
    if (n == 0 || n > kMaxPerfectKeys) return;
    std::size_t base = 8;
    while (base < 2 * n) base *= 2;
    std::uint64_t seed = 0x9E3779B97F4A7C15ULL;
    for (std::size_t size = base; size <= 16 * base; size *= 2) {
      for (int attempt = 0; attempt < kSeedsPerSize; ++attempt) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        if (try_perfect(size, seed | 1)) return;
      }
    }
    // No perfect layout: linear probing under a seed nobody can predict, so that even
    // codes crafted against the fixed seeds above keep O(1) expected probes.
    relayout(base, random_seed());
  }
  /// True when build() found a collision-free layout (tests and benchmarks).
  bool perfect() const noexcept { return perfect_; }
  std::size_t size() const noexcept { return keys_.size(); }

  /// The cell coded for `s`, or nullptr when `s` is not a key.
  const CodedCell* find(std::string_view s) const {
    const Slot* e = probe(s, words(s));
    return e ? &cells_[e->key] : nullptr;
  }
  /// Same as find() but copies the cell out of the slot itself (no second cache line).
  bool find(std::string_view s, CodedCell& out) const { return take(probe(s, words(s)), out); }
  /// Same as find(s, out) for a string followed by at least 16 readable bytes (a field
  /// of a padded io::RecordBatch): the key is read with two fixed loads and masks, with
  /// no copy and no branch on its length.
  bool find_padded(std::string_view s, CodedCell& out) const {
    if (s.size() > 16) return find(s, out);
    return take(probe(s, words16_padded(s)), out);
  }

 private:
  static constexpr std::size_t kMaxPerfectKeys = 64;
  static constexpr int kSeedsPerSize = 64;
  static constexpr std::uint8_t kEmpty = 0xFF, kLong = 0xFE;  // len byte of a slot
  using Words = Words16;
  struct Slot {  // 32 bytes: two slots to a cache line
    std::uint64_t a = 0, b = 0;
    double value = 0;
    std::uint32_t key = 0;  // index into keys_ and cells_
    std::uint8_t reason = 0;
    std::uint8_t len = kEmpty;  // 0-16: the key's length; kLong: longer (compare keys_)
  };
  static Words words(std::string_view s) noexcept { return words16(s); }
  // The top bits pick the slot. Keys of up to 16 bytes are determined by their two words
  // and length; longer ones mix in a hash of the rest.
  static std::uint64_t hash(std::string_view s, const Words& w, std::uint64_t seed) noexcept {
    if (s.size() <= 16) return hash16(w, s.size(), seed);
    return hash16({w.a ^ hash_tail(s, seed), w.b}, s.size(), seed);
  }
  std::size_t home(std::string_view s, const Words& w, std::uint64_t seed) const noexcept {
    return static_cast<std::size_t>(hash(s, w, seed) >> shift_);
  }
  bool matches(const Slot& e, std::string_view s, const Words& w) const noexcept {
    if (e.a != w.a || e.b != w.b) return false;
    return s.size() <= 16 ? e.len == s.size() : e.len == kLong && keys_[e.key] == s;
  }
  const Slot* probe(std::string_view s, const Words& w) const noexcept {
    if (slots_.empty()) return nullptr;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = home(s, w, seed_);; i = (i + 1) & mask) {
      const Slot& e = slots_[i];
      if (matches(e, s, w)) return &e;
      // A perfect layout holds every key in its home slot; load <= 1/2 ends the loop.
      if (perfect_ || e.len == kEmpty) return nullptr;
    }
  }
  static bool take(const Slot* e, CodedCell& out) noexcept {
    if (e == nullptr) return false;
    out = {e->value, static_cast<Reason>(e->reason)};
    return true;
  }
  Slot make_slot(std::size_t k) const {
    const Words w = words(keys_[k]);
    const std::size_t n = keys_[k].size();
    return Slot{w.a,
                w.b,
                cells_[k].value,
                static_cast<std::uint32_t>(k),
                static_cast<std::uint8_t>(cells_[k].reason),
                n <= 16 ? static_cast<std::uint8_t>(n) : kLong};
  }
  void set_size(std::size_t size) {
    slots_.assign(size, Slot{});
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(size));
  }
  void place(std::size_t k) {  // linear probing
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = home(keys_[k], words(keys_[k]), seed_);
    while (slots_[i].len != kEmpty) i = (i + 1) & mask;
    slots_[i] = make_slot(k);
  }
  void relayout(std::size_t size, std::uint64_t seed) {
    perfect_ = false;
    seed_ = seed;
    set_size(size);
    for (std::size_t k = 0; k < keys_.size(); ++k) place(k);
  }
  bool try_perfect(std::size_t size, std::uint64_t seed) {
    seed_ = seed;
    set_size(size);
    for (std::size_t k = 0; k < keys_.size(); ++k) {
      Slot& slot = slots_[home(keys_[k], words(keys_[k]), seed_)];
      if (slot.len != kEmpty) return false;
      slot = make_slot(k);
    }
    perfect_ = true;
    return true;
  }
  // Until build() finds a perfect layout, keys are placed by linear probing under this
  // seed: unpredictable, so that crafted codes cannot pile into one probe chain.
  std::uint64_t seed_ = random_seed();
  unsigned shift_ = 61;
  bool perfect_ = false;
  std::vector<std::string> keys_;
  std::vector<CodedCell> cells_;
  std::vector<Slot> slots_;
};

}  // namespace detail

/// Codes the answers of one item. Lookup order: exact code or numeric code, then a
/// number (numeric scales, or a numeric code written as "3.0"), then the label compared
/// without case and extra spaces (exports that carry labels instead of names).
class ItemCoder {
 public:
  ItemCoder(const Scale& scale, bool reverse)
      : numeric_(scale.type == ScaleType::numeric),
        reverse_(reverse),
        min_(scale.min),
        max_(scale.max) {
    for (const auto& c : scale.codes) {
      const CodedCell cell{reverse ? 1.0 - c.value : c.value, Reason::answered};
      add(c.code, c.numeric, c.label, cell);
      if (c.numeric) any_numeric_code_ = true;
    }
    for (const auto& m : scale.missing) {
      const CodedCell cell{std::numeric_limits<double>::quiet_NaN(), m.meaning};
      add(m.code, m.numeric, m.label, cell);
    }
    exact_.build();
  }

  CodedCell code(std::string_view raw) const {
    const std::string_view s = detail::trim(raw);
    if (s.empty()) return {};  // skipped
    if (CodedCell hit; exact_.find(s, hit)) return hit;
    return code_inexact(s);
  }
  /// Same as code(raw), for a cell followed by at least 16 readable bytes
  /// (io::RecordBatch::pad()): the exact lookup reads it without copying it.
  CodedCell code_padded(std::string_view raw) const {
    const std::string_view s = detail::trim(raw);
    if (s.empty()) return {};
    if (CodedCell hit; exact_.find_padded(s, hit)) return hit;
    return code_inexact(s);
  }

  /// Codes a number (integer codes from a numeric export, or a value of a numeric
  /// scale). NaN means an empty cell.
  CodedCell code(double x) const {
    if (std::isnan(x)) return {};
    if (x == std::floor(x) && std::fabs(x) < 9.0e15) {
      if (const auto it = numeric_codes_.find(static_cast<long long>(x));
          it != numeric_codes_.end())
        return it->second;
    }
    if (numeric_) {
      if (!(x >= min_ && x <= max_)) return invalid(Reason::out_of_range);
      const double v = (x - min_) / (max_ - min_);
      return {reverse_ ? 1.0 - v : v, Reason::answered};
    }
    // A number on a categorical scale: out of range when the scale has numeric codes,
    // otherwise simply not one of its codes.
    return invalid(any_numeric_code_ ? Reason::out_of_range : Reason::invalid_code);
  }

 private:
  // A trimmed, non-empty cell that is not exactly a code: a number, then a label.
  CodedCell code_inexact(std::string_view s) const {
    double x = 0;
    // A number too large for a double is still a number: out of every finite range.
    if (detail::parse_decimal(s, x) != detail::Decimal::not_a_number) return code(x);
    if (const auto it = labels_.find(detail::fold_case(s)); it != labels_.end()) return it->second;
    return invalid(Reason::invalid_code);
  }
  static CodedCell invalid(Reason r) { return {std::numeric_limits<double>::quiet_NaN(), r}; }
  void add(const std::string& code, const std::optional<long long>& numeric,
           const std::string& label, CodedCell cell) {
    exact_.insert(code, cell);
    if (numeric) {
      exact_.insert(std::to_string(*numeric), cell);
      numeric_codes_.emplace(*numeric, cell);
    }
    if (!label.empty()) labels_.emplace(detail::fold_case(label), cell);
  }

  detail::CodeTable exact_;
  std::unordered_map<std::string, CodedCell, detail::SeededHash, std::equal_to<>> labels_;
  std::unordered_map<long long, CodedCell, detail::SeededHash> numeric_codes_;
  bool numeric_ = false;
  bool any_numeric_code_ = false;
  bool reverse_ = false;
  double min_ = 0, max_ = 1;
};

/// One ItemCoder per instrument item, in instrument order. Items on the same scale in
/// the same direction share one coder, so the tables of a whole instrument stay in L1.
class Coder {
 public:
  explicit Coder(const Instrument& ins) {
    std::map<std::pair<std::string, bool>, const ItemCoder*> seen;  // O(items log items)
    for (const auto& it : ins.items) {
      auto [pos, added] = seen.try_emplace({it.scale, it.reverse}, nullptr);
      if (added) {
        distinct_.push_back(std::make_unique<ItemCoder>(ins.scale_of(it), it.reverse));
        pos->second = distinct_.back().get();
      }
      coders_.push_back(pos->second);
    }
  }
  std::size_t items() const noexcept { return coders_.size(); }
  const ItemCoder& item(std::size_t k) const { return *coders_.at(k); }

  /// Codes a column of strings into column k of `out` (rows must already be sized).
  template <class Strings>
  void code_column(std::size_t k, const Strings& cells, CodedBlock& out) const {
    const ItemCoder& c = *coders_.at(k);
    Eigen::Index r = 0;
    for (const auto& s : cells)
      out.set(r++, static_cast<Eigen::Index>(k), c.code(std::string_view(s)));
  }

 private:
  std::vector<std::unique_ptr<ItemCoder>> distinct_;
  std::vector<const ItemCoder*> coders_;  // per item, into distinct_
};

}  // namespace reinscore
