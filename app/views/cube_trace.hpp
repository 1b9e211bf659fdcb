#pragma once
// The picked neuron's history: its three channels at every snapshot the view has seen, in a
// fixed ring (no allocation after construction), unrolled oldest-first for plotting.
#include <cstdint>
#include <span>
#include <vector>

namespace obs {

class CubeTrace {
 public:
  static constexpr std::size_t kCapacity = 2048;
  CubeTrace() {
    for (auto* v : {&act_, &vel_, &nud_, &lin_act_, &lin_vel_, &lin_nud_}) v->assign(kCapacity, 0.0);
  }

  void clear() { size_ = head_ = 0; last_step_ = UINT64_MAX; }
  // One sample per simulation step; a repeated step (the same snapshot drawn again) is skipped.
  void record(std::uint64_t step, double activation, double velocity, double nudge) {
    if (step == last_step_) return;
    if (step < last_step_ && last_step_ != UINT64_MAX) clear();  // a reset: a new history
    last_step_ = step;
    act_[head_] = activation;
    vel_[head_] = velocity;
    nud_[head_] = nudge;
    head_ = (head_ + 1) % kCapacity;
    size_ = size_ < kCapacity ? size_ + 1 : kCapacity;
  }
  std::size_t size() const { return size_; }
  std::uint64_t last_step() const { return last_step_; }

  // Oldest first; valid until the next unroll().
  std::span<const double> activation() { return unroll(act_, lin_act_); }
  std::span<const double> velocity() { return unroll(vel_, lin_vel_); }
  std::span<const double> nudge() { return unroll(nud_, lin_nud_); }

 private:
  std::span<const double> unroll(const std::vector<double>& ring, std::vector<double>& out) const {
    const std::size_t start = (head_ + kCapacity - size_) % kCapacity;
    for (std::size_t i = 0; i < size_; ++i) out[i] = ring[(start + i) % kCapacity];
    return {out.data(), size_};
  }
  std::vector<double> act_, vel_, nud_, lin_act_, lin_vel_, lin_nud_;
  std::size_t size_ = 0, head_ = 0;
  std::uint64_t last_step_ = UINT64_MAX;
};

}  // namespace obs
