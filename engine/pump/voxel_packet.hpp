#pragma once
// The SHD-CCP 4x4x4 packet: V = {0,1,2,3}^3, core C = {1,2}^3 (8 voxels), mantle = the
// other 56. Voxel index i = x + 4y + 16z, so the canonical order is x fastest.
//
// Candidate set (design §6): N_i = {i} ∪ face neighbours, self first, then the existing
// neighbours in the fixed direction order -x, +x, -y, +y, -z, +z. Corners have 4
// candidates, interior voxels 7.
//
// Chirality (design §4, lock 4). The three arms are the axes (alpha = x, beta = y,
// gamma = z); the four phases are the positions r = 0..3 along an arm. Channel (a, r) is
// the slice {v : v_a = r}, a 4x4 plane, and it winds counter-clockwise about +e_a: with
// (b, c) = (a+1, a+2) mod 3 and the slice centred at (1.5, 1.5), the winding field is
// (-(v_c - 1.5), v_b - 1.5). A step along +e_b is with the winding iff v_c <= 1; a step
// along +e_c is with the winding iff v_b >= 2; the opposite steps are against it. Every
// face edge not along a itself lies in exactly one slice of arm a, so 3 arms x 4 phases =
// the 12 torsional channels, and each of the 6 signed face directions is resolved by the
// arms whose slices contain it.
//
// Chiral depth SK_l (design §8, INJECT) = number of active arms: SK1 = {x}, SK2 = {x, y},
// SK3 = {x, y, z}. chi(i -> j) counts the active arms for which the step runs against
// their winding: 0, 1 or 2 (an edge along axis e lies in the slices of the two other
// arms). The valve is A_ij = A0 * s * chi(i -> j); an edge is in the forward skeleton E+
// when chi(i -> j) = 0 < chi(j -> i). Two active arms that disagree on an edge give it
// chi = 1 both ways: that edge is frustrated and carries no drive.
#include <array>
#include <cstdint>

namespace obs::pump {

inline constexpr int kSide = 4;
inline constexpr int kVoxels = 64;
inline constexpr int kCoreVoxels = 8;
inline constexpr int kMaxCandidates = 7;
inline constexpr int kArms = 3;

struct Coord {
  int x = 0, y = 0, z = 0;
  int operator[](int axis) const { return axis == 0 ? x : axis == 1 ? y : z; }
};

constexpr int voxel_index(int x, int y, int z) { return x + kSide * (y + kSide * z); }
constexpr Coord voxel_coord(int i) { return {i % kSide, (i / kSide) % kSide, i / (kSide * kSide)}; }
constexpr bool in_core(int c) { return c == 1 || c == 2; }
constexpr bool is_core(int i) {
  const Coord v = voxel_coord(i);
  return in_core(v.x) && in_core(v.y) && in_core(v.z);
}

// Core voxels in canonical order; slot k of the Octet belongs to core_voxels()[k].
std::array<int, kCoreVoxels> core_voxels();

struct Candidates {
  int count = 0;
  std::array<int, kMaxCandidates> voxel{};  // voxel[0] is the row's own voxel
  std::array<int, kMaxCandidates> axis{};   // -1 for self, else the step's axis 0..2
  std::array<int, kMaxCandidates> dir{};    // 0 for self, else the step's sign -1/+1
};

const std::array<Candidates, kVoxels>& candidate_sets();

// Number of active arms (depth 1..3) for which the face step from voxel `from` along
// `axis` with sign `dir` runs against the winding.
int against_count(int from, int axis, int dir, int depth);

// Position of voxel j among row i's candidates, or -1.
int candidate_slot(int i, int j);

}  // namespace obs::pump
