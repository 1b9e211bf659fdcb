#pragma once
// A branch-free float sin/cos that GCC vectorises inside `omp simd` loops, for the
// hot Kuramoto kernels (libm's sincosf does not vectorise). Range reduction by
// pi/2 in three parts and the minimax polynomials on [-pi/4, pi/4] are those of
// Cephes' sinf/cosf (S. Moshier, Cephes Math Library, 1992); error is about 1 ulp
// for |x| up to a few thousand, which covers wrapped phases and one Euler increment.
#include <cmath>

namespace obs::kuramoto {

inline void fast_sincos(float x, float& s, float& c) {
  const float q = __builtin_rintf(x * 0.636619772367581343f);  // x / (pi/2), to nearest
  float r = x - q * 1.5703125f;
  r -= q * 4.837512969970703125e-4f;
  r -= q * 7.54978995489188216e-8f;
  const float r2 = r * r;
  const float sp = r + r * r2 * (-1.6666654611e-1f + r2 * (8.3321608736e-3f + r2 * -1.9515295891e-4f));
  const float cp = 1.0f - 0.5f * r2 + r2 * r2 * (4.166664568298827e-2f + r2 * (-1.388731625493765e-3f + r2 * 2.443315711809948e-5f));
  const int j = static_cast<int>(q);
  const float s_abs = (j & 1) ? cp : sp;  // odd quadrants swap sin and cos
  const float c_abs = (j & 1) ? sp : cp;
  s = (j & 2) ? -s_abs : s_abs;
  c = ((j + 1) & 2) ? -c_abs : c_abs;
}

// Wraps a phase into [-pi, pi].
inline float wrap_phase(float p) {
  return p - 6.28318530717958648f * __builtin_rintf(p * 0.159154943091895336f);
}

}  // namespace obs::kuramoto
