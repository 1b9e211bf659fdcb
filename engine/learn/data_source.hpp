#pragma once
// The data set a learner trains on, as its parameters name it: one switch over the data sets
// every learning engine offers (cube, eqprop; sparse and emx next), so a new one is a line here.
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace obs::learn {

// The spellings of the `dataset` parameter.
inline const std::vector<std::string>& dataset_choices() {
  static const std::vector<std::string> choices = {"moons", "spirals", "patterns", "fashion-mnist"};
  return choices;
}

struct DataSpec {
  std::string dataset = "moons";
  std::size_t train_size = 0, test_size = 0;  // Fashion-MNIST: 0 = all of the split
  double noise = 0;                            // the synthetic sets' jitter
  int spiral_arms = 2;
};

// Throws InputError("/params/dataset", ...) when the data cannot be had (Fashion-MNIST missing).
data::Split load_data(const DataSpec& spec, std::uint64_t seed);

}  // namespace obs::learn
