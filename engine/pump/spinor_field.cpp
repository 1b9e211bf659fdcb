#include "pump/spinor_field.hpp"

#include <cstdlib>
#include <stdexcept>

#include "core/rng.hpp"

namespace obs::pump {
namespace {

// Nearest integer to the rational q (ties away from zero), in exact arithmetic.
mpz_class round_to_int(const mpq_class& q) {
  mpz_class twice_num = 2 * q.get_num() + (sgn(q) >= 0 ? q.get_den() : -q.get_den());
  mpz_class den2 = 2 * q.get_den();
  mpz_class out;
  mpz_tdiv_q(out.get_mpz_t(), twice_num.get_mpz_t(), den2.get_mpz_t());
  return out;
}

// gmpxx leaves mpq_class(num, den) uncanonicalised; GMP arithmetic needs lowest terms.
mpq_class frac(long num, long den) {
  mpq_class q(num, den);
  q.canonicalize();
  return q;
}

mpq_class frac(const mpz_class& num, const mpz_class& den) {
  mpq_class q(num, den);
  q.canonicalize();
  return q;
}

mpz_class isqrt(const mpz_class& n) {
  mpz_class r;
  mpz_sqrt(r.get_mpz_t(), n.get_mpz_t());
  return r;
}

// A rational unit vector of S^2 from u ∈ Q^2 (inverse stereographic projection in 2-D).
std::array<mpq_class, 3> unit_direction(const mpq_class& u1, const mpq_class& u2) {
  const mpq_class s = u1 * u1 + u2 * u2;
  const mpq_class inv = 1 / (1 + s);
  return {2 * u1 * inv, 2 * u2 * inv, (1 - s) * inv};
}

}  // namespace

Spinor inverse_stereographic(const std::array<Exact, 3>& t) {
  mpq_class n = 0;
  for (const auto& c : t) n += c.mpq() * c.mpq();
  const mpq_class inv = 1 / (1 + n);
  Spinor s;
  s.w = Exact::from_mpq((1 - n) * inv);
  for (int k = 0; k < 3; ++k) s.m[static_cast<std::size_t>(k)] = Exact::from_mpq(2 * t[static_cast<std::size_t>(k)].mpq() * inv);
  return s;
}

bool on_unit_sphere(const Spinor& s) {
  mpq_class n = s.w.mpq() * s.w.mpq();
  for (const auto& c : s.m) n += c.mpq() * c.mpq();
  return n == 1;
}

bool in_annulus(const Spinor& s, const Annulus& a) { return a.w_min <= s.w && s.w <= a.w_max; }

SpinorField generate_spinor_field(const Annulus& annulus, std::uint64_t seed) {
  const mpq_class& lo = annulus.w_min.mpq();
  const mpq_class& hi = annulus.w_max.mpq();
  if (!(sgn(lo) > 0 && lo < hi && hi < 1))
    throw std::invalid_argument("the annulus needs 0 < w_min < w_max < 1, got [" + lo.get_str() + ", " + hi.get_str() + "]");
  // Shell of |t|^2 that keeps w inside the annulus (w = (1-n)/(1+n) decreases with n).
  const mpq_class n_lo = (1 - hi) / (1 + hi), n_hi = (1 - lo) / (1 + lo);

  Rng rng(seed ^ 0x5eed'0f'5917'0ddULL);
  auto draw = [&](int lo_i, int hi_i) { return lo_i + static_cast<long>(rng.below(static_cast<std::uint64_t>(hi_i - lo_i + 1))); };
  // Seed-chosen shape: a base direction parameter u0 and twist rates (per voxel step),
  // all multiples of 1/32; a twist of 3/32 turns m by about 0.2 rad per step.
  const mpq_class u0[2] = {frac(draw(-12, 12), 32), frac(draw(-12, 12), 32)};
  mpq_class twist[2][3];
  for (auto& row : twist)
    for (auto& t : row) {
      const long mag = draw(1, 3);
      t = frac(draw(0, 1) ? mag : -mag, 32);
    }
  const mpq_class mid = (lo + hi) / 2, half = (hi - lo) / 2;

  SpinorField field;
  field.seed = seed;
  field.grid = 16;
  for (int i = 0; i < kVoxels; ++i) {
    const Coord v = voxel_coord(i);
    const mpq_class off[3] = {frac(2 * v.x - 3, 2), frac(2 * v.y - 3, 2), frac(2 * v.z - 3, 2)};
    mpq_class u[2];
    for (int a = 0; a < 2; ++a) u[a] = u0[a] + twist[a][0] * off[0] + twist[a][1] * off[1] + twist[a][2] * off[2];
    const auto dir = unit_direction(u[0], u[1]);
    // Radial profile g ∈ [-1, 1]: -1 in the core, +1 at the corners (L1 distance from the
    // centre is 3/2 .. 9/2), plus a small seeded jitter; the target w stays well inside.
    const int l1 = std::abs(2 * v.x - 3) + std::abs(2 * v.y - 3) + std::abs(2 * v.z - 3);  // 3..9
    mpq_class g = frac(l1 - 6, 3) + frac(draw(-2, 2), 16);
    if (g > 1) g = 1;
    if (g < -1) g = -1;
    const mpq_class w_target = mid + half * frac(3, 4) * g;
    const mpq_class n_target = (1 - w_target) / (1 + w_target);

    // Round t = sqrt(n_target) * dir onto the grid 1/D; refine D until the exact w lands
    // in the annulus (it does at D = 16 unless the annulus is very thin).
    bool placed = false;
    for (long D = 16; D <= (1L << 24) && !placed; D *= 2) {
      const mpq_class scaled = n_target * D * D;
      const mpz_class r_num = isqrt(scaled.get_num() / scaled.get_den());  // floor(sqrt(n) D)
      std::array<Exact, 3> t;
      for (int k = 0; k < 3; ++k) {
        const mpq_class c = mpq_class(r_num) * dir[static_cast<std::size_t>(k)];
        t[static_cast<std::size_t>(k)] = Exact::from_mpq(frac(round_to_int(c), mpz_class(D)));
      }
      mpq_class n = 0;
      for (const auto& c : t) n += c.mpq() * c.mpq();
      if (n_lo <= n && n <= n_hi) {
        field.q[static_cast<std::size_t>(i)] = inverse_stereographic(t);
        if (D > field.grid) field.grid = static_cast<int>(D);
        placed = true;
      }
    }
    if (!placed) throw std::invalid_argument("the annulus [" + lo.get_str() + ", " + hi.get_str() + "] is too thin to place a rational spinor");
  }
  return field;
}

}  // namespace obs::pump
