#pragma once
// Spearman's rank correlation: how well one ordering of a set predicts another (the Taylor
// prune score against the loss a connection's removal really costs). Ties share the mean of
// their ranks; the coefficient is Pearson's correlation of the ranks.
#include <vector>

namespace obs::sparse {

// The ranks 1..n of the values (ties: the mean of the ranks they span).
std::vector<double> ranks(const std::vector<double>& x);

// Spearman's rho of two equally long lists; 0 when either is constant or shorter than 2.
double spearman(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace obs::sparse
