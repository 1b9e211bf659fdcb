#include "sparse/optimizer.hpp"

#include <cmath>

namespace obs::sparse {

void sgd_step(CsrLayer& W, const std::vector<float>& dvalue, const std::vector<float>& dbias, float lr) {
  for (std::size_t k = 0; k < W.value.size(); ++k) W.value[k] -= lr * dvalue[k];
  for (std::size_t r = 0; r < W.bias.size(); ++r) W.bias[r] -= lr * dbias[r];
}

namespace {

// Adam on one array of parameters and its moments.
void adam_update(std::vector<float>& x, const std::vector<float>& g, std::vector<float>& m, std::vector<float>& v, const Adam& a,
                 float step) {
  if (m.size() != x.size()) m.assign(x.size(), 0.0f);
  if (v.size() != x.size()) v.assign(x.size(), 0.0f);
  for (std::size_t k = 0; k < x.size(); ++k) {
    m[k] = a.beta1 * m[k] + (1 - a.beta1) * g[k];
    v[k] = a.beta2 * v[k] + (1 - a.beta2) * g[k] * g[k];
    x[k] -= step * m[k] / (std::sqrt(v[k]) + a.eps);
  }
}

}  // namespace

void adam_step(CsrLayer& W, const std::vector<float>& dvalue, const std::vector<float>& dbias, const Adam& a, std::uint64_t t) {
  // The bias corrections folded into the step size (Kingma & Ba, end of section 2), with eps
  // left unscaled: the difference from Algorithm 1 is in eps's effective size only.
  const double tt = static_cast<double>(t);
  const auto step = static_cast<float>(a.lr * std::sqrt(1 - std::pow(a.beta2, tt)) / (1 - std::pow(a.beta1, tt)));
  adam_update(W.value, dvalue, W.moment1, W.moment2, a, step);
  adam_update(W.bias, dbias, W.bias_moment1, W.bias_moment2, a, step);
}

std::vector<double> taylor_scores(const CsrLayer& W) {
  std::vector<double> s(W.value.size(), 0.0);
  if (W.moment2.size() != W.value.size()) return s;
  for (std::size_t k = 0; k < s.size(); ++k)
    s[k] = 0.5 * static_cast<double>(W.moment2[k]) * static_cast<double>(W.value[k]) * static_cast<double>(W.value[k]);
  return s;
}

}  // namespace obs::sparse
