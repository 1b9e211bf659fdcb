#include "core/metric_table.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace obs {

void MetricTable::add(std::string name, std::string unit, std::function<double()> value, Unmeasured unmeasured, double resolution) {
  if (find(name)) throw std::logic_error("metric declared twice: " + name);
  names_.push_back(std::move(name));
  units_.push_back(std::move(unit));
  values_.push_back(std::move(value));
  unmeasured_.push_back(unmeasured);
  resolutions_.push_back(std::isfinite(resolution) && resolution > 0 ? resolution : 0);
}

void MetricTable::truncate(std::size_t first) {
  first = std::min(first, names_.size());
  names_.resize(first);
  units_.resize(first);
  values_.resize(first);
  unmeasured_.resize(first);
  resolutions_.resize(first);
}

std::optional<std::size_t> MetricTable::find(const std::string& name) const {
  const auto it = std::find(names_.begin(), names_.end(), name);
  if (it == names_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - names_.begin());
}

void MetricTable::write(double* out) const {
  if (prepare_) prepare_();
  for (std::size_t i = 0; i < values_.size(); ++i) out[i] = values_[i]();
}

}  // namespace obs
