// Finding instruments: by path or name given by the user, by plain name read from data
// (a scores file's instrument tag; never a path), weight sets applied by name or file, and
// the one rule for the threshold of "share at or above".
#pragma once

#include <reinscore/instrument.hpp>

#include <optional>
#include <string>
#include <vector>

namespace reinscore::app {

class ScoresTable;

/// Where instrument names are looked up: $REINSCORE_INSTRUMENT_PATH (':' separated) first,
/// then the face's own directories (the CLI: <prefix>/share/reinscore/instruments and the
/// source tree; Python: the instruments inside the package).
struct InstrumentSearch {
  std::vector<std::string> dirs;
  /// $REINSCORE_INSTRUMENT_PATH, then `builtin` (directories that do not exist are dropped).
  static InstrumentSearch from_environment(const std::vector<std::string>& builtin);
};

/// A path to an instrument file (ends in .json or holds a '/'), or a name in search.dirs.
Instrument resolve_instrument(const std::string& name_or_path, const InstrumentSearch& search);
/// The instrument named `id` by data: only ever a regular file `id`.json in search.dirs.
/// Throws std::invalid_argument (not_plain_name, instrument_not_found).
Instrument instrument_by_plain_name(const std::string& id, const InstrumentSearch& search);
/// Applies a weight set of the instrument by name, or a weight file (.csv/.json).
Instrument apply_weights(const Instrument& ins, const std::string& name_or_path);

/// The threshold of "share at or above": the lowest value of the instrument's highest
/// category (0.5 for iom-rss). None without thresholds of two categories or more.
std::optional<double> threshold_of(const Instrument& ins);

/// The instrument of a scores table: `given` (--instrument) when set, checked against
/// the table's tag (same id and version); else the tag's id looked up by plain name, with
/// the same version. None, with the reason in `why`, when the table names no instrument,
/// several (allowed with --allow-mixed), or one that cannot be found.
std::optional<Instrument> instrument_of(const ScoresTable& t,
                                        const std::optional<Instrument>& given,
                                        const InstrumentSearch& search, std::string& why);

}  // namespace reinscore::app
