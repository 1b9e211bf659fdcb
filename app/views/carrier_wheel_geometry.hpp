#pragma once
// The pieces of one carrier wheel as triangles in a LineBatch, in view pixels with y down
// (angle a sits at (cx + r cos a, cy - r sin a), so phases run counter-clockwise as on paper).
#include "gfx/line_batch.hpp"

namespace obs::carrier_geometry {

// An annular sector between radii r0 < r1 over angles a0 < a1 (a full ring when a1 - a0 >= 2 pi).
void sector(gfx::LineBatch& b, float cx, float cy, float r0, float r1, float a0, float a1, gfx::Rgba c);
// A filled disc; few segments for small radii, since a dot of two pixels needs no roundness.
void disc(gfx::LineBatch& b, float cx, float cy, float r, gfx::Rgba c);

struct Wheel {
  float cx = 0, cy = 0;
  float radius = 0;         // outer radius of the magnitude ring
  float ring = 0;           // ring thickness, proportional to |c_k|
  float psi = 0, width = 0; // needle angle and gate width W_k (rad)
  bool gate_open = false;   // G(psi_k) now
  bool refractory = false;
  gfx::Rgba colour{1, 1, 1, 1};
  float alpha = 1;          // birth / death fade
  bool highlight = false;   // selected in the inspector
};

// Back to front: face, the gate's open half, the magnitude ring, the W_k arc, the needle.
void wheel(gfx::LineBatch& b, const Wheel& w);

}  // namespace obs::carrier_geometry
