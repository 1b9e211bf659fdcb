#include "pump/pump_currents.hpp"

#include <cmath>

namespace obs::pump {

std::vector<EdgeFlow> face_edges(const ExactKernel& k) {
  std::vector<EdgeFlow> edges;
  edges.reserve(144);
  for (int a = 0; a < kVoxels; ++a) {
    const KernelRow& r = k.rows[static_cast<std::size_t>(a)];
    for (int s = 1; s < r.count; ++s) {
      const int b = r.to[static_cast<std::size_t>(s)];
      if (b < a) continue;
      EdgeFlow e;
      e.a = a;
      e.b = b;
      e.slot_ab = s;
      e.slot_ba = candidate_slot(b, a);
      const KernelRow& rb = k.rows[static_cast<std::size_t>(b)];
      const int chi_ab = r.chi[static_cast<std::size_t>(s)], chi_ba = rb.chi[static_cast<std::size_t>(e.slot_ba)];
      e.drive = (chi_ab == 0 && chi_ba > 0) ? +1 : (chi_ba == 0 && chi_ab > 0) ? -1 : 0;
      e.base = r.W[static_cast<std::size_t>(s)] / k.D *
               (r.rho[static_cast<std::size_t>(s)] - rb.rho[static_cast<std::size_t>(e.slot_ba)]);
      edges.push_back(std::move(e));
    }
  }
  return edges;
}

Exact pump_current_J0(const ExactKernel& k) {
  // sum over E+ of (W_ij/D)(1 - rho_ji): for an E+ edge rho_ij = 1, so this is the
  // edge's base current taken in its with-winding direction.
  Exact j0(0);
  for (const EdgeFlow& e : face_edges(k)) {
    if (e.drive > 0) j0 += e.base;
    if (e.drive < 0) j0 -= e.base;
  }
  return j0;
}

PumpCurrents compute_currents(const ExactKernel& k, std::span<const Exact> pi) {
  PumpCurrents out;
  out.edges = face_edges(k);
  double sigma = 0;
  for (EdgeFlow& e : out.edges) {
    const Exact fab = pi[static_cast<std::size_t>(e.a)] * k.rows[static_cast<std::size_t>(e.a)].K[static_cast<std::size_t>(e.slot_ab)];
    const Exact fba = pi[static_cast<std::size_t>(e.b)] * k.rows[static_cast<std::size_t>(e.b)].K[static_cast<std::size_t>(e.slot_ba)];
    e.J = fab - fba;
    if (e.drive > 0) {
      out.J0 += e.base;
      out.J_plus += e.J;
    } else if (e.drive < 0) {
      out.J0 -= e.base;
      out.J_plus -= e.J;
    }
    if (fab.sign() > 0 && fba.sign() > 0 && !e.J.is_zero()) {
      // ln of the exact ratio: the ratio is formed exactly, only its log is a double.
      sigma += e.J.to_double() * std::log((fab / fba).to_double());
    }
  }
  out.entropy_production = sigma;
  return out;
}

}  // namespace obs::pump
