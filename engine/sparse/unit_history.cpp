#include "sparse/unit_history.hpp"

namespace obs::sparse {

void UnitHistory::before(const SparseChain& chain) {
  before_.resize(chain.layers().size());
  for (std::size_t l = 0; l < before_.size(); ++l) {
    before_[l].row_start = chain.layers()[l].row_start;
    before_[l].col = chain.layers()[l].col;
  }
}

void UnitHistory::after(const SparseChain& chain, std::uint64_t step) {
  const auto& layers = chain.layers();
  if (before_.size() != layers.size()) {  // a layer inserted or removed: every index after it means another layer now
    events_.assign(layers.size(), {});
    for (std::size_t l = 0; l < layers.size(); ++l) events_[l].resize(static_cast<std::size_t>(layers[l].rows));
    return;
  }
  events_.resize(layers.size());
  for (std::size_t l = 0; l < layers.size() && l < before_.size(); ++l) {
    const CsrLayer& W = layers[l];
    const Before& b = before_[l];
    auto& units = events_[l];
    if (b.row_start.size() != W.row_start.size()) {  // units added or removed: the old rows mean other units now
      units.assign(static_cast<std::size_t>(W.rows), {});
      continue;
    }
    units.resize(static_cast<std::size_t>(W.rows));
    for (std::size_t r = 0; r < units.size(); ++r) {
      // Both column lists are ascending: one merge counts what is only in each.
      std::uint32_t i = b.row_start[r], j = W.row_start[r];
      const std::uint32_t i_end = b.row_start[r + 1], j_end = W.row_start[r + 1];
      std::uint32_t grown = 0, pruned = 0;
      while (i < i_end || j < j_end) {
        if (j == j_end || (i < i_end && b.col[i] < W.col[j])) ++pruned, ++i;
        else if (i == i_end || W.col[j] < b.col[i]) ++grown, ++j;
        else ++i, ++j;
      }
      if (grown == 0 && pruned == 0) continue;
      auto& list = units[r];
      if (list.size() == kPerUnit) list.erase(list.begin());
      list.push_back({step, grown, pruned, j_end - W.row_start[r]});
    }
  }
}

void UnitHistory::clear() {
  before_.clear();
  events_.clear();
}

std::span<const UnitEvent> UnitHistory::events(std::size_t layer, std::size_t unit) const {
  if (layer >= events_.size() || unit >= events_[layer].size()) return {};
  return events_[layer][unit];
}

}  // namespace obs::sparse
