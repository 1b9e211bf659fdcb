#include "views/metric_history.hpp"

#include <algorithm>
#include <cmath>

namespace obs {

void MetricHistory::copy_from(const SeriesStore& store, std::string_view prefix) {
  const std::size_t n = std::min(rows, store.size()), start = store.size() - n;
  // Row i of the copy is row at(i) of the store.
  const auto at_row = [&](std::size_t i) {
    if (span == Span::Recent || n < 2) return start + i;
    return i * (store.size() - 1) / (n - 1);
  };
  steps.resize(n);
  for (std::size_t i = 0; i < n; ++i) steps[i] = static_cast<double>(store.step_at(at_row(i)));
  columns.resize(names.size());
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto& all = store.names();
    const std::string name = std::string(prefix) + names[k];
    const auto at = std::find(all.begin(), all.end(), name);
    columns[k].resize(n);
    for (std::size_t i = 0; i < n; ++i)
      columns[k][i] = at == all.end() ? NAN : store.value_at(at_row(i), static_cast<std::size_t>(at - all.begin()));
  }
}

}  // namespace obs
