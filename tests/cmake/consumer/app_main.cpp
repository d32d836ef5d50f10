// Calls `summarize` through the installed application layer, as a C++ service would.
#include <reinscore/app/render.hpp>
#include <reinscore/app/summarize.hpp>

#include <iostream>

int main() {
  using namespace reinscore::app;
  RawColumn round{"round", false, {"2", "1", "10", "1"}, {}, {}};
  RawColumn composite{"composite", false, {"0.5", "0.25", "1", "0.75"}, {}, {}};
  SummarizeRequest req;
  req.by = {"round"};
  req.min_cell = 0;
  const ScoresTable scores({round, composite}, req.want(), 1, "memory");
  std::cout << render(summarize(scores, req, InstrumentSearch{}), Format::csv);
}
