#include "core/series.hpp"

#include <algorithm>
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
