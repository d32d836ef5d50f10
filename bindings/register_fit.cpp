// Weights from data and Monte Carlo sensitivity: the fit-weights and sensitivity commands of
// the application layer (include/reinscore/app/fit_weights.hpp, sensitivity.hpp) for
// python/reinscore/_fit.py, plus the statistical kernels on their own so that the tests can
// hold them against numpy, scikit-learn and factor_analyzer.
#include "app_types.hpp"
#include "pybind11.hpp"

#include <pybind11/eigen.h>

#include <reinscore/app/fit_weights.hpp>
#include <reinscore/app/sensitivity.hpp>
#include <reinscore/fit.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace reinscore;

namespace {

using F64 = py::array_t<double, py::array::f_style | py::array::forcecast>;
using U8F = py::array_t<std::uint8_t, py::array::f_style | py::array::forcecast>;
using U8 = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>;
using C64 = py::array_t<double, py::array::c_style | py::array::forcecast>;

Eigen::Map<const Eigen::MatrixXd> matrix(const F64& a, const char* what) {
  if (a.ndim() != 2) throw std::invalid_argument(std::string(what) + ": expected a 2-d array");
  return {a.data(), static_cast<Eigen::Index>(a.shape(0)), static_cast<Eigen::Index>(a.shape(1))};
}

std::optional<Eigen::VectorXd> weights_of(const py::object& o, std::size_t n) {
  if (o.is_none()) return std::nullopt;
  const auto a = o.cast<C64>();
  if (a.ndim() != 1 || static_cast<std::size_t>(a.shape(0)) != n)
    throw std::invalid_argument("weights: expected one sampling weight per row (" +
                                std::to_string(n) + ")");
  return Eigen::Map<const Eigen::VectorXd>(a.data(), static_cast<Eigen::Index>(n));
}

// Weights handed over per row (Python's weight=array), as they are.
std::optional<std::vector<double>> given_weights(const py::object& o) {
  if (o.is_none()) return std::nullopt;
  const auto a = o.cast<C64>();
  if (a.ndim() != 1) throw app::option_error("--weight", "must be one-dimensional");
  return std::vector<double>(a.data(), a.data() + a.size());
}

py::dict pca_dict(const Pca& p) {
  return py::dict("eigenvalues"_a = p.eigenvalues, "vectors"_a = p.vectors,
                  "loadings"_a = p.loadings, "explained_ratio"_a = p.explained_ratio);
}

}  // namespace

void register_fit(py::module_& m) {
  py::class_<app::ExportOptions>(m, "ExportOptions",
                                 "How a raw export is read and bound to the items.")
      .def(py::init<>())
      .def_readwrite("delimiter", &app::ExportOptions::delimiter)
      .def_readwrite("sheet", &app::ExportOptions::sheet)
      .def_readwrite("map", &app::ExportOptions::map)
      .def_readwrite("column_map", &app::ExportOptions::column_map)
      .def_readwrite("allow_missing_columns", &app::ExportOptions::allow_missing_columns)
      .def_readwrite("chunk_rows", &app::ExportOptions::chunk_rows)
      .def("check", &app::ExportOptions::check);

  py::class_<app::ExportSource>(m, "ExportSource",
                                "A raw export read in batches by the application layer.")
      .def_property_readonly("header", &app::ExportSource::header)
      .def_property_readonly("restartable", &app::ExportSource::restartable);

  m.def(
      "open_export",
      [](const std::string& path, const Instrument& ins, const app::ExportOptions& opt,
         const py::object& weights) {
        auto given = given_weights(weights);
        py::gil_scoped_release release;
        return app::open_export(path, ins, opt, std::move(given));
      },
      "path"_a, "instrument"_a, "options"_a, "weights"_a = py::none(),
      py::keep_alive<0, 2>(),  // the source reads through the instrument
      "A file read as the command line reads it (CSV/TSV or XLSX).");
  m.def(
      "coded_export",
      [](const F64& values, const U8F& reasons, const U8& status,
         const std::vector<std::string>& header,
         const std::vector<std::pair<std::string, py::object>>& columns, const py::object& weights,
         const app::ExportOptions& opt) {
        const auto x = matrix(values, "coded_export: values");
        if (reasons.ndim() != 2 || reasons.shape(0) != x.rows() || reasons.shape(1) != x.cols())
          throw std::invalid_argument("coded_export: reasons must have the shape of values");
        if (status.ndim() != 1 || status.shape(0) != x.rows())
          throw std::invalid_argument("coded_export: status needs one entry per row");
        CodedBlock coded;
        coded.values = x;
        coded.reasons =
            Eigen::Map<const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic>>(
                reasons.data(), x.rows(), x.cols());
        std::vector<Status> st(static_cast<std::size_t>(x.rows()));
        for (std::size_t r = 0; r < st.size(); ++r) {
          if (status.data()[r] > static_cast<std::uint8_t>(Status::invalid))
            throw std::invalid_argument("coded_export: a status code is out of range");
          st[r] = static_cast<Status>(status.data()[r]);
        }
        std::vector<app::RawColumn> raw;
        for (const auto& [name, col] : columns) raw.push_back(raw_column(name, col));
        auto given = given_weights(weights);
        py::gil_scoped_release release;
        return app::coded_export(std::move(coded), std::move(st), header, std::move(raw),
                                 std::move(given), opt);
      },
      "values"_a, "reasons"_a, "status"_a, "header"_a, "columns"_a, "weights"_a, "options"_a,
      "Rows coded by the core's coder (a DataFrame): values and reasons (rows x items), status "
      "per row, the input's header, its columns a pass may name (weights, copied columns) as "
      "float64 arrays or sequences of str/None, and weights given per row.");

  py::class_<app::FitWeightsRequest>(
      m, "FitWeightsRequest", "Options of fit-weights (include/reinscore/app/fit_weights.hpp).")
      .def(py::init<>())
      .def_readwrite("method", &app::FitWeightsRequest::method)
      .def_readwrite("composite", &app::FitWeightsRequest::composite)
      .def_readwrite("missing", &app::FitWeightsRequest::missing)
      .def_readwrite("weight", &app::FitWeightsRequest::weight)
      .def_readwrite("name", &app::FitWeightsRequest::name)
      .def_readwrite("min_eigenvalue", &app::FitWeightsRequest::min_eigenvalue)
      .def_readwrite("min_cumulative", &app::FitWeightsRequest::min_cumulative)
      .def_readwrite("varimax_tolerance", &app::FitWeightsRequest::varimax_tolerance)
      .def_readwrite("varimax_max_iterations", &app::FitWeightsRequest::varimax_max_iterations)
      .def_readwrite("instrument", &app::FitWeightsRequest::instrument)
      .def_readwrite("input", &app::FitWeightsRequest::input)
      .def("check", &app::FitWeightsRequest::check)
      .def("set_name", &app::FitWeightsRequest::set_name);

  py::class_<app::FittedWeights>(m, "FittedWeights", "A fitted weight set and its report.")
      .def_readonly("report", &app::FittedWeights::report)
      .def_readonly("instrument", &app::FittedWeights::instrument)
      .def_readonly("file", &app::FittedWeights::file);

  m.def(
      "fit_weights",
      [](app::ExportSource& source, const Instrument& ins, const app::FitWeightsRequest& request) {
        py::gil_scoped_release release;  // the source holds C++ memory only
        return app::fit_weights(source, ins, request);
      },
      "source"_a, "instrument"_a, "request"_a,
      "Fits a weight set to a pass over `source` (app::fit_weights).");

  py::class_<app::SensitivityRequest>(
      m, "SensitivityRequest", "Options of sensitivity (include/reinscore/app/sensitivity.hpp).")
      .def(py::init<>())
      .def_readwrite("draws", &app::SensitivityRequest::draws)
      .def_readwrite("bound", &app::SensitivityRequest::bound)
      .def_readwrite("seed", &app::SensitivityRequest::seed)
      .def_readwrite("mode", &app::SensitivityRequest::mode)
      .def_readwrite("level", &app::SensitivityRequest::level)
      .def_readwrite("composite", &app::SensitivityRequest::composite)
      .def_readwrite("missing", &app::SensitivityRequest::missing)
      .def_readwrite("weight", &app::SensitivityRequest::weight)
      .def_readwrite("id", &app::SensitivityRequest::id)
      .def_readwrite("keep", &app::SensitivityRequest::keep)
      .def_readwrite("threads", &app::SensitivityRequest::threads)
      .def_readwrite("instrument", &app::SensitivityRequest::instrument)
      .def_readwrite("weights", &app::SensitivityRequest::weights)
      .def_readwrite("input", &app::SensitivityRequest::input)
      .def("check", &app::SensitivityRequest::check);

  m.def(
      "sensitivity",
      [](app::ExportSource& source, const Instrument& ins, const app::SensitivityRequest& request) {
        app::SensitivityOutcome out;
        {
          py::gil_scoped_release release;  // the source holds C++ memory only
          out = app::sensitivity(source, ins, request);
        }
        return py::make_tuple(std::move(out.report), std::move(out.summary_json));
      },
      "source"_a, "instrument"_a, "request"_a,
      "Monte Carlo over weight sets (app::sensitivity): the report (its \"interviews\" table "
      "included) and the summary as the JSON document of --summary.");

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
