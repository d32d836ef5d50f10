// `instruments` and `instrument show --json`: the instruments the search path offers, and
// an instrument written back in the instrument file format, for people who read and edit it
// (plain decimal numbers: 0.25 and 2000, never 2.5E-1 or 2E3).
#pragma once

#include <reinscore/app/instruments.hpp>
#include <reinscore/app/report.hpp>
#include <reinscore/instrument.hpp>

#include <string>

namespace reinscore::app {

/// The file resolve_instrument() loads for `name_or_path`: the path itself when it is one
/// (it ends in .json or holds a '/'), else NAME.json in the first search directory that
/// has it. Throws std::invalid_argument: instrument_not_found (no such file or name, the
/// message lists the directories searched), not_a_file (a directory).
std::string instrument_file(const std::string& name_or_path, const InstrumentSearch& search);

/// The instrument file of `ins` (docs/instrument-format.md): two-space indentation, keys in
/// the file's order, every number as app::json_number writes it. It loads back to the same
/// instrument and hash.
std::string instrument_json(const Instrument& ins);

/// What `instrument show` prints and Python's Instrument displays, as tables:
/// "instrument" (field, value: id, version, title, level, tag, sha256, provisional
/// "yes"/"no", coverage_min_share, default_weights), "items" (item, dimension, scale, direction "as
/// coded"/"reversed", question), "scales" (scale, type, min, max for numeric scales, codes
/// "CODE=VALUE ...", missing "CODE (meaning) ..."), "categories" (score, label, min, provisional;
/// no rows without thresholds), "weight_sets" (weight_set, default, provisional, mode "dimension"
/// or "item", source, citation), "dimension_weights" (weight_set, dimension, weight: the
/// composite's weights of dimension-mode sets) and "item_weights" (weight_set, item,
/// dimension, dimension_weight, composite_weight: missing in dimension mode). Numbers are
/// shown in their shortest form.
Report describe_instrument(const Instrument& ins);

/// Table "instruments": one row per NAME.json in the search directories, by name within a
/// directory; a name found in an earlier directory hides later ones. Columns: name, tag,
/// level, provisional ("yes"/"no"), title, weight_sets (e.g. "equal (default)
/// [provisional], official"), file, and problem: why the file cannot be loaded (the other
/// columns are then missing). An empty table when there is no instrument file at all.
Report list_instruments(const InstrumentSearch& search);

}  // namespace reinscore::app
