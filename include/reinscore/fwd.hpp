// Forward declarations of reinscore's public types.
#pragma once

namespace reinscore {
class Instrument;
struct Scale;
struct Item;
struct WeightSet;
struct CodedBlock;
struct ScoreBlock;
class ItemCoder;
class Coder;
class Scorer;
struct Contribution;
}  // namespace reinscore
