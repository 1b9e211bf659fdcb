#include "sparse/baseline_run.hpp"

#include <algorithm>
#include <cmath>

#include "sparse/rewire.hpp"

namespace obs::sparse {
namespace {

std::uint64_t hits(const RowMat& logits, const std::vector<std::uint8_t>& labels, std::size_t count) {
  std::uint64_t n = 0;
  for (std::size_t c = 0; c < count; ++c) {
    Eigen::Index best = 0;
    logits.col(static_cast<Eigen::Index>(c)).maxCoeff(&best);
    n += static_cast<std::uint8_t>(best) == labels[c];
  }
  return n;
}

}  // namespace

BaselineRun::BaselineRun(std::string name, bool by_gradient, const SparseChain& start, std::uint64_t seed)
    : name_(std::move(name)), by_gradient_(by_gradient), chain_(start), rng_(seed) {}

void BaselineRun::train(const RowMat& x, const std::vector<std::uint8_t>& labels, const BaselineSettings& s, std::uint64_t step) {
  const double loss = chain_.gradients(x, labels);
  bool finite = std::isfinite(loss);
  for (std::size_t l = 0; finite && l < chain_.layers().size(); ++l)
    for (float g : chain_.value_gradient(l)) finite &= std::isfinite(g);
  if (!finite) {
    ++refused_;
    return;
  }
  train_.add(hits(chain_.output(), labels, labels.size()), labels.size(), loss * static_cast<double>(labels.size()));
  if (s.adam) chain_.apply_adam({.lr = s.lr});
  else chain_.apply_gradients(s.lr);
  const int every = by_gradient_ ? s.rewire_every : s.set_every;
  if ((step + 1) % static_cast<std::uint64_t>(std::max(1, every)) != 0) return;
  const double f = by_gradient_ ? cosine_update_fraction(s.fraction, static_cast<long>(step), s.rewire_end) : s.fraction;
  rewire_chain(chain_, by_gradient_, f, rng_);
}

void BaselineRun::evaluate(const RowMat& x, const std::vector<std::uint8_t>& labels, std::size_t count) {
  test_.add(hits(chain_.predict(x), labels, count), count);
}

void BaselineRun::end_epoch() {
  train_.close();
  test_.close();
}

double BaselineRun::density() const {
  double dense = 0;
  for (const CsrLayer& W : chain_.layers()) dense += static_cast<double>(W.rows) * W.cols;
  return dense > 0 ? static_cast<double>(chain_.connections()) / dense : 0.0;
}

}  // namespace obs::sparse
