#pragma once
// The Lipschitz bound of the recurrent map and its projection.
//
// The free units (hidden + output) obey s = rho(M s + c), where c = W_0 x + b holds the clamped
// input (so W_0 does not enter) and M is the symmetric block-tridiagonal coupling among free
// layers, with blocks W_1..W_{L-1}. Its Lipschitz constant is at most Lip(rho) ||M||_2 = ||M||_2
// (both activations have Lip 1). After every weight update the blocks are scaled together so
// that this bound stays at or below a target < 1, which makes the map a contraction and the
// energy strictly convex (layered_net.hpp).
//
// Under feedback alignment (Net::B) M is no longer symmetric: W_l below the diagonal, B_l above.
// Then ||M||_2 is the largest singular value, from power iteration on M^T M, and the projection
// scales W_l and B_l (l >= 1) together.
//
// ||M||_2 comes from power iteration warm-started from the previous vector: the weights move a
// little per update, so a few iterations usually keep the estimate converged; it iterates on
// while the estimate still moves, because a lagging estimate (from below) would let L pass 1. M is bipartite (odd layers
// couple only to even ones), so its spectrum is symmetric; |M v| / |v| still converges to the
// largest |eigenvalue|, which is what is needed.
#include <cstdint>
#include <vector>

#include "eqprop/layered_net.hpp"

namespace obs::eqprop {

class LipschitzProjector {
 public:
  void resize(const Net& net, std::uint64_t seed);
  // Power iteration on M, at least `iterations` steps and on until it settles (at most 200);
  // returns the estimate of ||M||_2.
  double estimate(const Net& net, int iterations);
  // Estimates, scales W_1..W_{L-1} by target/sigma when sigma > target, and returns the bound
  // after the projection. Also refreshes the per-matrix spectral norms (one iteration each).
  double project(Net& net, double target, int iterations);
  const std::vector<double>& matrix_norms() const { return norms_; }
  double last_bound() const { return bound_; }
  // Checkpoints (core/state_archive.hpp): the power iterations start from the last vectors.
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.v_, self.u_, self.right_, self.left_, self.norms_, self.bound_);
  }

 private:
  void apply_m(const Net& net, const std::vector<Vec>& v, std::vector<Vec>& out) const;
  // M^T u (the transpose of apply_m; the same as M u for the symmetric net).
  void apply_mt(const Net& net, const std::vector<Vec>& u, std::vector<Vec>& out) const;
  std::vector<Vec> v_, u_, w_;             // per free layer, for M (w_: M^T M v under feedback alignment)
  std::vector<Vec> right_, left_;          // per weight matrix, for ||W_l||
  std::vector<double> norms_;
  double bound_ = 0;
};

// ||M||_2 from a dense symmetric eigen-decomposition in double (a dense SVD under feedback
// alignment): the independent check of the power-iteration estimate, for tests and small nets
// only (O(n^3)).
double exact_coupling_norm(const Net& net);

}  // namespace obs::eqprop
