#include "learn/data_source.hpp"

#include "core/input_error.hpp"

namespace obs::learn {

data::Split load_data(const DataSpec& spec, std::uint64_t seed) {
  try {
    if (spec.dataset == "moons") return data::make_moons(spec.train_size, spec.test_size, spec.noise, seed);
    if (spec.dataset == "spirals") return data::make_spirals(spec.train_size, spec.test_size, spec.spiral_arms, spec.noise, seed);
    if (spec.dataset == "patterns") return data::make_patterns(spec.train_size, spec.test_size, spec.noise, seed);
    return data::load_fashion_mnist(data::kFashionMnistDir, spec.train_size, spec.test_size);
  } catch (const InputError& e) {
    throw InputError("/params/dataset", e.what());
  }
}

}  // namespace obs::learn
