#include "cube/cube_readout.hpp"

#include <algorithm>
#include <cmath>

#include "cube/cube_relax.hpp"

namespace obs::cube {
namespace {

std::size_t uz(int v) { return static_cast<std::size_t>(v); }

// Padded index of face neuron f.
std::size_t face_cell(const Cube& c, int f) { return c.idx(f % c.n, f / c.n, c.n - 1); }

// b_k - sum_f u_kf mu_f: the part of unit k's field that does not depend on the face.
float unit_offset(const FaceReadout& ro, int k) {
  double v = ro.bias[uz(k)];
  const float* uk = ro.u.data() + uz(k) * uz(ro.F);
  for (int f = 0; f < ro.F; ++f) v -= static_cast<double>(uk[f]) * ro.mu[uz(f)];
  return static_cast<float>(v);
}

}  // namespace

void shape_readout(Cube& c, int K) {
  FaceReadout& ro = c.ro;
  ro.K = K;
  ro.F = c.n * c.n;
  ro.u.assign(uz(K) * uz(ro.F), 0.0f);
  ro.bias.assign(uz(K), 0.0f);
  ro.mu.assign(uz(ro.F), 0.0f);
  ro.r.assign(uz(K) * uz(c.B), 0.0f);
  ro.drive.assign(uz(ro.F) * uz(c.B), 0.0f);
}

std::uint64_t readout_bytes(std::uint64_t n, std::uint64_t B, std::uint64_t K) {
  const std::uint64_t F = n * n;
  return 4 * (K * F + K + F + K * B + F * B);
}

void readout_step(Cube& c, std::int64_t t, float tol, RelaxStats& st) {
  FaceReadout& ro = c.ro;
  const auto B = uz(c.B);
  const float beta = c.beta, inv = 1.0f / (1.0f + beta), omega = c.omega;
  float max_dr = 0;
  double sum_dr = 0;
  float chk = 0;
  const auto F = uz(ro.F);
  float field[256];  // one unit's field for every example (batch <= 256, the parameter's range)
  for (int k = 0; k < ro.K; ++k) {
    float* rk = ro.r.data() + uz(k) * B;
    const float* uk = ro.u.data() + uz(k) * F;
    const float* yk = c.target.data() + uz(k) * B;
    const float base = unit_offset(ro, k);
    for (std::size_t b = 0; b < B; ++b) field[b] = base;
    for (int y = 0, f = 0; y < c.n; ++y)
      for (int x = 0; x < c.n; ++x, ++f) {
        const float* sp = c.s.data() + c.idx(x, y, c.n - 1) * B;
        const float w = uk[f];
        for (std::size_t b = 0; b < B; ++b) field[b] += w * sp[b];
      }
    for (std::size_t b = 0; b < B; ++b) {
      float v = field[b];
      if (beta != 0) v = (v + beta * yk[b]) * inv;
      chk += v * 0.0f;  // NaN for a NaN or Inf field
      if (omega != 1.0f) v = rk[b] + omega * (v - rk[b]);
      const float dr = std::fabs(v - rk[b]);
      max_dr = std::max(max_dr, dr);
      sum_dr += dr;
      rk[b] = v;
    }
  }
  refresh_drive(c);
  const std::uint64_t macs = 2 * static_cast<std::uint64_t>(ro.K) * F * B;  // unit fields, then the drive
  st.macs += macs;
  st.dense_macs += macs;
  st.max_ds = std::max(st.max_ds, max_dr);
  st.sum_ds += sum_dr;
  if (!std::isfinite(chk)) st.nonfinite = true;
  if (!(max_dr <= tol)) {
    for (int y = 0; y < c.n; ++y)
      for (int g = 0; g < c.segs; ++g) c.moved_at[c.block(g, y, c.n - 1)] = t;
  }
}

void refresh_drive(Cube& c) {
  FaceReadout& ro = c.ro;
  const auto B = uz(c.B), F = uz(ro.F);
  for (std::size_t f = 0; f < F; ++f) {
    float* df = ro.drive.data() + f * B;
    for (std::size_t b = 0; b < B; ++b) df[b] = 0.0f;
    for (int k = 0; k < ro.K; ++k) {
      const float ukf = ro.u[uz(k) * F + f];
      const float* rk = ro.r.data() + uz(k) * B;
      for (std::size_t b = 0; b < B; ++b) df[b] += ukf * rk[b];
    }
  }
}

double readout_energy(const Cube& c, int e) {
  const FaceReadout& ro = c.ro;
  const auto B = uz(c.B), F = uz(ro.F);
  double E = 0;
  for (int k = 0; k < ro.K; ++k) {
    const double r = ro.r[uz(k) * B + uz(e)];
    double coupling = 0;
    for (std::size_t f = 0; f < F; ++f)
      coupling += static_cast<double>(ro.u[uz(k) * F + f]) *
                  (static_cast<double>(c.s[face_cell(c, static_cast<int>(f)) * B + uz(e)]) - ro.mu[f]);
    E += 0.5 * r * r - ro.bias[uz(k)] * r - r * coupling;
    if (c.beta != 0) {
      const double d = r - c.target[uz(k) * B + uz(e)];
      E += 0.5 * c.beta * d * d;
    }
  }
  return E;
}

void readout_update(Cube& c, const float* a_s, const float* a_r, const float* c_s, const float* c_r, float lr,
                    float k) {
  FaceReadout& ro = c.ro;
  const auto B = uz(c.B), F = uz(ro.F);
  const float step = lr * k / static_cast<float>(c.B);
  for (int u = 0; u < ro.K; ++u) {
    const float* ak = a_r + uz(u) * B;
    const float* ck = c_r + uz(u) * B;
    float db = 0;
    for (std::size_t b = 0; b < B; ++b) db += ak[b] - ck[b];
    ro.bias[uz(u)] += step * db;
    for (std::size_t f = 0; f < F; ++f) {
      const std::size_t p = face_cell(c, static_cast<int>(f));
      const float m = ro.mu[f];
      float g = 0;
      for (std::size_t b = 0; b < B; ++b) g += ak[b] * (a_s[p * B + b] - m) - ck[b] * (c_s[p * B + b] - m);
      ro.u[uz(u) * F + f] += step * g;
    }
  }
}

void move_readout_offsets(Cube& c, const float* free_states, float rate) {
  FaceReadout& ro = c.ro;
  const auto B = uz(c.B), F = uz(ro.F);
  for (std::size_t f = 0; f < F; ++f) {
    const std::size_t p = face_cell(c, static_cast<int>(f));
    double mean = 0;
    for (std::size_t b = 0; b < B; ++b) mean += free_states[p * B + b];
    mean /= static_cast<double>(B);
    const float delta = rate * (static_cast<float>(mean) - ro.mu[f]);
    // The unit's field holds b_k - sum_f u_kf mu_f: moving mu_f by delta and b_k by u_kf delta
    // leaves it as it was.
    for (int k = 0; k < ro.K; ++k) ro.bias[uz(k)] += ro.u[uz(k) * F + f] * delta;
    ro.mu[f] += delta;
  }
}

}  // namespace obs::cube
