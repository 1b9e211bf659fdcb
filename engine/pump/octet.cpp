#include "pump/octet.hpp"

#include <cmath>

#include "pump/lorentz.hpp"

namespace obs::pump {

void Octet::record(int slot, double residual) {
  if (slot < 0 || slot >= kSlots) return;
  ++recorded_;
  double& e = eps_[static_cast<std::size_t>(slot)];
  if (!(std::fabs(residual) <= std::fabs(e))) e = residual;  // NaN is kept visible too
}

double Octet::residual(int slot) const {
  return (slot < 0 || slot >= kSlots) ? 0.0 : eps_[static_cast<std::size_t>(slot)];
}

double Octet::max_abs() const {
  double m = 0;
  for (double e : eps_) m = std::fmax(m, std::fabs(e));
  return m;
}

Octet quarantine_residuals(const ExactKernel& kernel, const SpinorField& field, double* max_abs_all) {
  Octet octet;
  const auto core = core_voxels();
  double all = 0;
  for (int i = 0; i < kVoxels; ++i) {
    int slot = -1;
    for (int k = 0; k < Octet::kSlots; ++k)
      if (core[static_cast<std::size_t>(k)] == i) slot = k;
    const KernelRow& r = kernel.rows[static_cast<std::size_t>(i)];
    for (int c = 1; c < r.count; ++c) {
      const auto s = static_cast<std::size_t>(c);
      const double analytic = quadrance_analytic(field.q[static_cast<std::size_t>(i)], field.q[static_cast<std::size_t>(r.to[s])]);
      const double eps = analytic - r.qh[s].to_double();
      all = std::fmax(all, std::fabs(eps));
      if (slot >= 0) octet.record(slot, eps);
    }
  }
  if (max_abs_all) *max_abs_all = all;
  return octet;
}

}  // namespace obs::pump
