// Coding: raw answers (choice names, numeric codes, labels or numbers) to values in
// [0, 1] with a reason for every cell, through a per-item lookup built from the scale.
#pragma once

#include <reinscore/instrument.hpp>
#include <reinscore/reason.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
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

/// Perfect-hash table from answer text to coded cell. Scales have a few dozen spellings
/// at most, so a collision-free table is cheap to find, and a lookup is one probe and
/// one two-word comparison: coding dominates scoring time (benchmarks/RESULTS.md).
class CodeTable {
 public:
  /// Adds `key` unless already present (the first spelling wins, like map::emplace).
  void insert(std::string key, CodedCell cell) {
    if (find(key)) return;
    keys_.push_back(std::move(key));
    cells_.push_back(cell);
    rebuild();
  }
  const CodedCell* find(std::string_view s) const noexcept {
    if (slots_.empty()) return nullptr;
    const Words w = words(s, seed_);
    const std::int32_t k = slots_[w.hash & mask_];
    if (k < 0) return nullptr;
    const auto ku = static_cast<std::size_t>(k);
    // Keys of up to 16 bytes (all usual codes) compare as two words, without memcmp.
    if (words_[ku].a == w.a && words_[ku].b == w.b && keys_[ku].size() == s.size() &&
        (s.size() <= 16 || std::memcmp(keys_[ku].data(), s.data(), s.size()) == 0))
      return &cells_[ku];
    return nullptr;
  }

 private:
  struct Words {
    std::uint64_t a = 0, b = 0;  // first 8 bytes; next 8 bytes (zero padded)
    std::size_t hash = 0;
  };
  static Words words(std::string_view s, std::uint64_t seed) noexcept {
    Words w;
    std::memcpy(&w.a, s.data(), std::min<std::size_t>(8, s.size()));
    if (s.size() > 8) std::memcpy(&w.b, s.data() + 8, std::min<std::size_t>(8, s.size() - 8));
    std::uint64_t t = 0;
    if (s.size() > 16) std::memcpy(&t, s.data() + s.size() - 8, 8);
    const std::uint64_t h =
        (w.a ^ (w.b * 0x9E3779B97F4A7C15ULL) ^ (t * 0xC2B2AE3D27D4EB4FULL) ^ s.size()) * seed;
    w.hash = static_cast<std::size_t>(h >> 32);
    return w;
  }
  // Perfect hashing: try multipliers and sizes until every key has a slot of its own, so
  // a lookup is one probe and one comparison (no probe loop to mispredict).
  void rebuild() {
    for (std::size_t size = 8;; size *= 2) {
      if (size < 4 * keys_.size()) continue;
      mask_ = size - 1;
      std::uint64_t seed = 0x9E3779B97F4A7C15ULL;
      for (int attempt = 0; attempt < 64;
           ++attempt, seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) {
        seed_ = seed | 1;
        slots_.assign(size, -1);
        words_.clear();
        bool ok = true;
        for (std::size_t k = 0; k < keys_.size() && ok; ++k) {
          words_.push_back(words(keys_[k], seed_));
          std::int32_t& slot = slots_[words_.back().hash & mask_];
          ok = slot < 0;
          slot = static_cast<std::int32_t>(k);
        }
        if (ok) return;
      }
    }
  }
  std::vector<Words> words_;
  std::uint64_t seed_ = 1;
  std::vector<std::string> keys_;
  std::vector<CodedCell> cells_;
  std::vector<std::int32_t> slots_;
  std::size_t mask_ = 0;
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
  }

  CodedCell code(std::string_view raw) const {
    const std::string_view s = detail::trim(raw);
    if (s.empty()) return {};  // skipped
    if (const CodedCell* hit = exact_.find(s)) return *hit;
    double x = 0;
    if (detail::parse_number(s, x)) return code(x);
    if (const auto it = labels_.find(detail::fold_case(s)); it != labels_.end()) return it->second;
    return invalid(Reason::invalid_code);
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
  std::unordered_map<std::string, CodedCell> labels_;
  std::unordered_map<long long, CodedCell> numeric_codes_;
  bool numeric_ = false;
  bool any_numeric_code_ = false;
  bool reverse_ = false;
  double min_ = 0, max_ = 1;
};

/// One ItemCoder per instrument item, in instrument order.
class Coder {
 public:
  explicit Coder(const Instrument& ins) {
    coders_.reserve(ins.items.size());
    for (const auto& it : ins.items) coders_.emplace_back(ins.scale_of(it), it.reverse);
  }
  std::size_t items() const noexcept { return coders_.size(); }
  const ItemCoder& item(std::size_t k) const { return coders_.at(k); }

  /// Codes a column of strings into column k of `out` (rows must already be sized).
  template <class Strings>
  void code_column(std::size_t k, const Strings& cells, CodedBlock& out) const {
    const ItemCoder& c = coders_.at(k);
    Eigen::Index r = 0;
    for (const auto& s : cells)
      out.set(r++, static_cast<Eigen::Index>(k), c.code(std::string_view(s)));
  }

 private:
  std::vector<ItemCoder> coders_;
};

}  // namespace reinscore
