#pragma once
// The order in which a learner visits its training examples in an epoch: a uniform random
// permutation (Fisher-Yates, drawing from the end), shared by every engine that trains on a
// data set so that the same seed visits the same examples whichever engine it is.
#include <cstdint>
#include <utility>
#include <vector>

#include "core/rng.hpp"

namespace obs::learn {

// 0, 1, ..., n - 1.
inline void identity_order(std::vector<std::uint32_t>& order, std::size_t n) {
  order.resize(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
}

// Shuffles `order` in place; each of the n! permutations is equally likely.
inline void shuffle_order(std::vector<std::uint32_t>& order, Rng& rng) {
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[static_cast<std::size_t>(rng.below(i))]);
}

}  // namespace obs::learn
