#pragma once
// Choosing k of n units for a perturbation, each at most once and every k-subset equally likely
// (a partial Fisher-Yates shuffle run from the end), shared by every engine that ablates or
// injects into "a share of the units": the count an engine reports is then the count it hit.
#include <cstddef>
#include <utility>
#include <vector>

#include "core/rng.hpp"

namespace obs {

// For j = 0 .. k-1: draws one of the positions 0 .. n-1-j not chosen yet, swaps it into
// position n-1-j with swap(a, b), and calls visit(n-1-j). Afterwards the chosen units are the
// last k positions, so an engine that keeps its live units in a prefix (a moving run) can shrink
// the prefix as it goes. k is clamped to n; returns the count chosen.
template <class Swap, class Visit>
std::size_t pick_distinct(std::size_t n, std::size_t k, Rng& rng, Swap&& swap, Visit&& visit) {
  if (k > n) k = n;
  for (std::size_t j = 0; j < k; ++j) {
    const std::size_t last = n - 1 - j;
    swap(static_cast<std::size_t>(rng.below(last + 1)), last);
    visit(last);
  }
  return k;
}

// The same over a list of units (indices, coordinates): visit(unit) for each chosen one.
template <class T, class Visit>
std::size_t pick_distinct(std::vector<T>& units, std::size_t k, Rng& rng, Visit&& visit) {
  return pick_distinct(units.size(), k, rng, [&](std::size_t a, std::size_t b) { std::swap(units[a], units[b]); },
                       [&](std::size_t at) { visit(units[at]); });
}

}  // namespace obs
