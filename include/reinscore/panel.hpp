// Panel analysis: the same returnee across follow-up rounds. Paired change of each score
// between two rounds (mean, linearised standard error, t-interval), months since return,
// transition matrices between categories (or statuses), and attrition per round.
//
// Formulas and references: docs/statistics.md. Every accumulator here is mergeable:
// results for disjoint groups of returnees merge to the result for all of them.
//
// Needs Boost.Math (header-only) for the Student t distribution.
#pragma once

#include <reinscore/accumulators.hpp>
#include <reinscore/detail/strings.hpp>
#include <reinscore/error.hpp>
#include <reinscore/scorer.hpp>

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace reinscore {

// -- cells ------------------------------------------------------------------------------

/// Average length of a month in days (Julian year / 12): months = days / (365.25 / 12).
inline constexpr double days_per_month = 365.25 / 12.0;

/// Days since 1970-01-01 of an ISO 8601 calendar date written exactly `yyyy-mm-dd`
/// (surrounding spaces allowed); nullopt when the text has another form or is not a
/// date of the proleptic Gregorian calendar (e.g. 2025-02-29).
inline std::optional<std::int64_t> parse_iso_date(std::string_view s) noexcept {
  s = detail::trim(s);
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  const auto digits = [&](std::size_t from, std::size_t len, int& out) {
    out = 0;
    for (std::size_t i = from; i < from + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (!digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y},
                                        std::chrono::month{static_cast<unsigned>(m)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

/// A round number: a whole number written as an integer or a decimal with a zero
/// fraction ("2", " 2 ", "2.0"); nullopt otherwise (empty, text, 2.5, beyond 2^53).
inline std::optional<std::int64_t> round_from_number(double x) noexcept {
  if (!std::isfinite(x) || x != std::floor(x) || std::fabs(x) > 9007199254740992.0)
    return std::nullopt;
  return static_cast<std::int64_t>(x);
}
inline std::optional<std::int64_t> parse_round(std::string_view s) noexcept {
  double x = 0;
  if (!detail::parse_number(detail::trim(s), x)) return std::nullopt;
  return round_from_number(x);
}

// -- paired change ----------------------------------------------------------------------

/// Estimate of a mean change with its standard error and a Student t interval.
struct ChangeEstimate {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t n = 0;  ///< pairs with both scores and a positive weight
  double sum_weights = 0;
  double mean = nan;     ///< (weighted) mean of the differences
  double sd = nan;       ///< (weighted) standard deviation of the differences
  double se = nan;       ///< standard error of the mean
  double df = nan;       ///< degrees of freedom, n - 1
  double t = nan;        ///< mean / se
  double p_value = nan;  ///< two-sided, H0: mean change 0
  double ci_low = nan, ci_high = nan;
};

/// Mergeable moments of paired differences d = to - from with weights w > 0:
///   mean  m  = sum w d / sum w
///   sd^2     = n/(n-1) * sum w (d - m)^2 / sum w
///   se^2     = n/(n-1) * sum w^2 (d - m)^2 / (sum w)^2      (linearised, ratio mean)
/// With equal weights se = sd / sqrt(n), the paired t-test's standard error. The sums
/// around the running mean are updated as in West (1979) and Chan et al. (1979); the
/// w^2 sums are re-centred on each update, so add() and merge() in any order agree to
/// rounding. A pair with a missing (NaN) score counts in missing() only.
class ChangeMoments {
 public:
  void add(double from, double to, double w = 1.0) {
    if (!std::isfinite(w) || w < 0)
      throw std::invalid_argument("ChangeMoments::add: weights must be finite and >= 0");
    if (std::isnan(from) || std::isnan(to)) {
      ++missing_;
      return;
    }
    if (!(w > 0)) return;
    ++n_;
    const double d = to - from;
    const double sw = sw_ + w;
    const double delta = d - mean_;
    const double shift = delta * (w / sw);  // new mean - old mean
    // Re-centre the w^2 sums on the new mean, then add the new point.
    q_ += -2.0 * shift * r_ + shift * shift * sw2_;
    r_ -= shift * sw2_;
    mean_ += shift;
    m2_ += w * delta * (d - mean_);
    const double e = d - mean_;
    r_ += w * w * e;
    q_ += w * w * e * e;
    sw_ = sw;
    sw2_ += w * w;
    from_.add(from, w);
    to_.add(to, w);
  }

  void merge(const ChangeMoments& o) {
    const std::uint64_t missing = missing_ + o.missing_;
    if (o.n_ == 0) {
      missing_ = missing;
      return;
    }
    if (n_ == 0) {
      *this = o;
      missing_ = missing;
      return;
    }
    missing_ = missing;
    const double sw = sw_ + o.sw_;
    const double mean = mean_ + (o.mean_ - mean_) * (o.sw_ / sw);
    const auto recentre = [mean](double m, double r, double q, double sw2, double& r_out,
                                 double& q_out) {
      const double shift = mean - m;
      q_out = q - 2.0 * shift * r + shift * shift * sw2;
      r_out = r - shift * sw2;
    };
    double ra = 0, qa = 0, rb = 0, qb = 0;
    recentre(mean_, r_, q_, sw2_, ra, qa);
    recentre(o.mean_, o.r_, o.q_, o.sw2_, rb, qb);
    const double delta = o.mean_ - mean_;
    m2_ += o.m2_ + delta * delta * sw_ * o.sw_ / sw;
    r_ = ra + rb;
    q_ = qa + qb;
    mean_ = mean;
    n_ += o.n_;
    sw_ = sw;
    sw2_ += o.sw2_;
    from_.merge(o.from_);
    to_.merge(o.to_);
  }

  std::uint64_t count() const noexcept { return n_; }
  std::uint64_t missing() const noexcept { return missing_; }
  double sum_weights() const noexcept { return sw_; }
  /// (Weighted) means of the `from` and `to` scores over the same pairs.
  double mean_from() const noexcept { return from_.mean(); }
  double mean_to() const noexcept { return to_.mean(); }

  /// Mean, standard error and a two-sided `level` Student t interval with n - 1 degrees
  /// of freedom (NaN where n is too small: mean needs 1 pair, the rest 2).
  ChangeEstimate estimate(double level = 0.95) const {
    if (!(level > 0 && level < 1))
      throw std::invalid_argument("ChangeMoments::estimate: level must be in (0, 1)");
    ChangeEstimate e;
    e.n = n_;
    e.sum_weights = sw_;
    if (n_ == 0) return e;
    e.mean = mean_;
    if (n_ < 2) return e;
    const double n = static_cast<double>(n_);
    const double c = n / (n - 1.0);
    e.sd = std::sqrt(std::max(0.0, c * m2_ / sw_));
    e.se = std::sqrt(std::max(0.0, c * q_)) / sw_;
    e.df = n - 1.0;
    e.t = e.mean / e.se;
    const boost::math::students_t dist(e.df);
    if (std::isnan(e.t)) {
      e.p_value = std::numeric_limits<double>::quiet_NaN();
    } else if (std::isinf(e.t)) {
      e.p_value = 0.0;
    } else {
      e.p_value = 2.0 * boost::math::cdf(boost::math::complement(dist, std::fabs(e.t)));
    }
    const double q = boost::math::quantile(boost::math::complement(dist, (1.0 - level) / 2.0));
    e.ci_low = e.mean - q * e.se;
    e.ci_high = e.mean + q * e.se;
    return e;
  }

 private:
  std::uint64_t n_ = 0, missing_ = 0;
  double sw_ = 0, sw2_ = 0, mean_ = 0;
  double m2_ = 0;  ///< sum w (d - mean)^2
  double r_ = 0;   ///< sum w^2 (d - mean)
  double q_ = 0;   ///< sum w^2 (d - mean)^2
  Moments from_, to_;
};

// -- panel tables -----------------------------------------------------------------------

struct RoundPair {
  std::int64_t from = 0, to = 0;
  friend bool operator==(const RoundPair&, const RoundPair&) = default;
};

/// Names used in messages: row numbers, column names and rule ids, never values.
struct PanelColumns {
  std::string id = "returnee_id";
  std::string round = "round";
  std::string weight;  ///< empty when unweighted
  std::string interview_date = "interview_date";
  std::string return_date = "return_date";
};

/// A row-level problem that does not stop the analysis (e.g. a bad date: that
/// interview's months since return are missing).
struct PanelProblem {
  std::uint64_t row = 0;  ///< 1-based, header = row 1
  std::string column;
  std::string rule;
  std::string message;  ///< "row R: column 'C': ... [rule]"
};

inline PanelProblem make_problem(std::uint64_t row, const std::string& column,
                                 const std::string& rule, const std::string& message) {
  return {row, column, rule, input_error(rule, message, row, column).what()};
}

/// Months since return of one interview: (interview - return) in days / (365.25 / 12).
/// Problems are appended to `problems` and give NaN: an empty date (missing_date), a
/// date not written yyyy-mm-dd or not in the calendar (bad_date), an interview before
/// the return (interview_before_return). Messages name the row and column, not the date.
inline double months_since_return(std::string_view interview_date, std::string_view return_date,
                                  std::uint64_t row, const PanelColumns& cols,
                                  std::vector<PanelProblem>& problems) {
  const auto one = [&](std::string_view text,
                       const std::string& column) -> std::optional<std::int64_t> {
    if (detail::trim(text).empty()) {
      problems.push_back(make_problem(row, column, "missing_date", "date is empty"));
      return std::nullopt;
    }
    const auto d = parse_iso_date(text);
    if (!d)
      problems.push_back(
          make_problem(row, column, "bad_date", "not a calendar date written yyyy-mm-dd"));
    return d;
  };
  const auto a = one(interview_date, cols.interview_date);
  const auto b = one(return_date, cols.return_date);
  if (!a || !b) return std::numeric_limits<double>::quiet_NaN();
  if (*a < *b) {
    problems.push_back(make_problem(row, cols.interview_date, "interview_before_return",
                                    "interview date is before the return date"));
    return std::numeric_limits<double>::quiet_NaN();
  }
  return static_cast<double>(*a - *b) / days_per_month;
}

/// One interview of the scores table.
struct Interview {
  std::string_view id;  ///< returnee identifier (not empty)
  std::int64_t round = 0;
  std::span<const double> scores;  ///< one per Panel::score_names(); NaN = missing
  int category = -1;               ///< index into Panel::category_labels(); -1: none
  int status = -1;                 ///< index into status_names; -1: unknown
  double weight = 1.0;             ///< sampling weight (finite, >= 0)
  double months = std::numeric_limits<double>::quiet_NaN();  ///< months since return
  std::uint64_t row = 0;  ///< 1-based row for messages (header = 1)
};

/// Change of every score between two rounds.
struct ChangeSummary {
  RoundPair pair;
  std::size_t score = 0;      ///< index into Panel::score_names()
  std::uint64_t pairs = 0;    ///< returnees interviewed in both rounds
  std::uint64_t missing = 0;  ///< of those, with this score missing in either round
  double mean_from = ChangeEstimate::nan, mean_to = ChangeEstimate::nan;
  ChangeEstimate change;
  /// (Weighted) mean months since return at the two interviews, over the pairs whose
  /// months are known (NaN without dates).
  double months_from = ChangeEstimate::nan, months_to = ChangeEstimate::nan;
};

/// One returnee interviewed in both rounds of a pair.
struct ReturneeChange {
  std::size_t returnee = 0;  ///< index into Panel::id()
  RoundPair pair;
  std::uint64_t row_from = 0, row_to = 0;
  std::vector<double> change;  ///< per score: to - from; NaN when either is missing
  double months_from = ChangeEstimate::nan, months_to = ChangeEstimate::nan;
  double weight = 1.0;  ///< the weight of the `to` interview
  int category_from = -1, category_to = -1, status_from = -1, status_to = -1;
};

enum class TransitionVariable { category, status };

/// Counts of returnees by state in round `from` (rows) and in round `to` (columns).
/// Rows: the labels, then "none" (interviewed without a category / status). Columns: the
/// labels, "none", then "attrited" (not interviewed in round `to`). Returnees first seen
/// in round `to` are not in the table (see Attrition). Mergeable over disjoint returnees.
class TransitionMatrix {
 public:
  static constexpr std::string_view none = "none";
  static constexpr std::string_view attrited = "attrited";

  TransitionMatrix(std::string variable, RoundPair pair, std::vector<std::string> labels)
      : variable_(std::move(variable)), pair_(pair), labels_(std::move(labels)) {
    for (const auto& l : labels_)
      if (l == none || l == attrited)
        throw std::invalid_argument(
            "TransitionMatrix: a state may not be called 'none' or 'attrited'");
    rows_.assign(labels_.size() + 1, CategoryCounts(labels_.size() + 2));
  }

  const std::string& variable() const noexcept { return variable_; }
  RoundPair pair() const noexcept { return pair_; }
  std::vector<std::string> from_states() const {
    auto s = labels_;
    s.emplace_back(none);
    return s;
  }
  std::vector<std::string> to_states() const {
    auto s = from_states();
    s.emplace_back(attrited);
    return s;
  }
  /// `from`, `to`: label index or -1 (none); `present_to` false: attrited.
  void add(int from, int to, bool present_to) {
    rows_[index(from)].add(present_to ? index(to) : labels_.size() + 1);
  }
  void merge(const TransitionMatrix& o) {
    if (o.variable_ != variable_ || !(o.pair_ == pair_) || o.labels_ != labels_)
      throw std::invalid_argument("TransitionMatrix::merge: different variable, rounds or states");
    for (std::size_t i = 0; i < rows_.size(); ++i) rows_[i].merge(o.rows_[i]);
  }
  std::uint64_t count(std::size_t from_state, std::size_t to_state) const {
    return rows_.at(from_state).count(to_state);
  }
  std::uint64_t row_total(std::size_t from_state) const { return rows_.at(from_state).total(); }
  /// Share of the row (NaN for an empty row); rows sum to 1 including "attrited".
  double share(std::size_t from_state, std::size_t to_state) const {
    return rows_.at(from_state).share(to_state);
  }

 private:
  std::size_t index(int state) const {
    if (state < -1 || state >= static_cast<int>(labels_.size()))
      throw std::out_of_range("TransitionMatrix::add: state index out of range");
    return state < 0 ? labels_.size() : static_cast<std::size_t>(state);
  }
  std::string variable_;
  RoundPair pair_;
  std::vector<std::string> labels_;
  std::vector<CategoryCounts> rows_;
};

/// Presence of returnees per round. With the rounds r_1 < ... < r_k:
///   present   interviewed in r_j
///   first_seen  interviewed in r_j and in no earlier round (everyone in r_1)
///   retained  interviewed in r_j and r_(j-1)
///   lost      interviewed in r_(j-1), not in r_j
///   returned  interviewed in r_j, not in r_(j-1), but in an earlier round
///   absent    seen in an earlier round, not interviewed in r_j
///   baseline_present  interviewed in r_j and in r_1 (retention = / baseline)
/// so present(r_j) = retained + returned + first_seen and present(r_(j-1)) = retained + lost.
struct AttritionRow {
  std::int64_t round = 0;
  std::uint64_t present = 0, first_seen = 0, retained = 0, lost = 0, returned = 0, absent = 0,
                baseline_present = 0;
};

class Attrition {
 public:
  explicit Attrition(std::vector<std::int64_t> rounds = {}) {
    std::sort(rounds.begin(), rounds.end());
    rounds.erase(std::unique(rounds.begin(), rounds.end()), rounds.end());
    rows_.resize(rounds.size());
    for (std::size_t j = 0; j < rounds.size(); ++j) rows_[j].round = rounds[j];
  }
  /// One returnee: `present[j]` whether interviewed in rounds()[j].
  void add(const std::vector<bool>& present) {
    if (present.size() != rows_.size())
      throw std::invalid_argument("Attrition::add: one flag per round is needed");
    bool seen = false;
    const bool base = !present.empty() && present[0];
    if (base) ++baseline_;
    for (std::size_t j = 0; j < rows_.size(); ++j) {
      auto& r = rows_[j];
      const bool here = present[j], before = j > 0 && present[j - 1];
      if (here) ++r.present;
      if (here && !seen) ++r.first_seen;
      if (here && before) ++r.retained;
      if (!here && before) ++r.lost;
      if (here && !before && seen) ++r.returned;
      if (!here && seen) ++r.absent;
      if (here && base) ++r.baseline_present;
      seen = seen || here;
    }
  }
  void merge(const Attrition& o) {
    if (o.rows_.size() != rows_.size())
      throw std::invalid_argument("Attrition::merge: different rounds");
    for (std::size_t j = 0; j < rows_.size(); ++j) {
      if (o.rows_[j].round != rows_[j].round)
        throw std::invalid_argument("Attrition::merge: different rounds");
      auto& r = rows_[j];
      const auto& s = o.rows_[j];
      r.present += s.present;
      r.first_seen += s.first_seen;
      r.retained += s.retained;
      r.lost += s.lost;
      r.returned += s.returned;
      r.absent += s.absent;
      r.baseline_present += s.baseline_present;
    }
    baseline_ += o.baseline_;
  }
  const std::vector<AttritionRow>& rows() const noexcept { return rows_; }
  std::uint64_t baseline() const noexcept { return baseline_; }  ///< interviewed in the first round
  /// Share of the first round's returnees interviewed in round j (NaN if none).
  double retention(std::size_t j) const {
    return baseline_
               ? static_cast<double>(rows_.at(j).baseline_present) / static_cast<double>(baseline_)
               : std::numeric_limits<double>::quiet_NaN();
  }

 private:
  std::vector<AttritionRow> rows_;
  std::uint64_t baseline_ = 0;
};

// -- the panel --------------------------------------------------------------------------

/// Interviews of returnees over rounds, from a scores table. Add every interview, then
/// ask for changes, per-returnee differences, transitions and attrition. Results do not
/// depend on the order in which interviews were added (returnees are visited in id order).
class Panel {
 public:
  /// `scores`: names of the score columns (e.g. economic, social, psychosocial,
  /// composite); `categories`: the instrument's threshold labels, ascending.
  explicit Panel(std::vector<std::string> scores, std::vector<std::string> categories = {},
                 PanelColumns columns = {})
      : scores_(std::move(scores)), categories_(std::move(categories)), cols_(std::move(columns)) {}

  const std::vector<std::string>& score_names() const noexcept { return scores_; }
  const std::vector<std::string>& category_labels() const noexcept { return categories_; }
  const PanelColumns& columns() const noexcept { return cols_; }

  /// Adds one interview. Throws input_error naming the row and column for an empty id
  /// (missing_id), a weight that is not finite or negative (invalid_weight) and a second
  /// interview of the same returnee in the same round (duplicate_interview, naming both
  /// rows); std::invalid_argument for arguments of the wrong shape.
  void add(const Interview& iv) {
    if (iv.scores.size() != scores_.size())
      throw std::invalid_argument("Panel::add: expected " + std::to_string(scores_.size()) +
                                  " scores, got " + std::to_string(iv.scores.size()));
    if (iv.category < -1 || iv.category >= static_cast<int>(categories_.size()))
      throw std::invalid_argument("Panel::add: category index out of range");
    if (iv.status < -1 || iv.status >= static_cast<int>(status_names.size()))
      throw std::invalid_argument("Panel::add: status index out of range");
    if (detail::trim(iv.id).empty())
      throw input_error("missing_id", "returnee id is empty", iv.row, cols_.id);
    if (!std::isfinite(iv.weight) || iv.weight < 0)
      throw input_error("invalid_weight", "weight is empty, not a number or negative", iv.row,
                        cols_.weight.empty() ? std::string("weight") : cols_.weight);
    const auto [it, inserted] = index_.try_emplace(std::string(iv.id), ids_.size());
    if (inserted) {
      ids_.emplace_back(iv.id);
      by_returnee_.emplace_back();
    }
    auto& mine = by_returnee_[it->second];
    for (const auto k : mine)
      if (round_[k] == iv.round)
        throw input_error("duplicate_interview",
                          "the same returnee has another interview in the same round (column '" +
                              cols_.round + "') in row " + std::to_string(row_[k]) +
                              "; keep one interview per returnee and round",
                          iv.row, cols_.id);
    const auto k = round_.size();
    mine.push_back(k);
    returnee_.push_back(it->second);
    round_.push_back(iv.round);
    values_.insert(values_.end(), iv.scores.begin(), iv.scores.end());
    category_.push_back(iv.category);
    status_.push_back(iv.status);
    weight_.push_back(iv.weight);
    months_.push_back(iv.months);
    row_.push_back(iv.row);
  }

  /// Months since return of an interview (reinscore::months_since_return), recording
  /// problems in problems().
  double months_since_return(std::string_view interview_date, std::string_view return_date,
                             std::uint64_t row) {
    return reinscore::months_since_return(interview_date, return_date, row, cols_, problems_);
  }

  void problem(std::uint64_t row, const std::string& column, const std::string& rule,
               const std::string& message) {
    problems_.push_back(make_problem(row, column, rule, message));
  }
  const std::vector<PanelProblem>& problems() const noexcept { return problems_; }

  std::size_t interviews() const noexcept { return round_.size(); }
  std::size_t returnees() const noexcept { return ids_.size(); }
  const std::string& id(std::size_t returnee) const { return ids_.at(returnee); }
  /// Months since return of the k-th added interview (NaN when unknown).
  double months(std::size_t interview) const { return months_.at(interview); }

  /// The distinct rounds, ascending.
  std::vector<std::int64_t> rounds() const {
    std::vector<std::int64_t> r = round_;
    std::sort(r.begin(), r.end());
    r.erase(std::unique(r.begin(), r.end()), r.end());
    return r;
  }

  /// Each consecutive pair of the rounds present, then first to last when there are more
  /// than two rounds.
  std::vector<RoundPair> default_pairs() const {
    const auto r = rounds();
    std::vector<RoundPair> out;
    for (std::size_t j = 1; j < r.size(); ++j) out.push_back({r[j - 1], r[j]});
    if (r.size() > 2) out.push_back({r.front(), r.back()});
    return out;
  }

  /// Throws input_error (unknown_round, round_order) unless both rounds are present and
  /// from < to.
  void check_pair(RoundPair p) const {
    const auto r = rounds();
    if (!std::binary_search(r.begin(), r.end(), p.from) ||
        !std::binary_search(r.begin(), r.end(), p.to))
      throw input_error("unknown_round", "a requested round has no interviews", 0, cols_.round);
    if (!(p.from < p.to))
      throw input_error("round_order", "the first round of a pair must be the earlier one", 0,
                        cols_.round);
  }

  /// Per returnee interviewed in both rounds of each pair, in pair order then id order.
  std::vector<ReturneeChange> per_returnee(const std::vector<RoundPair>& pairs) const {
    std::vector<ReturneeChange> out;
    for (const auto p : pairs) {
      check_pair(p);
      for (const auto i : order()) {
        const auto a = find(i, p.from), b = find(i, p.to);
        if (!a || !b) continue;
        ReturneeChange c;
        c.returnee = i;
        c.pair = p;
        c.row_from = row_[*a];
        c.row_to = row_[*b];
        c.change.resize(scores_.size());
        for (std::size_t s = 0; s < scores_.size(); ++s) c.change[s] = value(*b, s) - value(*a, s);
        c.months_from = months_[*a];
        c.months_to = months_[*b];
        c.weight = weight_[*b];
        c.category_from = category_[*a];
        c.category_to = category_[*b];
        c.status_from = status_[*a];
        c.status_to = status_[*b];
        out.push_back(std::move(c));
      }
    }
    return out;
  }

  /// Mergeable accumulators of one pair: one ChangeMoments per score, months, counts.
  struct PairAccumulator {
    RoundPair pair;
    std::uint64_t pairs = 0;
    std::vector<ChangeMoments> scores;
    Moments months_from, months_to;
    void merge(const PairAccumulator& o) {
      if (!(o.pair == pair) || o.scores.size() != scores.size())
        throw std::invalid_argument("PairAccumulator::merge: different pair or scores");
      pairs += o.pairs;
      for (std::size_t s = 0; s < scores.size(); ++s) scores[s].merge(o.scores[s]);
      months_from.merge(o.months_from);
      months_to.merge(o.months_to);
    }
  };

  PairAccumulator accumulate(RoundPair p) const {
    check_pair(p);
    PairAccumulator acc;
    acc.pair = p;
    acc.scores.resize(scores_.size());
    for (const auto i : order()) {
      const auto a = find(i, p.from), b = find(i, p.to);
      if (!a || !b) continue;
      ++acc.pairs;
      const double w = weight_[*b];
      for (std::size_t s = 0; s < scores_.size(); ++s)
        acc.scores[s].add(value(*a, s), value(*b, s), w);
      acc.months_from.add(months_[*a], w);
      acc.months_to.add(months_[*b], w);
    }
    return acc;
  }

  /// One row per pair and score, in pair order then score order.
  static std::vector<ChangeSummary> summarise(const PairAccumulator& acc, double level = 0.95) {
    std::vector<ChangeSummary> out;
    for (std::size_t s = 0; s < acc.scores.size(); ++s) {
      ChangeSummary c;
      c.pair = acc.pair;
      c.score = s;
      c.pairs = acc.pairs;
      c.missing = acc.scores[s].missing();
      c.mean_from = acc.scores[s].mean_from();
      c.mean_to = acc.scores[s].mean_to();
      c.change = acc.scores[s].estimate(level);
      c.months_from = acc.months_from.mean();
      c.months_to = acc.months_to.mean();
      out.push_back(c);
    }
    return out;
  }

  std::vector<ChangeSummary> changes(const std::vector<RoundPair>& pairs,
                                     double level = 0.95) const {
    std::vector<ChangeSummary> out;
    for (const auto p : pairs) {
      const auto rows = summarise(accumulate(p), level);
      out.insert(out.end(), rows.begin(), rows.end());
    }
    return out;
  }

  /// Transitions of the category (labels: category_labels()) or status (status_names).
  TransitionMatrix transitions(RoundPair p, TransitionVariable v) const {
    check_pair(p);
    const bool cat = v == TransitionVariable::category;
    std::vector<std::string> labels =
        cat ? categories_ : std::vector<std::string>(status_names.begin(), status_names.end());
    TransitionMatrix m(cat ? "category" : "status", p, std::move(labels));
    const auto& state = cat ? category_ : status_;
    for (const auto i : order()) {
      const auto a = find(i, p.from);
      if (!a) continue;
      const auto b = find(i, p.to);
      m.add(state[*a], b ? state[*b] : -1, b.has_value());
    }
    return m;
  }

  /// Attrition over `rounds` (default: all rounds present, ascending).
  Attrition attrition(std::vector<std::int64_t> rounds = {}) const {
    if (rounds.empty()) rounds = this->rounds();
    Attrition a(rounds);
    const auto& r = a.rows();
    std::vector<bool> present(r.size());
    for (const auto i : order()) {
      for (std::size_t j = 0; j < r.size(); ++j) present[j] = find(i, r[j].round).has_value();
      a.add(present);
    }
    return a;
  }

 private:
  double value(std::size_t k, std::size_t s) const { return values_[k * scores_.size() + s]; }
  std::optional<std::size_t> find(std::size_t returnee, std::int64_t round) const {
    for (const auto k : by_returnee_[returnee])
      if (round_[k] == round) return k;
    return std::nullopt;
  }
  /// Returnees in id order: results independent of the order rows were added.
  std::vector<std::size_t> order() const {
    std::vector<std::size_t> o(ids_.size());
    for (std::size_t i = 0; i < o.size(); ++i) o[i] = i;
    std::sort(o.begin(), o.end(), [&](std::size_t a, std::size_t b) { return ids_[a] < ids_[b]; });
    return o;
  }

  std::vector<std::string> scores_, categories_;
  PanelColumns cols_;
  std::vector<std::string> ids_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::vector<std::size_t>> by_returnee_;
  std::vector<std::size_t> returnee_;
  std::vector<std::int64_t> round_;
  std::vector<double> values_;
  std::vector<int> category_, status_;
  std::vector<double> weight_, months_;
  std::vector<std::uint64_t> row_;
  std::vector<PanelProblem> problems_;
};

}  // namespace reinscore
