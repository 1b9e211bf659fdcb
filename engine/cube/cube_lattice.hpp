#pragma once
// The state of an n^3 neural cube, laid out for the relaxation kernel.
//
// Every per-neuron array lives on a padded (n + 2)^3 grid with a one-neuron halo that is
// never alive and always zero, so the 26-neighbour stencil runs without a boundary test.
// States are [neuron][example] with the batch innermost: one neuron's B examples are
// contiguous, so a neighbour's contribution for 16 examples is one vector load against one
// broadcast weight. Weights are [neuron][26] (neuron-major, as the snapshot publishes them)
// and stored twice: w(p, d) and w(p + offset(d), 25 - d) are the same synapse and every
// writer updates both.
//
// Lazy bookkeeping is per block: a block is a run of up to kSegment neurons along x in one
// row (y, z). The relaxation updates whole rows of a colour at a time, so a row segment is
// the natural unit to skip.
//
// Batch 1 relaxes a row segment as one vector along x, and wants weight d of 16 consecutive
// neurons as one load: wrow holds that copy of w, block by block. It is derived data, built by
// weights_changed(); a cube whose weights were written without that call has it empty and the
// kernel gathers from w instead (slower, same bits).
#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "core/adaptive_team.hpp"
#include "cube/cube_snapshot.hpp"

namespace obs::cube {

inline constexpr int kSegment = 16;              // neurons per lazy block (along x)
inline constexpr std::size_t kVectorAlign = 64;  // one cache line, one 16-float vector

// 64-byte aligned storage, so a 16-float vector load never straddles two cache lines.
template <class T>
struct AlignedAllocator {
  using value_type = T;
  AlignedAllocator() = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U>&) noexcept {}
  T* allocate(std::size_t count) {
    return static_cast<T*>(::operator new(count * sizeof(T), std::align_val_t{kVectorAlign}));
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t{kVectorAlign}); }
  template <class U>
  bool operator==(const AlignedAllocator<U>&) const noexcept { return true; }
};
using AlignedFloats = std::vector<float, AlignedAllocator<float>>;

// The face readout's state (see cube_readout.hpp for the model and its functions).
struct FaceReadout {
  int K = 0;               // units (one per class); 0 = no face readout
  int F = 0;               // face neurons, n * n, face index f = y * n + x
  std::vector<float> u;    // K * F: u[k * F + f]
  std::vector<float> bias; // K
  std::vector<float> mu;   // F: offsets of the face states
  AlignedFloats r;         // K * B: unit states, [unit][example]
  AlignedFloats drive;     // F * B: sum_k u_kf r_k, [face neuron][example]
  bool active() const { return K > 0; }
  // Checkpoints (core/state_archive.hpp); K and F come back from the parameters at reset.
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.u, self.bias, self.mu, self.r, self.drive);
  }
};

inline constexpr std::int64_t kNever = -(1LL << 40);  // a block stamp meaning "never moved"

struct Cube {
  int n = 0, P = 0;  // side, padded side n + 2
  int B = 1;         // examples relaxed together
  int depth = 1;     // input slab: z < depth is clamped
  int segs = 1;      // lazy blocks per row
  std::size_t cells = 0;                  // P^3
  std::array<std::ptrdiff_t, kNeighbours> off{};  // padded-index offset of neighbour d

  AlignedFloats s;                      // cells * B, the states (64-byte aligned: a 16-example chunk is one line)
  std::vector<float> w;                 // cells * 26
  AlignedFloats wrow;                   // batch 1 only: row_block(g, y, z) * 26 * 16 + d * 16 + lane
                                        // = w(idx(16 g + lane, y, z), d), 0 past the row's end
  std::vector<float> bias;              // cells
  std::vector<std::uint32_t> mask;      // cells: bit d = synapse to neighbour d is live
  std::vector<std::uint32_t> possible;  // cells: bit d = neighbour d exists and the pair may hold a
                                        // synapse (not two clamped input neurons)
  std::vector<float> grad;              // cells * 26: last EqProp estimate for every possible pair
  std::vector<float> loud;              // cells * 26: running mean of |grad| (plasticity)
  std::vector<std::uint8_t> alive;      // cells: 0 in the halo and for killed neurons
  std::vector<std::uint8_t> relaxes;    // cells: alive and outside the input slab
  std::vector<std::int16_t> out_class;  // cells: class read out at this neuron, or -1
  std::vector<float> target;            // classes * B: one-hot targets of the batch
  float omega = 1;                      // over-relaxation factor in (0, 2); 1 = plain Gauss-Seidel
  float beta = 0;                       // signed nudge of the current phase (0 = free)
  int show = 0;                         // the showcased example
  std::vector<float> vel0;              // cells: |ds| of the showcased example at its last update
  FaceReadout ro;                       // the face readout, when the classes are read by units (K > 0)

  // Per block, on a padded (segs + 2) x (n + 2) x (n + 2) grid (halo blocks never move).
  std::vector<std::int64_t> moved_at;    // last relaxation step whose update moved it > tol
  std::vector<std::int64_t> updated_at;  // last relaxation step that updated it
  std::vector<std::uint64_t> block_macs; // live synapse multiply-adds of one update, one example
  std::vector<std::uint32_t> block_free; // free neurons in it
  // Lazy step scratch, one flag per row of blocks ((n + 2)^2, row r = block / (segs + 2)): some
  // block of the row moved since the previous step began. A row none of whose nine neighbouring
  // rows is hot has no active block, so the lazy step skips it without testing its blocks one by
  // one (the test dominated the step once the moving front covered a small part of the cube).
  std::vector<std::uint8_t> row_hot;
  std::uint64_t dense_macs = 0;          // sum of block_macs: one dense update, one example
  std::uint64_t free_neurons = 0;
  // Threads of the relaxation, chosen by timing it (core/adaptive_team.hpp); the cube's other
  // parallel loops (learning, spectral norm, row copy) run once per batch, too rarely to time,
  // and follow it. Scheduling state, not part of the model.
  mutable AdaptiveTeam relax_team;

  // Checkpoints (core/state_archive.hpp): the model and its evolving state. The shape (sizes,
  // off, possible) and out_class, omega and show come back from the parameters at reset; the
  // derived relaxes, block counts (recount) and wrow (weights_changed) are for the reader to
  // rebuild from what was read. grad is read only after the next update rewrites it, but it is
  // the cube's last estimate, public like the rest.
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.s, self.w, self.bias, self.mask, self.grad, self.loud, self.alive, self.target, self.beta, self.vel0, self.ro,
      self.moved_at, self.updated_at);
  }

  std::size_t idx(int x, int y, int z) const {
    return (static_cast<std::size_t>(z + 1) * P + static_cast<std::size_t>(y + 1)) * P + static_cast<std::size_t>(x + 1);
  }
  std::size_t block(int seg, int y, int z) const {
    return (static_cast<std::size_t>(z + 1) * (n + 2) + static_cast<std::size_t>(y + 1)) * (segs + 2) +
           static_cast<std::size_t>(seg + 1);
  }
  std::size_t blocks() const { return static_cast<std::size_t>(segs + 2) * (n + 2) * (n + 2); }
  // Interior block (g, y, z) in wrow, unpadded.
  std::size_t row_block(int g, int y, int z) const {
    return (static_cast<std::size_t>(z) * n + static_cast<std::size_t>(y)) * segs + static_cast<std::size_t>(g);
  }
  // Interior coordinates of padded index p.
  std::array<int, 3> coords(std::size_t p) const {
    const auto Pz = static_cast<std::size_t>(P);
    return {static_cast<int>(p % Pz) - 1, static_cast<int>((p / Pz) % Pz) - 1, static_cast<int>(p / (Pz * Pz)) - 1};
  }

  // Sizes every array for side n, batch B, slab depth; all state zero, all neurons alive.
  void shape(int n_, int B_, int depth_);
  // Bytes shape() and weights_changed() allocate for these sizes (without allocating).
  static std::uint64_t bytes_for(std::uint64_t n, std::uint64_t B);
  // To be called after any write to w: rebuilds wrow (batch 1; no allocation after the first).
  void weights_changed();
  // Recomputes relaxes[], block_macs, block_free, dense_macs and free_neurons from alive and mask.
  void recount();
  // Undirected live synapses (each pair once), and possible ones.
  std::uint64_t live_synapses() const;
  std::uint64_t possible_synapses() const;
  // Sets the synapse between p and its neighbour d to w in both stored copies, live or not
  // (the mask bits of both ends follow).
  void set_synapse(std::size_t p, int d, float w, bool live = true);
  // Neighbour d of padded index p.
  std::size_t nbr(std::size_t p, int d) const {
    return static_cast<std::size_t>(static_cast<std::ptrdiff_t>(p) + off[static_cast<std::size_t>(d)]);
  }
};

}  // namespace obs::cube
