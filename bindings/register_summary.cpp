// Survey summaries: group estimates with linearised or bootstrap uncertainty
// (include/reinscore/summary.hpp), and the Rao–Wu replicate factors (for tests).
#include "pybind11.hpp"

#include <reinscore/summary.hpp>

#include <Eigen/Core>

#include <string>
#include <vector>

using namespace reinscore;

namespace {

using FArray = py::array_t<double, py::array::f_style | py::array::forcecast>;
using CDouble = py::array_t<double, py::array::c_style | py::array::forcecast>;
using CInt = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

// None, or one non-negative integer id per row.
std::vector<std::uint64_t> ids(const py::object& o, py::ssize_t n, const char* what) {
  if (o.is_none()) return {};
  const auto a = o.cast<CInt>();
  if (a.ndim() != 1 || a.shape(0) != n)
    throw std::invalid_argument(std::string("survey_summary: ") + what +
                                " must be a 1-d array with one entry per row");
  std::vector<std::uint64_t> out(static_cast<std::size_t>(n));
  const auto v = a.unchecked<1>();
  for (py::ssize_t i = 0; i < n; ++i) {
    if (v(i) < 0)
      throw std::invalid_argument(std::string("survey_summary: ") + what + " codes must be >= 0");
    out[static_cast<std::size_t>(i)] = static_cast<std::uint64_t>(v(i));
  }
  return out;
}

template <class T>
py::array_t<T> grid(std::size_t a, std::size_t b) {
  return py::array_t<T>({static_cast<py::ssize_t>(a), static_cast<py::ssize_t>(b)});
}

// Interval fields as arrays of shape `shape`.
struct IntervalArrays {
  py::array_t<double> estimate, se, lo, hi;
  py::array_t<std::uint32_t> replicates;
  py::array_t<double> p;  // differences only
  explicit IntervalArrays(std::vector<py::ssize_t> shape, bool with_p = false)
      : estimate(shape), se(shape), lo(shape), hi(shape), replicates(shape) {
    if (with_p) p = py::array_t<double>(shape);
  }
  void set(py::ssize_t i, const Interval& e) {
    estimate.mutable_data()[i] = e.estimate;
    se.mutable_data()[i] = e.se;
    lo.mutable_data()[i] = e.lo;
    hi.mutable_data()[i] = e.hi;
    replicates.mutable_data()[i] = e.replicates;
  }
  void set(py::ssize_t i, const Difference& d) {
    set(i, static_cast<const Interval&>(d));
    p.mutable_data()[i] = d.p;
  }
  py::dict dict() const {
    py::dict d;
    d["estimate"] = estimate;
    d["se"] = se;
    d["lo"] = lo;
    d["hi"] = hi;
    d["replicates"] = replicates;
    if (p) d["p"] = p;
    return d;
  }
};

}  // namespace

void register_summary(py::module_& m) {
  m.def(
      "survey_summary",
      [](const FArray& values, const CInt& groups, const std::vector<double>& thresholds,
         const std::vector<bool>& quantiles, const py::object& weights, const py::object& strata,
         const py::object& clusters, const std::string& method, double level,
         const std::vector<double>& probabilities, std::size_t replicates, std::uint64_t seed,
         unsigned threads, const std::string& singleton, const std::string& interval,
         std::uint64_t min_cell,
         const std::vector<std::pair<std::uint64_t, std::uint64_t>>& contrasts,
         const std::string& strata_column) {
        if (values.ndim() != 2)
          throw std::invalid_argument(
              "survey_summary: values must be a 2-d array (rows x variables)");
        const py::ssize_t n = values.shape(0);
        const auto J = static_cast<std::size_t>(values.shape(1));
        if (thresholds.size() != J || quantiles.size() != J)
          throw std::invalid_argument(
              "survey_summary: one threshold and one quantile flag per variable");
        const auto g = ids(groups, n, "groups");
        std::vector<double> w;
        if (!weights.is_none()) {
          const auto a = weights.cast<CDouble>();
          if (a.ndim() != 1 || a.shape(0) != n)
            throw std::invalid_argument(
                "survey_summary: weights must be a 1-d array with one entry per row");
          w.assign(a.data(), a.data() + n);
        }
        const auto h = ids(strata, n, "strata");
        const auto c = ids(clusters, n, "clusters");
        SummaryOptions opt;
        opt.method = parse_variance_method(method);
        opt.level = level;
        opt.probabilities = probabilities;
        opt.replicates = replicates;
        opt.seed = seed;
        opt.threads = threads;
        opt.singleton = parse_singleton(singleton);
        opt.interval = parse_bootstrap_interval(interval);
        opt.min_cell = min_cell;
        opt.strata_column = strata_column;
        std::vector<SummaryVariable> vars(J);
        for (std::size_t j = 0; j < J; ++j)
          vars[j] = {thresholds[j], static_cast<bool>(quantiles[j])};
        std::vector<Contrast> cs;
        for (const auto& [a, b] : contrasts) cs.push_back({a, b});
        const Eigen::Map<const Eigen::MatrixXd> x(values.data(), n, static_cast<Eigen::Index>(J));
        SummaryResult res;
        {
          py::gil_scoped_release release;
          Summary s(vars);
          s.add_rows(x, g, w, h, c);
          res = s.compute(opt, cs);
        }
        const std::size_t G = res.groups.size(), K = probabilities.size(), C = res.contrasts.size();
        py::dict out;
        const auto& d = res.design;
        py::dict design;
        design["method"] = std::string(variance_method_name(d.method));
        design["rows"] = d.rows;
        design["sum_weights"] = d.sum_weights;
        design["strata"] = d.strata;
        design["psus"] = d.psus;
        design["singleton_strata"] = d.singleton_strata;
        design["df"] = d.df;
        design["level"] = d.level;
        design["t_quantile"] = d.t_quantile;
        design["replicates"] = d.replicates;
        design["seed"] = d.seed;
        design["singleton"] = std::string(singleton_name(d.singleton));
        design["interval"] = std::string(bootstrap_interval_name(d.interval));
        out["design"] = design;

        py::array_t<std::uint64_t> gid(static_cast<py::ssize_t>(G)),
            rows(static_cast<py::ssize_t>(G));
        py::array_t<double> gsw(static_cast<py::ssize_t>(G));
        py::array_t<bool> sup(static_cast<py::ssize_t>(G));
        auto observed = grid<std::uint64_t>(G, J), missing = grid<std::uint64_t>(G, J);
        auto vsw = grid<double>(G, J), mshare = grid<double>(G, J);
        const auto GJ =
            std::vector<py::ssize_t>{static_cast<py::ssize_t>(G), static_cast<py::ssize_t>(J)};
        IntervalArrays mean(GJ), above(GJ),
            quant({static_cast<py::ssize_t>(G), static_cast<py::ssize_t>(J),
                   static_cast<py::ssize_t>(K)});
        for (std::size_t i = 0; i < G; ++i) {
          const GroupSummary& gs = res.groups[i];
          const auto ii = static_cast<py::ssize_t>(i);
          gid.mutable_data()[ii] = gs.group;
          rows.mutable_data()[ii] = gs.rows;
          gsw.mutable_data()[ii] = gs.sum_weights;
          sup.mutable_data()[ii] = gs.suppressed;
          for (std::size_t j = 0; j < J; ++j) {
            const auto at = static_cast<py::ssize_t>(i * J + j);
            const VariableSummary& v = gs.variables[j];
            observed.mutable_data()[at] = v.observed;
            missing.mutable_data()[at] = v.missing;
            vsw.mutable_data()[at] = v.sum_weights;
            mshare.mutable_data()[at] = v.missing_share;
            mean.set(at, v.mean);
            above.set(at, v.above);
            for (std::size_t k = 0; k < K; ++k)
              quant.set(static_cast<py::ssize_t>(at * static_cast<py::ssize_t>(K) +
                                                 static_cast<py::ssize_t>(k)),
                        v.quantiles[k]);
          }
        }
        py::dict gd;
        gd["group"] = gid;
        gd["rows"] = rows;
        gd["sum_weights"] = gsw;
        gd["suppressed"] = sup;
        gd["observed"] = observed;
        gd["missing"] = missing;
        gd["variable_sum_weights"] = vsw;
        gd["missing_share"] = mshare;
        gd["mean"] = mean.dict();
        gd["above"] = above.dict();
        gd["quantiles"] = quant.dict();
        out["groups"] = gd;

        const auto CJ =
            std::vector<py::ssize_t>{static_cast<py::ssize_t>(C), static_cast<py::ssize_t>(J)};
        IntervalArrays dmean(CJ, true), dabove(CJ, true);
        py::array_t<bool> csup(static_cast<py::ssize_t>(C));
        for (std::size_t i = 0; i < C; ++i) {
          csup.mutable_data()[static_cast<py::ssize_t>(i)] = res.contrasts[i].suppressed;
          for (std::size_t j = 0; j < J; ++j) {
            const auto at = static_cast<py::ssize_t>(i * J + j);
            dmean.set(at, res.contrasts[i].variables[j].mean);
            dabove.set(at, res.contrasts[i].variables[j].above);
          }
        }
        py::dict cd;
        cd["suppressed"] = csup;
        cd["mean"] = dmean.dict();
        cd["above"] = dabove.dict();
        out["contrasts"] = cd;
        return out;
      },
      "values"_a, "groups"_a, "thresholds"_a, "quantiles"_a, "weights"_a = py::none(),
      "strata"_a = py::none(), "clusters"_a = py::none(), "method"_a = "linearization",
      "level"_a = 0.95, "probabilities"_a = std::vector<double>{0.25, 0.5, 0.75},
      "replicates"_a = 1000, "seed"_a = SummaryOptions{}.seed, "threads"_a = 1,
      "singleton"_a = "error", "interval"_a = "percentile", "min_cell"_a = 10,
      "contrasts"_a = std::vector<std::pair<std::uint64_t, std::uint64_t>>{},
      "strata_column"_a = "",
      "Group means, quantiles and shares with linearised or bootstrap uncertainty "
      "(reinscore::Summary).");

  m.def(
      "rao_wu_factors",
      [](const std::vector<std::size_t>& psus_per_stratum, std::uint64_t seed,
         std::uint64_t replicate) {
        const auto f = rao_wu_factors(psus_per_stratum, seed, replicate);
        return to_numpy(f);
      },
      "psus_per_stratum"_a, "seed"_a, "replicate"_a,
      "Rao–Wu rescaling factors of one bootstrap replicate, one per PSU (strata in order).");
}
