#include "views/metric_history.hpp"

#include <algorithm>
#include <cmath>

namespace obs {

void MetricHistory::copy_from(const SeriesStore& store) {
  const std::size_t n = std::min(rows, store.size()), start = store.size() - n;
  steps.resize(n);
  for (std::size_t i = 0; i < n; ++i) steps[i] = static_cast<double>(store.step_at(start + i));
  columns.resize(names.size());
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto& all = store.names();
    const auto at = std::find(all.begin(), all.end(), names[k]);
    columns[k].resize(n);
    for (std::size_t i = 0; i < n; ++i)
      columns[k][i] = at == all.end() ? NAN : store.value_at(start + i, static_cast<std::size_t>(at - all.begin()));
  }
}

}  // namespace obs
