#pragma once
// The area under the ROC curve of a score that should be higher for the positives: the chance
// that a positive drawn at random scores above a negative drawn at random, ties counting one
// half (the Mann-Whitney U statistic over the product of the class sizes). How the TorEqProp
// oracle is judged: settling time as a score for "this answer is wrong" or "this input is out of
// distribution" (issue 16), against the output margin as the baseline score.
#include <cstdint>
#include <span>

namespace obs::learn {

// NaN when either class is empty or a score is not finite.
double auroc(std::span<const double> score, std::span<const std::uint8_t> positive);

}  // namespace obs::learn
