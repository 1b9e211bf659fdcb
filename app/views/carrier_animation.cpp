#include "views/carrier_animation.hpp"

#include <algorithm>
#include <cmath>

namespace obs {

using resonance::Fate;
using resonance::Origin;

namespace {

float ease_out(double t) {
  const double u = std::clamp(t, 0.0, 1.0);
  return static_cast<float>(1 - (1 - u) * (1 - u) * (1 - u));
}

Fate fate_of(const resonance::ResonanceSnapshot& s, std::uint32_t id) {
  for (const auto& l : s.lifetimes)
    if (l.id == id) return l.fate == Fate::Alive ? Fate::Dissolved : l.fate;
  return Fate::Dissolved;  // fell off the lifetime list: it ended, how is unknown
}

}  // namespace

void CarrierAnimator::update(const resonance::ResonanceSnapshot& s, const std::vector<Slot>& slots, double now) {
  const bool settle = !seen_ || s.step < last_step_;
  if (settle) {
    state_.clear();
    ghosts_.clear();
  }
  const float glide = settle ? 1.0f : static_cast<float>(1 - std::exp(-std::max(0.0, now - last_time_) / kGlide));
  seen_ = true;
  last_time_ = now;
  const bool new_step = s.step != last_step_;
  last_step_ = s.step;
  animating_ = false;

  wheels_.clear();
  for (std::size_t k = 0; k < s.carriers.size(); ++k) {
    const auto& c = s.carriers[k];
    const Slot& target = slots[k];
    auto it = state_.find(c.id);
    if (it == state_.end()) {
      State st{target.x, target.y, target.r, settle ? -1e9 : now, {}, s.step};
      if (!settle && c.origin == Origin::Mitosis) {
        // A mitosis child buds from its parent, which the lifetime record names (the parent
        // lives on, or died this very step and is a ghost).
        std::uint32_t parent = 0;
        for (const auto& l : s.lifetimes)
          if (l.id == c.id) parent = l.parent;
        for (const auto& g : ghosts_)
          if (parent != 0 && g.carrier.id == parent) { st.x = g.x; st.y = g.y; st.r = g.r; }
        if (auto p = state_.find(parent); parent != 0 && p != state_.end()) { st.x = p->second.x; st.y = p->second.y; st.r = p->second.r; }
      }
      it = state_.emplace(c.id, st).first;
    }
    State& st = it->second;
    st.x += (target.x - st.x) * glide;
    st.y += (target.y - st.y) * glide;
    st.r += (target.r - st.r) * glide;
    if (std::abs(target.x - st.x) + std::abs(target.y - st.y) + std::abs(target.r - st.r) > 0.5f) animating_ = true;
    st.seen_step = s.step;
    if (new_step || settle) {
      st.last = c;
      st.last.spectrum.clear();
    }
    const double age = (now - st.born) / kBirth;
    const float grow = ease_out(age);
    if (age < 1) animating_ = true;
    wheels_.push_back({k, st.x, st.y, st.r * (0.35f + 0.65f * grow), std::clamp(static_cast<float>(age) * 1.6f, 0.0f, 1.0f)});
  }

  // Carriers gone from this snapshot become ghosts.
  for (auto it = state_.begin(); it != state_.end();) {
    if (it->second.seen_step == s.step) { ++it; continue; }
    if (!settle) ghosts_.push_back({it->second.last, fate_of(s, it->first), it->second.x, it->second.y, it->second.r, now});
    it = state_.erase(it);
  }
  std::erase_if(ghosts_, [&](const Dying& g) { return now - g.died > kDeath; });
  ghosts_out_.clear();
  for (const auto& g : ghosts_) {
    const float t = static_cast<float>((now - g.died) / kDeath);
    ghosts_out_.push_back({g.carrier, g.fate, g.x, g.y, g.r * (1.0f - 0.7f * t), (1 - t) * (1 - t), t});
    animating_ = true;
  }
}

}  // namespace obs
