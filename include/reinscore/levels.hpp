// Levels of the integrated approach (docs/levels.md): individual scores aggregated to
// communities and countries, the gap between returnees and non-migrant residents of the
// same community, community and structural framework scores linked to every interview
// by its keys, and the integrated index over the three levels.
//
// Everything here works on scores already computed by the Scorer (one matrix per level,
// columns = the dimensions then the composite); reading files and scoring them is the
// job of the command line and the Python package. Keys that do not match are never
// dropped: every interview keeps its row, and each mismatch is listed in
// LevelResult::problems with the rows concerned.
#pragma once

#include <reinscore/detail/strings.hpp>
#include <reinscore/error.hpp>
#include <reinscore/instrument.hpp>
#include <reinscore/scorer.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace reinscore {

/// The 97.5 % quantile of the standard normal distribution (two-sided 95 % intervals).
inline constexpr double normal_quantile_975 = 1.959963984540054;

/// Scores of the units of one level (communities or countries): one row per unit, as
/// scored from a framework (community.json, structural-gcm21.json).
struct UnitScores {
  std::vector<std::string> key;    ///< unit key per row (community id, country code)
  std::vector<std::uint64_t> row;  ///< source row (spreadsheet numbering, header = 1); empty: r + 2
  Eigen::MatrixXd scores;          ///< rows x S: the dimensions, then the composite; NaN missing
  std::vector<Status> status;      ///< per row; empty when not known
  std::vector<std::string> parent;  ///< communities: their country (empty vector or cell: unknown)
};

/// People: returnees (with community and country) or non-migrant residents of the
/// communities of return (community only).
struct PeopleScores {
  std::vector<std::string> community;
  std::vector<std::string> country;          ///< returnees; empty for residents
  std::vector<double> weight;                ///< survey weights (finite, > 0); empty: 1 each
  std::vector<std::vector<std::string>> by;  ///< grouping columns, each one value per row
  std::vector<std::uint64_t> row;            ///< source row (header = 1); empty: r + 2
  Eigen::MatrixXd scores;                    ///< rows x S, like UnitScores::scores
};

/// Everything integrate_levels() needs. Column names are used in problems only.
struct LevelInput {
  std::vector<std::string> score_names;  ///< the D dimensions, then "composite"
  std::string community_column = "community_id";
  std::string country_column = "country";
  std::string weight_column = "weight";
  std::vector<std::string> by_columns;  ///< names of PeopleScores::by of the returnees
  PeopleScores returnees;
  std::optional<PeopleScores> hosts;
  UnitScores communities;
  UnitScores countries;
  Integration settings;  ///< level weights, min_respondents, min_level_share
  /// Shares above: a score counts when >= threshold (1e-12 tolerance); NaN: no shares.
  double threshold = std::numeric_limits<double>::quiet_NaN();
};

/// A key that does not match, or a unit that cannot be used: never silent.
struct LevelProblem {
  std::string rule;                 ///< missing_key, community_not_found, country_not_found, ...
  std::string source;               ///< where the rows are: individual, host, community, structural
  std::string column;               ///< the key column concerned
  std::string key;                  ///< the key (empty for missing_key)
  std::vector<std::uint64_t> rows;  ///< rows of `source` (header = 1)
};

using CountMatrix = Eigen::Matrix<std::uint64_t, Eigen::Dynamic, Eigen::Dynamic>;

/// Per interview, in input order: the community and structural cells of the 3x3 matrix
/// (the individual cells are the input itself) and the integrated scores.
struct InterviewLevels {
  Eigen::MatrixXd community, structural;  ///< n x S; NaN when the key does not match
  Eigen::MatrixXd integrated;             ///< n x S; NaN below min_level_share
  Eigen::MatrixXd level_share;            ///< n x S: level weight with a score / all level weight
  std::vector<int> community_status, structural_status;  ///< Status, -1 when not matched
  std::vector<std::string> problems;  ///< "rule: column; ..." per interview, empty if none
};

/// Roll-ups per (group, community) or per (group, country). Values computed from fewer
/// than min_respondents people are NaN (the front ends also blank their counts).
struct LevelRollup {
  std::vector<std::size_t> group;        ///< index into LevelResult::groups
  std::vector<std::string> key;          ///< community id or country
  std::vector<std::string> parent;       ///< communities: their country; countries: empty
  std::vector<std::uint64_t> units;      ///< countries: communities of that country; communities: 0
  std::vector<std::uint64_t> n;          ///< returnee interviews of the unit (and group)
  std::vector<std::uint8_t> suppressed;  ///< n < min_respondents
  CountMatrix n_score;                   ///< interviews with each score
  Eigen::MatrixXd individual;            ///< weighted mean of the returnees' scores
  Eigen::MatrixXd share_above;           ///< weighted share with score >= threshold
  std::vector<std::uint64_t> host_n;     ///< non-migrant residents
  std::vector<std::uint8_t> host_suppressed;
  CountMatrix host_n_score;
  Eigen::MatrixXd host_mean;                       ///< mean of the residents' scores
  Eigen::MatrixXd gap, gap_se, gap_low, gap_high;  ///< returnees - residents, Welch SE, 95 % CI
  Eigen::MatrixXd community;   ///< community level (framework, or returnee-weighted)
  Eigen::MatrixXd structural;  ///< structural level of the (parent) country
  Eigen::MatrixXd integrated, level_share;
  std::vector<int> community_status, structural_status;  ///< Status of the unit's row, -1 none
  std::vector<std::string> problems;

  std::size_t rows() const noexcept { return key.size(); }
};

struct LevelResult {
  /// The groups' values (one per by column), sorted; one group with no values without by.
  std::vector<std::vector<std::string>> groups;
  InterviewLevels interviews;
  LevelRollup communities, countries;
  std::vector<LevelProblem> problems;
};

/// The integrated value of one score over the three levels (docs/levels.md):
/// value = sum w_l x_l / sum w_l over the levels with a score and a positive weight;
/// share = that available weight / all level weight; value is NaN when share <
/// min_level_share (1e-12 tolerance) or no level has a score.
struct LevelCombination {
  double value = std::numeric_limits<double>::quiet_NaN();
  double share = 0;
};

inline LevelCombination combine_levels(const std::array<double, 3>& x, const Integration& g) {
  double total = 0, avail = 0, sum = 0;
  for (std::size_t l = 0; l < 3; ++l) {
    const double w = g.level_weights[l];
    total += w;
    if (w > 0 && !std::isnan(x[l])) {
      avail += w;
      sum += w * x[l];
    }
  }
  LevelCombination out;
  out.share = total > 0 ? avail / total : 0;
  if (avail > 0 && out.share >= g.min_level_share - 1e-12) out.value = sum / avail;
  return out;
}

/// Difference of two independent means with the unpooled (Welch) standard error
/// sqrt(v1 + v2), v = variance of each mean, and the normal 95 % interval.
struct GapEstimate {
  double gap = std::numeric_limits<double>::quiet_NaN();
  double se = std::numeric_limits<double>::quiet_NaN();
  double low = std::numeric_limits<double>::quiet_NaN();
  double high = std::numeric_limits<double>::quiet_NaN();
};

inline GapEstimate welch_gap(double mean1, double var_mean1, double mean2, double var_mean2) {
  GapEstimate e;
  if (std::isnan(mean1) || std::isnan(mean2)) return e;
  e.gap = mean1 - mean2;
  if (std::isnan(var_mean1) || std::isnan(var_mean2)) return e;
  e.se = std::sqrt(var_mean1 + var_mean2);
  e.low = e.gap - normal_quantile_975 * e.se;
  e.high = e.gap + normal_quantile_975 * e.se;
  return e;
}

/// Weighted statistics of one score per unit: count, mean, share above a threshold and
/// the variance of the mean, v = n/(n-1) * sum w^2 (x - m)^2 / (sum w)^2 (the
/// linearisation variance of a weighted mean; s^2/n with equal weights), NaN for n < 2.
struct GroupStats {
  std::vector<std::uint64_t> n;  ///< rows assigned to the unit
  CountMatrix n_score;           ///< rows with each score
  Eigen::MatrixXd mean, share, var_mean;
};

/// `unit[r]` is the unit of row r, or npos to leave the row out; `w` empty means 1 each.
inline GroupStats group_stats(const Eigen::MatrixXd& x, const std::vector<double>& w,
                              const std::vector<std::size_t>& unit, std::size_t units,
                              double threshold) {
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  const auto U = static_cast<Eigen::Index>(units);
  const Eigen::Index S = x.cols();
  GroupStats g;
  g.n.assign(units, 0);
  g.n_score = CountMatrix::Zero(U, S);
  Eigen::MatrixXd sw = Eigen::MatrixXd::Zero(U, S), swx = sw, above = sw, ss = sw;
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    const std::size_t u = unit[static_cast<std::size_t>(r)];
    if (u == none) continue;
    const auto ui = static_cast<Eigen::Index>(u);
    ++g.n[u];
    const double wr = w.empty() ? 1.0 : w[static_cast<std::size_t>(r)];
    for (Eigen::Index s = 0; s < S; ++s) {
      const double v = x(r, s);
      if (std::isnan(v)) continue;
      ++g.n_score(ui, s);
      sw(ui, s) += wr;
      swx(ui, s) += wr * v;
      if (v >= threshold - 1e-12) above(ui, s) += wr;
    }
  }
  g.mean = Eigen::MatrixXd::Constant(U, S, nan);
  g.share = g.mean;
  g.var_mean = g.mean;
  for (Eigen::Index u = 0; u < U; ++u)
    for (Eigen::Index s = 0; s < S; ++s)
      if (g.n_score(u, s) > 0) {
        g.mean(u, s) = swx(u, s) / sw(u, s);
        if (!std::isnan(threshold)) g.share(u, s) = above(u, s) / sw(u, s);
      }
  for (Eigen::Index r = 0; r < x.rows(); ++r) {  // second pass: residuals about the mean
    const std::size_t u = unit[static_cast<std::size_t>(r)];
    if (u == none) continue;
    const auto ui = static_cast<Eigen::Index>(u);
    const double wr = w.empty() ? 1.0 : w[static_cast<std::size_t>(r)];
    for (Eigen::Index s = 0; s < S; ++s) {
      const double v = x(r, s);
      if (std::isnan(v)) continue;
      const double d = wr * (v - g.mean(ui, s));
      ss(ui, s) += d * d;
    }
  }
  for (Eigen::Index u = 0; u < U; ++u)
    for (Eigen::Index s = 0; s < S; ++s) {
      const auto k = static_cast<double>(g.n_score(u, s));
      if (k >= 2) g.var_mean(u, s) = k / (k - 1) * ss(u, s) / (sw(u, s) * sw(u, s));
    }
  return g;
}

namespace detail {

inline std::uint64_t source_row(const std::vector<std::uint64_t>& rows, std::size_t r) {
  return rows.empty() ? static_cast<std::uint64_t>(r) + 2 : rows[r];
}

inline std::string clean_key(std::string_view s) { return std::string(trim(s)); }

/// Collects problems by (rule, source, column, key), in the order first seen.
class ProblemList {
 public:
  void add(const std::string& rule, const std::string& source, const std::string& column,
           const std::string& key, std::uint64_t row) {
    const auto id = std::make_tuple(rule, source, column, key);
    const auto [it, fresh] = index_.emplace(id, list_.size());
    if (fresh) list_.push_back(LevelProblem{rule, source, column, key, {}});
    list_[it->second].rows.push_back(row);
  }
  std::vector<LevelProblem> take() { return std::move(list_); }

 private:
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::size_t> index_;
  std::vector<LevelProblem> list_;
};

inline void append_problem(std::string& text, const std::string& rule, const std::string& what) {
  if (!text.empty()) text += "; ";
  text += rule;
  if (!what.empty()) text += ": " + what;
}

inline void check_people(const PeopleScores& p, std::size_t S, bool with_country,
                         const LevelInput& in, const char* what) {
  const auto n = static_cast<std::size_t>(p.scores.rows());
  const std::string name(what);
  if (static_cast<std::size_t>(p.scores.cols()) != S)
    throw std::invalid_argument("integrate_levels: " + name +
                                " scores need one column per score name");
  if (p.community.size() != n || (with_country && p.country.size() != n) ||
      (!p.weight.empty() && p.weight.size() != n) || (!p.row.empty() && p.row.size() != n))
    throw std::invalid_argument("integrate_levels: " + name +
                                " columns must have one entry per row");
  for (const auto& b : p.by)
    if (b.size() != n)
      throw std::invalid_argument("integrate_levels: " + name +
                                  " by columns must have one entry per row");
  for (std::size_t r = 0; r < n; ++r) {
    if (!p.weight.empty() && !(std::isfinite(p.weight[r]) && p.weight[r] > 0))
      throw input_error("invalid_weight", "weight is empty, not a number, zero or negative",
                        source_row(p.row, r), in.weight_column);
    for (std::size_t s = 0; s < S; ++s) {
      const double v = p.scores(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(s));
      if (!std::isnan(v) && !(v >= 0 && v <= 1))
        throw input_error("score_out_of_range", "score must lie in [0, 1]", source_row(p.row, r),
                          in.score_names[s]);
    }
  }
}

/// Key -> row of a unit table; empty keys are reported, duplicates are an error.
inline std::unordered_map<std::string, std::size_t> index_units(const UnitScores& t, std::size_t S,
                                                                const std::string& column,
                                                                const char* source,
                                                                ProblemList& problems) {
  const std::size_t n = t.key.size();
  if (static_cast<std::size_t>(t.scores.rows()) != n ||
      static_cast<std::size_t>(t.scores.cols()) != S || (!t.row.empty() && t.row.size() != n) ||
      (!t.status.empty() && t.status.size() != n) || (!t.parent.empty() && t.parent.size() != n))
    throw std::invalid_argument(
        std::string("integrate_levels: ") + source +
        " table needs one key, row and score row per unit and one column per score name");
  std::unordered_map<std::string, std::size_t> idx;
  for (std::size_t r = 0; r < n; ++r) {
    const std::string k = clean_key(t.key[r]);
    if (k.empty()) {
      problems.add("missing_key", source, column, "", source_row(t.row, r));
      continue;
    }
    const auto [it, fresh] = idx.emplace(k, r);
    if (!fresh)
      throw input_error("duplicate_key",
                        "the same " + std::string(source) +
                            " key is on more than one row (first on row " +
                            std::to_string(source_row(t.row, it->second)) + ")",
                        source_row(t.row, r), column);
  }
  return idx;
}

/// Sorted distinct keys and the position of each.
struct KeySet {
  std::vector<std::string> keys;
  std::unordered_map<std::string, std::size_t> pos;
  void build(const std::map<std::string, int>& sorted) {
    for (const auto& kv : sorted) {
      pos.emplace(kv.first, keys.size());
      keys.push_back(kv.first);
    }
  }
  std::size_t find(const std::string& k) const {
    const auto it = pos.find(k);
    return it == pos.end() ? static_cast<std::size_t>(-1) : it->second;
  }
};

inline void resize_rollup(LevelRollup& R, std::size_t rows, Eigen::Index S) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  const auto n = static_cast<Eigen::Index>(rows);
  R.group.assign(rows, 0);
  R.key.assign(rows, {});
  R.parent.assign(rows, {});
  R.units.assign(rows, 0);
  R.n.assign(rows, 0);
  R.suppressed.assign(rows, 0);
  R.n_score = CountMatrix::Zero(n, S);
  R.host_n.assign(rows, 0);
  R.host_suppressed.assign(rows, 0);
  R.host_n_score = CountMatrix::Zero(n, S);
  for (auto* m : {&R.individual, &R.share_above, &R.host_mean, &R.gap, &R.gap_se, &R.gap_low,
                  &R.gap_high, &R.community, &R.structural, &R.integrated, &R.level_share})
    *m = Eigen::MatrixXd::Constant(n, S, nan);
  R.community_status.assign(rows, -1);
  R.structural_status.assign(rows, -1);
  R.problems.assign(rows, {});
}

}  // namespace detail

/// Links the levels and computes every table of docs/levels.md. Throws input_error for
/// data that cannot be used at all (duplicate unit keys, weights that are not positive,
/// scores outside [0, 1]) and std::invalid_argument for inconsistent arguments.
inline LevelResult integrate_levels(const LevelInput& in) {
  using detail::source_row;
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  const std::size_t S = in.score_names.size();
  if (S < 2)
    throw std::invalid_argument(
        "integrate_levels: score names must be the dimensions and the composite");
  const Eigen::Index Si = static_cast<Eigen::Index>(S);
  const Integration& g = in.settings;
  const std::uint64_t min_n = g.min_respondents;
  const PeopleScores& ret = in.returnees;
  const auto N = static_cast<std::size_t>(ret.scores.rows());
  detail::check_people(ret, S, true, in, "returnee");
  if (ret.by.size() != in.by_columns.size())
    throw std::invalid_argument("integrate_levels: one name per by column is needed");
  if (in.hosts) {
    detail::check_people(*in.hosts, S, false, in, "host");
    if (!in.hosts->by.empty())
      throw std::invalid_argument("integrate_levels: residents take no by columns");
  }

  detail::ProblemList problems;
  const auto com_idx =
      detail::index_units(in.communities, S, in.community_column, "community", problems);
  const auto cty_idx =
      detail::index_units(in.countries, S, in.country_column, "structural", problems);

  LevelResult out;

  // Groups (by columns), sorted.
  std::vector<std::size_t> row_group(N, 0);
  {
    std::map<std::vector<std::string>, std::size_t> gmap;
    std::vector<std::vector<std::string>> vals(N, std::vector<std::string>(ret.by.size()));
    for (std::size_t r = 0; r < N; ++r) {
      for (std::size_t b = 0; b < ret.by.size(); ++b) vals[r][b] = ret.by[b][r];
      gmap.emplace(vals[r], 0);
    }
    if (gmap.empty()) gmap.emplace(std::vector<std::string>(ret.by.size()), 0);
    for (auto& kv : gmap) {
      kv.second = out.groups.size();
      out.groups.push_back(kv.first);
    }
    for (std::size_t r = 0; r < N; ++r) row_group[r] = gmap.at(vals[r]);
  }
  const std::size_t G = out.groups.size();

  // Keys of returnees; every community and country that appears anywhere gets a row.
  std::vector<std::string> r_com(N), r_cty(N);
  std::map<std::string, int> com_keys, cty_keys;
  for (const auto& kv : com_idx) com_keys.emplace(kv.first, 0);
  for (const auto& kv : cty_idx) cty_keys.emplace(kv.first, 0);
  for (std::size_t r = 0; r < N; ++r) {
    r_com[r] = detail::clean_key(ret.community[r]);
    r_cty[r] = detail::clean_key(ret.country[r]);
    if (!r_com[r].empty()) com_keys.emplace(r_com[r], 0);
    if (!r_cty[r].empty()) cty_keys.emplace(r_cty[r], 0);
  }
  std::vector<std::string> h_com;
  if (in.hosts) {
    h_com.resize(static_cast<std::size_t>(in.hosts->scores.rows()));
    for (std::size_t r = 0; r < h_com.size(); ++r) {
      h_com[r] = detail::clean_key(in.hosts->community[r]);
      if (!h_com[r].empty()) com_keys.emplace(h_com[r], 0);
    }
  }
  // Each community's country: the community table's, else its first returnee's.
  std::map<std::string, std::string> com_parent;
  for (const auto& [k, r] : com_idx)
    if (!in.communities.parent.empty()) {
      const std::string p = detail::clean_key(in.communities.parent[r]);
      if (!p.empty()) com_parent[k] = p;
    }
  for (std::size_t r = 0; r < N; ++r)
    if (!r_com[r].empty() && !r_cty[r].empty()) com_parent.emplace(r_com[r], r_cty[r]);
  for (const auto& kv : com_parent) cty_keys.emplace(kv.second, 0);

  detail::KeySet coms, ctys;
  coms.build(com_keys);
  ctys.build(cty_keys);
  const std::size_t K = coms.keys.size(), C = ctys.keys.size();

  // --- per interview --------------------------------------------------------------------
  InterviewLevels& iv = out.interviews;
  const auto Ni = static_cast<Eigen::Index>(N);
  iv.community = Eigen::MatrixXd::Constant(Ni, Si, nan);
  iv.structural = iv.community;
  iv.integrated = iv.community;
  iv.level_share = Eigen::MatrixXd::Zero(Ni, Si);
  iv.community_status.assign(N, -1);
  iv.structural_status.assign(N, -1);
  iv.problems.assign(N, {});
  std::vector<std::size_t> r_com_pos(N, none), r_cty_pos(N, none);
  std::vector<std::uint8_t> com_has_returnees(K, 0), cty_has_returnees(C, 0);
  for (std::size_t r = 0; r < N; ++r) {
    const auto ri = static_cast<Eigen::Index>(r);
    const std::uint64_t row = source_row(ret.row, r);
    std::string& text = iv.problems[r];
    if (r_com[r].empty()) {
      problems.add("missing_key", "individual", in.community_column, "", row);
      detail::append_problem(text, "missing_key", in.community_column);
    } else {
      r_com_pos[r] = coms.find(r_com[r]);
      com_has_returnees[r_com_pos[r]] = 1;
      const auto it = com_idx.find(r_com[r]);
      if (it == com_idx.end()) {
        problems.add("community_not_found", "individual", in.community_column, r_com[r], row);
        detail::append_problem(text, "community_not_found", in.community_column);
      } else {
        const auto cr = static_cast<Eigen::Index>(it->second);
        iv.community.row(ri) = in.communities.scores.row(cr);
        if (!in.communities.status.empty())
          iv.community_status[r] = static_cast<int>(in.communities.status[it->second]);
        if (std::isnan(in.communities.scores(cr, Si - 1)))
          detail::append_problem(text, "unscored_unit", in.community_column);
      }
    }
    if (r_cty[r].empty()) {
      problems.add("missing_key", "individual", in.country_column, "", row);
      detail::append_problem(text, "missing_key", in.country_column);
    } else {
      r_cty_pos[r] = ctys.find(r_cty[r]);
      cty_has_returnees[r_cty_pos[r]] = 1;
      const auto it = cty_idx.find(r_cty[r]);
      if (it == cty_idx.end()) {
        problems.add("country_not_found", "individual", in.country_column, r_cty[r], row);
        detail::append_problem(text, "country_not_found", in.country_column);
      } else {
        const auto sr = static_cast<Eigen::Index>(it->second);
        iv.structural.row(ri) = in.countries.scores.row(sr);
        if (!in.countries.status.empty())
          iv.structural_status[r] = static_cast<int>(in.countries.status[it->second]);
        if (std::isnan(in.countries.scores(sr, Si - 1)))
          detail::append_problem(text, "unscored_unit", in.country_column);
      }
    }
    if (!r_com[r].empty() && !r_cty[r].empty()) {
      const auto p = com_parent.find(r_com[r]);
      if (p != com_parent.end() && p->second != r_cty[r]) {
        problems.add("country_mismatch", "individual", in.country_column, r_com[r], row);
        detail::append_problem(text, "country_mismatch", in.country_column);
      }
    }
    for (Eigen::Index s = 0; s < Si; ++s) {
      const auto c =
          combine_levels({ret.scores(ri, s), iv.community(ri, s), iv.structural(ri, s)}, g);
      iv.integrated(ri, s) = c.value;
      iv.level_share(ri, s) = c.share;
    }
  }

  // Residents: keys only reported here; their statistics follow per unit.
  std::vector<std::size_t> h_com_pos(h_com.size(), none), h_cty_pos(h_com.size(), none);
  for (std::size_t r = 0; r < h_com.size(); ++r) {
    const std::uint64_t row = source_row(in.hosts->row, r);
    if (h_com[r].empty()) {
      problems.add("missing_key", "host", in.community_column, "", row);
      continue;
    }
    h_com_pos[r] = coms.find(h_com[r]);
    if (!com_idx.count(h_com[r]))
      problems.add("community_not_found", "host", in.community_column, h_com[r], row);
    const auto p = com_parent.find(h_com[r]);
    if (p != com_parent.end()) h_cty_pos[r] = ctys.find(p->second);
  }

  // Units of the level tables that no returnee links to, and units without scores.
  for (std::size_t r = 0; r < in.communities.key.size(); ++r) {
    const std::string k = detail::clean_key(in.communities.key[r]);
    if (k.empty()) continue;
    const std::uint64_t row = source_row(in.communities.row, r);
    if (!com_has_returnees[coms.find(k)])
      problems.add("community_without_returnees", "community", in.community_column, k, row);
    if (std::isnan(in.communities.scores(static_cast<Eigen::Index>(r), Si - 1)))
      problems.add("unscored_unit", "community", in.community_column, k, row);
    const auto p = com_parent.find(k);
    if (p != com_parent.end() && !cty_idx.count(p->second))
      problems.add("country_not_found", "community", in.country_column, p->second, row);
  }
  for (std::size_t r = 0; r < in.countries.key.size(); ++r) {
    const std::string k = detail::clean_key(in.countries.key[r]);
    if (k.empty()) continue;
    const std::uint64_t row = source_row(in.countries.row, r);
    if (!cty_has_returnees[ctys.find(k)])
      problems.add("country_without_returnees", "structural", in.country_column, k, row);
    if (std::isnan(in.countries.scores(static_cast<Eigen::Index>(r), Si - 1)))
      problems.add("unscored_unit", "structural", in.country_column, k, row);
  }

  // --- statistics per (group, unit) -------------------------------------------------------
  std::vector<std::size_t> unit_com(N, none), unit_cty(N, none);
  for (std::size_t r = 0; r < N; ++r) {
    if (r_com_pos[r] != none) unit_com[r] = row_group[r] * K + r_com_pos[r];
    if (r_cty_pos[r] != none) unit_cty[r] = row_group[r] * C + r_cty_pos[r];
  }
  const GroupStats ret_com = group_stats(ret.scores, ret.weight, unit_com, G * K, in.threshold);
  const GroupStats ret_cty = group_stats(ret.scores, ret.weight, unit_cty, G * C, in.threshold);
  // The community level of a country: its returnees' communities, weighted like them.
  const GroupStats com_cty = group_stats(iv.community, ret.weight, unit_cty, G * C, nan);
  std::optional<GroupStats> host_com, host_cty;
  if (in.hosts) {
    host_com = group_stats(in.hosts->scores, in.hosts->weight, h_com_pos, K, nan);
    host_cty = group_stats(in.hosts->scores, in.hosts->weight, h_cty_pos, C, nan);
  }

  const auto fill = [&](LevelRollup& R, std::size_t units, const GroupStats& rs,
                        const std::optional<GroupStats>& hs, const auto& per_unit) {
    detail::resize_rollup(R, G * units, Si);
    for (std::size_t gi = 0; gi < G; ++gi)
      for (std::size_t u = 0; u < units; ++u) {
        const std::size_t i = gi * units + u;
        const auto ii = static_cast<Eigen::Index>(i);
        R.group[i] = gi;
        R.n[i] = rs.n[i];
        R.suppressed[i] = rs.n[i] < min_n;
        R.n_score.row(ii) = rs.n_score.row(ii);
        for (Eigen::Index s = 0; s < Si; ++s)
          if (!R.suppressed[i] && rs.n_score(ii, s) >= min_n) {
            R.individual(ii, s) = rs.mean(ii, s);
            R.share_above(ii, s) = rs.share(ii, s);
          }
        if (hs) {
          const auto ui = static_cast<Eigen::Index>(u);
          R.host_n[i] = hs->n[u];
          R.host_suppressed[i] = hs->n[u] < min_n;
          R.host_n_score.row(ii) = hs->n_score.row(ui);
          for (Eigen::Index s = 0; s < Si; ++s) {
            if (R.host_suppressed[i] || hs->n_score(ui, s) < min_n) continue;
            R.host_mean(ii, s) = hs->mean(ui, s);
            if (std::isnan(R.individual(ii, s))) continue;
            const auto e =
                welch_gap(rs.mean(ii, s), rs.var_mean(ii, s), hs->mean(ui, s), hs->var_mean(ui, s));
            R.gap(ii, s) = e.gap;
            R.gap_se(ii, s) = e.se;
            R.gap_low(ii, s) = e.low;
            R.gap_high(ii, s) = e.high;
          }
        }
        per_unit(i, u);
        for (Eigen::Index s = 0; s < Si; ++s) {
          const auto c =
              combine_levels({R.individual(ii, s), R.community(ii, s), R.structural(ii, s)}, g);
          R.integrated(ii, s) = c.value;
          R.level_share(ii, s) = c.share;
        }
      }
  };

  std::map<std::string, std::uint64_t> communities_per_country;
  for (std::size_t k = 0; k < K; ++k) {
    const auto p = com_parent.find(coms.keys[k]);
    if (p != com_parent.end()) ++communities_per_country[p->second];
  }

  fill(out.communities, K, ret_com, host_com, [&](std::size_t i, std::size_t u) {
    LevelRollup& R = out.communities;
    const auto ii = static_cast<Eigen::Index>(i);
    const std::string& k = coms.keys[u];
    R.key[i] = k;
    std::string& text = R.problems[i];
    const auto it = com_idx.find(k);
    if (it == com_idx.end()) {
      detail::append_problem(text, "community_not_found", in.community_column);
    } else {
      R.community.row(ii) = in.communities.scores.row(static_cast<Eigen::Index>(it->second));
      if (!in.communities.status.empty())
        R.community_status[i] = static_cast<int>(in.communities.status[it->second]);
      if (std::isnan(R.community(ii, Si - 1)))
        detail::append_problem(text, "unscored_unit", in.community_column);
    }
    if (!com_has_returnees[u]) detail::append_problem(text, "community_without_returnees", "");
    const auto p = com_parent.find(k);
    if (p != com_parent.end()) {
      R.parent[i] = p->second;
      const auto c = cty_idx.find(p->second);
      if (c == cty_idx.end()) {
        detail::append_problem(text, "country_not_found", in.country_column);
      } else {
        R.structural.row(ii) = in.countries.scores.row(static_cast<Eigen::Index>(c->second));
        if (!in.countries.status.empty())
          R.structural_status[i] = static_cast<int>(in.countries.status[c->second]);
      }
    } else {
      detail::append_problem(text, "missing_key", in.country_column);
    }
  });
  for (std::size_t r = 0; r < N; ++r)
    if (iv.problems[r].find("country_mismatch") != std::string::npos && unit_com[r] != none) {
      std::string& text = out.communities.problems[unit_com[r]];
      if (text.find("country_mismatch") == std::string::npos)
        detail::append_problem(text, "country_mismatch", in.country_column);
    }

  fill(out.countries, C, ret_cty, host_cty, [&](std::size_t i, std::size_t u) {
    LevelRollup& R = out.countries;
    const auto ii = static_cast<Eigen::Index>(i);
    const std::string& k = ctys.keys[u];
    R.key[i] = k;
    const auto pc = communities_per_country.find(k);
    R.units[i] = pc == communities_per_country.end() ? 0 : pc->second;
    if (!R.suppressed[i])
      for (Eigen::Index s = 0; s < Si; ++s)
        if (com_cty.n_score(ii, s) >= min_n) R.community(ii, s) = com_cty.mean(ii, s);
    std::string& text = R.problems[i];
    const auto it = cty_idx.find(k);
    if (it == cty_idx.end()) {
      detail::append_problem(text, "country_not_found", in.country_column);
    } else {
      R.structural.row(ii) = in.countries.scores.row(static_cast<Eigen::Index>(it->second));
      if (!in.countries.status.empty())
        R.structural_status[i] = static_cast<int>(in.countries.status[it->second]);
      if (std::isnan(R.structural(ii, Si - 1)))
        detail::append_problem(text, "unscored_unit", in.country_column);
    }
    if (!cty_has_returnees[u]) detail::append_problem(text, "country_without_returnees", "");
  });
  out.problems = problems.take();
  return out;
}

}  // namespace reinscore
