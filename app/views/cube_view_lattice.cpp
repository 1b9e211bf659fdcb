#include "views/cube_view_lattice.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace obs {

int CubeViewLattice::first_hit(const gfx::Ray& ray, const std::function<bool(int)>& shown) const {
  if (n <= 0) return -1;
  // Into lattice coordinates where cell (x, y, z) is [x, x+1) x [y, y+1) x [z, z+1).
  const float c = centre() - 0.5f;
  const glm::vec3 o{ray.origin.z + c + 0.5f, ray.origin.y + c + 0.5f, ray.origin.x + c + 0.5f};
  const glm::vec3 d{ray.dir.z, ray.dir.y, ray.dir.x};
  const auto size = static_cast<float>(n);
  // Clip the ray to the lattice's box.
  float t0 = 0, t1 = std::numeric_limits<float>::max();
  for (int a = 0; a < 3; ++a) {
    if (std::abs(d[a]) < 1e-12f) {
      if (o[a] < 0 || o[a] >= size) return -1;
      continue;
    }
    float ta = (0 - o[a]) / d[a], tb = (size - o[a]) / d[a];
    if (ta > tb) std::swap(ta, tb);
    t0 = std::max(t0, ta);
    t1 = std::min(t1, tb);
  }
  if (t0 > t1) return -1;
  const glm::vec3 p = o + d * (t0 + 1e-4f);
  int cell[3], step[3];
  float t_max[3], t_delta[3];
  for (int a = 0; a < 3; ++a) {
    cell[a] = std::clamp(static_cast<int>(std::floor(p[a])), 0, n - 1);
    step[a] = d[a] > 0 ? 1 : -1;
    if (std::abs(d[a]) < 1e-12f) {
      t_max[a] = t_delta[a] = std::numeric_limits<float>::max();
    } else {
      const float boundary = static_cast<float>(cell[a] + (d[a] > 0 ? 1 : 0));
      t_max[a] = t0 + (boundary - p[a]) / d[a];
      t_delta[a] = std::abs(1.0f / d[a]);
    }
  }
  for (int visited = 0; visited < 3 * n + 3; ++visited) {
    const int i = index(cell[0], cell[1], cell[2]);
    if (shown(i)) return i;
    const int a = t_max[0] < t_max[1] ? (t_max[0] < t_max[2] ? 0 : 2) : (t_max[1] < t_max[2] ? 1 : 2);
    cell[a] += step[a];
    if (cell[a] < 0 || cell[a] >= n) return -1;
    t_max[a] += t_delta[a];
  }
  return -1;
}

}  // namespace obs
