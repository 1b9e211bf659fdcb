#pragma once
// The metrics of a System, each declared once as a name, a unit and a getter:
//   metrics_.add("r", "", [this] { return r_; });
// metric_names() and metrics(out) are read from this table, so nothing ever reads a metric by
// its position. A getter runs on the simulation thread between steps; keep it cheap.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace obs {

class MetricTable {
 public:
  // NaN means "not measured yet" for a metric declared `Unmeasured::Nan` (a test accuracy before
  // the first epoch ends, no probed neuron); every other metric is always finite.
  enum class Unmeasured { Never, Nan };
  // `resolution` (in the metric's unit; 0 = not declared) is the smallest change that means
  // anything: what the engine's own rounding can move it by (a float sum over N oscillators).
  // Plots never scale a change smaller than it up to their full height (views/plot_scale.hpp).
  void add(std::string name, std::string unit, std::function<double()> value, Unmeasured unmeasured = Unmeasured::Never,
           double resolution = 0);
  // Runs once before the getters on every read: for a quantity several metrics share (a mean
  // over all carriers), computed once instead of once per metric.
  void before_read(std::function<void()> prepare) { prepare_ = std::move(prepare); }
  // Drops every metric from `first` on: for metrics that depend on the state's shape (one per
  // eqprop layer), re-declared on reset.
  void truncate(std::size_t first);

  std::size_t size() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }
  const std::string& unit(std::size_t i) const { return units_.at(i); }
  bool may_be_unmeasured(std::size_t i) const { return unmeasured_.at(i) == Unmeasured::Nan; }
  const std::vector<double>& resolutions() const { return resolutions_; }
  std::optional<std::size_t> find(const std::string& name) const;
  void write(double* out) const;

 private:
  std::vector<std::string> names_, units_;
  std::vector<std::function<double()>> values_;
  std::vector<Unmeasured> unmeasured_;
  std::vector<double> resolutions_;
  std::function<void()> prepare_;
};

}  // namespace obs
