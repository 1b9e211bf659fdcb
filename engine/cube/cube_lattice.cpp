#include "cube/cube_lattice.hpp"

#include <algorithm>
#include <bit>

namespace obs::cube {

void Cube::shape(int n_, int B_, int depth_) {
  n = n_;
  P = n + 2;
  B = B_;
  depth = depth_;
  segs = (n + kSegment - 1) / kSegment;
  cells = static_cast<std::size_t>(P) * P * P;
  for (int d = 0; d < kNeighbours; ++d) {
    const auto o = neighbour_offset(d);
    off[static_cast<std::size_t>(d)] = (static_cast<std::ptrdiff_t>(o[2]) * P + o[1]) * P + o[0];
  }
  s.assign(cells * static_cast<std::size_t>(B), 0.0f);
  w.assign(cells * kNeighbours, 0.0f);
  wrow.clear();  // stale from here on: w is about to be written
  bias.assign(cells, 0.0f);
  mask.assign(cells, 0u);
  possible.assign(cells, 0u);
  grad.assign(cells * kNeighbours, 0.0f);
  loud.assign(cells * kNeighbours, 0.0f);
  alive.assign(cells, 0);
  for (int z = 0; z < n; ++z)
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) {
        alive[idx(x, y, z)] = 1;
        std::uint32_t bits = 0;
        for (int d = 0; d < kNeighbours; ++d) {
          const auto o = neighbour_offset(d);
          const int qx = x + o[0], qy = y + o[1], qz = z + o[2];
          const bool inside = qx >= 0 && qx < n && qy >= 0 && qy < n && qz >= 0 && qz < n;
          if (inside && (z >= depth || qz >= depth)) bits |= 1u << d;
        }
        possible[idx(x, y, z)] = bits;
      }
  relaxes.assign(cells, 0);
  out_class.assign(cells, -1);
  vel0.assign(cells, 0.0f);
  ro = FaceReadout{};  // none until shape_readout
  moved_at.assign(blocks(), kNever);
  updated_at.assign(blocks(), kNever);
  block_macs.assign(blocks(), 0);
  block_free.assign(blocks(), 0);
  row_hot.assign(static_cast<std::size_t>(P) * static_cast<std::size_t>(P), 0);
}

std::uint64_t Cube::bytes_for(std::uint64_t n, std::uint64_t B) {
  const std::uint64_t p = n + 2, c = p * p * p;
  const std::uint64_t segs = (n + kSegment - 1) / kSegment, blocks = (segs + 2) * p * p;
  // states + weights/grad/loud + bias + mask/possible + alive/relaxes/out_class + vel0,
  // per-block stamps and the lazy step's row flags; at batch 1 the row copy of the weights.
  const std::uint64_t rows = B == 1 ? n * n * segs * kNeighbours * kSegment * 4 : 0;
  return c * (4 * B + 3 * 4 * kNeighbours + 4 + 8 + 1 + 1 + 2 + 4) + blocks * (8 + 8 + 8 + 4) + p * p + rows;
}

void Cube::weights_changed() {
  if (B != 1) return;
  constexpr std::size_t stride = static_cast<std::size_t>(kNeighbours) * kSegment;
  wrow.resize(static_cast<std::size_t>(n) * n * segs * stride);
#pragma omp parallel for schedule(static) num_threads(AdaptiveTeam::size_like(relax_team, n >= 12))
  for (int z = 0; z < n; ++z)
    for (int y = 0; y < n; ++y)
      for (int g = 0; g < segs; ++g) {
        float* out = wrow.data() + row_block(g, y, z) * stride;
        const int len = std::min(kSegment, n - g * kSegment);
        const float* in = w.data() + idx(g * kSegment, y, z) * kNeighbours;
        for (int d = 0; d < kNeighbours; ++d)
          for (int l = 0; l < kSegment; ++l)
            out[d * kSegment + l] = l < len ? in[l * kNeighbours + d] : 0.0f;
      }
}

void Cube::recount() {
  dense_macs = 0;
  free_neurons = 0;
  for (int z = 0; z < n; ++z)
    for (int y = 0; y < n; ++y)
      for (int g = 0; g < segs; ++g) {
        std::uint64_t macs = 0;
        std::uint32_t count = 0;
        const int x1 = std::min(n, (g + 1) * kSegment);
        for (int x = g * kSegment; x < x1; ++x) {
          const std::size_t p = idx(x, y, z);
          relaxes[p] = alive[p] == 1 && z >= depth;  // frozen (2) neurons hold their state and only drive
          if (!relaxes[p]) continue;
          ++count;
          for (int d = 0; d < kNeighbours; ++d)
            if ((mask[p] >> d & 1u) && alive[static_cast<std::size_t>(static_cast<std::ptrdiff_t>(p) + off[static_cast<std::size_t>(d)])])
              ++macs;
        }
        const std::size_t b = block(g, y, z);
        block_macs[b] = macs;
        block_free[b] = count;
        dense_macs += macs;
        free_neurons += count;
      }
}

void Cube::set_synapse(std::size_t p, int d, float v, bool live) {
  const std::size_t q = nbr(p, d);
  const int back = kNeighbours - 1 - d;
  w[p * kNeighbours + static_cast<std::size_t>(d)] = v;
  w[q * kNeighbours + static_cast<std::size_t>(back)] = v;
  if (live) {
    mask[p] |= 1u << d;
    mask[q] |= 1u << back;
  } else {
    mask[p] &= ~(1u << d);
    mask[q] &= ~(1u << back);
  }
}

std::uint64_t Cube::live_synapses() const {
  std::uint64_t twice = 0;
  for (std::size_t p = 0; p < cells; ++p) twice += static_cast<std::uint64_t>(std::popcount(mask[p]));
  return twice / 2;
}

std::uint64_t Cube::possible_synapses() const {
  std::uint64_t twice = 0;
  for (std::size_t p = 0; p < cells; ++p) twice += static_cast<std::uint64_t>(std::popcount(possible[p]));
  return twice / 2;
}

}  // namespace obs::cube
