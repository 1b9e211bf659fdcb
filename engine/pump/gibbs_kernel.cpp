#include "pump/gibbs_kernel.hpp"

#include <algorithm>
#include <cmath>

#include "pump/lorentz.hpp"
#include "pump/sparsemax.hpp"
#include "pump/stationary_solver.hpp"

namespace obs::pump {

std::vector<std::vector<double>> dense_double(const ExactKernel& k,
                                              const std::array<std::array<double, kMaxCandidates>, kVoxels>& rows) {
  std::vector<std::vector<double>> m(kVoxels, std::vector<double>(kVoxels, 0.0));
  for (std::size_t i = 0; i < kVoxels; ++i)
    for (int c = 0; c < k.rows[i].count; ++c)
      m[i][static_cast<std::size_t>(k.rows[i].to[static_cast<std::size_t>(c)])] = rows[i][static_cast<std::size_t>(c)];
  return m;
}

GibbsKernel build_gibbs_kernel(const ExactKernel& k, const SpinorField& field) {
  GibbsKernel out;
  const double lambda = k.valve.lambda.to_double();
  std::array<std::array<double, kMaxCandidates>, kVoxels> soft{};
  for (std::size_t i = 0; i < kVoxels; ++i) {
    const KernelRow& r = k.rows[i];
    std::vector<double> g(static_cast<std::size_t>(r.count));
    for (int c = 0; c < r.count; ++c) {
      const auto s = static_cast<std::size_t>(c);
      const double qh = c == 0 ? 0.0 : quadrance_analytic(field.q[i], field.q[static_cast<std::size_t>(r.to[s])]);
      g[s] = -r.beta_eff.to_double() * qh;
    }
    const auto p = softmax(g);
    std::copy(p.begin(), p.end(), soft[i].begin());
  }
  // Symmetric base min(S_ij, S_ji), normaliser, exponential valve, rejected mass home.
  std::array<std::array<double, kMaxCandidates>, kVoxels> W{};
  double max_row = 1;
  for (std::size_t i = 0; i < kVoxels; ++i) {
    const KernelRow& r = k.rows[i];
    double off = 0;
    for (int c = 1; c < r.count; ++c) {
      const int j = r.to[static_cast<std::size_t>(c)];
      const int back = candidate_slot(j, static_cast<int>(i));
      W[i][static_cast<std::size_t>(c)] = std::min(soft[i][static_cast<std::size_t>(c)], soft[static_cast<std::size_t>(j)][static_cast<std::size_t>(back)]);
      off += W[i][static_cast<std::size_t>(c)];
    }
    max_row = std::max(max_row, off);
  }
  out.D = max_row;
  for (std::size_t i = 0; i < kVoxels; ++i) {
    const KernelRow& r = k.rows[i];
    double moved = 0;
    for (int c = 1; c < r.count; ++c) {
      const auto s = static_cast<std::size_t>(c);
      const double valve = std::exp(-lambda * r.A[s].to_double());
      out.G[i][s] = W[i][s] / out.D * valve;
      moved += out.G[i][s];
      // E+ edges i -> j: chi_ij = 0 and the reverse is attenuated.
      const int j = r.to[s];
      const int back = candidate_slot(j, static_cast<int>(i));
      const double a_back = k.rows[static_cast<std::size_t>(j)].A[static_cast<std::size_t>(back)].to_double();
      if (r.chi[s] == 0 && k.rows[static_cast<std::size_t>(j)].chi[static_cast<std::size_t>(back)] > 0)
        out.J0 += W[i][s] / out.D * (1.0 - std::exp(-lambda * a_back));
    }
    out.G[i][0] = 1.0 - moved;
  }
  out.pi = stationary_double(dense_double(k, out.G));
  return out;
}

}  // namespace obs::pump
