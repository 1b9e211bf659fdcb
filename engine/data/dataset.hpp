#pragma once
// Labelled example sets the learning systems (eqprop, cube) train on: Fashion-MNIST read from
// Debian's dataset-fashion-mnist IDX .gz files, and small synthetic sets for instant demos.
// Everything is float32, row-major, one example after another.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace obs::data {

struct Dataset {
  std::string name;           // "fashion-mnist", "moons", "spirals", "patterns"
  int rows = 0, cols = 0;     // display shape of one example (2-D points: rows = 1, cols = 2)
  int dim = 0;                // features per example (= rows * cols)
  int classes = 0;
  std::vector<std::string> class_names;  // classes entries
  std::vector<float> x;                  // size() * dim; images in [0, 1], points roughly in [-1, 1]
  std::vector<std::uint8_t> y;           // labels in [0, classes)

  std::size_t size() const { return y.size(); }
  const float* example(std::size_t i) const { return x.data() + i * static_cast<std::size_t>(dim); }
};

struct Split {
  Dataset train, test;
};

// Where Debian's dataset-fashion-mnist package puts its files.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Reads one IDX image file (magic 0x00000803, u8 pixels, scaled to [0, 1]) and its label file
// (magic 0x00000801), gzip-compressed or plain (detected from the bytes). max_examples = 0: all.
// Throws obs::InputError naming the file and what was wrong (missing, bad magic, truncated,
// counts that disagree, a size beyond the memory budget, refused before allocating).
Dataset read_idx(const std::string& images_path, const std::string& labels_path, std::size_t max_examples = 0);

// train-images-idx3-ubyte.gz & co. in dir. A missing directory or file gives an InputError that
// names the Debian package to install (dataset-fashion-mnist).
Split load_fashion_mnist(const std::string& dir = kFashionMnistDir, std::size_t max_train = 0,
                         std::size_t max_test = 0);

// Synthetic sets, deterministic for a seed. Points are 2-D in roughly [-1, 1]^2.
Split make_moons(std::size_t n_train, std::size_t n_test, double noise, std::uint64_t seed);
Split make_spirals(std::size_t n_train, std::size_t n_test, int arms, double noise, std::uint64_t seed);
// Small 8x8 pattern images (bars, stripes, crosses, ...) with pixel noise: a tiny image task.
Split make_patterns(std::size_t n_train, std::size_t n_test, double noise, std::uint64_t seed);

}  // namespace obs::data
