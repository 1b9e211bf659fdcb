#include "views/carrier_wheel_geometry.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace obs::carrier_geometry {
namespace {

constexpr float kTwoPi = 2 * std::numbers::pi_v<float>;

int segments_for(float r, float span) {
  // About one segment per 3 px of arc keeps edges smooth without wasting vertices on tiny wheels.
  return std::clamp(static_cast<int>(r * span / 3.0f), 6, 160);
}

gfx::Rgba faded(gfx::Rgba c, float alpha) { return {c.r, c.g, c.b, c.a * alpha}; }

}  // namespace

void sector(gfx::LineBatch& b, float cx, float cy, float r0, float r1, float a0, float a1, gfx::Rgba c) {
  const float span = std::min(a1 - a0, kTwoPi);
  if (span <= 0 || r1 <= r0) return;
  const int n = segments_for(r1, span);
  float px0 = cx + r0 * std::cos(a0), py0 = cy - r0 * std::sin(a0);
  float px1 = cx + r1 * std::cos(a0), py1 = cy - r1 * std::sin(a0);
  for (int i = 1; i <= n; ++i) {
    const float a = a0 + span * static_cast<float>(i) / static_cast<float>(n);
    const float ca = std::cos(a), sa = std::sin(a);
    const float qx0 = cx + r0 * ca, qy0 = cy - r0 * sa, qx1 = cx + r1 * ca, qy1 = cy - r1 * sa;
    b.triangle(px0, py0, px1, py1, qx1, qy1, c);
    if (r0 > 0) b.triangle(px0, py0, qx1, qy1, qx0, qy0, c);  // at r0 = 0 the fan needs one per segment
    px0 = qx0; py0 = qy0; px1 = qx1; py1 = qy1;
  }
}

void disc(gfx::LineBatch& b, float cx, float cy, float r, gfx::Rgba c) {
  if (r < 1.6f) {  // a square: at this size the rasteriser cannot show a curve anyway
    b.triangle(cx - r, cy - r, cx + r, cy - r, cx + r, cy + r, c);
    b.triangle(cx - r, cy - r, cx + r, cy + r, cx - r, cy + r, c);
    return;
  }
  sector(b, cx, cy, 0, r, 0, kTwoPi, c);
}

void wheel(gfx::LineBatch& b, const Wheel& w) {
  const float R = w.radius, a = w.alpha;
  if (R <= 0.5f || a <= 0.01f) return;
  const float half_pi = 0.5f * std::numbers::pi_v<float>;
  // Face, then the half of the circle where cos(psi) >= 0 (Eq. 4): the needle opens the gate
  // while it sweeps through it, so the shade is lit only while G = 1.
  sector(b, w.cx, w.cy, 0, R, 0, kTwoPi, {0.16f, 0.17f, 0.21f, 0.95f * a});
  const gfx::Rgba gate = w.gate_open ? gfx::Rgba{w.colour.r, w.colour.g, w.colour.b, 0.30f * a}
                                     : gfx::Rgba{0.55f, 0.58f, 0.66f, 0.13f * a};
  sector(b, w.cx, w.cy, 0, R - w.ring, -half_pi, half_pi, gate);
  // Ring: a faint full track for scale, the body's thickness |c_k|.
  sector(b, w.cx, w.cy, R - 1.0f, R, 0, kTwoPi, {0.45f, 0.47f, 0.55f, 0.7f * a});
  sector(b, w.cx, w.cy, R - w.ring, R, 0, kTwoPi, faded(w.colour, 0.92f * a));
  // Gate width W_k: an arc just outside the ring, centred on the needle (Eq. 9: an oscillator
  // further than W/2 from psi_k is tuned below e^-1).
  const float W = std::clamp(w.width, 0.0f, kTwoPi);
  const float arc_r = R + std::max(2.0f, 0.06f * R);
  sector(b, w.cx, w.cy, arc_r, arc_r + std::max(1.5f, 0.045f * R), w.psi - 0.5f * W, w.psi + 0.5f * W,
         {1.0f, 0.93f, 0.62f, 0.9f * a});
  // Needle from the centre to the ring, with a hub.
  const float tip_x = w.cx + (R - 0.5f * w.ring) * std::cos(w.psi), tip_y = w.cy - (R - 0.5f * w.ring) * std::sin(w.psi);
  b.thick_line(w.cx, w.cy, tip_x, tip_y, std::max(1.0f, 0.03f * R), {0.96f, 0.97f, 1.0f, a});
  disc(b, w.cx, w.cy, std::max(1.5f, 0.06f * R), {0.96f, 0.97f, 1.0f, a});
  if (w.refractory)  // a dashed inner circle: this carrier may not divide yet
    for (int i = 0; i < 12; i += 2)
      sector(b, w.cx, w.cy, 0.32f * R, 0.32f * R + 1.2f, kTwoPi * i / 12.0f, kTwoPi * (i + 1) / 12.0f, {0.8f, 0.8f, 0.9f, 0.6f * a});
  if (w.highlight) sector(b, w.cx, w.cy, 1.42f * R, 1.42f * R + 2.0f, 0, kTwoPi, {1, 1, 1, 0.85f * a});
}

}  // namespace obs::carrier_geometry
