#include "pump/kernel_builder.hpp"

#include <stdexcept>
#include <vector>

#include "pump/lorentz.hpp"
#include "pump/sparsemax.hpp"

namespace obs::pump {
namespace {

using Row = std::array<Exact, kMaxCandidates>;

bool base_connected(const std::array<KernelRow, kVoxels>& rows) {
  std::array<bool, kVoxels> seen{};
  std::array<int, kVoxels> stack{};
  int top = 0, reached = 1;
  seen[0] = true;
  stack[top++] = 0;
  while (top > 0) {
    const KernelRow& r = rows[static_cast<std::size_t>(stack[--top])];
    for (int k = 1; k < r.count; ++k) {
      const auto j = static_cast<std::size_t>(r.to[static_cast<std::size_t>(k)]);
      if (!seen[j] && r.W[static_cast<std::size_t>(k)].sign() > 0) {
        seen[j] = true;
        ++reached;
        stack[top++] = static_cast<int>(j);
      }
    }
  }
  return reached == kVoxels;
}

// Does the base carry mass over at least one forward edge whose reverse the valve
// attenuates? Without that the valve has nothing to act on and J0 = 0 even though some
// reverse edge has lambda A > 0. (True when no edge is attenuated at all.)
bool base_reaches_skeleton(const std::array<KernelRow, kVoxels>& rows, const Exact& lambda) {
  bool attenuated = false;
  for (int i = 0; i < kVoxels; ++i) {
    const KernelRow& r = rows[static_cast<std::size_t>(i)];
    for (int k = 1; k < r.count; ++k) {
      const auto s = static_cast<std::size_t>(k);
      const KernelRow& rj = rows[static_cast<std::size_t>(r.to[s])];
      const auto back = static_cast<std::size_t>(candidate_slot(r.to[s], i));
      if (!(r.chi[s] == 0 && (lambda * rj.A[back]).sign() > 0)) continue;
      attenuated = true;
      if (r.W[s].sign() > 0) return true;
    }
  }
  return !attenuated;
}

// Sparsemax of the first `count` entries of a fixed-size candidate row.
SparsemaxRow row_sparsemax(const Row& z, int count) {
  return sparsemax(std::span<const Exact>(z.data(), static_cast<std::size_t>(count)));
}

// B (valve-free sparsemax rows) -> symmetric base W = min(B_ij, B_ji). Slot k of row i
// and the slot of i in row j = to[k] describe the same undirected edge.
void build_base(std::array<KernelRow, kVoxels>& rows, const Exact& scale) {
  for (auto& r : rows) {
    Row g;
    for (int k = 0; k < r.count; ++k) {
      const auto s = static_cast<std::size_t>(k);
      r.geo_logit[s] = -(r.beta * scale) * r.qh[s];
      g[s] = r.geo_logit[s];
    }
    const SparsemaxRow b = row_sparsemax(g, r.count);
    for (int k = 0; k < r.count; ++k) r.base_p[static_cast<std::size_t>(k)] = b.p[static_cast<std::size_t>(k)];
    r.tau_base = b.tau;
    r.base_support_size = b.support_size;
    r.beta_eff = r.beta * scale;
  }
  for (int i = 0; i < kVoxels; ++i) {
    KernelRow& r = rows[static_cast<std::size_t>(i)];
    r.W[0] = Exact(0);
    for (int k = 1; k < r.count; ++k) {
      const int j = r.to[static_cast<std::size_t>(k)];
      const int back = candidate_slot(j, i);
      const Exact& bji = rows[static_cast<std::size_t>(j)].base_p[static_cast<std::size_t>(back)];
      r.W[static_cast<std::size_t>(k)] = min(r.base_p[static_cast<std::size_t>(k)], bji);
    }
  }
}

}  // namespace

ExactKernel build_kernel(const SpinorField& field, const ValveSpec& valve) {
  if (valve.depth < 1 || valve.depth > kArms) throw std::invalid_argument("chiral depth must be 1, 2 or 3");
  if (valve.lambda.sign() < 0 || valve.A0.sign() < 0 || valve.spread.sign() < 0)
    throw std::invalid_argument("lambda, A0 and s must be >= 0");
  ExactKernel out;
  out.valve = valve;
  const auto& sets = candidate_sets();
  for (int i = 0; i < kVoxels; ++i) {
    KernelRow& r = out.rows[static_cast<std::size_t>(i)];
    const Candidates& c = sets[static_cast<std::size_t>(i)];
    const Spinor& qi = field.q[static_cast<std::size_t>(i)];
    r.count = c.count;
    r.beta = (Exact(1) - qi.w) / qi.w;
    for (int k = 0; k < c.count; ++k) {
      const auto s = static_cast<std::size_t>(k);
      r.to[s] = c.voxel[s];
      r.chi[s] = k == 0 ? 0 : against_count(i, c.axis[s], c.dir[s], valve.depth);
      r.qh[s] = k == 0 ? Exact(0) : quadrance(qi, field.q[static_cast<std::size_t>(c.voxel[s])]);
      r.A[s] = valve.A0 * valve.spread * Exact(r.chi[s]);
      r.rho[s] = Exact(1) / (Exact(1) + valve.lambda * r.A[s]);
    }
  }

  // The escape valve: the smallest relaxation 2^-r of every beta that connects the base
  // and lets it reach the pump skeleton. Both hold once r is large enough, because
  // beta' Q_h -> 0 puts every candidate in every row's support.
  Exact scale(1);
  for (out.relaxation = 0;; ++out.relaxation) {
    build_base(out.rows, scale);
    if (base_connected(out.rows) && base_reaches_skeleton(out.rows, valve.lambda)) break;
    if (out.relaxation == kMaxRelaxation)
      throw std::runtime_error("the sparsemax base stays disconnected after relaxing kappa by 2^" +
                               std::to_string(kMaxRelaxation));
    scale /= Exact(2);
  }

  Exact max_row(1);
  for (auto& r : out.rows) {
    Exact off(0);
    for (int k = 1; k < r.count; ++k) off += r.W[static_cast<std::size_t>(k)];
    max_row = max(max_row, off);
  }
  out.D = max_row;

  for (auto& r : out.rows) {
    Row z;
    for (int k = 0; k < r.count; ++k) {
      const auto s = static_cast<std::size_t>(k);
      r.logit[s] = r.geo_logit[s] - valve.lambda * r.A[s];
      z[s] = r.logit[s];
    }
    const SparsemaxRow p = row_sparsemax(z, r.count);
    r.tau = p.tau;
    r.support_size = p.support_size;
    Exact moved(0);
    for (int k = 0; k < r.count; ++k) {
      const auto s = static_cast<std::size_t>(k);
      r.P[s] = p.p[s];
      r.support[s] = p.support[s];
      if (k == 0) continue;
      r.K[s] = r.W[s] / out.D * r.rho[s];
      moved += r.K[s];
    }
    r.K[0] = Exact(1) - moved;  // what the valve rejects stays home
  }
  return out;
}

bool rows_sum_to_one(const ExactKernel& k) {
  for (const auto& r : k.rows) {
    Exact sk(0), sp(0);
    for (int c = 0; c < r.count; ++c) {
      const auto s = static_cast<std::size_t>(c);
      if (r.K[s].sign() < 0 || r.P[s].sign() < 0) return false;
      sk += r.K[s];
      sp += r.P[s];
    }
    if (sk != Exact(1) || sp != Exact(1)) return false;
  }
  return true;
}

std::vector<std::vector<Exact>> dense_kernel(const ExactKernel& k) {
  std::vector<std::vector<Exact>> m(kVoxels, std::vector<Exact>(kVoxels));
  for (int i = 0; i < kVoxels; ++i) {
    const KernelRow& r = k.rows[static_cast<std::size_t>(i)];
    for (int c = 0; c < r.count; ++c)
      m[static_cast<std::size_t>(i)][static_cast<std::size_t>(r.to[static_cast<std::size_t>(c)])] = r.K[static_cast<std::size_t>(c)];
  }
  return m;
}

}  // namespace obs::pump
