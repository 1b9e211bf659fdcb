#pragma once
// The spinor field: one rational point q_i = (w_i, m_i) on S^3 per voxel, with w_i kept
// in the Derrick-safe annulus [w_min, w_max] ⊂ (0, 1) (design §7).
//
// Points come from inverse stereographic projection, which maps every t ∈ Q^3 to a point
// of S^3 ∩ Q^4 exactly:  t -> ((1 - |t|^2) / (1 + |t|^2), 2t / (1 + |t|^2)).
// Then w = (1 - n)/(1 + n) with n = |t|^2, so the annulus is the shell
// n ∈ [(1 - w_max)/(1 + w_max), (1 - w_min)/(1 + w_min)] in t-space, checked exactly.
//
// The field is smooth so that neighbouring voxels are hyperbolically close (otherwise
// every sparsemax row would collapse onto its own voxel): the direction of m twists
// linearly through the packet (a rational point of S^2 from a 2-D parameter u that moves
// by a seed-chosen twist per voxel), and w grows from the core outwards. Everything is
// integer/rational arithmetic, so a seed gives the same field on every machine.
#include <array>
#include <cstdint>

#include "pump/exact.hpp"
#include "pump/voxel_packet.hpp"

namespace obs::pump {

struct Spinor {
  Exact w;                 // scalar part, in (0, 1)
  std::array<Exact, 3> m;  // vector part; w^2 + |m|^2 = 1
};

struct Annulus {
  Exact w_min, w_max;
};

struct SpinorField {
  std::array<Spinor, kVoxels> q;
  std::uint64_t seed = 0;
  int grid = 0;  // the finest denominator of t that was needed (16 unless the annulus is narrow)
};

Spinor inverse_stereographic(const std::array<Exact, 3>& t);
bool on_unit_sphere(const Spinor& s);  // w^2 + |m|^2 == 1, exactly
bool in_annulus(const Spinor& s, const Annulus& a);

// Throws std::invalid_argument unless 0 < w_min < w_max < 1.
SpinorField generate_spinor_field(const Annulus& annulus, std::uint64_t seed);

}  // namespace obs::pump
