#include "cube/cube_learning.hpp"

#include <algorithm>
#include <cmath>

namespace obs::cube {

float hash_uniform(std::uint64_t key, std::uint64_t p, std::uint64_t d) {
  std::uint64_t z = key + 0x9e3779b97f4a7c15ULL * (p * 32 + d + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * 0x1.0p-24f;
}

bool eqprop_update(Cube& c, const float* a, const float* cs, const LearnConfig& cfg, LearnStats& stats) {
  const auto B = static_cast<std::size_t>(c.B);
  const float kb = cfg.k / static_cast<float>(c.B);
  const float decay = cfg.loud_decay;
  std::uint64_t flips = 0, pruned_t = 0;
  if (cfg.moved) std::fill(cfg.moved, cfg.moved + c.cells, 0u);
  // Pass 1, parallel over planes: gradients of every possible pair (written to both copies;
  // the copy in a neighbouring plane is written only by this pair's owner, p), weight steps
  // of live synapses, bias steps. Growth waits for pass 2, which keeps the budget in order.
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : flips, pruned_t) num_threads(AdaptiveTeam::size_like(c.relax_team, c.n >= 12))
  for (int z = 0; z < c.n; ++z) {
    for (int y = 0; y < c.n; ++y)
      for (int x = 0; x < c.n; ++x) {
        const std::size_t p = c.idx(x, y, z);
        const float* ap = a + p * B;
        const float* cp = cs + p * B;
        if (c.relaxes[p]) {
          float db = 0;
          for (std::size_t b = 0; b < B; ++b) db += ap[b] - cp[b];
          c.bias[p] = std::clamp(c.bias[p] + cfg.lr * kb * db, -4.0f, 4.0f);
        }
        for (int d = 0; d < kNeighbours / 2; ++d) {
          if (!(c.possible[p] >> d & 1u)) continue;
          const std::size_t q = c.nbr(p, d);
          const float* aq = a + q * B;
          const float* cq = cs + q * B;
          float sum = 0;
#pragma omp simd reduction(+ : sum)
          for (std::size_t b = 0; b < B; ++b) sum += ap[b] * aq[b] - cp[b] * cq[b];
          const float g = kb * sum;
          const std::size_t i = p * kNeighbours + static_cast<std::size_t>(d);
          const std::size_t j = q * kNeighbours + static_cast<std::size_t>(kNeighbours - 1 - d);
          c.grad[i] = c.grad[j] = g;
          c.loud[i] = c.loud[j] = (1 - decay) * c.loud[i] + decay * std::fabs(g);
          if (!(c.mask[p] >> d & 1u)) continue;
          const bool recurrent = c.relaxes[p] && c.relaxes[q];
          if (cfg.ternary) {
            const float scale = recurrent ? cfg.scale_ff : cfg.scale_in;
            const float prob = std::min(1.0f, cfg.lr * std::fabs(g) / scale);
            if (g == 0 || hash_uniform(cfg.key, p, static_cast<std::uint64_t>(d)) >= prob) continue;
            const float t = std::clamp(std::round(c.w[i] / scale) + (g > 0 ? 1.0f : -1.0f), -1.0f, 1.0f);
            if (t * scale == c.w[i]) continue;
            ++flips;
            if (t == 0) ++pruned_t;
            if (cfg.moved) cfg.moved[p] |= 1u << d;  // only p's owner writes moved[p]
            c.w[i] = c.w[j] = t * scale;  // the mask follows below: mask[q] has other writers here
          } else {
            float v = c.w[i] + cfg.lr * g;
            if (!recurrent) v = std::clamp(v, -cfg.w_in_max, cfg.w_in_max);
            c.w[i] = c.w[j] = v;
          }
        }
      }
  }
  if (cfg.ternary && pruned_t > 0) {
#pragma omp parallel for schedule(static) num_threads(AdaptiveTeam::size_like(c.relax_team, c.n >= 12))
    for (std::size_t p = 0; p < c.cells; ++p) {
      std::uint32_t m = 0;
      for (int d = 0; d < kNeighbours; ++d)
        if ((c.possible[p] >> d & 1u) && c.w[p * kNeighbours + static_cast<std::size_t>(d)] != 0) m |= 1u << d;
      c.mask[p] = m;
    }
  }
  stats.flips = flips;
  stats.pruned = pruned_t;
  stats.grown = 0;
  bool changed = pruned_t > 0;

  // Pass 2, sequential in index order: pruning (float plasticity) then growth, under budget.
  std::uint64_t live = c.live_synapses();
  if (cfg.plasticity && cfg.restructure && !cfg.ternary) {
    // Loudness is compared within each plane (z of the pair's owner), not across the cube:
    // the nudge, and with it |g|, fades with the distance from the output face, so one
    // cube-wide mean would prune the deep planes' synapses, the path the input takes, first.
    const std::size_t planes = static_cast<std::size_t>(c.P), plane_cells = planes * planes;
    double* sum = cfg.plane_scratch;
    double* count = cfg.plane_scratch + planes;
    std::fill(cfg.plane_scratch, cfg.plane_scratch + 2 * planes, 0.0);
    for (std::size_t p = 0; p < c.cells; ++p)
      for (int d = 0; d < kNeighbours / 2; ++d)
        if (c.mask[p] >> d & 1u) {
          sum[p / plane_cells] += c.loud[p * kNeighbours + static_cast<std::size_t>(d)];
          count[p / plane_cells] += 1;
        }
    for (std::size_t z = 0; z < planes; ++z) sum[z] = count[z] > 0 ? sum[z] / count[z] : 0.0;  // now the means
    const double* mean = sum;
    for (std::size_t p = 0; p < c.cells; ++p)
      for (int d = 0; d < kNeighbours / 2; ++d)
        if ((c.mask[p] >> d & 1u) && c.loud[p * kNeighbours + static_cast<std::size_t>(d)] < cfg.prune_ratio * mean[p / plane_cells]) {
          c.set_synapse(p, d, 0.0f, false);
          --live;
          ++stats.pruned;
          changed = true;
        }
    for (std::size_t p = 0; p < c.cells && live < cfg.budget; ++p)
      for (int d = 0; d < kNeighbours / 2 && live < cfg.budget; ++d) {
        const std::size_t i = p * kNeighbours + static_cast<std::size_t>(d);
        const double m = mean[p / plane_cells];
        if ((c.possible[p] >> d & 1u) && !(c.mask[p] >> d & 1u) && m > 0 && c.loud[i] > cfg.grow_ratio * m) {
          c.set_synapse(p, d, cfg.lr * c.grad[i], true);
          ++live;
          ++stats.grown;
          changed = true;
        }
      }
  }
  if (cfg.ternary) {
    // Stochastic growth 0 -> sign(g), the same flip rule as above, in index order under the budget.
    for (std::size_t p = 0; p < c.cells && live < cfg.budget; ++p)
      for (int d = 0; d < kNeighbours / 2 && live < cfg.budget; ++d) {
        if (!(c.possible[p] >> d & 1u) || (c.mask[p] >> d & 1u)) continue;
        if (cfg.moved && (cfg.moved[p] >> d & 1u)) continue;  // pruned by this update: one step per update
        const float g = c.grad[p * kNeighbours + static_cast<std::size_t>(d)];
        const std::size_t q = c.nbr(p, d);
        const float scale = c.relaxes[p] && c.relaxes[q] ? cfg.scale_ff : cfg.scale_in;
        const float prob = std::min(1.0f, cfg.lr * std::fabs(g) / scale);
        if (g == 0 || hash_uniform(cfg.key, p, static_cast<std::uint64_t>(d)) >= prob) continue;
        c.set_synapse(p, d, g > 0 ? scale : -scale, true);
        ++live;
        ++stats.grown;
        ++stats.flips;
        changed = true;
      }
  }
  return changed;
}

double lipschitz_estimate(const Cube& c, std::vector<float>& v, std::vector<float>& u, int iterations) {
  // Entries cells .. cells + K - 1 are the face readout's units, coupled to the far face by u_kf.
  const FaceReadout& ro = c.ro;
  const std::size_t units = static_cast<std::size_t>(ro.K), all = c.cells + units;
  if (v.size() < all) v.resize(all, 0.0f);  // outside the relaxation: may allocate
  if (u.size() < all) u.resize(all, 0.0f);
  auto face_cell = [&](int f) { return c.idx(f % c.n, f / c.n, c.n - 1); };
  double vv = 0;
  for (std::size_t p = 0; p < all; ++p) {
    if (p < c.cells && !c.relaxes[p]) v[p] = 0;
    vv += static_cast<double>(v[p]) * v[p];
  }
  if (!(vv > 0)) {  // a fresh start: positive with a little structure, so no eigenvector is missed
    for (std::size_t p = 0; p < all; ++p) v[p] = p >= c.cells || c.relaxes[p] ? 0.5f + hash_uniform(17, p, 0) : 0.0f;
    vv = 0;
    for (std::size_t p = 0; p < all; ++p) vv += static_cast<double>(v[p]) * v[p];
    if (!(vv > 0)) return 0;
  }
  double ratio = 0;
  std::vector<double> partial(static_cast<std::size_t>(c.n));
  for (int it = 0; it < iterations; ++it) {
#pragma omp parallel for schedule(static) num_threads(AdaptiveTeam::size_like(c.relax_team, c.n >= 12))
    for (int z = 0; z < c.n; ++z) {
      double acc = 0;
      const bool face = units > 0 && z == c.n - 1;
      for (int y = 0; y < c.n; ++y)
        for (int x = 0; x < c.n; ++x) {
          const std::size_t p = c.idx(x, y, z);
          float sum = 0;
          if (c.relaxes[p]) {
            const float* wp = c.w.data() + p * kNeighbours;
            for (int d = 0; d < kNeighbours; ++d) {
              const std::size_t q = c.nbr(p, d);
              if (c.relaxes[q]) sum += wp[d] * v[q];
            }
            if (face)
              for (std::size_t k = 0; k < units; ++k)
                sum += ro.u[k * static_cast<std::size_t>(ro.F) + static_cast<std::size_t>(y * c.n + x)] * v[c.cells + k];
          }
          u[p] = sum;
          acc += static_cast<double>(sum) * sum;
        }
      partial[static_cast<std::size_t>(z)] = acc;
    }
    double uu = 0;
    for (double x : partial) uu += x;
    for (std::size_t k = 0; k < units; ++k) {
      float sum = 0;
      for (int f = 0; f < ro.F; ++f) {
        const std::size_t p = face_cell(f);
        if (c.relaxes[p]) sum += ro.u[k * static_cast<std::size_t>(ro.F) + static_cast<std::size_t>(f)] * v[p];
      }
      u[c.cells + k] = sum;
      uu += static_cast<double>(sum) * sum;
    }
    ratio = std::sqrt(uu / vv);
    if (!(uu > 0)) return 0;
    const float inv = static_cast<float>(1.0 / std::sqrt(uu));
    vv = 0;
    for (std::size_t p = 0; p < all; ++p) {
      v[p] = u[p] * inv;
      vv += static_cast<double>(v[p]) * v[p];
    }
  }
  return ratio;
}

void scale_recurrent(Cube& c, float f) {
  for (float& x : c.ro.u) x *= f;  // the face readout's coupling is part of the operator
#pragma omp parallel for schedule(static) num_threads(AdaptiveTeam::size_like(c.relax_team, c.n >= 12))
  for (int z = 0; z < c.n; ++z)
    for (int y = 0; y < c.n; ++y)
      for (int x = 0; x < c.n; ++x) {
        const std::size_t p = c.idx(x, y, z);
        if (!c.relaxes[p]) continue;
        for (int d = 0; d < kNeighbours; ++d)
          if (c.relaxes[c.nbr(p, d)]) c.w[p * kNeighbours + static_cast<std::size_t>(d)] *= f;
      }
}

}  // namespace obs::cube
