#include "pump/handshake_parity.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "pump/voxel_packet.hpp"

namespace obs::pump {
namespace {

int mod7(const mpz_class& z) {
  mpz_class r;
  mpz_fdiv_r_ui(r.get_mpz_t(), z.get_mpz_t(), 7);
  return static_cast<int>(r.get_si());
}

ParityReport check(const std::vector<mpq_class>& s, const std::vector<mpq_class>& r) {
  ParityReport out;
  out.L = 1;
  for (const auto* v : {&s, &r})
    for (const auto& q : *v) mpz_lcm(out.L.get_mpz_t(), out.L.get_mpz_t(), q.get_den_mpz_t());
  mpz_class core_sum = 0;
  out.winding = 0;
  for (int i = 0; i < kVoxels; ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (is_core(i)) core_sum += s[u].get_num() * (out.L / s[u].get_den());
    else out.winding += r[u].get_num() * (out.L / r[u].get_den());
  }
  out.winding_mod7 = mod7(out.winding);
  out.core = mod7(out.L - core_sum);
  out.holds = out.winding_mod7 == out.core;
  return out;
}

void check_size(std::size_t a, std::size_t b) {
  if (a != kVoxels || b != kVoxels) throw std::invalid_argument("handshake parity needs 64 voxel values per node");
}

}  // namespace

ParityReport handshake(std::span<const Exact> sender, std::span<const Exact> receiver) {
  check_size(sender.size(), receiver.size());
  std::vector<mpq_class> s, r;
  s.reserve(kVoxels);
  r.reserve(kVoxels);
  for (const auto& v : sender) s.push_back(v.mpq());
  for (const auto& v : receiver) r.push_back(v.mpq());
  return check(s, r);
}

ParityReport handshake(std::span<const double> sender, std::span<const double> receiver) {
  check_size(sender.size(), receiver.size());
  std::vector<mpq_class> s(kVoxels), r(kVoxels);
  for (std::size_t i = 0; i < kVoxels; ++i) {
    if (!std::isfinite(sender[i]) || !std::isfinite(receiver[i])) {
      ParityReport bad;
      bad.finite = false;
      return bad;
    }
    mpq_set_d(s[i].get_mpq_t(), sender[i]);  // exact: every finite double is a dyadic rational
    mpq_set_d(r[i].get_mpq_t(), receiver[i]);
  }
  return check(s, r);
}

bool parity_holds_fast(std::span<const double> x) {
  if (x.size() != kVoxels) return false;
  // x_i = M_i 2^{E_i} with integer M_i (53 bits). With L = 2^{-E_min} the check reads
  // sum_i M_i 2^{E_i - E_min} == 2^{-E_min} (mod 7); 2^k mod 7 cycles 1, 2, 4. Using a
  // power-of-two multiple of the lcm does not change the verdict (2 is invertible mod 7).
  static constexpr int kPow2Mod7[3] = {1, 2, 4};
  std::array<long long, kVoxels> mant{};
  std::array<int, kVoxels> expo{};
  int e_min = std::numeric_limits<int>::max();
  for (std::size_t i = 0; i < kVoxels; ++i) {
    if (!std::isfinite(x[i])) return false;
    if (x[i] == 0.0) continue;
    int e = 0;
    const double m = std::frexp(x[i], &e);  // x = m 2^e, 0.5 <= |m| < 1
    mant[i] = static_cast<long long>(std::ldexp(m, 53));
    expo[i] = e - 53;
    e_min = std::min(e_min, expo[i]);
  }
  if (e_min == std::numeric_limits<int>::max()) return false;  // all zero: no mass, no handshake
  auto pow2 = [&](long long k) { return kPow2Mod7[((k % 3) + 3) % 3]; };
  long long total = 0;
  for (std::size_t i = 0; i < kVoxels; ++i) {
    if (x[i] == 0.0) continue;
    const long long m = ((mant[i] % 7) + 7) % 7;
    total = (total + m * pow2(static_cast<long long>(expo[i]) - e_min)) % 7;
  }
  // e_min < 0: the unit is 2^{e_min} and L = 2^{-e_min}. e_min >= 0: every value is an
  // integer, L = 1, and the sum itself is sum_i M_i 2^{E_i} = 2^{e_min} total.
  if (e_min < 0) return total == pow2(-static_cast<long long>(e_min));
  return (pow2(e_min) * total) % 7 == 1;
}

std::string abbreviate(const mpz_class& z) {
  const std::string s = z.get_str();
  if (s.size() <= 24) return s;
  return "…" + s.substr(s.size() - 12) + " (" + std::to_string(s.size()) + " digits)";
}

}  // namespace obs::pump
