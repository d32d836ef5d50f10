// Tests of include/reinscore/bootstrap.hpp: SplitMix64 against the published reference
// outputs, the Rao–Wu factors against the procedure the header documents, their
// reproducibility (from the seed and the replicate index only, whatever the thread or the
// order in which replicates are drawn), their mean and the rescaling property (factor
// variance 1, covariance -1/(n_h - 1): the replicate variance of a total is the usual
// with-replacement estimator), and the replicate summaries against numpy and scipy values.
#include <reinscore/bootstrap.hpp>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

using reinscore::quantile_type7;
using reinscore::rao_wu_factors;
using reinscore::replicate_seed;
using reinscore::splitmix64;
using reinscore::summarize_replicates;
using reinscore::t_p_value;
using reinscore::t_quantile;

namespace {

constexpr double missing = std::numeric_limits<double>::quiet_NaN();

/// The header's documented procedure, written out from its comment: per stratum in
/// order, n_h - 1 draws with replacement, factor = draws * n_h / (n_h - 1).
std::vector<double> documented_factors(const std::vector<std::size_t>& strata, std::uint64_t seed,
                                       std::uint64_t b) {
  boost::random::mt19937 gen(static_cast<std::uint32_t>(splitmix64(seed ^ splitmix64(b)) >> 32));
  std::vector<double> out;
  for (const std::size_t n : strata) {
    if (n == 1) {
      out.push_back(1.0);
      continue;
    }
    std::vector<int> draws(n, 0);
    boost::random::uniform_int_distribution<std::uint32_t> pick(0,
                                                                static_cast<std::uint32_t>(n - 1));
    for (std::size_t d = 0; d + 1 < n; ++d) ++draws[pick(gen)];
    for (const int m : draws)
      out.push_back(static_cast<double>(m) * static_cast<double>(n) / static_cast<double>(n - 1));
  }
  return out;
}

}  // namespace

TEST(SplitMix64, ReferenceOutputs) {
  // Vigna's splitmix64.c: the generator adds the golden gamma, then mixes. Seed 0 gives
  // 0xE220A8397B1DCDAF first; seed 1234567 gives 6457827717110365317, 3203168211198807973.
  EXPECT_EQ(splitmix64(0), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(splitmix64(1234567), 6457827717110365317ULL);
  EXPECT_EQ(splitmix64(1234567 + 0x9E3779B97F4A7C15ULL), 3203168211198807973ULL);
  static_assert(splitmix64(0) == 0xE220A8397B1DCDAFULL, "usable at compile time");
  EXPECT_EQ(replicate_seed(7, 3), static_cast<std::uint32_t>(splitmix64(7 ^ splitmix64(3)) >> 32));
  EXPECT_NE(replicate_seed(7, 3), replicate_seed(7, 4));
  EXPECT_NE(replicate_seed(7, 3), replicate_seed(8, 3));
}

TEST(RaoWu, FollowsTheDocumentedProcedure) {
  const std::vector<std::size_t> strata{3, 1, 5, 2, 0, 4};
  for (const std::uint64_t seed : {0ULL, 42ULL, 0xFFFFFFFFFFFFFFFFULL})
    for (std::uint64_t b = 0; b < 20; ++b)
      EXPECT_EQ(rao_wu_factors(strata, seed, b), documented_factors(strata, seed, b))
          << "seed " << seed << " replicate " << b;
}

TEST(RaoWu, ReproducibleFromSeedAndReplicate) {
  const std::vector<std::size_t> strata{4, 6, 3};
  const auto a = rao_wu_factors(strata, 2024, 17);
  EXPECT_EQ(a, rao_wu_factors(strata, 2024, 17));
  // The span overload fills the caller's buffer with the same factors.
  std::vector<double> buf(13, -1.0);
  rao_wu_factors(strata, 2024, 17, buf);
  EXPECT_EQ(buf, a);
  // Another replicate or another seed draws differently (13 factors all equal by chance
  // is far below any practical probability for these two pairs).
  EXPECT_NE(a, rao_wu_factors(strata, 2024, 18));
  EXPECT_NE(a, rao_wu_factors(strata, 2025, 17));
}

TEST(RaoWu, IndependentOfThreadsAndOrder) {
  const std::vector<std::size_t> strata{5, 2, 7, 1, 3};
  constexpr std::uint64_t replicates = 200, seed = 99;
  std::vector<std::vector<double>> serial(replicates);
  for (std::uint64_t b = 0; b < replicates; ++b) serial[b] = rao_wu_factors(strata, seed, b);
  for (const unsigned threads : {2u, 3u, 8u}) {
    std::vector<std::vector<double>> parallel(replicates);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        // backwards and interleaved: no replicate depends on another having been drawn
        for (std::uint64_t b = replicates; b-- > 0;)
          if (b % threads == t) parallel[b] = rao_wu_factors(strata, seed, b);
      });
    for (auto& th : pool) th.join();
    EXPECT_EQ(parallel, serial) << threads << " threads";
  }
}

TEST(RaoWu, FactorsPerStratum) {
  const std::vector<std::size_t> strata{2, 3, 1, 10};
  for (std::uint64_t b = 0; b < 500; ++b) {
    const auto f = rao_wu_factors(strata, 1, b);
    ASSERT_EQ(f.size(), 16u);
    std::size_t begin = 0;
    for (const std::size_t n : strata) {
      const double scale = static_cast<double>(n) / static_cast<double>(n - 1);
      double draws = 0, sum = 0;
      for (std::size_t i = begin; i < begin + n; ++i) {
        sum += f[i];
        if (n == 1) {
          EXPECT_EQ(f[i], 1.0) << "a one-PSU stratum keeps its weight";
          continue;
        }
        // m_hi * n_h / (n_h - 1), m_hi a whole number of draws from 0 to n_h - 1
        const double m = f[i] / scale;
        EXPECT_NEAR(m, std::round(m), 1e-12);
        EXPECT_GE(m, -1e-12);
        EXPECT_LE(m, static_cast<double>(n - 1) + 1e-12);
        draws += std::round(m);
      }
      // n_h - 1 draws in all: the factors of a stratum sum to n_h (mean factor 1)
      if (n > 1) {
        EXPECT_EQ(draws, static_cast<double>(n - 1));
        EXPECT_NEAR(sum / static_cast<double>(n), 1.0, 1e-14);
      }
      begin += n;
    }
  }
}

TEST(RaoWu, RescalingMeanOneVarianceOneCovarianceMinusOneOverNMinusOne) {
  // E f = 1, Var f = 1, Cov(f_i, f_j) = -1/(n - 1): then the replicate variance of a
  // stratum total sum f_i y_i is n/(n - 1) sum (y_i - mean y)^2, the with-replacement
  // variance estimator of the total (Rao & Wu 1988, m_h = n_h - 1).
  const std::vector<std::size_t> strata{4};
  const std::vector<double> y{2.0, 5.0, 3.0, 10.0};
  constexpr int replicates = 40000;
  double mean_f[4] = {}, sum_ff[4][4] = {}, sum_t = 0, sum_tt = 0;
  for (int b = 0; b < replicates; ++b) {
    const auto f = rao_wu_factors(strata, 7, static_cast<std::uint64_t>(b));
    double total = 0;
    for (int i = 0; i < 4; ++i) {
      mean_f[i] += f[static_cast<std::size_t>(i)];
      total += f[static_cast<std::size_t>(i)] * y[static_cast<std::size_t>(i)];
      for (int j = 0; j < 4; ++j)
        sum_ff[i][j] += f[static_cast<std::size_t>(i)] * f[static_cast<std::size_t>(j)];
    }
    sum_t += total;
    sum_tt += total * total;
  }
  const double R = replicates;
  for (int i = 0; i < 4; ++i) {
    mean_f[i] /= R;
    // SE of a mean of factors with variance 1: 1/sqrt(R) = 0.005; allow 5 SE
    EXPECT_NEAR(mean_f[i], 1.0, 0.025) << i;
  }
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      const double cov = sum_ff[i][j] / R - mean_f[i] * mean_f[j];
      EXPECT_NEAR(cov, i == j ? 1.0 : -1.0 / 3.0, 0.04) << i << "," << j;
    }
  const double y_mean = 5.0;
  double ss = 0;
  for (const double v : y) ss += (v - y_mean) * (v - y_mean);  // 9 + 0 + 4 + 25 = 38
  const double want = 4.0 / 3.0 * ss;
  const double var_t = sum_tt / R - (sum_t / R) * (sum_t / R);
  EXPECT_NEAR(var_t, want, 0.04 * want);
  EXPECT_NEAR(sum_t / R, 20.0, 0.1) << "the replicate total is unbiased for the total";
}

TEST(RaoWu, SizeMismatchAndEmptyStrata) {
  const std::vector<std::size_t> strata{3, 2};
  std::vector<double> small(4);
  EXPECT_THROW(rao_wu_factors(strata, 1, 0, small), std::invalid_argument);
  std::vector<double> big(6);
  EXPECT_THROW(rao_wu_factors(strata, 1, 0, big), std::invalid_argument);
  // A stratum without PSUs has no factors and draws nothing.
  const std::vector<std::size_t> with_empty{0, 3, 0, 2};
  EXPECT_EQ(rao_wu_factors(with_empty, 1, 5), rao_wu_factors(strata, 1, 5));
  EXPECT_TRUE(rao_wu_factors(std::vector<std::size_t>{}, 1, 0).empty());
}

TEST(ReplicateSummary, QuantileType7AgainstNumpy) {
  // numpy.quantile([1, 2, 3, 4], [.25, .5, .75]) = 1.75, 2.5, 3.25;
  // numpy.quantile([1, 2, 3, 4, 10], .9) = 7.6
  const std::vector<double> a{1, 2, 3, 4}, b{1, 2, 3, 4, 10}, one{10};
  EXPECT_DOUBLE_EQ(quantile_type7(a, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(quantile_type7(a, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile_type7(a, 0.75), 3.25);
  EXPECT_EQ(quantile_type7(a, 0.0), 1.0);
  EXPECT_EQ(quantile_type7(a, 1.0), 4.0);
  EXPECT_DOUBLE_EQ(quantile_type7(b, 0.9), 7.6);
  EXPECT_EQ(quantile_type7(one, 0.3), 10.0);
  EXPECT_TRUE(std::isnan(quantile_type7(std::vector<double>{}, 0.5)));
}

TEST(ReplicateSummary, SkipsMissingReplicates) {
  std::vector<double> v{4, missing, 1, 3, missing, 2};
  const auto s = summarize_replicates(v, 0.5);
  EXPECT_EQ(s.used, 4u);
  EXPECT_DOUBLE_EQ(s.se, std::sqrt(5.0 / 3.0));  // SD of 1, 2, 3, 4 with divisor 3
  EXPECT_DOUBLE_EQ(s.lo, 1.75);
  EXPECT_DOUBLE_EQ(s.hi, 3.25);

  std::vector<double> single{missing, 0.5};
  const auto t = summarize_replicates(single, 0.95);
  EXPECT_EQ(t.used, 1u);
  EXPECT_TRUE(std::isnan(t.se) && std::isnan(t.lo) && std::isnan(t.hi));
  std::vector<double> none;
  EXPECT_EQ(summarize_replicates(none, 0.95).used, 0u);
}

TEST(StudentT, AgainstScipy) {
  // scipy.stats.t.ppf(0.975, 10) = 2.228138851986274, t.ppf(0.975, 1) = 12.706204736174694,
  // 2 * t.sf(2, 5) = 0.10193947882985835, 2 * t.sf(1, 3.5) = 0.3813372535634453
  EXPECT_NEAR(t_quantile(10, 0.95), 2.228138851986274, 1e-9);
  EXPECT_NEAR(t_quantile(1, 0.95), 12.706204736174694, 1e-9);
  EXPECT_NEAR(t_p_value(2.0, 1.0, 5), 0.10193947882985835, 1e-12);
  EXPECT_NEAR(t_p_value(-0.5, 0.5, 3.5), 0.3813372535634453, 1e-12);
  EXPECT_NEAR(t_p_value(t_quantile(10, 0.95), 1.0, 10), 0.05, 1e-12);
  EXPECT_TRUE(std::isnan(t_quantile(0, 0.95)));
  EXPECT_TRUE(std::isnan(t_quantile(5, 1.0)));
  EXPECT_TRUE(std::isnan(t_quantile(5, 0.0)));
  EXPECT_TRUE(std::isnan(t_p_value(1, 0, 5)));
  EXPECT_TRUE(std::isnan(t_p_value(missing, 1, 5)));
  EXPECT_TRUE(std::isnan(t_p_value(1, 1, 0)));
  EXPECT_EQ(t_p_value(std::numeric_limits<double>::infinity(), 1, 5), 0.0);
}
