#pragma once
// Lorentz/hyperboloid geometry of the spinor field (design §5, locks 1-2).
//
// The S^3 spinor q = (w, m) and the lifted point q~ = (1/w)(1, m) ∈ H^3 are different
// objects: the first satisfies w^2 + |m|^2 = 1, the second <q~, q~>_L = 1 with the
// signature (+, -, -, -). The lift is closed-form rational, so the hyperbolic score is a
// polynomial in rational coordinates: the quadrance
//   Q_h(i, j) = <q~_i, q~_j>_L^2 - 1 = ((1 - m_i·m_j) / (w_i w_j))^2 - 1  (= sinh^2 d),
// rational, symmetric, >= 0 and zero iff q_i = q_j. The distance d is never formed on
// the exact side; quadrance_analytic() forms it (arcosh, sinh) in doubles, and only the
// Octet ever sees the difference between the two.
#include <array>

#include "pump/exact.hpp"
#include "pump/spinor_field.hpp"

namespace obs::pump {

struct LorentzPoint {
  Exact t;                 // time-like coordinate 1/w
  std::array<Exact, 3> x;  // m / w
};

LorentzPoint lorentz_lift(const Spinor& q);  // throws std::domain_error if w == 0
Exact lorentz_inner(const LorentzPoint& a, const LorentzPoint& b);
Exact quadrance(const Spinor& a, const Spinor& b);

// The analytic (transcendental) route, in doubles: d = arcosh(<q~_a, q~_b>_L) from the
// spinors' double coordinates, then sinh^2 d. Display and Octet only.
double quadrance_analytic(const Spinor& a, const Spinor& b);

}  // namespace obs::pump
