// The sparse layer's speed claim (issue 14): a full training step (forward, backward, SGD update)
// of the 784-300-100-10 chain, truly sparse (CSR, work per connection), against the same-shape
// dense step in Eigen, on one thread, batch 32. The bar: >= 3x faster at 5 % density, >= 8x at
// 1 %; the densities between show where the dense kernel wins (the crossover).
//
//   build/obs_bench --benchmark_filter=SparseStep --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Arguments: density in tenths of a percent (10 = 1 %), and the batch size.
#include <benchmark/benchmark.h>

#include <Eigen/Dense>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "sparse/sparse_chain.hpp"

namespace {

using obs::sparse::RowMat;

const std::vector<int> kShape = {784, 300, 100, 10};

RowMat random_input(int features, int batch, obs::Rng& rng) {
  RowMat x(features, batch);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.uniform(0, 1));
  return x;
}

std::vector<std::uint8_t> random_labels(int batch, obs::Rng& rng) {
  std::vector<std::uint8_t> y(static_cast<std::size_t>(batch));
  for (auto& v : y) v = static_cast<std::uint8_t>(rng.below(10));
  return y;
}

// The dense twin of SparseChain::train_step: the same maths on full matrices (Eigen's GEMM).
struct DenseChain {
  std::vector<Eigen::MatrixXf> W, dW;
  std::vector<Eigen::VectorXf> b;
  std::vector<Eigen::MatrixXf> act, delta;

  explicit DenseChain(obs::Rng& rng) {
    for (std::size_t l = 0; l + 1 < kShape.size(); ++l) {
      const double a = std::sqrt(6.0 / (kShape[l] + kShape[l + 1]));
      Eigen::MatrixXf m(kShape[l + 1], kShape[l]);
      for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.uniform(-a, a));
      W.push_back(m);
      dW.push_back(Eigen::MatrixXf::Zero(m.rows(), m.cols()));
      b.push_back(Eigen::VectorXf::Zero(m.rows()));
    }
    act.resize(W.size() + 1);
    delta.resize(W.size());
  }

  double train_step(const Eigen::MatrixXf& x, const std::vector<std::uint8_t>& labels, float lr) {
    const std::size_t L = W.size();
    act[0] = x;
    for (std::size_t l = 0; l < L; ++l) {
      act[l + 1].noalias() = W[l] * act[l];
      act[l + 1].colwise() += b[l];
      if (l + 1 < L) act[l + 1] = act[l + 1].cwiseMax(0.0f);
    }
    Eigen::MatrixXf& z = act[L];
    const Eigen::Index B = z.cols();
    delta[L - 1].resize(z.rows(), B);
    double total = 0;
    for (Eigen::Index c = 0; c < B; ++c) {
      const float m = z.col(c).maxCoeff();
      const Eigen::ArrayXf e = (z.col(c).array() - m).exp();
      const float sum = e.sum();
      const auto y = static_cast<Eigen::Index>(labels[static_cast<std::size_t>(c)]);
      total += std::log(sum) - (z(y, c) - m);
      delta[L - 1].col(c) = (e / sum).matrix() / static_cast<float>(B);
      delta[L - 1](y, c) -= 1.0f / static_cast<float>(B);
    }
    for (std::size_t l = L; l-- > 0;) {
      dW[l].noalias() = delta[l] * act[l].transpose();
      if (l > 0) {
        delta[l - 1].noalias() = W[l].transpose() * delta[l];
        delta[l - 1] = delta[l - 1].cwiseProduct((act[l].array() > 0.0f).cast<float>().matrix());
      }
      b[l] -= lr * delta[l].rowwise().sum();
      W[l] -= lr * dW[l];
    }
    return total / static_cast<double>(B);
  }
};

void BM_SparseStep(benchmark::State& state) {
  Eigen::setNbThreads(1);
  const double density = static_cast<double>(state.range(0)) / 1000.0;
  const int batch = static_cast<int>(state.range(1));
  obs::Rng rng(1);
  obs::sparse::SparseChain chain(kShape, density, rng);
  const RowMat x = random_input(784, batch, rng);
  const auto labels = random_labels(batch, rng);
  for (int i = 0; i < 3; ++i) chain.train_step(x, labels, 1e-3f);
  for (auto _ : state) benchmark::DoNotOptimize(chain.train_step(x, labels, 1e-3f));
  state.counters["density"] = chain.connections() / (784.0 * 300 + 300.0 * 100 + 100.0 * 10);
  state.counters["connections"] = static_cast<double>(chain.connections());
}

void BM_DenseStep(benchmark::State& state) {
  Eigen::setNbThreads(1);
  const int batch = static_cast<int>(state.range(0));
  obs::Rng rng(1);
  DenseChain chain(rng);
  const Eigen::MatrixXf x = random_input(784, batch, rng);
  const auto labels = random_labels(batch, rng);
  for (int i = 0; i < 3; ++i) chain.train_step(x, labels, 1e-3f);
  for (auto _ : state) benchmark::DoNotOptimize(chain.train_step(x, labels, 1e-3f));
}

}  // namespace

// Densities 1, 2, 5, 10, 20, 50 %, at batch 32 (the bar) and 8, 128 (the crossover's batch axis).
BENCHMARK(BM_SparseStep)
    ->ArgsProduct({{10, 20, 50, 100, 200, 500}, {8, 32, 128}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_DenseStep)->Arg(8)->Arg(32)->Arg(128)->Unit(benchmark::kMicrosecond)->UseRealTime();
