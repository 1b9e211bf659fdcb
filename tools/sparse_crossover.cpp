// sparse_crossover: is the dense crossover policy right on this machine? For a grid of densities
// and batch sizes it times one 784 -> 300 layer's training step (forward and backward, input
// gradient included) on the CSR kernel and on the dense kernel (the median of 15), calibrates
// the policy's two rates once per batch size as the `sparse` system does (kernel=auto), and
// counts the grid points where the policy picks the faster kernel. Issue 14's bar: >= 90 % of a
// grid of at least 5 x 4 points.
//
//   build/sparse_crossover            (about a minute; Release build)
#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/rng.hpp"
#include "sparse/kernel_choice.hpp"

using namespace obs;
using namespace obs::sparse;

int main() {
  const std::vector<double> densities{0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5};
  const std::vector<int> batches{8, 32, 64, 128};
  constexpr int rows = 300, cols = 784, reps = 15;
  int right = 0, close = 0, points = 0;
  std::printf("%-6s %-8s %12s %12s %8s %8s %s\n", "batch", "density", "csr (us)", "dense (us)", "faster", "policy", "");
  for (int batch : batches) {
    const KernelCosts costs = calibrate_kernels(batch);
    std::printf("batch %d: calibrated crossover density %.3f\n", batch, costs.per_entry / costs.per_connection);
    for (double density : densities) {
      Rng rng(7);
      const CsrLayer W = random_layer(rows, cols, density, 0.1, rng);
      const double csr = time_layer_step(W, batch, false, reps), dense = time_layer_step(W, batch, true, reps);
      const bool pick_dense = prefer_dense(W, batch, false, costs, 0.0);  // no hysteresis: the bare prediction
      const bool dense_faster = dense < csr;
      const double picked = pick_dense ? dense : csr, best = std::min(dense, csr);
      right += pick_dense == dense_faster;
      close += picked <= 1.1 * best;
      ++points;
      std::printf("%-6d %-8.2f %12.1f %12.1f %8s %8s %s\n", batch, density, csr * 1e6, dense * 1e6, dense_faster ? "dense" : "csr",
                  pick_dense ? "dense" : "csr", pick_dense == dense_faster ? "" : "(wrong)");
    }
  }
  std::printf("policy picked the faster kernel at %d of %d points (%.0f %%); within 10 %% of the faster at %d (%.0f %%)\n", right,
              points, 100.0 * right / points, close, 100.0 * close / points);
  return 0;
}
