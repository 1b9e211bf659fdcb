#include "core/series.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace obs {

SeriesStore::SeriesStore(std::vector<std::string> names, std::size_t capacity, std::vector<double> resolutions)
    : names_(std::move(names)), steps_(capacity), values_(capacity * names_.size()), resolutions_(std::move(resolutions)),
      capacity_(capacity) {
  resolutions_.resize(resolutions_.empty() ? 0 : names_.size(), 0.0);
}

void SeriesStore::append(std::uint64_t step, const double* values) {
  if (capacity_ == 0) return;
  steps_[head_] = step;
  std::copy(values, values + names_.size(), values_.begin() + static_cast<std::ptrdiff_t>(head_ * names_.size()));
  head_ = (head_ + 1) % capacity_;
  if (count_ < capacity_) ++count_;
}

void SeriesStore::write_csv(std::ostream& out) const {
  write_csv_header(out, names_);
  for (std::size_t i = 0; i < count_; ++i)
    write_csv_row(out, step_at(i), &values_[index(i) * names_.size()], names_.size());
}

void SeriesStore::drop_after(std::uint64_t step) {
  while (count_ > 0 && step_at(count_ - 1) > step) {
    --count_;
    head_ = (head_ + capacity_ - 1) % capacity_;
  }
}

SeriesStore SeriesStore::split_after(std::uint64_t step) {
  std::size_t first = count_;
  while (first > 0 && step_at(first - 1) > step) --first;
  SeriesStore part(names_, std::max<std::size_t>(count_ - first, 1), resolutions_);
  for (std::size_t i = first; i < count_; ++i) part.append(step_at(i), &values_[index(i) * names_.size()]);
  drop_after(step);
  return part;
}

void SeriesStore::append_rows(const SeriesStore& rows) {
  // Another branch may have other columns (an edit there re-declared the metrics): by name.
  if (rows.names() != names_) {
    append_rows(remap_series(rows, names_, resolutions_, [](const std::string& name) { return name; }));
    return;
  }
  std::vector<double> row(names_.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t k = 0; k < row.size(); ++k) row[k] = rows.value_at(i, k);
    append(rows.step_at(i), row.data());
  }
}

SeriesStore remap_series(const SeriesStore& from, std::vector<std::string> names, std::vector<double> resolutions,
                         const std::function<std::string(const std::string&)>& source) {
  std::vector<std::ptrdiff_t> column(names.size(), -1);
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto it = std::find(from.names().begin(), from.names().end(), source(names[k]));
    if (it != from.names().end()) column[k] = it - from.names().begin();
  }
  SeriesStore to(std::move(names), from.capacity(), std::move(resolutions));
  std::vector<double> row(column.size());
  for (std::size_t i = 0; i < from.size(); ++i) {
    for (std::size_t k = 0; k < column.size(); ++k)
      row[k] = column[k] < 0 ? NAN : from.value_at(i, static_cast<std::size_t>(column[k]));
    to.append(from.step_at(i), row.data());
  }
  return to;
}

void write_csv_header(std::ostream& out, const std::vector<std::string>& names) {
  out << "step";
  for (const auto& n : names) out << ',' << n;
  out << '\n';
}

void write_csv_row(std::ostream& out, std::uint64_t step, const double* values, std::size_t n) {
  char buf[32];
  out << step;
  for (std::size_t i = 0; i < n; ++i) {
    // %.9g round-trips a float and keeps files short; NaN prints as "nan".
    std::snprintf(buf, sizeof buf, ",%.9g", values[i]);
    out << buf;
  }
  out << '\n';
}

}  // namespace obs
