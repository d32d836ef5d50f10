// Scores two interviews with the shipped RSS instrument.
#include <reinscore/reinscore.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const auto rss = reinscore::Instrument::load(argv[1]);  // data/instruments/iom-rss.json
  const reinscore::Coder coder(rss);
  const reinscore::Scorer scorer(rss);  // the instrument's default weight set

  // Two interviews: everything at the favourable end, then everything "don't know".
  reinscore::CodedBlock block;
  block.resize(2, static_cast<Eigen::Index>(rss.items.size()));
  for (std::size_t k = 0; k < rss.items.size(); ++k) {
    const auto& scale = rss.scale_of(rss.items[k]);
    const auto& best = rss.items[k].reverse ? scale.codes.front() : scale.codes.back();
    block.set(0, static_cast<Eigen::Index>(k), coder.item(k).code(best.code));
    block.set(1, static_cast<Eigen::Index>(k), coder.item(k).code("dont_know"));
  }
  reinscore::ScoreBlock scores;
  scorer.score(block, scores);

  for (Eigen::Index r = 0; r < 2; ++r)
    std::cout << "composite " << scores.composite(r) << " status "
              << reinscore::to_string(scores.status[static_cast<std::size_t>(r)]) << "\n";
  std::cout << rss.tag() << "\n";
}
