// Tests of include/reinscore/accumulators.hpp: weighted moments and category counts against
// values worked out by hand and against a long-double two-pass computation; adding in
// chunks and merging equals adding everything at once, whatever the order of the rows.
#include <reinscore/accumulators.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

using reinscore::CategoryCounts;
using reinscore::Moments;

namespace {

struct Row {
  double x;
  double w;
};

/// Weighted mean and unbiased frequency-weight variance by two passes in long double,
/// over the rows with a value and a positive weight (the rule the header documents).
struct TwoPass {
  long double sw = 0, mean = 0, m2 = 0;
  std::uint64_t n = 0;
  explicit TwoPass(const std::vector<Row>& rows) {
    long double sx = 0;
    for (const auto& r : rows)
      if (!std::isnan(r.x) && r.w > 0) {
        sw += r.w;
        sx += static_cast<long double>(r.w) * r.x;
        ++n;
      }
    mean = sx / sw;
    for (const auto& r : rows)
      if (!std::isnan(r.x) && r.w > 0) m2 += r.w * (r.x - mean) * (r.x - mean);
  }
  double variance() const { return static_cast<double>(m2 / (sw - 1)); }
};

std::vector<Row> random_rows(std::size_t n, unsigned seed, double missing = 0.1) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.6, 0.2);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Row> rows(n);
  for (auto& r : rows) {
    r.x = u(rng) < missing ? std::nan("") : z(rng);
    r.w = 0.2 + 3 * u(rng);
  }
  return rows;
}

Moments add_all(const std::vector<Row>& rows, std::size_t from = 0,
                std::size_t to = static_cast<std::size_t>(-1)) {
  Moments m;
  for (std::size_t i = from; i < std::min(to, rows.size()); ++i) m.add(rows[i].x, rows[i].w);
  return m;
}

void expect_near_rel(double got, double want, double rel, const char* what) {
  EXPECT_NEAR(got, want, rel * std::max(1.0, std::fabs(want))) << what;
}

}  // namespace

TEST(Moments, HandComputedValues) {
  // Unweighted 1, 2, 3, 4: mean 5/2, sum of squares 5, variance 5/3.
  Moments m;
  for (const double x : {1.0, 2.0, 3.0, 4.0}) m.add(x);
  EXPECT_EQ(m.count(), 4u);
  EXPECT_EQ(m.rows(), 4u);
  EXPECT_EQ(m.missing(), 0u);
  EXPECT_DOUBLE_EQ(m.sum_weights(), 4.0);
  EXPECT_DOUBLE_EQ(m.mean(), 2.5);
  EXPECT_DOUBLE_EQ(m.variance(), 5.0 / 3.0);

  // Frequency weights: x = 1 (w 1) and 3 (w 3) are the data 1, 3, 3, 3:
  // mean 10/4, sum of squares 1.5^2 + 3 * 0.5^2 = 3, variance 3 / (4 - 1) = 1.
  Moments w;
  w.add(1.0, 1.0);
  w.add(3.0, 3.0);
  EXPECT_EQ(w.count(), 2u);
  EXPECT_DOUBLE_EQ(w.sum_weights(), 4.0);
  EXPECT_DOUBLE_EQ(w.mean(), 2.5);
  EXPECT_DOUBLE_EQ(w.variance(), 1.0);
}

TEST(Moments, EqualsLongDoubleTwoPass) {
  const auto rows = random_rows(5000, 11);
  const Moments m = add_all(rows);
  const TwoPass ref(rows);
  EXPECT_EQ(m.count(), ref.n);
  EXPECT_EQ(m.rows(), rows.size());
  EXPECT_EQ(m.missing(), rows.size() - ref.n);
  expect_near_rel(m.sum_weights(), static_cast<double>(ref.sw), 1e-13, "sum of weights");
  expect_near_rel(m.mean(), static_cast<double>(ref.mean), 1e-13, "mean");
  expect_near_rel(m.variance(), ref.variance(), 1e-12, "variance");
}

TEST(Moments, LargeOffsetKeepsPrecision) {
  // A naive sum of squares loses everything at an offset of 1e9; the updates must not.
  std::vector<Row> rows;
  for (int i = 0; i < 1000; ++i) rows.push_back({1e9 + (i % 7) * 0.25, 1.0 + (i % 3)});
  const Moments m = add_all(rows);
  const TwoPass ref(rows);
  expect_near_rel(m.mean(), static_cast<double>(ref.mean), 1e-15, "mean");
  EXPECT_NEAR(m.variance(), ref.variance(), 1e-6 * ref.variance());
}

TEST(Moments, AddAndMergeEqualsWhole) {
  const auto rows = random_rows(3001, 12);
  const Moments whole = add_all(rows);
  for (const std::size_t parts : {2u, 3u, 7u, 64u}) {
    Moments merged;
    const std::size_t step = (rows.size() + parts - 1) / parts;
    for (std::size_t from = 0; from < rows.size(); from += step)
      merged.merge(add_all(rows, from, from + step));
    EXPECT_EQ(merged.rows(), whole.rows()) << parts;
    EXPECT_EQ(merged.missing(), whole.missing()) << parts;
    EXPECT_EQ(merged.count(), whole.count()) << parts;
    expect_near_rel(merged.sum_weights(), whole.sum_weights(), 1e-13, "sum of weights");
    expect_near_rel(merged.mean(), whole.mean(), 1e-13, "mean");
    expect_near_rel(merged.variance(), whole.variance(), 1e-12, "variance");
  }
  // Merging two hand-checked halves: {1, 2} and {3, 4} give the moments of {1, 2, 3, 4}.
  Moments a, b;
  a.add(1);
  a.add(2);
  b.add(3);
  b.add(4);
  a.merge(b);
  EXPECT_DOUBLE_EQ(a.mean(), 2.5);
  EXPECT_DOUBLE_EQ(a.variance(), 5.0 / 3.0);
}

TEST(Moments, InvariantToRowOrder) {
  auto rows = random_rows(2000, 13);
  const TwoPass ref(rows);
  const Moments first = add_all(rows);
  std::mt19937 rng(5);
  for (int round = 0; round < 3; ++round) {
    std::shuffle(rows.begin(), rows.end(), rng);
    const Moments m = add_all(rows);
    EXPECT_EQ(m.count(), first.count());
    expect_near_rel(m.mean(), first.mean(), 1e-13, "mean");
    expect_near_rel(m.variance(), first.variance(), 1e-12, "variance");
    expect_near_rel(m.variance(), ref.variance(), 1e-12, "variance against two-pass");
  }
  std::reverse(rows.begin(), rows.end());
  expect_near_rel(add_all(rows).mean(), static_cast<double>(ref.mean), 1e-13, "reversed");
}

TEST(Moments, EmptyAndSingleRow) {
  const Moments empty;
  EXPECT_EQ(empty.rows(), 0u);
  EXPECT_EQ(empty.count(), 0u);
  EXPECT_EQ(empty.sum_weights(), 0.0);
  EXPECT_TRUE(std::isnan(empty.mean()));
  EXPECT_TRUE(std::isnan(empty.variance()));

  Moments one;
  one.add(0.75);
  EXPECT_EQ(one.count(), 1u);
  EXPECT_EQ(one.mean(), 0.75);
  EXPECT_TRUE(std::isnan(one.variance())) << "one observation has no variance";

  // A single row of frequency weight 3 is three equal observations: variance 0.
  Moments heavy;
  heavy.add(0.75, 3.0);
  EXPECT_EQ(heavy.mean(), 0.75);
  EXPECT_EQ(heavy.variance(), 0.0);

  // Merging with an empty accumulator, on either side, changes nothing.
  Moments left = one;
  left.merge(empty);
  EXPECT_EQ(left.rows(), 1u);
  EXPECT_EQ(left.mean(), 0.75);
  Moments right;
  right.merge(one);
  EXPECT_EQ(right.rows(), 1u);
  EXPECT_EQ(right.count(), 1u);
  EXPECT_EQ(right.mean(), 0.75);
  Moments both;
  both.merge(empty);
  EXPECT_EQ(both.rows(), 0u);
  EXPECT_TRUE(std::isnan(both.mean()));
}

TEST(Moments, MissingValuesAndNonPositiveWeights) {
  Moments m;
  m.add(std::nan(""));
  m.add(1.0);
  m.add(std::nan(""), 2.0);
  m.add(3.0);
  EXPECT_EQ(m.rows(), 4u);
  EXPECT_EQ(m.missing(), 2u);
  EXPECT_EQ(m.count(), 2u);
  EXPECT_EQ(m.mean(), 2.0) << "NaN never enters the moments";
  EXPECT_EQ(m.variance(), 2.0);

  // A row with weight 0, a negative or a NaN weight is seen but carries no weight; it is
  // not missing either.
  m.add(100.0, 0.0);
  m.add(100.0, -1.0);
  m.add(100.0, std::nan(""));
  EXPECT_EQ(m.rows(), 7u);
  EXPECT_EQ(m.missing(), 2u);
  EXPECT_EQ(m.count(), 2u);
  EXPECT_EQ(m.mean(), 2.0);
  EXPECT_EQ(m.sum_weights(), 2.0);

  // Only missing values: rows and missing count, the moments do not exist.
  Moments only_missing;
  only_missing.add(std::nan(""));
  EXPECT_TRUE(std::isnan(only_missing.mean()));
  Moments merged = only_missing;
  merged.merge(m);
  EXPECT_EQ(merged.rows(), 8u);
  EXPECT_EQ(merged.missing(), 3u);
  EXPECT_EQ(merged.mean(), 2.0);
  m.merge(only_missing);
  EXPECT_EQ(m.rows(), 8u);
  EXPECT_EQ(m.missing(), 3u);
  EXPECT_EQ(m.mean(), 2.0);
}

TEST(CategoryCounts, CountsAndSharesAgainstAMap) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<std::size_t> pick(0, 5);
  std::vector<std::size_t> data(999);
  for (auto& c : data) c = pick(rng);
  std::map<std::size_t, std::uint64_t> ref;
  for (const auto c : data) ++ref[c];

  CategoryCounts whole(3);  // grows past its initial size
  for (const auto c : data) whole.add(c);
  EXPECT_EQ(whole.total(), data.size());
  for (std::size_t c = 0; c < 8; ++c) {
    const std::uint64_t want = ref.count(c) ? ref[c] : 0;
    EXPECT_EQ(whole.count(c), want) << c;
    EXPECT_DOUBLE_EQ(whole.share(c), static_cast<double>(want) / 999.0) << c;
  }

  // In chunks and merged, in any order: the same counts.
  CategoryCounts a, b(10), c;
  for (std::size_t i = 0; i < data.size(); ++i) (i % 3 == 0 ? a : i % 3 == 1 ? b : c).add(data[i]);
  CategoryCounts merged;
  merged.merge(c);
  merged.merge(a);
  merged.merge(b);
  EXPECT_EQ(merged.total(), whole.total());
  for (std::size_t k = 0; k < 12; ++k) EXPECT_EQ(merged.count(k), whole.count(k)) << k;
}

TEST(CategoryCounts, EmptyAndSingle) {
  const CategoryCounts empty(4);
  EXPECT_EQ(empty.total(), 0u);
  EXPECT_EQ(empty.count(2), 0u);
  EXPECT_EQ(empty.count(100), 0u) << "a category never seen counts 0";
  EXPECT_TRUE(std::isnan(empty.share(0)));

  CategoryCounts one;
  one.add(7);
  EXPECT_EQ(one.total(), 1u);
  EXPECT_EQ(one.count(7), 1u);
  EXPECT_EQ(one.count(6), 0u);
  EXPECT_EQ(one.share(7), 1.0);
  EXPECT_EQ(one.share(0), 0.0);

  CategoryCounts merged(2);
  merged.merge(empty);
  merged.merge(one);
  EXPECT_EQ(merged.total(), 1u);
  EXPECT_EQ(merged.count(7), 1u);
}
