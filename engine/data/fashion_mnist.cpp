// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) as Debian's dataset-fashion-mnist package installs
// it: four IDX files, gzip-compressed, 28x28 grey images of ten kinds of clothing.
#include <sys/stat.h>

#include <string>

#include "core/input_error.hpp"
#include "data/dataset.hpp"

namespace obs::data {
namespace {

constexpr const char* kInstallHint =
    "; install the Debian package dataset-fashion-mnist (sudo apt install dataset-fashion-mnist, "
    "or run scripts/setup)";

// The label order is the dataset's own (its README), not alphabetical.
const std::vector<std::string>& fashion_class_names() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

bool exists(const std::string& path, bool want_dir) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && (S_ISDIR(st.st_mode) == want_dir);
}

std::string find_file(const std::string& dir, const std::string& stem) {
  // The package ships .gz; a plain copy (gunzipped by hand) is accepted too.
  for (const char* suffix : {".gz", ""}) {
    std::string path = dir + "/" + stem + suffix;
    if (exists(path, false)) return path;
  }
  std::string msg = "no ";
  msg.append(stem).append(".gz in ").append(dir).append(kInstallHint);
  throw InputError("", msg, {}, dir + "/" + stem + ".gz");
}

Dataset load_part(const std::string& dir, const char* prefix, std::size_t max_examples) {
  const std::string images = find_file(dir, std::string(prefix) + "-images-idx3-ubyte");
  const std::string labels = find_file(dir, std::string(prefix) + "-labels-idx1-ubyte");
  Dataset d = read_idx(images, labels, max_examples);
  const auto& names = fashion_class_names();
  for (std::size_t i = 0; i < d.y.size(); ++i)
    if (d.y[i] >= names.size())
      throw InputError("", "label " + std::to_string(d.y[i]) + " of example " + std::to_string(i) +
                               " is out of range; Fashion-MNIST has classes 0..9", {}, labels);
  d.name = "fashion-mnist";
  d.classes = static_cast<int>(names.size());
  d.class_names = names;
  return d;
}

}  // namespace

Split load_fashion_mnist(const std::string& dir, std::size_t max_train, std::size_t max_test) {
  if (!exists(dir, true)) {
    std::string msg = "no such directory";
    msg.append(kInstallHint);
    throw InputError("", msg, {}, dir);
  }
  Split s;
  s.train = load_part(dir, "train", max_train);
  s.test = load_part(dir, "t10k", max_test);
  if (s.train.dim != s.test.dim)
    throw InputError("", "train images are " + std::to_string(s.train.rows) + "x" + std::to_string(s.train.cols) +
                             " but test images are " + std::to_string(s.test.rows) + "x" + std::to_string(s.test.cols),
                     {}, dir);
  return s;
}

}  // namespace obs::data
