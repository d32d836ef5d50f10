#include "app_types.hpp"
#include "pybind11.hpp"

#include <optional>
#include <string_view>
#include <utility>

#include <reinscore/app/instrument_info.hpp>
#include <reinscore/instrument.hpp>
#include <reinscore/weights.hpp>

using reinscore::Instrument;
using reinscore::WeightSet;

namespace {

py::list items_of(const Instrument& ins) {
  py::list out;
  for (const auto& it : ins.items)
    out.append(py::dict("id"_a = it.id, "column"_a = it.column, "aliases"_a = it.aliases,
                        "dimension"_a = it.dimension,
                        "level"_a = it.level.empty() ? ins.level : it.level, "scale"_a = it.scale,
                        "reverse"_a = it.reverse, "question"_a = it.question));
  return out;
}

py::list scales_of(const Instrument& ins) {
  py::list out;
  for (const auto& s : ins.scales) {
    const char* type = s.type == reinscore::ScaleType::categorical ? "categorical" : "numeric";
    if (s.type == reinscore::ScaleType::numeric)
      out.append(py::dict("scale"_a = s.id, "type"_a = type, "code"_a = py::none(),
                          "numeric"_a = py::none(), "label"_a = "", "value"_a = py::none(),
                          "meaning"_a = "answer", "min"_a = s.min, "max"_a = s.max));
    for (const auto& c : s.codes)
      out.append(py::dict("scale"_a = s.id, "type"_a = type, "code"_a = c.code,
                          "numeric"_a = c.numeric ? py::object(py::int_(*c.numeric)) : py::none(),
                          "label"_a = c.label, "value"_a = c.value, "meaning"_a = "answer",
                          "min"_a = py::none(), "max"_a = py::none()));
    for (const auto& c : s.missing)
      out.append(py::dict("scale"_a = s.id, "type"_a = type, "code"_a = c.code,
                          "numeric"_a = c.numeric ? py::object(py::int_(*c.numeric)) : py::none(),
                          "label"_a = c.label, "value"_a = py::none(),
                          "meaning"_a = std::string(reinscore::to_string(c.meaning)),
                          "min"_a = py::none(), "max"_a = py::none()));
  }
  return out;
}

py::dict weight_set_of(const Instrument& ins, const WeightSet& w) {
  py::dict dims;
  if (w.mode == reinscore::CompositeMode::dimension)
    for (std::size_t d = 0; d < ins.dimensions.size(); ++d)
      dims[py::str(ins.dimensions[d])] = w.dimension_weights[d];
  py::list items;
  for (std::size_t k = 0; k < ins.items.size(); ++k)
    items.append(py::dict("item"_a = ins.items[k].id, "dimension"_a = ins.items[k].dimension,
                          "dimension_weight"_a = w.items[k].dimension,
                          "composite_weight"_a = w.items[k].composite
                                                     ? py::object(py::float_(*w.items[k].composite))
                                                     : py::none()));
  return py::dict("name"_a = w.name, "source"_a = w.source, "citation"_a = w.citation,
                  "provisional"_a = w.provisional,
                  "mode"_a = w.mode == reinscore::CompositeMode::item ? "item" : "dimension",
                  "dimension_weights"_a = dims, "items"_a = items,
                  "diagnostics"_a = reinscore::detail::json::serialize(w.diagnostics));
}

}  // namespace

void register_instrument(py::module_& m) {
  // The one rule for instrument ids read from data (include/reinscore/instrument.hpp).
  m.def(
      "is_plain_name", [](std::string_view name) { return reinscore::is_plain_name(name); },
      "name"_a);
  m.def(
      "split_instrument_tag",
      [](std::string_view tag) -> std::optional<std::pair<std::string, std::string>> {
        std::string id, version;
        if (!reinscore::split_instrument_tag(tag, id, version)) return std::nullopt;
        return std::make_pair(id, version);
      },
      "tag"_a);
  // Finding instruments and listing them: the command line's code (app/instrument_info.hpp).
  m.def("instrument_file", &reinscore::app::instrument_file, "name_or_path"_a, "search"_a,
        "The file an instrument name or path resolves to.");
  m.def(
      "list_instruments",
      [](const reinscore::app::InstrumentSearch& search) {
        py::gil_scoped_release release;
        return reinscore::app::list_instruments(search);
      },
      "search"_a, "The report of `reinscore instruments`.");
  py::class_<Instrument>(m, "Instrument")
      .def_static("load", &Instrument::load, "path"_a)
      .def_static(
          "parse", [](const std::string& text) { return Instrument::parse(text); }, "text"_a)
      .def("to_json", &reinscore::app::instrument_json,
           "The instrument file, as `reinscore instrument show --json` prints it.")
      .def("describe", &reinscore::app::describe_instrument,
           "The tables `reinscore instrument show` prints (a Report).")
      .def_property_readonly("hash", &Instrument::hash)
      .def_property_readonly("tag", &Instrument::tag)
      .def_readonly("id", &Instrument::id)
      .def_readonly("version", &Instrument::version)
      .def_readonly("title", &Instrument::title)
      .def_readonly("level", &Instrument::level)
      .def_readonly("unit_key", &Instrument::unit_key)
      .def_readonly("provisional", &Instrument::provisional)
      .def_readonly("dimensions", &Instrument::dimensions)
      .def_readonly("coverage_min_share", &Instrument::coverage_min_share)
      .def_readonly("default_weights", &Instrument::default_weights)
      .def_property_readonly("items", &items_of)
      .def_property_readonly("scales", &scales_of)
      .def_property_readonly("thresholds",
                             [](const Instrument& i) -> py::object {
                               if (!i.thresholds) return py::none();
                               py::list cats;
                               for (const auto& c : i.thresholds->categories)
                                 cats.append(py::make_tuple(c.label, c.min));
                               return py::dict("score"_a = i.thresholds->score,
                                               "provisional"_a = i.thresholds->provisional,
                                               "categories"_a = cats);
                             })
      .def_property_readonly("weight_set_names",
                             [](const Instrument& i) {
                               std::vector<std::string> out;
                               for (const auto& w : i.weight_sets) out.push_back(w.name);
                               return out;
                             })
      .def(
          "weight_set",
          [](const Instrument& i, const std::string& name) {
            return weight_set_of(i, i.weights(name));
          },
          "name"_a = "")
      .def(
          "with_default_weights",
          [](const Instrument& i, const std::string& name) {
            (void)i.weights(name);  // throws for an unknown name
            Instrument out = i;
            out.default_weights = name;
            return out;
          },
          "name"_a)
      .def(
          "with_weights_file",
          [](const Instrument& i, const std::string& path, const std::string& name) {
            return i.with_weights(reinscore::load_weights(i, path, name));
          },
          "path"_a, "name"_a = "")
      .def(
          "with_weights_csv",
          [](const Instrument& i, const std::string& text, const std::string& name,
             const std::string& source) {
            return i.with_weights(reinscore::weights_from_csv(i, text, name, source));
          },
          "text"_a, "name"_a, "source"_a = "table")
      .def(
          "with_weights_table",
          [](const Instrument& i, const std::string& name,
             const std::vector<double>& dimension_weights,
             const std::vector<std::optional<double>>& composite_weights,
             const std::optional<std::vector<double>>& dimension_composite,
             const std::string& source, const std::string& citation, bool provisional,
             const std::string& diagnostics_json) {
            if (dimension_weights.size() != i.items.size() ||
                composite_weights.size() != i.items.size())
              throw std::invalid_argument("with_weights_table: expected one weight per item (" +
                                          std::to_string(i.items.size()) + ")");
            WeightSet w;
            w.name = name;
            w.source = source;
            w.citation = citation;
            w.provisional = provisional;
            w.items.resize(i.items.size());
            for (std::size_t k = 0; k < i.items.size(); ++k) {
              w.items[k].dimension = dimension_weights[k];
              w.items[k].composite = composite_weights[k];
            }
            if (dimension_composite) {
              w.mode = reinscore::CompositeMode::dimension;
              w.dimension_weights = *dimension_composite;
            } else {
              w.mode = reinscore::CompositeMode::item;
            }
            if (!diagnostics_json.empty()) {
              const auto v = reinscore::detail::parse_text(diagnostics_json, "diagnostics");
              w.diagnostics = reinscore::detail::as_object(v, "diagnostics");
            }
            return i.with_weights(std::move(w));
          },
          "name"_a, "dimension_weights"_a, "composite_weights"_a, "dimension_composite"_a,
          "source"_a, "citation"_a = "", "provisional"_a = false, "diagnostics_json"_a = "");
}
