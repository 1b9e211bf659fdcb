#pragma once
// The Δ-state log (issue 14; design: "State History as Differentials"): a bounded ring of the
// sparse network's state differences, one record per logged step, from which any logged state is
// rebuilt. A record holds, per layer, the connections whose value moved by more than eps since
// the last logged state (their new values, not the differences, so nothing drifts), the
// connections that left, and the biases that moved; a step that changed a layer's shape (a split
// or a merge) is logged whole (a keyframe). With eps = 0 every logged state is rebuilt bit for
// bit; with eps > 0 each value is within eps of the true one (a change below eps waits until the
// changes since its last record add up to more).
//
// The ring keeps the last `capacity` records and the state before the oldest, so memory is the
// changes of `capacity` steps plus one state.
#include <cstdint>
#include <deque>
#include <type_traits>
#include <vector>

#include "sparse/rewire.hpp"
#include "sparse/sparse_chain.hpp"

namespace obs::sparse {

// One layer's state by connection key (row * cols + col, ascending), and its biases.
struct LayerState {
  int rows = 0, cols = 0;
  std::vector<Key> keys;
  std::vector<float> values, bias;
  bool operator==(const LayerState&) const = default;
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.rows, self.cols, self.keys, self.values, self.bias);
  }
};
using ChainState = std::vector<LayerState>;

ChainState state_of(const SparseChain& chain);

class DeltaLog {
 public:
  DeltaLog(std::size_t capacity, float eps) : capacity_(capacity), eps_(eps) {}

  // Logs the chain's state at `step` (steps must increase).
  void record(std::uint64_t step, const SparseChain& chain);

  // The state logged at `step`; throws std::out_of_range when that step is not in the ring.
  ChainState reconstruct(std::uint64_t step) const;

  std::size_t size() const { return ring_.size(); }
  std::size_t capacity() const { return capacity_; }
  float eps() const { return eps_; }
  std::uint64_t oldest_step() const { return ring_.empty() ? 0 : ring_.front().step; }
  std::uint64_t newest_step() const { return ring_.empty() ? 0 : ring_.back().step; }
  // Bytes the records and the base state hold (what the log costs).
  std::uint64_t bytes() const { return bytes_; }

  // Checkpoints (core/state_archive.hpp): the whole ring, so a restored run rebuilds the same
  // steps. The archive has no deque: the records go as a count and each record.
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.capacity_, self.eps_, self.base_, self.logged_, self.bytes_);
    if constexpr (std::is_const_v<Self>) {
      a(static_cast<std::uint64_t>(self.ring_.size()));
      for (const Record& r : self.ring_) a(r);
    } else {
      self.ring_.resize(a.count(sizeof(std::uint64_t) + 1));  // a record is at least its step and keyframe flag
      for (Record& r : self.ring_) a(r);
    }
  }

 private:
  struct LayerDelta {
    std::vector<Key> set_keys, removed;
    std::vector<float> set_values;
    std::vector<std::uint32_t> bias_rows;
    std::vector<float> bias_values;
    template <class Self, class A>
    static void state_io(Self& self, A& a) {
      a(self.set_keys, self.removed, self.set_values, self.bias_rows, self.bias_values);
    }
  };
  struct Record {
    std::uint64_t step = 0;
    bool keyframe = false;
    ChainState full;                 // a keyframe's whole state
    std::vector<LayerDelta> layers;  // otherwise, per layer
    template <class Self, class A>
    static void state_io(Self& self, A& a) {
      a(self.step, self.keyframe, self.full, self.layers);
    }
  };

  static void apply(ChainState& state, const Record& r);
  static std::uint64_t bytes_of(const Record& r);
  static std::uint64_t bytes_of(const ChainState& s);

  std::size_t capacity_;
  float eps_;
  std::deque<Record> ring_;
  ChainState base_;    // the state before the oldest record (empty while that is a keyframe)
  ChainState logged_;  // the state after the newest record: what the records rebuild
  std::uint64_t bytes_ = 0;
};

}  // namespace obs::sparse
