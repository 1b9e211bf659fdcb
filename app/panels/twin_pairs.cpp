#include "panels/twin_pairs.hpp"

#include <algorithm>
#include <string_view>

namespace obs {

std::vector<PlotEntry> plot_entries(const std::vector<std::string>& names) {
  auto column = [&](std::string_view name) -> std::optional<std::size_t> {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) return std::nullopt;
    return static_cast<std::size_t>(it - names.begin());
  };
  auto twin_of = [&](std::string_view name, std::string_view from, std::string_view to) -> std::optional<std::size_t> {
    if (name.size() <= from.size() || name.substr(0, from.size()) != from) return std::nullopt;
    return column(std::string(to).append(name.substr(from.size())));
  };
  std::vector<PlotEntry> out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (twin_of(names[i], "b_", "a_")) continue;  // drawn with its a_
    if (const auto b = twin_of(names[i], "a_", "b_")) out.push_back({names[i].substr(2), i, b});
    else out.push_back({names[i], i, std::nullopt});
  }
  return out;
}

}  // namespace obs
