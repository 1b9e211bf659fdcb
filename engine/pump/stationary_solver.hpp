#pragma once
// Stationary distributions by GTH elimination (Grassmann, Taksar & Heyman 1985): state
// censoring from the last state down, then back-substitution. GTH never subtracts (the
// pivot is the off-diagonal row sum, not 1 - K_kk), so in doubles it is accurate to a few
// ulps, and in exact rationals it has no cancellation to blow up the sizes.
//
// The exact version works on GMP rationals and skips zero entries, so its cost follows
// the fill-in of the 4x4x4 lattice (bandwidth 16) rather than n^3.
#include <span>
#include <vector>

#include "pump/exact.hpp"

namespace obs::pump {

// K: a square row-stochastic matrix (only the off-diagonal entries are read).
// Throws std::runtime_error if the chain is reducible (a pivot vanishes) and
// std::invalid_argument if K is not square or is empty.
std::vector<Exact> stationary_exact(const std::vector<std::vector<Exact>>& K);
std::vector<double> stationary_double(const std::vector<std::vector<double>>& K);

// pi K == pi, exactly.
bool is_stationary(const std::vector<std::vector<Exact>>& K, std::span<const Exact> pi);

}  // namespace obs::pump
