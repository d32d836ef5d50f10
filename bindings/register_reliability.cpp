// Reliability: the `reliability` command (app::reliability over an ExportSource, which
// register_fit.cpp binds), alpha of any matrix of items, polychoric correlations and the
// bivariate normal CDF (for tests), and the binding of a raw export's columns to items.
#include "pybind11.hpp"

#include <reinscore/app/reliability.hpp>
#include <reinscore/reliability.hpp>

#include <Eigen/Core>

#include <map>
#include <string>
#include <vector>

using namespace reinscore;

namespace {

using FArray = py::array_t<double, py::array::f_style | py::array::forcecast>;
using CArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

Eigen::Map<const Eigen::MatrixXd> matrix(const FArray& a, const char* what) {
  if (a.ndim() != 2)
    throw std::invalid_argument(std::string(what) + ": expected a 2-d array (rows x items), got " +
                                std::to_string(a.ndim()) + " dimension(s)");
  return {a.data(), static_cast<Eigen::Index>(a.shape(0)), static_cast<Eigen::Index>(a.shape(1))};
}

// None or one weight per row.
Eigen::VectorXd weight_vector(const py::object& w, py::ssize_t rows, const char* what) {
  if (w.is_none()) return {};
  const auto a = w.cast<CArray>();
  if (a.ndim() != 1 || a.shape(0) != rows)
    throw std::invalid_argument(std::string(what) +
                                ": weights must be a 1-d array with one entry per row (" +
                                std::to_string(rows) + ")");
  return Eigen::Map<const Eigen::VectorXd>(a.data(), a.shape(0));
}

py::array_t<double> to_numpy(const Eigen::MatrixXd& m) {
  py::array_t<double> out({static_cast<py::ssize_t>(m.rows()), static_cast<py::ssize_t>(m.cols())});
  auto v = out.mutable_unchecked<2>();
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) v(i, j) = m(i, j);
  return out;
}

py::dict alpha_dict(const AlphaResult& a) {
  py::dict d;
  d["k"] = a.k;
  d["missing"] = std::string(missing_policy_name(a.missing));
  d["n"] = a.n;
  d["weight"] = a.weight;
  d["alpha"] = a.alpha;
  d["standardized_alpha"] = a.standardized_alpha;
  d["mean_r"] = a.mean_r;
  d["ordinal_alpha"] = a.ordinal_alpha;
  d["mean_polychoric"] = a.mean_polychoric;
  const auto column = [&](double ItemAlpha::*field) {
    std::vector<double> v;
    v.reserve(a.items.size());
    for (const auto& it : a.items) v.push_back(it.*field);
    return ::to_numpy(std::move(v));
  };
  py::dict items;
  items["n"] = column(&ItemAlpha::n);
  items["mean"] = column(&ItemAlpha::mean);
  items["sd"] = column(&ItemAlpha::sd);
  items["item_rest"] = column(&ItemAlpha::item_rest);
  items["alpha_if_deleted"] = column(&ItemAlpha::alpha_if_deleted);
  items["standardized_alpha_if_deleted"] = column(&ItemAlpha::standardized_alpha_if_deleted);
  items["ordinal_alpha_if_deleted"] = column(&ItemAlpha::ordinal_alpha_if_deleted);
  d["items"] = items;
  d["covariance"] = to_numpy(a.covariance);
  d["correlation"] = to_numpy(a.correlation);
  d["polychoric"] = to_numpy(a.polychoric);
  return d;
}

}  // namespace

void register_reliability(py::module_& m) {
  m.def("bivariate_normal_cdf", py::vectorize(&bivariate_normal_cdf), "h"_a, "k"_a, "rho"_a,
        "P(X <= h, Y <= k) for a standard bivariate normal with correlation rho "
        "(Genz/Drezner-Wesolowsky).");

  m.def(
      "polychoric",
      [](const CArray& table) {
        if (table.ndim() != 2)
          throw std::invalid_argument("polychoric: the contingency table must be a 2-d array");
        Eigen::MatrixXd t(table.shape(0), table.shape(1));
        const auto v = table.unchecked<2>();
        for (py::ssize_t i = 0; i < table.shape(0); ++i)
          for (py::ssize_t j = 0; j < table.shape(1); ++j) t(i, j) = v(i, j);
        const Polychoric p = polychoric(t);
        py::dict d;
        d["rho"] = p.rho;
        d["row_thresholds"] = p.row_thresholds;
        d["col_thresholds"] = p.col_thresholds;
        d["log_likelihood"] = p.log_likelihood;
        d["n"] = p.n;
        d["at_bound"] = p.at_bound;
        return d;
      },
      "table"_a, "Polychoric correlation of a contingency table (Olsson's two-step method).");

  m.def(
      "item_alpha",
      [](const FArray& values, const py::object& weights, const std::string& missing, bool ordinal,
         std::size_t chunk_rows) {
        const auto x = matrix(values, "item_alpha");
        const Eigen::VectorXd w = weight_vector(weights, values.shape(0), "item_alpha");
        const MissingPolicy policy = parse_missing_policy(missing, "missing");
        AlphaResult res;
        {
          py::gil_scoped_release release;
          const Eigen::Index n = x.rows();
          const auto step =
              chunk_rows ? static_cast<Eigen::Index>(chunk_rows) : std::max<Eigen::Index>(n, 1);
          // Chunks go to accumulators of their own, merged at the end (as threads would).
          AlphaAccumulator acc(x.cols(), ordinal);
          for (Eigen::Index r = 0; r < n; r += step) {
            const Eigen::Index len = std::min(step, n - r);
            AlphaAccumulator part(x.cols(), ordinal);
            part.add(x.middleRows(r, len),
                     w.size() ? Eigen::VectorXd(w.segment(r, len)) : Eigen::VectorXd());
            acc.merge(part);
          }
          res = acc.result(policy);
        }
        return alpha_dict(res);
      },
      "values"_a, "weights"_a = py::none(), "missing"_a = "complete", "ordinal"_a = false,
      "chunk_rows"_a = 0,
      "Alpha and item statistics of the columns of `values` (rows x items, NaN = missing). "
      "chunk_rows > 0 accumulates chunks separately and merges them.");

  py::class_<app::ReliabilityRequest>(
      m, "ReliabilityRequest", "Options of `reliability` (include/reinscore/app/reliability.hpp).")
      .def(py::init<>())
      .def_readwrite("instrument", &app::ReliabilityRequest::instrument)
      .def_readwrite("missing", &app::ReliabilityRequest::missing)
      .def_readwrite("ordinal", &app::ReliabilityRequest::ordinal)
      .def_readwrite("correlations", &app::ReliabilityRequest::correlations)
      .def_readwrite("weight", &app::ReliabilityRequest::weight)
      .def_readwrite("input", &app::ReliabilityRequest::input)
      .def("check", &app::ReliabilityRequest::check);

  m.def(
      "bind_export",
      [](const Instrument& ins, const std::vector<std::string>& header,
         const std::map<std::string, std::string>& column_map, bool allow_missing_columns) {
        app::ExportOptions opt;
        opt.column_map = column_map;
        opt.allow_missing_columns = allow_missing_columns;
        return app::bind_export(ins, header, opt);
      },
      "instrument"_a, "header"_a, "column_map"_a = std::map<std::string, std::string>{},
      "allow_missing_columns"_a = false,
      "Per item, the header index of its column (-1: none), bound as every command binds a "
      "raw export (app::bind_export); raises InputError for columns that cannot be used.");

  m.def(
      "reliability",
      [](app::ExportSource& source, const Instrument& ins, const app::ReliabilityRequest& request) {
        py::gil_scoped_release release;  // the source holds C++ memory only
        return app::reliability(source, ins, request);
      },
      "source"_a, "instrument"_a, "request"_a,
      "`reliability` over a raw export (open_export or coded_export): app::reliability.");
}
