#include "sparse/delta_log.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace obs::sparse {

ChainState state_of(const SparseChain& chain) {
  ChainState s;
  for (const CsrLayer& W : chain.layers()) {
    LayerState l;
    l.rows = W.rows;
    l.cols = W.cols;
    l.keys.reserve(W.connections());
    for (int r = 0; r < W.rows; ++r)
      for (std::uint32_t k = W.row_start[static_cast<std::size_t>(r)]; k < W.row_start[static_cast<std::size_t>(r) + 1]; ++k)
        l.keys.push_back(static_cast<Key>(r) * static_cast<Key>(W.cols) + W.col[k]);
    l.values = W.value;
    l.bias = W.bias;
    s.push_back(std::move(l));
  }
  return s;
}

namespace {

// A value counts as moved when it differs by more than eps, or either side is not finite.
bool moved(float was, float now, float eps) { return !(std::abs(now - was) <= eps); }

bool same_shape(const ChainState& a, const ChainState& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t l = 0; l < a.size(); ++l)
    if (a[l].rows != b[l].rows || a[l].cols != b[l].cols) return false;
  return true;
}

}  // namespace

void DeltaLog::record(std::uint64_t step, const SparseChain& chain) {
  if (capacity_ == 0) return;
  if (!ring_.empty() && step <= ring_.back().step) throw std::invalid_argument("delta log: steps must increase");
  ChainState now = state_of(chain);
  Record r;
  r.step = step;
  if (logged_.empty() || !same_shape(logged_, now)) {
    r.keyframe = true;
    r.full = now;
    logged_ = std::move(now);
  } else {
    r.layers.resize(now.size());
    for (std::size_t l = 0; l < now.size(); ++l) {
      const LayerState& a = logged_[l];
      const LayerState& b = now[l];
      LayerDelta& d = r.layers[l];
      std::size_t i = 0, j = 0;
      while (i < a.keys.size() || j < b.keys.size()) {
        if (j == b.keys.size() || (i < a.keys.size() && a.keys[i] < b.keys[j])) {
          d.removed.push_back(a.keys[i++]);
        } else if (i == a.keys.size() || b.keys[j] < a.keys[i]) {
          d.set_keys.push_back(b.keys[j]);
          d.set_values.push_back(b.values[j++]);
        } else {
          if (moved(a.values[i], b.values[j], eps_)) {
            d.set_keys.push_back(b.keys[j]);
            d.set_values.push_back(b.values[j]);
          }
          ++i;
          ++j;
        }
      }
      for (std::size_t k = 0; k < b.bias.size(); ++k)
        if (moved(a.bias[k], b.bias[k], eps_)) {
          d.bias_rows.push_back(static_cast<std::uint32_t>(k));
          d.bias_values.push_back(b.bias[k]);
        }
    }
    apply(logged_, r);
  }
  bytes_ += bytes_of(r);
  ring_.push_back(std::move(r));
  while (ring_.size() > capacity_) {
    bytes_ -= bytes_of(ring_.front()) + bytes_of(base_);
    apply(base_, ring_.front());
    bytes_ += bytes_of(base_);
    ring_.pop_front();
  }
}

void DeltaLog::apply(ChainState& state, const Record& r) {
  if (r.keyframe) {
    state = r.full;
    return;
  }
  for (std::size_t l = 0; l < r.layers.size(); ++l) {
    LayerState& s = state[l];
    const LayerDelta& d = r.layers[l];
    std::vector<Key> keys;
    std::vector<float> values;
    keys.reserve(s.keys.size() + d.set_keys.size());
    values.reserve(keys.capacity());
    std::size_t i = 0, j = 0, k = 0;
    while (i < s.keys.size() || j < d.set_keys.size()) {
      if (j == d.set_keys.size() || (i < s.keys.size() && s.keys[i] < d.set_keys[j])) {
        if (k < d.removed.size() && d.removed[k] == s.keys[i]) {
          ++k;
          ++i;
          continue;
        }
        keys.push_back(s.keys[i]);
        values.push_back(s.values[i++]);
      } else {
        if (i < s.keys.size() && s.keys[i] == d.set_keys[j]) ++i;  // a new value for a kept connection
        keys.push_back(d.set_keys[j]);
        values.push_back(d.set_values[j++]);
      }
    }
    s.keys = std::move(keys);
    s.values = std::move(values);
    for (std::size_t b = 0; b < d.bias_rows.size(); ++b) s.bias[d.bias_rows[b]] = d.bias_values[b];
  }
}

ChainState DeltaLog::reconstruct(std::uint64_t step) const {
  const auto at = std::lower_bound(ring_.begin(), ring_.end(), step, [](const Record& r, std::uint64_t s) { return r.step < s; });
  if (at == ring_.end() || at->step != step)
    throw std::out_of_range("delta log: step " + std::to_string(step) + " is not logged (the ring holds steps " +
                            std::to_string(oldest_step()) + " to " + std::to_string(newest_step()) + ")");
  ChainState s = base_;
  for (auto it = ring_.begin(); it != at + 1; ++it) apply(s, *it);
  return s;
}

std::uint64_t DeltaLog::bytes_of(const ChainState& s) {
  std::uint64_t b = 0;
  for (const LayerState& l : s) b += l.keys.size() * (sizeof(Key) + sizeof(float)) + l.bias.size() * sizeof(float);
  return b;
}

std::uint64_t DeltaLog::bytes_of(const Record& r) {
  if (r.keyframe) return bytes_of(r.full);
  std::uint64_t b = 0;
  for (const LayerDelta& d : r.layers)
    b += d.set_keys.size() * (sizeof(Key) + sizeof(float)) + d.removed.size() * sizeof(Key) +
         d.bias_rows.size() * (sizeof(std::uint32_t) + sizeof(float));
  return b;
}

}  // namespace obs::sparse
