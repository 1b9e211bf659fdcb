#pragma once
// How an equilibrium-propagation learner nudges: one spelling shared by every engine that
// learns by EqProp (cube, eqprop), so a scene reads the same whichever it drives.
#include <string>
#include <vector>

namespace obs::learn {

enum class BetaMode { Symmetric, RandomSign, Positive };

inline const std::vector<std::string>& beta_mode_choices() {
  static const std::vector<std::string> choices = {"symmetric", "random_sign", "positive"};
  return choices;
}

inline constexpr const char* kBetaModeHelp =
    "symmetric: a +beta and a -beta phase (the O(beta^2)-bias estimate); random_sign: one phase, its sign drawn per "
    "batch; positive: one +beta phase";

}  // namespace obs::learn
