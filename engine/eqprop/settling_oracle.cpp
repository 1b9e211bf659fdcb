#include "eqprop/settling_oracle.hpp"

#include <algorithm>
#include <cmath>

#include "learn/auroc.hpp"

namespace obs::eqprop {

void make_ood_input(OodKind kind, const float* x, int dim, float* out, Rng& rng) {
  for (int i = 0; i < dim; ++i) out[i] = kind == OodKind::Inverted ? 1.0f - x[i] : static_cast<float>(rng.uniform());
}

void SettlingOracle::start(std::size_t expected, int max_sweeps) {
  max_sweeps_ = max_sweeps;
  for (auto* v : {&settle_, &margin_}) {
    v->clear();
    v->reserve(expected);
  }
  for (auto* v : {&wrong_, &ood_}) {
    v->clear();
    v->reserve(expected);
  }
}

void SettlingOracle::add(double settle, double margin, bool wrong, bool ood) {
  settle_.push_back(settle);
  margin_.push_back(margin);
  wrong_.push_back(wrong);
  ood_.push_back(ood);
}

OracleScores SettlingOracle::finish() const {
  OracleScores s;
  // Wrong vs right among the in-distribution examples; out of distribution vs in.
  std::vector<double> settle_in, neg_margin_in, all_settle, all_neg_margin;
  std::vector<std::uint8_t> wrong_in;
  double sum[3] = {0, 0, 0};
  std::size_t count[3] = {0, 0, 0};  // right, wrong, ood
  s.hist_right.assign(static_cast<std::size_t>(std::max(0, max_sweeps_)) + 1, 0);
  s.hist_wrong = s.hist_right;
  for (std::size_t i = 0; i < settle_.size(); ++i) {
    all_settle.push_back(settle_[i]);
    all_neg_margin.push_back(-margin_[i]);
    const int k = ood_[i] ? 2 : wrong_[i] ? 1 : 0;
    sum[k] += settle_[i];
    ++count[k];
    if (ood_[i]) continue;
    settle_in.push_back(settle_[i]);
    neg_margin_in.push_back(-margin_[i]);
    wrong_in.push_back(wrong_[i]);
    if (std::isfinite(settle_[i])) {
      const auto bin = static_cast<std::size_t>(std::clamp(static_cast<int>(settle_[i]), 0, max_sweeps_));
      ++(wrong_[i] ? s.hist_wrong : s.hist_right)[bin];
    }
  }
  s.settle_auroc = learn::auroc(settle_in, wrong_in);
  s.margin_auroc = learn::auroc(neg_margin_in, wrong_in);
  s.ood_settle_auroc = learn::auroc(all_settle, ood_);
  s.ood_margin_auroc = learn::auroc(all_neg_margin, ood_);
  const auto mean = [&](int k) { return count[k] ? sum[k] / static_cast<double>(count[k]) : OracleScores::kNaN; };
  s.settle_right = mean(0);
  s.settle_wrong = mean(1);
  s.settle_ood = mean(2);
  return s;
}

}  // namespace obs::eqprop
