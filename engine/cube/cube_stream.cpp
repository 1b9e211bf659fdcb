#include "cube/cube_stream.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "cube/cube_lazy_oracle.hpp"
#include "cube/cube_relax.hpp"

namespace obs::cube {
namespace {

using Clock = std::chrono::steady_clock;

std::size_t uz(int v) { return static_cast<std::size_t>(v); }

// Relaxes until a step moves no neuron by more than tol (or max_steps); returns the steps taken.
// With an oracle, each step is priced by it first (the dense chain's judge). Only the steps
// themselves are timed, not the oracle's bookkeeping.
struct Chain {
  Cube c;
  std::int64_t t = 1;
  std::vector<RelaxStats> partial;
  int relax(bool lazy, float tol, int max_steps, std::uint64_t& macs, double& seconds, LazyOracle* oracle,
            std::uint64_t* oracle_macs, bool& settled) {
    for (int k = 0; k < max_steps; ++k) {
      if (oracle) *oracle_macs += oracle->plan(c);
      RelaxStats st;
      const auto began = Clock::now();
      relax_step(c, t++, lazy, tol, partial, st);
      seconds += std::chrono::duration<double>(Clock::now() - began).count();
      if (oracle) oracle->observe(c, tol);
      macs += st.macs;
      if (st.nonfinite) throw std::runtime_error("cube stream: a non-finite field in the relaxation");
      if (st.max_ds < tol) return k + 1;
    }
    settled = false;
    return max_steps;
  }
};

}  // namespace

void stream_frame(StreamKind kind, const float* a, const float* b, int rows, int cols, std::int64_t f, int frames, int occluder,
                  float* out) {
  const std::size_t size = uz(rows) * uz(cols);
  if (kind == StreamKind::Morph) {
    const float mix = frames > 1 ? static_cast<float>(f % frames) / static_cast<float>(frames - 1) : 0.0f;
    for (std::size_t i = 0; i < size; ++i) out[i] = (1 - mix) * a[i] + mix * b[i];
    return;
  }
  std::copy(a, a + size, out);
  // Left to right and back: positions 0 .. cols - side, then down again.
  const int side = std::clamp(occluder, 1, std::min(rows, cols)), span = cols - side;
  const int period = std::max(1, 2 * span), phase = static_cast<int>(f % period);
  const int x0 = span == 0 ? 0 : (phase <= span ? phase : period - phase), y0 = (rows - side) / 2;
  for (int y = y0; y < y0 + side; ++y)
    for (int x = x0; x < x0 + side; ++x) out[uz(y) * uz(cols) + uz(x)] = 0.0f;
}

std::vector<std::vector<float>> make_stream(StreamKind kind, const float* a, const float* b, int rows, int cols, int frames,
                                            int occluder) {
  if (rows < 1 || cols < 1 || frames < 1) throw std::invalid_argument("cube stream: empty image or no frames");
  std::vector<std::vector<float>> out(uz(frames), std::vector<float>(uz(rows) * uz(cols)));
  for (int f = 0; f < frames; ++f) stream_frame(kind, a, b, rows, cols, f, frames, occluder, out[uz(f)].data());
  return out;
}

std::size_t clamp_image(Cube& c, const float* image, int rows, int cols, std::int64_t t) {
  if (rows > c.n || cols > c.n) throw std::invalid_argument("cube stream: the image is larger than the cube's face");
  const int x0 = (c.n - cols) / 2, y0 = (c.n - rows) / 2;
  const auto B = uz(c.B);
  std::size_t changed = 0;
  for (int z = 0; z < c.depth; ++z)
    for (int y = 0; y < c.n; ++y)
      for (int x = 0; x < c.n; ++x) {
        const int r = y - y0, col = x - x0;
        const float v = r >= 0 && r < rows && col >= 0 && col < cols ? image[uz(r) * uz(cols) + uz(col)] : 0.0f;
        const std::size_t p = c.idx(x, y, z);
        bool moved = false;
        for (std::size_t e = 0; e < B; ++e) {
          moved = moved || c.s[p * B + e] != v;
          c.s[p * B + e] = v;
        }
        if (moved) {
          mark_neuron(c, p, t);
          ++changed;
        }
      }
  return changed;
}

std::vector<FrameCost> run_stream(const Cube& start, const std::vector<std::vector<float>>& frames, int rows, int cols,
                                  float tol, int max_steps) {
  if (frames.empty()) return {};
  Chain dense{start, 1, {}}, lazy{start, 1, {}};
  for (Chain* ch : {&dense, &lazy}) {
    ch->c.beta = 0;
    ch->partial.resize(uz(ch->c.n));
    std::fill(ch->c.s.begin(), ch->c.s.end(), 0.0f);
    std::fill(ch->c.ro.r.begin(), ch->c.ro.r.end(), 0.0f);
    std::fill(ch->c.ro.drive.begin(), ch->c.ro.drive.end(), 0.0f);
  }
  // Frame 0 from rest, densely, in one chain; the other starts from the same fixed point.
  clamp_image(dense.c, frames[0].data(), rows, cols, dense.t);
  std::uint64_t ignored = 0;
  double ignored_seconds = 0;
  bool settled0 = true;
  dense.relax(false, tol, max_steps, ignored, ignored_seconds, nullptr, nullptr, settled0);
  lazy.c = dense.c;
  lazy.t = dense.t;

  LazyOracle oracle;
  oracle.reset(dense.c);
  std::vector<FrameCost> out;
  for (std::size_t f = 1; f < frames.size(); ++f) {
    FrameCost fc;
    // The oracle learns which slab neurons the new frame moved from the states before it.
    oracle.plan(dense.c);
    clamp_image(dense.c, frames[f].data(), rows, cols, dense.t);
    oracle.observe(dense.c, tol);
    fc.dense_steps = dense.relax(false, tol, max_steps, fc.dense_macs, fc.dense_seconds, &oracle, &fc.oracle_macs, fc.settled);

    const std::int64_t first = lazy.t;
    const auto began = Clock::now();
    clamp_image(lazy.c, frames[f].data(), rows, cols, lazy.t);
    fc.lazy_seconds = std::chrono::duration<double>(Clock::now() - began).count();  // the marking is the lazy chain's cost
    fc.lazy_steps = lazy.relax(true, tol, max_steps, fc.lazy_macs, fc.lazy_seconds, nullptr, nullptr, fc.settled);

    const auto B = uz(dense.c.B);
    std::uint64_t touched = 0;
    for (std::size_t b = 0; b < lazy.c.blocks(); ++b)
      if (lazy.c.updated_at[b] >= first) touched += lazy.c.block_free[b];
    fc.updated_share = lazy.c.free_neurons ? static_cast<double>(touched) / static_cast<double>(lazy.c.free_neurons) : 0.0;
    for (std::size_t p = 0; p < dense.c.cells; ++p)
      if (dense.c.relaxes[p])
        for (std::size_t e = 0; e < B; ++e)
          fc.max_diff = std::max(fc.max_diff, std::fabs(lazy.c.s[p * B + e] - dense.c.s[p * B + e]));
    out.push_back(fc);
  }
  return out;
}

}  // namespace obs::cube
