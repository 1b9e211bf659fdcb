#include "learn/learner.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/input_error.hpp"

namespace obs::learn {
namespace {

constexpr std::size_t kFashionTrain = 60000, kFashionTest = 10000;

std::string percent(double v) {
  if (!std::isfinite(v)) return "not measured";  // no test set, or every batch discarded
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g %%", 100 * v);
  return buf;
}

}  // namespace

void Learner::declare_data_params(const DataDefaults& d) {
  param(data_spec_.dataset, "dataset", std::string("moons"), dataset_choices()).restart()
      .help("training data: 2-D moons or spirals, 8x8 pattern images, or Fashion-MNIST (Debian package dataset-fashion-mnist)").group("Data");
  param(data_spec_.train_size, "train_size", static_cast<double>(d.train_size), 0, 10'000'000).restart().log_scale()
      .help("training examples (Fashion-MNIST: at most 60000, 0 = all)").group("Data");
  param(data_spec_.test_size, "test_size", static_cast<double>(d.test_size), 0, 10'000'000).restart().log_scale()
      .help("test examples, evaluated at the end of every epoch (Fashion-MNIST: at most 10000, 0 = all)").group("Data");
  param(data_spec_.noise, "data_noise", d.data_noise, 0, 10).restart().help("noise of the synthetic sets (point jitter, pixel noise)").group("Data");
  param(data_spec_.spiral_arms, "spiral_arms", d.spiral_arms, 2, 16).restart().help("spirals: number of arms (= classes)").group("Data");
  params_.add_former_name("n_train", "train_size");  // scene version 1.0 (eqprop)
  params_.add_former_name("n_test", "test_size");
}

void Learner::declare_learning_metrics(bool with_loss) {
  with_loss_ = with_loss;
  // Running means over the epoch so far; between epochs, those of the last epoch.
  if (with_loss) metrics_.add("loss", "", [this] { return train_.loss(); }, MetricTable::Unmeasured::Nan);
  metrics_.add("train_accuracy", "", [this] { return train_.accuracy(); }, MetricTable::Unmeasured::Nan);
  metrics_.add("test_accuracy", "", [this] { return test_.last_accuracy(); }, MetricTable::Unmeasured::Nan);
  metrics_.add("epoch", "", [this] { return static_cast<double>(epoch_); });
  metrics_.add("epoch_progress", "", [this] { return cursor_.progress(); });
  metrics_.add("epoch_seconds", "s", [this] { return epoch_seconds_; }, MetricTable::Unmeasured::Nan);
}

int Learner::example_dim(const std::string& dataset) {
  if (dataset == "fashion-mnist") return 784;
  if (dataset == "patterns") return 64;
  return 2;
}

std::uint64_t Learner::data_bytes() const {
  const std::string& d = params_.choice("dataset");
  auto train = static_cast<std::uint64_t>(params_.integer("train_size"));
  auto test = static_cast<std::uint64_t>(params_.integer("test_size"));
  if (d == "fashion-mnist") {
    train = train == 0 ? kFashionTrain : std::min<std::uint64_t>(train, kFashionTrain);
    test = test == 0 ? kFashionTest : std::min<std::uint64_t>(test, kFashionTest);
  }
  const auto dim = static_cast<std::uint64_t>(example_dim(d));
  return (train + test) * (4 * dim + 1) + train * 4;  // examples, labels, and the epoch's order
}

void Learner::load_data(std::size_t batch) {
  if (data_spec_.dataset != "fashion-mnist" && data_spec_.train_size == 0)
    throw InputError("/params/train_size", "expected at least 1 training example for a synthetic dataset");
  data_ = std::make_shared<const data::Split>(learn::load_data(data_spec_, seed_));
  if (data().train.size() < batch)
    throw InputError("/params/batch", "expected at most train_size = " + std::to_string(data().train.size()) +
                                          " examples per batch, got " + std::to_string(batch));
  cursor_.reset(data().train.size(), batch, data().test.size());
  train_.clear();
  test_.clear();
  epoch_ = 0;
  epoch_seconds_ = std::numeric_limits<double>::quiet_NaN();
}

void Learner::start_epoch(Rng& rng) {
  cursor_.shuffle(rng);
  epoch_start_ = std::chrono::steady_clock::now();
}

void Learner::end_epoch() {
  train_.close();
  test_.close();
  const auto now = std::chrono::steady_clock::now();
  epoch_seconds_ = std::chrono::duration<double>(now - epoch_start_).count();
  ++epoch_;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3g s", epoch_seconds_);
  std::string report = "epoch " + std::to_string(epoch_) + ": test accuracy " + percent(test_.last_accuracy()) +
                       ", train accuracy " + percent(train_.last_accuracy());
  if (with_loss_) {
    char loss[32];
    std::snprintf(loss, sizeof loss, "%.4g", train_.last_loss());
    report += std::string(", loss ") + loss;
  }
  emit(Event::Level::Info, report + ", " + seconds);
}

void Learner::next_epoch(Rng& rng, int max_epochs) {
  end_epoch();
  start_epoch(rng);
  phase_ = (max_epochs > 0 && epoch_ >= max_epochs) ? Phase::Finished : Phase::Training;
}

void Learner::resume_if_raised(int max_epochs) {
  if (phase_ == Phase::Finished && (max_epochs == 0 || epoch_ < max_epochs)) phase_ = Phase::Training;
}

std::string Learner::phase_text() const {
  switch (phase_) {
    case Phase::Training: return "training";
    case Phase::Evaluating: return "evaluating the test set";
    case Phase::Finished: return "finished (" + std::to_string(epoch_) + " epochs)";
  }
  return {};
}

void Learner::hash_progress(StateHash& h) const {
  h.value(step_);
  h.value(epoch_);
  h.value(cursor_.batch());
  h.value(static_cast<std::uint64_t>(cursor_.eval_position()));
  h.value(static_cast<int>(phase_));
}

}  // namespace obs::learn
