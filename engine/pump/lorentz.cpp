#include "pump/lorentz.hpp"

#include <algorithm>
#include <cmath>

namespace obs::pump {

LorentzPoint lorentz_lift(const Spinor& q) {
  const Exact inv_w = Exact(1) / q.w;
  LorentzPoint p;
  p.t = inv_w;
  for (std::size_t k = 0; k < 3; ++k) p.x[k] = q.m[k] * inv_w;
  return p;
}

Exact lorentz_inner(const LorentzPoint& a, const LorentzPoint& b) {
  mpq_class s = a.t.mpq() * b.t.mpq();
  for (std::size_t k = 0; k < 3; ++k) s -= a.x[k].mpq() * b.x[k].mpq();
  return Exact::from_mpq(std::move(s));
}

Exact quadrance(const Spinor& a, const Spinor& b) {
  // The closed form, without building the lifts: <q~_a, q~_b>_L = (1 - m_a·m_b)/(w_a w_b).
  mpq_class dot = 0;
  for (std::size_t k = 0; k < 3; ++k) dot += a.m[k].mpq() * b.m[k].mpq();
  const mpq_class inner = (1 - dot) / (a.w.mpq() * b.w.mpq());
  return Exact::from_mpq(inner * inner - 1);
}

double quadrance_analytic(const Spinor& a, const Spinor& b) {
  double dot = 0;
  for (std::size_t k = 0; k < 3; ++k) dot += a.m[k].to_double() * b.m[k].to_double();
  const double inner = (1.0 - dot) / (a.w.to_double() * b.w.to_double());
  const double d = std::acosh(std::max(inner, 1.0));  // rounding can dip just below 1
  const double s = std::sinh(d);
  return s * s;
}

}  // namespace obs::pump
