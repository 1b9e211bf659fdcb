#include "pump/pump_model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "pump/lorentz.hpp"
#include "pump/stationary_solver.hpp"

namespace obs::pump {
namespace {

static_assert(kSnapshotVoxels == kVoxels && kSnapshotCandidates == kMaxCandidates,
              "pump_snapshot.hpp mirrors the packet's sizes without including GMP");

void fill_row_detail(const PumpModel& m, int i, VoxelRowDetail& d) {
  const auto u = static_cast<std::size_t>(i);
  const Coord c = voxel_coord(i);
  const Spinor& q = m.field.q[u];
  const KernelRow& r = m.kernel.rows[u];
  d.voxel = i;
  d.x = c.x;
  d.y = c.y;
  d.z = c.z;
  d.core = is_core(i);
  d.w = q.w.str();
  for (std::size_t k = 0; k < 3; ++k) d.m[k] = q.m[k].str();
  const LorentzPoint lift = lorentz_lift(q);
  d.lift[0] = lift.t.str();
  for (std::size_t k = 0; k < 3; ++k) d.lift[k + 1] = lift.x[k].str();
  d.beta = r.beta.str();
  d.beta_eff = r.beta_eff.str();
  d.pi = m.pi[u].str();
  d.count = r.count;
  for (int k = 0; k < r.count; ++k) {
    const auto s = static_cast<std::size_t>(k);
    d.to[s] = r.to[s];
    d.chi[s] = r.chi[s];
    d.qh[s] = r.qh[s].str();
    d.logit[s] = r.logit[s].str();
    d.A[s] = r.A[s].str();
    d.rho[s] = r.rho[s].str();
    d.P[s] = r.P[s].str();
    d.W[s] = r.W[s].str();
    d.K[s] = r.K[s].str();
    d.support[s] = r.support[s];
  }
  d.tau = r.tau.str();
  d.support_size = r.support_size;
}

std::shared_ptr<const PumpKernelInfo> make_info(const PumpModel& m, const PumpConfig& cfg, double solve_ms) {
  auto info = std::make_shared<PumpKernelInfo>();
  for (int i = 0; i < kVoxels; ++i) {
    const auto u = static_cast<std::size_t>(i);
    fill_row_detail(m, i, info->rows[u]);
    info->pi[u] = m.pi_double[u];
    info->pi_gibbs[u] = m.gibbs.pi[u];
    info->core[u] = is_core(i);
  }
  info->pi_min = *std::min_element(info->pi.begin(), info->pi.end());
  info->pi_max = *std::max_element(info->pi.begin(), info->pi.end());
  for (const EdgeFlow& e : m.currents.edges) info->edges.push_back({e.a, e.b, e.J.to_double(), e.drive, e.J.str()});
  info->badges.rows_sum_to_one = m.rows_ok;
  info->badges.pi_K_equals_pi = m.stationary_ok;
  info->badges.J0_positive = m.currents.J0.sign() > 0;
  info->badges.parity_holds = m.parity_pi.holds && m.rows_parity_ok;
  info->J0 = m.currents.J0.to_double();
  info->J_plus = m.currents.J_plus.to_double();
  info->entropy_production = m.currents.entropy_production;
  info->J0_exact = m.currents.J0.str();
  info->J_plus_exact = m.currents.J_plus.str();
  info->D_exact = m.kernel.D.str();
  info->J0_gibbs = m.gibbs.J0;
  double tv = 0;
  for (std::size_t i = 0; i < kVoxels; ++i) tv += std::fabs(m.pi_double[i] - m.gibbs.pi[i]);
  info->tv_pi_gibbs = tv / 2;
  info->octet = m.octet.residuals();
  info->octet_voxel = core_voxels();
  info->octet_max_all = m.octet_max_all;
  info->winding = abbreviate(m.parity_pi.winding);
  info->unit_L = abbreviate(m.parity_pi.L);
  info->winding_mod7 = m.parity_pi.winding_mod7;
  info->core_residue = m.parity_pi.core;
  info->float_parity_holds = m.parity_gibbs.holds;
  info->float_winding_mod7 = m.parity_gibbs.winding_mod7;
  info->float_core_residue = m.parity_gibbs.core;
  info->relaxation = m.kernel.relaxation;
  info->chiral_depth = cfg.valve.depth;
  info->spinor_grid = m.field.grid;
  info->lambda = cfg.valve.lambda.str();
  info->A0 = cfg.valve.A0.str();
  info->spread = cfg.valve.spread.str();
  info->w_min = cfg.annulus.w_min.str();
  info->w_max = cfg.annulus.w_max.str();
  info->solve_ms = solve_ms;
  return info;
}

}  // namespace

std::shared_ptr<const PumpModel> build_pump_model(const PumpConfig& config, std::uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  auto m = std::make_shared<PumpModel>();
  m->field = generate_spinor_field(config.annulus, seed);
  m->kernel = build_kernel(m->field, config.valve);
  const auto K = dense_kernel(m->kernel);
  m->pi = stationary_exact(K);
  m->rows_ok = rows_sum_to_one(m->kernel);
  m->stationary_ok = is_stationary(K, m->pi);
  const double solve_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  m->currents = compute_currents(m->kernel, m->pi);
  m->gibbs = build_gibbs_kernel(m->kernel, m->field);
  m->octet = quarantine_residuals(m->kernel, m->field, &m->octet_max_all);
  m->parity_pi = parity(std::span<const Exact>(m->pi));
  m->parity_gibbs = parity(std::span<const double>(m->gibbs.pi));
  m->rows_parity_ok = true;
  for (std::size_t i = 0; i < kVoxels && m->rows_parity_ok; ++i) m->rows_parity_ok = parity(std::span<const Exact>(K[i])).holds;

  for (std::size_t i = 0; i < kVoxels; ++i) {
    const KernelRow& r = m->kernel.rows[i];
    m->pi_double[i] = m->pi[i].to_double();
    double acc = 0;
    for (int c = 0; c < r.count; ++c) {
      const auto s = static_cast<std::size_t>(c);
      m->K_double[i][s] = r.K[s].to_double();
      acc += m->K_double[i][s];
      m->cumulative[i][s] = acc;
      // The step's own chi against the reverse step's: E+ one way, its reverse the other.
      const int back = c == 0 ? 0 : m->kernel.rows[static_cast<std::size_t>(r.to[s])].chi[static_cast<std::size_t>(candidate_slot(r.to[s], static_cast<int>(i)))];
      m->move_sign[i][s] = static_cast<std::int8_t>(c == 0 ? 0 : (r.chi[s] == 0 && back > 0) ? 1 : (back == 0 && r.chi[s] > 0) ? -1 : 0);
    }
    m->cumulative[i][static_cast<std::size_t>(r.count - 1)] = 1.0;  // rounding never strands a walker
  }
  m->info = make_info(*m, config, solve_ms);
  return m;
}

}  // namespace obs::pump
