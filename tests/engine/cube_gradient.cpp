// The cube's EqProp estimate checked against a second method: the finite difference of the
// loss C = 1/2 sum_k (s*_out_k - y_k)^2 at the free fixed point, with every weight of a small
// cube moved by +-h (both stored copies). Scellier & Bengio (2017): for beta -> 0,
//   -dC/dw_pq = (1 / 2 beta) (s^{+beta}_p s^{+beta}_q - s^{-beta}_p s^{-beta}_q).
// The cube is kept in the unclipped interior (bias 0.3, weights +-0.08), where C is smooth.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/rng.hpp"
#include "cube/cube_learning.hpp"
#include "cube/cube_relax.hpp"
#include "cube_test_util.hpp"

namespace {

using cube_test::settle;
using obs::cube::Cube;
using obs::cube::kNeighbours;

double loss(const Cube& c) {
  double C = 0;
  for (std::size_t p = 0; p < c.cells; ++p)
    if (c.out_class[p] >= 0) {
      const double r = c.s[p] - c.target[static_cast<std::size_t>(c.out_class[p])];
      C += 0.5 * r * r;
    }
  return C;
}

Cube small_cube(float omega) {
  Cube c;
  c.shape(5, 1, 1);
  c.omega = omega;
  obs::Rng rng(7);
  for (std::size_t p = 0; p < c.cells; ++p) {
    if (!c.alive[p]) continue;
    c.bias[p] = 0.3f;
    for (int d = 0; d < kNeighbours / 2; ++d)
      if (c.possible[p] >> d & 1u) {
        const auto v = static_cast<float>(rng.uniform(-0.08, 0.08));
        c.set_synapse(p, d, v);
      }
  }
  c.recount();
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 5; ++x) c.s[c.idx(x, y, 0)] = static_cast<float>(rng.uniform(0.2, 0.8));
  c.out_class[c.idx(1, 2, 4)] = 0;
  c.out_class[c.idx(3, 2, 4)] = 1;
  c.target = {1.0f, 0.0f};
  return c;
}

}  // namespace

TEST_CASE("the EqProp estimate matches the finite-difference gradient of the loss (plain and over-relaxed sweeps)") {
  for (const float omega : {1.0f, 1.5f}) {
    CAPTURE(omega);
    const float beta = 0.01f;
    const cube_test::Phases ph = cube_test::settle_phases(small_cube(omega), beta);
    const Cube &free = ph.free, &plus = ph.plus, &minus = ph.minus;
    obs::cube::LearnConfig cfg;
    cfg.lr = 0;  // only the estimate is wanted: grad[] is written, no weight moves
    cfg.k = 1.0f / (2.0f * beta);
    obs::cube::LearnStats stats;
    Cube est = free;
    obs::cube::eqprop_update(est, plus.s.data(), minus.s.data(), cfg, stats);

    cube_test::Agreement a;
    const float h = 1e-2f;
    for (std::size_t p = 0; p < free.cells; ++p)
      for (int d = 0; d < kNeighbours / 2; ++d) {
        if (!(free.mask[p] >> d & 1u) || !(free.relaxes[p] || free.relaxes[free.nbr(p, d)])) continue;
        double Cpm[2];
        for (int sgn = 0; sgn < 2; ++sgn) {
          Cube m = free;
          m.set_synapse(p, d, m.w[p * kNeighbours + static_cast<std::size_t>(d)] + (sgn ? -h : h));
          settle(m);
          Cpm[sgn] = loss(m);
        }
        a.add(-(Cpm[0] - Cpm[1]) / (2.0 * h), est.grad[p * kNeighbours + static_cast<std::size_t>(d)]);
      }
    REQUIRE(a.count > 500);
    CHECK(a.cosine() > 0.999);
    CHECK(a.worst < 0.02 * a.largest);
    MESSAGE("omega " << omega << ": " << a.count << " synapses, cosine " << a.cosine() << ", worst |EqProp - FD| " << a.worst
                     << " of largest " << a.largest);
  }
}
