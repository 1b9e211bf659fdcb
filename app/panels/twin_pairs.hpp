#pragma once
// Twin runs (a run forked into A and B) record every metric twice in one SeriesStore, as a_X and
// b_X. The metrics panel draws such a pair as ONE plot of X with both traces; this finds them.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace obs {

struct PlotEntry {
  std::string label;                // X for a pair, else the metric's own name
  std::size_t a = 0;                // the metric's column (a_X for a pair)
  std::optional<std::size_t> b;     // b_X's column, for a pair
};

// The plots for `names`, in their order: a_X with a b_X somewhere in `names` is one entry at
// a_X's place (b_X is not listed again); every other name, a_X without b_X included, is its own.
std::vector<PlotEntry> plot_entries(const std::vector<std::string>& names);

}  // namespace obs
