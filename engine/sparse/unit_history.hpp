#pragma once
// What happened to each unit's inputs, for the view's unit inspector (issue 14: "click a unit
// for its incoming structure and history"): per output unit of every layer, its last few
// rewirings that touched it, each the inputs it gained and lost and what it had after. Found by
// diffing the structure before and after a rewiring, so every method (SET, RigL, the evidence
// planner, a merge or a split) is recorded alike and none has to report per unit.
#include <cstdint>
#include <span>
#include <vector>

#include "sparse/sparse_chain.hpp"

namespace obs::sparse {

struct UnitEvent {
  std::uint64_t step = 0;  // the step after which the change holds
  std::uint32_t grown = 0, pruned = 0, connections = 0;
};

class UnitHistory {
 public:
  static constexpr std::size_t kPerUnit = 8;  // events kept per unit, the most recent

  // Remembers every layer's structure (its columns per row) before a rewiring.
  void before(const SparseChain& chain);
  // Records, for each unit whose inputs changed since before(), what it gained and lost. A layer
  // whose number of units changed (a split or a merge renumbers them) starts its history afresh,
  // and every layer does when a layer was inserted or removed.
  void after(const SparseChain& chain, std::uint64_t step);
  void clear();

  // A unit's events, oldest first (empty for an unknown layer or unit).
  std::span<const UnitEvent> events(std::size_t layer, std::size_t unit) const;

  // Checkpoints (core/state_archive.hpp): the events; the structure before() keeps is read by
  // the after() of the same rewiring only.
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.events_);
  }

 private:
  struct Before {
    std::vector<std::uint32_t> row_start, col;
  };
  std::vector<Before> before_;
  std::vector<std::vector<std::vector<UnitEvent>>> events_;  // [layer][unit]
};

}  // namespace obs::sparse
