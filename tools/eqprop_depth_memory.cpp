// eqprop_depth_memory: the working memory of one training step against depth, for EqProp and
// for backprop of the same layers, measured by counting every heap byte the process takes.
// It answers the roadmap's "Memory vs. Depth: flat line for TorEq, rising for BP" and its
// "O(1) memory" with numbers (docs/systems/eqprop.md, "Depth and memory").
//
//   build/eqprop_depth_memory [--depths 1,2,3,5,8,12] [--units 256] [--batch 20] [--sweeps 60]
//
// The net is the Fashion-MNIST shape (784 inputs, `units` per hidden layer, 10 outputs),
// hard-sigmoid, linear output, on a batch of random inputs with one-hot targets: the bytes do not
// depend on the values. Per depth it builds each learner's buffers from nothing and runs one
// training step with the engine's own components, exactly the steps EqPropSystem takes:
//   EqProp: a Relaxer (states and pre-activations), the free phase, +beta and -beta phases, the
//           saved free and +beta states, the contrastive update (Grad) and its scratch;
//   backprop: a FeedForward (activations and deltas), forward, backward into a Grad.
// "peak" is the highest count of live heap bytes during that (allocation and step) above the
// count before it; the weights themselves were allocated before and are listed apart. Each
// learner is measured at `sweeps` and at 10x `sweeps` relaxation sweeps (with tol 0, so every
// sweep runs): EqProp stores no trajectory, so its peak must not change with the sweep count
// (checked: exit status 1 if it does).
//
// The counter replaces malloc and its relatives for this executable only, forwarding to glibc's
// own (__libc_malloc and friends) and adding malloc_usable_size of every block, so Eigen's
// aligned buffers and operator new are both seen. Not built with the sanitizers.
#include <malloc.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "eqprop/layered_net.hpp"
#include "eqprop/learning_rules.hpp"

extern "C" {
void* __libc_malloc(size_t);
void __libc_free(void*);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
}

namespace {

std::atomic<long long> live_bytes{0}, peak_bytes{0};

void count_in(void* p) {
  if (!p) return;
  const long long now = live_bytes.fetch_add(static_cast<long long>(malloc_usable_size(p))) +
                        static_cast<long long>(malloc_usable_size(p));
  long long peak = peak_bytes.load();
  while (now > peak && !peak_bytes.compare_exchange_weak(peak, now)) {
  }
}
void count_out(void* p) {
  if (p) live_bytes.fetch_sub(static_cast<long long>(malloc_usable_size(p)));
}

}  // namespace

extern "C" {
void* malloc(size_t n) {
  void* p = __libc_malloc(n);
  count_in(p);
  return p;
}
void free(void* p) {
  count_out(p);
  __libc_free(p);
}
void* calloc(size_t n, size_t size) {
  void* p = __libc_calloc(n, size);
  count_in(p);
  return p;
}
void* realloc(void* old, size_t n) {
  count_out(old);
  void* p = __libc_realloc(old, n);
  if (p) count_in(p);
  else if (old && n != 0) count_in(old);  // failed: the old block is still live
  return p;
}
void* memalign(size_t align, size_t n) {
  void* p = __libc_memalign(align, n);
  count_in(p);
  return p;
}
void* aligned_alloc(size_t align, size_t n) { return memalign(align, n); }
int posix_memalign(void** out, size_t align, size_t n) {
  void* p = memalign(align, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
}

namespace {

using obs::eqprop::Mat;

constexpr int kInputs = 784, kClasses = 10;
constexpr float kBeta = 0.5f;

struct Shape {
  int depth = 1, units = 256, batch = 20;
};

obs::eqprop::Net make_net(const Shape& s, obs::Rng& rng) {
  std::vector<int> sizes{kInputs};
  for (int l = 0; l < s.depth; ++l) sizes.push_back(s.units);
  sizes.push_back(kClasses);
  obs::eqprop::Net net;
  net.init_shape(sizes, obs::eqprop::Activation::HardSigmoid, obs::eqprop::Activation::Linear);
  for (auto& W : net.W) {
    const double a = 0.7 * std::sqrt(6.0 / static_cast<double>(W.rows() + W.cols()));
    for (Eigen::Index k = 0; k < W.size(); ++k) W.data()[k] = static_cast<float>(rng.uniform(-a, a));
  }
  return net;
}

long long weight_bytes(const obs::eqprop::Net& net) {
  long long n = 0;
  for (std::size_t l = 0; l < net.W.size(); ++l) n += net.W[l].size() + net.b[l].size();
  return 4 * n;
}

// One learner's step from nothing; returns the peak live bytes above the count at the start.
template <class Step>
long long measure(Step&& step) {
  const long long base = live_bytes.load();
  peak_bytes.store(base);
  step();
  return peak_bytes.load() - base;
}

long long eqprop_step(const obs::eqprop::Net& net, const Mat& x, const Mat& y, int sweeps) {
  return measure([&] {
    const int L = net.free_layers();
    obs::eqprop::Relaxer relax(net, static_cast<int>(x.cols()));
    std::vector<Mat> free(static_cast<std::size_t>(L + 1)), plus(static_cast<std::size_t>(L + 1)), scratch;
    obs::eqprop::Grad update;
    update.resize_like(net);
    for (int l = 0; l <= L; ++l) scratch.push_back(Mat::Zero(net.sizes[l], x.cols()));
    relax.set_input(net, x);
    relax.set_target(y);
    relax.zero_state();
    relax.relax(net, 0.0f, sweeps, 0.0f);
    free = relax.states();
    relax.relax(net, kBeta, sweeps, 0.0f);
    plus = relax.states();
    relax.load_states(free);
    relax.relax(net, -kBeta, sweeps, 0.0f);
    obs::eqprop::eqprop_update(net, plus, relax.states(), 2.0f * kBeta, update, scratch);
  });
}

long long backprop_step(const obs::eqprop::Net& net, const Mat& x, const Mat& y) {
  return measure([&] {
    obs::eqprop::FeedForward ff;
    ff.resize(net, static_cast<int>(x.cols()));
    obs::eqprop::Grad update;
    update.resize_like(net);
    ff.forward(net, x);
    ff.backward(net, y, update);
  });
}

std::vector<int> parse_list(const char* text) {
  std::vector<int> out;
  for (const char* p = text; *p;) {
    char* end = nullptr;
    const long v = std::strtol(p, &end, 10);
    if (end == p || v < 1 || v > 200) return {};
    out.push_back(static_cast<int>(v));
    p = *end == ',' ? end + 1 : end;
    if (*end && *end != ',') return {};
  }
  return out;
}

int usage() {
  std::fprintf(stderr, "usage: eqprop_depth_memory [--depths 1,2,3,5,8,12] [--units 256] [--batch 20] [--sweeps 60]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> depths{1, 2, 3, 5, 8, 12};
  Shape shape;
  int sweeps = 60;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage();
    const char* v = argv[++i];
    const long n = std::strtol(v, nullptr, 10);
    if (a == "--depths") depths = parse_list(v);
    else if (a == "--units" && n >= 1 && n <= 4096) shape.units = static_cast<int>(n);
    else if (a == "--batch" && n >= 1 && n <= 4096) shape.batch = static_cast<int>(n);
    else if (a == "--sweeps" && n >= 1 && n <= 10000) sweeps = static_cast<int>(n);
    else return usage();
    if (depths.empty()) return usage();
  }

  std::printf("784-%dx(depth)-10, hard-sigmoid, batch %d, T = %d sweeps per phase; MB = 2^20 bytes of heap\n",
              shape.units, shape.batch, sweeps);
  std::printf("%5s %9s %9s %11s %11s %11s %11s %11s %9s\n", "depth", "weights", "update", "eqprop", "eqprop",
              "backprop", "eqprop", "backprop", "ratio");
  std::printf("%5s %9s %9s %11s %11s %11s %11s %11s %9s\n", "", "MB", "MB", "peak T", "peak 10T", "peak",
              "KB/example", "KB/example", "eq/bp");
  obs::Rng rng(1);
  bool trajectory_grew = false;
  for (int d : depths) {
    shape.depth = d;
    const obs::eqprop::Net net = make_net(shape, rng);
    Mat x(kInputs, shape.batch), y = Mat::Zero(kClasses, shape.batch);
    for (Eigen::Index k = 0; k < x.size(); ++k) x.data()[k] = static_cast<float>(rng.uniform());
    for (int c = 0; c < shape.batch; ++c) y(c % kClasses, c) = 1.0f;
    eqprop_step(net, x, y, 1);  // first use: whatever the libraries keep for good is taken here
    backprop_step(net, x, y);
    // Both learners hold one weight-shaped update; what is left is the state they keep per example.
    const long long update = measure([&] {
      obs::eqprop::Grad g;
      g.resize_like(net);
    });
    const long long ep = eqprop_step(net, x, y, sweeps), ep10 = eqprop_step(net, x, y, 10 * sweeps);
    const long long bp = backprop_step(net, x, y);
    const double mb = 1.0 / (1 << 20), per_example = 1.0 / 1024.0 / shape.batch;
    if (ep10 != ep) trajectory_grew = true;
    std::printf("%5d %9.3f %9.3f %11.3f %11.3f %11.3f %11.2f %11.2f %9.2f\n", d, weight_bytes(net) * mb, update * mb,
                ep * mb, ep10 * mb, bp * mb, (ep - update) * per_example, (bp - update) * per_example,
                static_cast<double>(ep - update) / static_cast<double>(bp - update));
  }
  // The invariant the table rests on: EqProp's step holds the same bytes however long it relaxes.
  if (trajectory_grew) {
    std::printf("FAIL: eqprop's peak changed with the sweep count\n");
    return 1;
  }
  std::printf("eqprop's peak is the same at T and 10T sweeps\n");
  return 0;
}
