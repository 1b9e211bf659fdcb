// Fashion-MNIST through Debian's dataset-fashion-mnist: a missing install says what to install,
// and the real files (when present) hold 60000 + 10000 balanced 28x28 examples.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <string>

#include "core/input_error.hpp"
#include "data/dataset.hpp"

namespace {

std::string load_error(const std::string& dir) {
  try {
    obs::data::load_fashion_mnist(dir);
  } catch (const obs::InputError& e) {
    return e.what();
  }
  return "";
}

bool installed() {
  struct stat st {};
  return ::stat((std::string(obs::data::kFashionMnistDir) + "/train-images-idx3-ubyte.gz").c_str(), &st) == 0;
}

}  // namespace

TEST_CASE("data_fashion_mnist: a missing directory names the package and the setup script") {
  const std::string dir = "/nonexistent/obs-fashion-mnist";
  const auto e = load_error(dir);
  CHECK(e.find(dir) != std::string::npos);
  CHECK(e.find("dataset-fashion-mnist") != std::string::npos);
  CHECK(e.find("scripts/setup") != std::string::npos);
}

TEST_CASE("data_fashion_mnist: a directory without the files names the missing file and the package") {
  const auto e = load_error("/");
  CHECK(e.find("train-images-idx3-ubyte") != std::string::npos);
  CHECK(e.find("dataset-fashion-mnist") != std::string::npos);
}

TEST_CASE("data_fashion_mnist: the installed set loads in full") {
  if (!installed()) {
    MESSAGE("skipped: dataset-fashion-mnist is not installed (" << obs::data::kFashionMnistDir << ")");
    return;
  }
  const auto s = obs::data::load_fashion_mnist();
  CHECK(s.train.size() == 60000);
  CHECK(s.test.size() == 10000);
  for (const auto* d : {&s.train, &s.test}) {
    CHECK(d->name == "fashion-mnist");
    CHECK(d->rows == 28);
    CHECK(d->cols == 28);
    CHECK(d->dim == 784);
    CHECK(d->classes == 10);
    REQUIRE(d->class_names.size() == 10);
    CHECK(d->class_names[0] == "T-shirt/top");
    CHECK(d->class_names[9] == "Ankle boot");
    CHECK(d->x.size() == d->size() * 784);
    const auto [lo, hi] = std::minmax_element(d->x.begin(), d->x.end());
    CHECK(*lo == 0.0f);
    CHECK(*hi == 1.0f);
    // The published set is exactly balanced: 6000 / 1000 examples per class.
    std::array<std::size_t, 10> count{};
    for (auto y : d->y) ++count[y];
    for (auto c : count) CHECK(c == d->size() / 10);
  }
  // Both files start with an ankle boot (label 9), as the dataset's own README shows.
  CHECK(s.train.y[0] == 9);
  CHECK(s.test.y[0] == 9);
}

TEST_CASE("data_fashion_mnist: max_train and max_test cap the counts") {
  if (!installed()) {
    MESSAGE("skipped: dataset-fashion-mnist is not installed");
    return;
  }
  const auto s = obs::data::load_fashion_mnist(obs::data::kFashionMnistDir, 500, 100);
  CHECK(s.train.size() == 500);
  CHECK(s.test.size() == 100);
  CHECK(s.train.x.size() == 500u * 784u);
}
