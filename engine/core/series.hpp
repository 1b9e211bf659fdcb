#pragma once
// Metric history: one ring buffer row per step (step number + every metric), for live
// plots and CSV export. Bounded, so a long run cannot grow memory without limit.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace obs {

class SeriesStore {
 public:
  SeriesStore() = default;
  // `resolutions` (one per name, or empty: none declared) travel with the names from the
  // system's MetricTable to the plots, which read the store anyway: no second channel.
  SeriesStore(std::vector<std::string> names, std::size_t capacity, std::vector<double> resolutions = {});

  void append(std::uint64_t step, const double* values);
  void clear() { count_ = head_ = 0; }
  // Drops the newest rows past `step` (a rewound run forks a new branch there).
  void drop_after(std::uint64_t step);
  // The same, handing the rows over: a store of the same columns holding just them (a branch
  // kept aside). append_rows() puts such rows back after this store's newest, column by name.
  SeriesStore split_after(std::uint64_t step);
  void append_rows(const SeriesStore& rows);

  const std::vector<std::string>& names() const { return names_; }
  // The metric's declared resolution (MetricTable::add), 0 when it declared none.
  double resolution(std::size_t metric) const { return metric < resolutions_.size() ? resolutions_[metric] : 0.0; }
  const std::vector<double>& resolutions() const { return resolutions_; }
  std::size_t size() const { return count_; }
  std::size_t capacity() const { return capacity_; }
  // Row i in age order (0 = oldest retained).
  std::uint64_t step_at(std::size_t i) const { return steps_[index(i)]; }
  double value_at(std::size_t i, std::size_t metric) const { return values_[index(i) * names_.size() + metric]; }

  // The retained rows as CSV with the header `step,<names>`.
  void write_csv(std::ostream& out) const;

 private:
  std::size_t index(std::size_t i) const { return (head_ + capacity_ - count_ + i) % capacity_; }
  std::vector<std::string> names_;
  std::vector<std::uint64_t> steps_;
  std::vector<double> values_;
  std::vector<double> resolutions_;
  std::size_t capacity_ = 0, count_ = 0, head_ = 0;
};

// `from`'s rows under new column names: column `names[k]` copies `from`'s column named
// source(names[k]), or is NaN where `from` has none. A fork copies each metric NAME into a_NAME
// and b_NAME (the twins share their past); keeping one side copies it back; a restart that
// re-declares an engine's metrics keeps the ones it still has. `resolutions` are the new
// columns' own (the system's MetricTable), as for a new store.
SeriesStore remap_series(const SeriesStore& from, std::vector<std::string> names, std::vector<double> resolutions,
                         const std::function<std::string(const std::string&)>& source);

// The CSV header and one row, shared by the store's export and the headless streaming writer.
void write_csv_header(std::ostream& out, const std::vector<std::string>& names);
void write_csv_row(std::ostream& out, std::uint64_t step, const double* values, std::size_t n);

}  // namespace obs
