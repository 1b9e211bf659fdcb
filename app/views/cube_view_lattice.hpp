#pragma once
// Where the cube's neurons sit in the view's world, and which neuron a ray meets first.
// The lattice's z axis (input slab -> output face) runs along world x, so data flows left to
// right on screen; lattice y is up; lattice x is depth. Spacing 1, centred on the origin.
#include <glm/glm.hpp>

#include <cstdint>
#include <functional>

#include "gfx/orbit_camera.hpp"

namespace obs {

struct CubeViewLattice {
  int n = 0;

  float centre() const { return 0.5f * static_cast<float>(n - 1); }
  glm::vec3 world(int x, int y, int z) const {
    const float c = centre();
    return {static_cast<float>(z) - c, static_cast<float>(y) - c, static_cast<float>(x) - c};
  }
  glm::vec3 world(std::uint32_t index) const {
    const auto u = static_cast<std::uint32_t>(n);
    return world(static_cast<int>(index % u), static_cast<int>(index / u % u), static_cast<int>(index / (u * u)));
  }
  int index(int x, int y, int z) const { return (z * n + y) * n + x; }

  // The first neuron along the ray (within max_cells steps of a 3-D DDA, Amanatides & Woo
  // 1987) for which `shown` is true, or -1. O(n) cells visited, whatever the cube holds.
  int first_hit(const gfx::Ray& ray, const std::function<bool(int)>& shown) const;
};

}  // namespace obs
