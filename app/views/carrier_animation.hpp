#pragma once
// View-side memory of carriers across snapshots, keyed by carrier id: where each wheel is drawn
// now (gliding to its slot when the layout reorders), when it was born (fading and growing in;
// mitosis children start on their parent and move apart) and carriers that just died (a ghost
// that fades out: shrinking for dissolution, bursting for division). Wall-clock timed, so the
// animation runs at the same speed whatever the frame or step rate.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "resonance/resonance_snapshot.hpp"

namespace obs {

class CarrierAnimator {
 public:
  struct Slot {  // where the layout wants a carrier (index into snapshot carriers)
    float x, y, r;
  };
  struct Wheel {  // where it is drawn this frame
    std::size_t index;  // into snapshot carriers
    float x, y, r, alpha;
  };
  struct Ghost {
    resonance::CarrierView carrier;  // last seen (spectrum dropped)
    resonance::Fate fate;
    float x, y, r, alpha, burst;  // burst: 0 -> 1 over the fade
  };

  // `slots` has one entry per snapshot carrier. A reset (step going backwards) or the first
  // snapshot settles everything in place: a screenshot must not catch wheels half faded in.
  void update(const resonance::ResonanceSnapshot& s, const std::vector<Slot>& slots, double now);
  void clear() { state_.clear(); ghosts_.clear(); seen_ = false; }

  const std::vector<Wheel>& wheels() const { return wheels_; }
  const std::vector<Ghost>& ghosts() const { return ghosts_out_; }
  bool animating() const { return animating_; }

  static constexpr double kBirth = 0.7, kDeath = 0.9, kGlide = 0.12;  // seconds

 private:
  struct State {
    float x, y, r;
    double born = -1e9;  // wall time of the birth seen, or long ago
    resonance::CarrierView last;
    std::uint64_t seen_step = 0;
  };
  struct Dying {
    resonance::CarrierView carrier;
    resonance::Fate fate;
    float x, y, r;
    double died;
  };
  std::unordered_map<std::uint32_t, State> state_;
  std::vector<Dying> ghosts_;
  std::vector<Wheel> wheels_;
  std::vector<Ghost> ghosts_out_;
  std::uint64_t last_step_ = 0;
  double last_time_ = 0;
  bool seen_ = false, animating_ = false;
};

}  // namespace obs
