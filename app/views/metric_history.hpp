#pragma once
// The recent history of a few metrics, as a view plots it over time (the carrier view's R(t)).
// It is copied each frame out of the runner's series store, the one history of a run, so no
// engine keeps a ring of its own for its view and the plot shows every step.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/series.hpp"

namespace obs {

struct MetricHistory {
  enum class Span { Recent, WholeRun };
  MetricHistory(std::vector<std::string> wanted, std::size_t rows, Span span = Span::Recent)
      : names(std::move(wanted)), rows(rows), span(span), columns(names.size()) {}

  std::vector<std::string> names;  // the metrics wanted; one the system lacks reads as NaN
  std::size_t rows;                // the most recent rows wanted, or (WholeRun) at most this many
  // Recent: the last `rows` rows. WholeRun: `rows` rows spread evenly over everything the store
  // retains, first and last included (a curve over a whole training run at a fixed cost).
  Span span;

  std::vector<double> steps;                 // oldest first
  std::vector<std::vector<double>> columns;  // one per name, as long as steps

  // Copies the wanted rows (a few thousand numbers: cheap under the store's lock). `prefix`
  // picks one twin's columns (a_, b_): each name is looked up as prefix + name.
  void copy_from(const SeriesStore& store, std::string_view prefix = {});
};

}  // namespace obs
