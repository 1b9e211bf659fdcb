#include "pump/voxel_packet.hpp"

namespace obs::pump {

std::array<int, kCoreVoxels> core_voxels() {
  std::array<int, kCoreVoxels> out{};
  int k = 0;
  for (int i = 0; i < kVoxels; ++i)
    if (is_core(i)) out[static_cast<std::size_t>(k++)] = i;
  return out;
}

const std::array<Candidates, kVoxels>& candidate_sets() {
  static const std::array<Candidates, kVoxels> sets = [] {
    std::array<Candidates, kVoxels> s{};
    for (int i = 0; i < kVoxels; ++i) {
      Candidates& c = s[static_cast<std::size_t>(i)];
      c.voxel[0] = i;
      c.axis[0] = -1;
      c.dir[0] = 0;
      c.count = 1;
      const Coord v = voxel_coord(i);
      for (int axis = 0; axis < 3; ++axis) {
        for (int dir : {-1, +1}) {
          const int to = v[axis] + dir;
          if (to < 0 || to >= kSide) continue;
          Coord w = v;
          (axis == 0 ? w.x : axis == 1 ? w.y : w.z) = to;
          const auto k = static_cast<std::size_t>(c.count++);
          c.voxel[k] = voxel_index(w.x, w.y, w.z);
          c.axis[k] = axis;
          c.dir[k] = dir;
        }
      }
    }
    return s;
  }();
  return sets;
}

int against_count(int from, int axis, int dir, int depth) {
  const Coord v = voxel_coord(from);
  int against = 0;
  for (int arm = 0; arm < depth && arm < kArms; ++arm) {
    if (axis == arm) continue;  // an edge along the arm's own axis is not in its slices
    const int b = (arm + 1) % 3, c = (arm + 2) % 3;
    // Sign of the counter-clockwise winding field along this step's axis.
    const int forward = axis == b ? (v[c] <= 1 ? +1 : -1) : (v[b] >= 2 ? +1 : -1);
    if (dir != forward) ++against;
  }
  return against;
}

int candidate_slot(int i, int j) {
  const Candidates& c = candidate_sets()[static_cast<std::size_t>(i)];
  for (int k = 0; k < c.count; ++k)
    if (c.voxel[static_cast<std::size_t>(k)] == j) return k;
  return -1;
}

}  // namespace obs::pump
