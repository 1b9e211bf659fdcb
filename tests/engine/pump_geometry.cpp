// Spinors on S^3 ∩ Q^4, the closed rational Lorentz lift and the hyperbolic quadrance.
#include <doctest/doctest.h>

#include <cmath>

#include "pump/lorentz.hpp"
#include "pump/spinor_field.hpp"

using namespace obs::pump;

namespace {

Exact q(const char* text) { return *Exact::parse(text); }
const Annulus kAnnulus{q("1/4"), q("3/4")};

}  // namespace

TEST_CASE("pump: inverse stereographic projection lands on S^3 exactly (worked example)") {
  // t = (1/2, 0, 0): n = 1/4, w = (3/4)/(5/4) = 3/5, m = 2t/(5/4) = (4/5, 0, 0).
  const Spinor a = inverse_stereographic({q("1/2"), Exact(0), Exact(0)});
  CHECK(a.w == q("3/5"));
  CHECK(a.m[0] == q("4/5"));
  CHECK(on_unit_sphere(a));
  // t = (0, 1/3, 0): n = 1/9, w = (8/9)/(10/9) = 4/5, m = (0, (2/3)/(10/9), 0) = (0, 3/5, 0).
  const Spinor b = inverse_stereographic({Exact(0), q("1/3"), Exact(0)});
  CHECK(b.w == q("4/5"));
  CHECK(b.m[1] == q("3/5"));
  // Lifts (5/3)(1, 4/5, 0, 0) = (5/3, 4/3, 0, 0) and (5/4)(1, 0, 3/5, 0) = (5/4, 0, 3/4, 0):
  // <a~, a~> = 25/9 - 16/9 = 1; <a~, b~> = 25/12; Q_h = (25/12)^2 - 1 = 481/144.
  const LorentzPoint la = lorentz_lift(a), lb = lorentz_lift(b);
  CHECK(la.t == q("5/3"));
  CHECK(la.x[0] == q("4/3"));
  CHECK(lorentz_inner(la, la) == Exact(1));
  CHECK(lorentz_inner(la, lb) == q("25/12"));
  CHECK(quadrance(a, b) == q("481/144"));
  CHECK(quadrance_analytic(a, b) == doctest::Approx(481.0 / 144.0).epsilon(1e-12));
}

TEST_CASE("pump: the generated field is on S^3, in the annulus, and lifts to <q~,q~>_L = 1") {
  for (std::uint64_t seed : {1ULL, 2ULL, 77ULL}) {
    const SpinorField f = generate_spinor_field(kAnnulus, seed);
    for (const Spinor& s : f.q) {
      CHECK(on_unit_sphere(s));
      CHECK(in_annulus(s, kAnnulus));
      const LorentzPoint l = lorentz_lift(s);
      CHECK(lorentz_inner(l, l) == Exact(1));
      CHECK(l.t.sign() > 0);  // the upper sheet
    }
  }
}

TEST_CASE("pump: the field is deterministic in the seed and differs between seeds") {
  const SpinorField a = generate_spinor_field(kAnnulus, 5), b = generate_spinor_field(kAnnulus, 5);
  const SpinorField c = generate_spinor_field(kAnnulus, 6);
  bool same = true, differs = false;
  for (std::size_t i = 0; i < kVoxels; ++i) {
    same = same && a.q[i].w == b.q[i].w && a.q[i].m == b.q[i].m;
    differs = differs || !(a.q[i].w == c.q[i].w && a.q[i].m == c.q[i].m);
  }
  CHECK(same);
  CHECK(differs);
}

TEST_CASE("pump: a thin annulus is still honoured exactly, a bad one refused") {
  const Annulus thin{q("1/2"), q("51/100")};
  const SpinorField f = generate_spinor_field(thin, 3);
  for (const Spinor& s : f.q) CHECK(in_annulus(s, thin));
  CHECK_THROWS_AS(generate_spinor_field({q("1/2"), q("1/2")}, 1), std::invalid_argument);
  CHECK_THROWS_AS(generate_spinor_field({Exact(0), q("1/2")}, 1), std::invalid_argument);
  CHECK_THROWS_AS(generate_spinor_field({q("1/2"), Exact(1)}, 1), std::invalid_argument);
}

TEST_CASE("pump: Q_h is symmetric, >= 0, and zero exactly when the spinors are equal") {
  const SpinorField f = generate_spinor_field(kAnnulus, 11);
  for (std::size_t i = 0; i < kVoxels; i += 3) {
    CHECK(quadrance(f.q[i], f.q[i]).is_zero());
    for (std::size_t j = 0; j < kVoxels; j += 5) {
      const Exact a = quadrance(f.q[i], f.q[j]), b = quadrance(f.q[j], f.q[i]);
      CHECK(a == b);
      CHECK(a.sign() >= 0);
      const bool equal = f.q[i].w == f.q[j].w && f.q[i].m == f.q[j].m;
      CHECK(a.is_zero() == equal);
      // The analytic route agrees to rounding: Q_h = sinh^2 d.
      CHECK(quadrance_analytic(f.q[i], f.q[j]) == doctest::Approx(a.to_double()).epsilon(1e-9));
    }
  }
  // Two distinct points with the same w (so only m differs) are still apart.
  const Spinor u = inverse_stereographic({q("1/2"), Exact(0), Exact(0)});
  const Spinor v = inverse_stereographic({Exact(0), q("1/2"), Exact(0)});
  CHECK(quadrance(u, v).sign() > 0);
}
