// Umbrella header: the whole public C++ API of reinscore.
//
// Not included here: the CSV/XLSX readers and the command-line tool, which are compiled
// parts under src/ (see docs/ARCHITECTURE.md).
#pragma once

#include <reinscore/accumulators.hpp>
#include <reinscore/bootstrap.hpp>
#include <reinscore/coder.hpp>
#include <reinscore/comoments.hpp>
#include <reinscore/error.hpp>
#include <reinscore/fit.hpp>
#include <reinscore/fwd.hpp>
#include <reinscore/instrument.hpp>
#include <reinscore/levels.hpp>
#include <reinscore/panel.hpp>
#include <reinscore/polychoric.hpp>
#include <reinscore/reason.hpp>
#include <reinscore/reliability.hpp>
#include <reinscore/scorer.hpp>
#include <reinscore/sensitivity.hpp>
#include <reinscore/summary.hpp>
#include <reinscore/version.hpp>
#include <reinscore/weights.hpp>
