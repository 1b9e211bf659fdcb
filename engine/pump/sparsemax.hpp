#pragma once
// Rational sparsemax (Martins & Astudillo 2016; alpha-entmax with alpha = 2), the
// executable normaliser of design §6, and its analytic limit softmax in doubles.
//
// sparsemax(z) is the Euclidean projection of z onto the probability simplex:
//   sort z descending; k = the largest index with 1 + k z_(k) > sum_{j<=k} z_(j);
//   tau = (sum_{j<=k} z_(j) - 1) / k;  p_j = [z_j - tau]_+.
// With rational z every step is exact, so the row sums to exactly 1 and the support is a
// yes/no fact, not a rounding accident. Tied logits enter or leave the support together
// (if z_(k) = z_(k+1) the test above has the same answer for both), so the order of ties
// in the sort does not matter.
#include <span>
#include <vector>

#include "pump/exact.hpp"

namespace obs::pump {

struct SparsemaxRow {
  std::vector<Exact> p;      // same order as the input
  std::vector<bool> support;  // p_j > 0
  Exact tau;
  int support_size = 0;
};

// Throws std::invalid_argument on an empty row. Takes Exact only: a row of doubles does
// not convert (see the Octet quarantine tests).
SparsemaxRow sparsemax(std::span<const Exact> z);

// The analytic (Gibbs) limit: softmax in doubles, max-shifted for range. Never used by
// the exact kernel.
std::vector<double> softmax(std::span<const double> z);

}  // namespace obs::pump
