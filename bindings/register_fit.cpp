// Weights from data (fit.hpp) and Monte Carlo sensitivity (sensitivity.hpp) for the
// Python layer (python/reinscore/_fit.py), plus the statistical kernels on their own so
// that the tests can hold them against numpy, scikit-learn and factor_analyzer.
#include "pybind11.hpp"

#include <pybind11/eigen.h>

#include <reinscore/fit.hpp>
#include <reinscore/sensitivity.hpp>

#include <memory>
#include <optional>

using namespace reinscore;

namespace {

using F64 = py::array_t<double, py::array::f_style | py::array::forcecast>;
using U8 = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>;
using U8F = py::array_t<std::uint8_t, py::array::f_style | py::array::forcecast>;

Eigen::Map<const Eigen::MatrixXd> matrix(const F64& a, const char* what) {
  if (a.ndim() != 2) throw std::invalid_argument(std::string(what) + ": expected a 2-d array");
  return {a.data(), static_cast<Eigen::Index>(a.shape(0)), static_cast<Eigen::Index>(a.shape(1))};
}

std::vector<std::uint8_t> flags(const py::object& o, std::size_t n, const char* what) {
  if (o.is_none()) return {};
  const auto a = o.cast<U8>();
  if (a.ndim() != 1 || static_cast<std::size_t>(a.shape(0)) != n)
    throw std::invalid_argument(std::string(what) + ": expected one entry per row (" +
                                std::to_string(n) + ")");
  return {a.data(), a.data() + n};
}

std::optional<Eigen::VectorXd> weights_of(const py::object& o, std::size_t n) {
  if (o.is_none()) return std::nullopt;
  const auto a = o.cast<py::array_t<double, py::array::c_style | py::array::forcecast>>();
  if (a.ndim() != 1 || static_cast<std::size_t>(a.shape(0)) != n)
    throw std::invalid_argument("weights: expected one sampling weight per row (" +
                                std::to_string(n) + ")");
  return Eigen::Map<const Eigen::VectorXd>(a.data(), static_cast<Eigen::Index>(n));
}

// Feeds rows in chunks of `chunk` rows of the input, exactly as the command line reads
// batches of --chunk-rows: the same sums, bit for bit.
void accumulate(FitAccumulator& acc, const Eigen::Map<const Eigen::MatrixXd>& x,
                const std::vector<std::uint8_t>& skip, const std::optional<Eigen::VectorXd>& w,
                std::size_t chunk) {
  const Eigen::Index n = x.rows();
  const auto c = static_cast<Eigen::Index>(chunk);
  for (Eigen::Index s = 0; s < n; s += c) {
    const Eigen::Index m = std::min(c, n - s);
    const std::vector<std::uint8_t> part =
        skip.empty() ? std::vector<std::uint8_t>{}
                     : std::vector<std::uint8_t>(skip.begin() + s, skip.begin() + s + m);
    if (w) {
      acc.add(x.middleRows(s, m), part, w->segment(s, m));
    } else {
      acc.add(x.middleRows(s, m), part);
    }
  }
}

FitOptions fit_options(const std::string& method, const std::string& composite,
                       const std::string& name, const std::string& weight_label,
                       double min_eigenvalue, double min_cumulative, double tolerance,
                       int max_iterations) {
  FitOptions opt;
  opt.method = parse_fit_method(method);
  opt.composite = parse_composite_fit(composite);
  opt.name = name;
  opt.weight_label = weight_label;
  opt.min_eigenvalue = min_eigenvalue;
  opt.min_cumulative = min_cumulative;
  opt.varimax.tolerance = tolerance;
  opt.varimax.max_iterations = max_iterations;
  return opt;
}

py::dict pca_dict(const Pca& p) {
  return py::dict("eigenvalues"_a = p.eigenvalues, "vectors"_a = p.vectors,
                  "loadings"_a = p.loadings, "explained_ratio"_a = p.explained_ratio);
}

}  // namespace

void register_fit(py::module_& m) {
  m.def(
      "fit_weights",
      [](const Instrument& ins, const F64& values, const py::object& skip,
         const py::object& weights, const std::string& method, const std::string& composite,
         const std::string& missing, const std::string& name, const std::string& weight_label,
         double min_eigenvalue, double min_cumulative, double varimax_tolerance,
         int varimax_max_iterations, std::size_t chunk_rows) {
        const auto x = matrix(values, "fit_weights: values");
        const auto n = static_cast<std::size_t>(x.rows());
        const auto skip_flags = flags(skip, n, "fit_weights: skip");
        const auto w = weights_of(weights, n);
        const FitOptions opt =
            fit_options(method, composite, name, weight_label, min_eigenvalue, min_cumulative,
                        varimax_tolerance, varimax_max_iterations);
        if (chunk_rows == 0)
          throw std::invalid_argument("fit_weights: chunk_rows must be positive");
        FitAccumulator acc(ins, parse_missing_policy(missing), w.has_value());
        FitResult fit;
        {
          // Only C++ memory is touched here (numpy buffers are kept by `values`/`w`).
          py::gil_scoped_release release;
          accumulate(acc, x, skip_flags, w, chunk_rows);
          fit = fit_weights(ins, acc, opt);
        }
        return py::dict("instrument"_a = ins.with_weights(fit.weights), "json"_a = fit.json,
                        "diagnostics"_a = detail::json::serialize(fit.weights.diagnostics),
                        "warnings"_a = fit.warnings, "rows"_a = fit.rows,
                        "rows_used"_a = fit.rows_used, "rows_skipped"_a = fit.rows_skipped);
      },
      "instrument"_a, "values"_a, "skip"_a = py::none(), "weights"_a = py::none(),
      "method"_a = "pca-first", "composite"_a = "dimension-shares", "missing"_a = "pairwise",
      "name"_a = "", "weight_label"_a = "", "min_eigenvalue"_a = 1.0, "min_cumulative"_a = 0.0,
      "varimax_tolerance"_a = 1e-12, "varimax_max_iterations"_a = 1000,
      "chunk_rows"_a = fit_chunk_rows,
      "Fits a weight set to coded values (rows x items, NaN = not answered); rows with skip != 0 "
      "are left out.");

  m.def(
      "sensitivity",
      [](const Instrument& ins, const F64& values, const U8F& reasons, const py::object& invalid,
         std::size_t draws, double bound, std::uint64_t seed, const std::string& mode, double level,
         const std::string& composite, const std::string& missing, const py::object& weights,
         const std::string& weight_label, unsigned threads, std::size_t chunk_rows) {
        const auto x = matrix(values, "sensitivity: values");
        const auto n = static_cast<std::size_t>(x.rows());
        const auto k = x.cols();
        if (reasons.ndim() != 2 || static_cast<std::size_t>(reasons.shape(0)) != n ||
            reasons.shape(1) != k)
          throw std::invalid_argument("sensitivity: reasons must have the shape of values");
        const Eigen::Map<const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic>> why(
            reasons.data(), static_cast<Eigen::Index>(n), k);
        const auto bad = flags(invalid, n, "sensitivity: invalid");
        const auto w = weights_of(weights, n);
        if (chunk_rows == 0)
          throw std::invalid_argument("sensitivity: chunk_rows must be positive");
        if (threads == 0 || threads > 256)
          throw std::invalid_argument("sensitivity: threads must be between 1 and 256");
        SensitivityOptions opt;
        opt.draws = draws;
        opt.bound = bound;
        opt.seed = seed;
        opt.mode = parse_sensitivity_mode(mode);
        opt.level = level;
        opt.validate();
        FitOptions fit_opt =
            fit_options("equal", composite, "", weight_label, 1.0, 0.0, 1e-12, 1000);
        const MissingPolicy policy = parse_missing_policy(missing);
        if (opt.mode == SensitivityMode::perturb && w)
          throw std::invalid_argument(
              "sensitivity: sampling weights apply to the fits of mode methods or both only");

        const auto N = static_cast<py::ssize_t>(n);
        py::array_t<double> base(N), lower(N), median(N), upper(N), mean(N), min(N), max(N),
            change(N);
        py::array_t<std::int32_t> category(N), scored(N);
        std::vector<std::string> names;
        std::string summary_json;
        Eigen::VectorXd draw_share;
        std::vector<int> draw_method;
        double* const out_f[] = {base.mutable_data(),  lower.mutable_data(), median.mutable_data(),
                                 upper.mutable_data(), mean.mutable_data(),  min.mutable_data(),
                                 max.mutable_data(),   change.mutable_data()};
        std::int32_t* const out_category = category.mutable_data();
        std::int32_t* const out_scored = scored.mutable_data();
        {
          // Only C++ memory and the numpy buffers created above (through raw pointers) are
          // touched here: safe to let other Python threads run.
          py::gil_scoped_release release;
          std::vector<WeightSet> alternatives;
          if (opt.mode != SensitivityMode::perturb) {
            FitAccumulator acc(ins, policy, w.has_value());
            accumulate(acc, x, bad, w, chunk_rows);
            for (const auto method :
                 {FitMethod::equal, FitMethod::pca_first, FitMethod::oecd_varimax}) {
              fit_opt.method = method;
              fit_opt.name = "fitted-" + std::string(to_string(method));
              alternatives.push_back(fit_weights(ins, acc, fit_opt).weights);
              names.emplace_back(to_string(method));
            }
          }
          const WeightSet& base_set = ins.weights();
          const SensitivityDraws drawn = draw_weight_sets(ins, base_set, alternatives, opt);
          const SensitivityRunner runner(ins, base_set, drawn, opt);
          SensitivitySummary summary(opt.draws);
          SensitivityRows rows;
          CodedBlock part;
          const auto c = static_cast<Eigen::Index>(chunk_rows);
          for (Eigen::Index s = 0; s < static_cast<Eigen::Index>(n); s += c) {
            const Eigen::Index m_rows = std::min(c, static_cast<Eigen::Index>(n) - s);
            part.values = x.middleRows(s, m_rows);
            part.reasons = why.middleRows(s, m_rows);
            const std::vector<std::uint8_t> part_bad =
                bad.empty() ? std::vector<std::uint8_t>{}
                            : std::vector<std::uint8_t>(bad.begin() + s, bad.begin() + s + m_rows);
            runner.run(part, part_bad, rows, threads);
            summary.add(rows);
            const Eigen::VectorXd* const cols[] = {&rows.base,  &rows.lower,       &rows.median,
                                                   &rows.upper, &rows.mean,        &rows.min,
                                                   &rows.max,   &rows.change_share};
            for (std::size_t j = 0; j < 8; ++j)
              std::copy(cols[j]->data(), cols[j]->data() + m_rows, out_f[j] + s);
            for (Eigen::Index i = 0; i < m_rows; ++i) {
              const auto iu = static_cast<std::size_t>(i);
              out_category[s + i] = rows.base_category[iu];
              out_scored[s + i] = static_cast<std::int32_t>(rows.scored[iu]);
            }
          }
          summary_json = detail::json::serialize(summary.to_json(opt, drawn, names));
          draw_share = summary.draw_share();
          draw_method = drawn.method;
        }
        return py::dict("composite"_a = base, "category"_a = category, "lower"_a = lower,
                        "median"_a = median, "upper"_a = upper, "mean"_a = mean, "min"_a = min,
                        "max"_a = max, "draws_scored"_a = scored,
                        "category_change_share"_a = change, "summary"_a = summary_json,
                        "draw_share"_a = draw_share, "draw_method"_a = draw_method,
                        "methods"_a = names);
      },
      "instrument"_a, "values"_a, "reasons"_a, "invalid"_a = py::none(), "draws"_a = 1000,
      "bound"_a = 0.2, "seed"_a = 1, "mode"_a = "perturb", "level"_a = 0.9,
      "composite"_a = "dimension-shares", "missing"_a = "pairwise", "weights"_a = py::none(),
      "weight_label"_a = "", "threads"_a = 1, "chunk_rows"_a = fit_chunk_rows,
      "Monte Carlo over weight sets: per-interview composite intervals and category changes.");

  // -- kernels ----------------------------------------------------------------------------
  m.def(
      "correlation",
      [](const F64& values, const py::object& weights, const std::string& missing,
         std::size_t chunk_rows) {
        const auto x = matrix(values, "correlation: values");
        const auto w = weights_of(weights, static_cast<std::size_t>(x.rows()));
        const MissingPolicy policy = parse_missing_policy(missing);
        if (chunk_rows == 0)
          throw std::invalid_argument("correlation: chunk_rows must be positive");
        CoMoments mom(x.cols());
        Eigen::MatrixXd R;
        {
          py::gil_scoped_release release;
          const auto c = static_cast<Eigen::Index>(chunk_rows);
          for (Eigen::Index s = 0; s < x.rows(); s += c) {
            const Eigen::Index rows = std::min(c, x.rows() - s);
            if (w) {
              mom.add(x.middleRows(s, rows), w->segment(s, rows));
            } else {
              mom.add(x.middleRows(s, rows));
            }
          }
          R = mom.correlation(policy);
        }
        return R;
      },
      "values"_a, "weights"_a = py::none(), "missing"_a = "pairwise", "chunk_rows"_a = 65536,
      "Correlation matrix of the columns (CoMoments accumulated in chunks).");
  m.def(
      "pca", [](const Eigen::MatrixXd& R) { return pca_dict(pca(R)); }, "correlation"_a,
      "Principal components of a correlation matrix (descending; sign convention applied).");
  m.def(
      "varimax",
      [](const Eigen::MatrixXd& L, bool kaiser, double tolerance, int max_iterations) {
        VarimaxOptions opt;
        opt.kaiser = kaiser;
        opt.tolerance = tolerance;
        opt.max_iterations = max_iterations;
        const Varimax v = varimax(L, opt);
        return py::dict("loadings"_a = v.loadings, "rotation"_a = v.rotation,
                        "iterations"_a = v.iterations, "converged"_a = v.converged);
      },
      "loadings"_a, "kaiser"_a = true, "tolerance"_a = 1e-12, "max_iterations"_a = 1000,
      "Varimax rotation (Kaiser's planar rotations).");
  m.def(
      "kmo",
      [](const Eigen::MatrixXd& R) {
        const Kmo k = kmo(R);
        return py::dict("overall"_a = k.overall, "items"_a = k.items,
                        "pseudo_inverse"_a = k.pseudo_inverse);
      },
      "correlation"_a, "Kaiser-Meyer-Olkin measure of sampling adequacy.");
  m.def(
      "bartlett",
      [](const Eigen::MatrixXd& R, double n) {
        const Bartlett b = bartlett(R, n);
        return py::dict("chi2"_a = b.chi2, "df"_a = b.df, "p_value"_a = b.p_value, "n"_a = b.n);
      },
      "correlation"_a, "n"_a, "Bartlett's test of sphericity.");
}
