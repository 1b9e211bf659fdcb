// The cube's input encoding: the data set, its projection onto the input slab, the output
// neurons of the classes, and loading a batch of examples onto the slab.
#include "cube/cube_system.hpp"

#include <algorithm>
#include <cmath>

#include "cube/cube_readout.hpp"

namespace obs {
namespace {

std::size_t uz(std::int64_t v) { return static_cast<std::size_t>(v); }

}  // namespace

void CubeSystem::build_data() {
  load_data(uz(batch_size_));

  const int n = n_, depth = input_depth_;
  const auto& d = data().train;
  direct_image_ = projection_ == Projection::Auto && d.rows > 1 && d.rows <= n && d.cols <= n;
  image_x0_ = (n - d.cols) / 2;
  image_y0_ = (n - d.rows) / 2;
  proj_.clear();
  proj_bias_.clear();
  if (!direct_image_) {
    // A fixed random feature map x -> clip(0.5 + P x + q, 0, 1), one row per slab neuron.
    const std::size_t units = uz(depth) * uz(n) * uz(n), dim = uz(d.dim);
    const double gain = projection_gain_ / std::sqrt(static_cast<double>(dim));
    proj_.resize(units * dim);
    proj_bias_.resize(units);
    for (auto& v : proj_) v = static_cast<float>(rng_.normal());
    for (auto& v : proj_bias_) v = static_cast<float>(rng_.uniform(-0.5, 0.5));
    // Smooth each input dimension's map over the face (two passes of a box blur per axis,
    // per slab layer) and renormalise: a topographic projection. Only smooth patterns on
    // the face survive the trip through a contractive lattice to the far face; white-noise
    // features average out within a few planes.
    const int r = static_cast<int>(std::lround(projection_smoothing_));
    if (r > 0) {
      std::vector<double> line(uz(n)), out(uz(n));
      auto blur = [&](std::size_t start, std::size_t stride) {
        for (int pass = 0; pass < 2; ++pass) {
          for (int i = 0; i < n; ++i) line[uz(i)] = proj_[start + uz(i) * stride];
          for (int i = 0; i < n; ++i) {
            double acc = 0;
            int cnt = 0;
            for (int j = std::max(0, i - r); j <= std::min(n - 1, i + r); ++j, ++cnt) acc += line[uz(j)];
            out[uz(i)] = acc / cnt;
          }
          for (int i = 0; i < n; ++i) proj_[start + uz(i) * stride] = static_cast<float>(out[uz(i)]);
        }
      };
      for (int z = 0; z < depth; ++z)
        for (std::size_t j = 0; j < dim; ++j) {
          const std::size_t plane = uz(z) * uz(n) * uz(n);
          for (int y = 0; y < n; ++y) blur((plane + uz(y) * uz(n)) * dim + j, dim);
          for (int x = 0; x < n; ++x) blur((plane + uz(x)) * dim + j, uz(n) * dim);
          double ss = 0;
          for (std::size_t k = plane; k < plane + uz(n) * uz(n); ++k) ss += static_cast<double>(proj_[k * dim + j]) * proj_[k * dim + j];
          const double f = ss > 0 ? std::sqrt(static_cast<double>(n) * n / ss) : 0.0;
          for (std::size_t k = plane; k < plane + uz(n) * uz(n); ++k) proj_[k * dim + j] = static_cast<float>(proj_[k * dim + j] * f);
        }
    }
    for (auto& v : proj_) v = static_cast<float>(v * gain);
  }
}

void CubeSystem::place_outputs() {
  outputs_.clear();
  if (readout_ == Readout::Face) return;  // the readout units read the classes
  // The classes sit on a grid centred on the far face, spread as far apart as the face allows.
  const int C = data().train.classes, n = c_.n;
  const int cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(C))));
  const int rows = (C + cols - 1) / cols;
  outputs_.assign(uz(C), 0);
  for (int k = 0; k < C; ++k) {
    const int gx = k % cols, gy = k / cols;
    const int x = static_cast<int>((gx + 0.5) * n / cols), y = static_cast<int>((gy + 0.5) * n / rows);
    const std::size_t p = c_.idx(std::min(x, n - 1), std::min(y, n - 1), n - 1);
    outputs_[uz(k)] = p;
    c_.out_class[p] = static_cast<std::int16_t>(k);
  }
}

void CubeSystem::load_batch(bool eval) {
  const data::Dataset& d = eval ? data().test : data().train;
  const auto B = uz(c_.B);
  // The last test batch is padded with examples from the start of the test set, never counted.
  const std::size_t first = cursor_.eval_position();
  batch_valid_ = eval ? cursor_.eval_count(B) : B;
  for (std::size_t b = 0; b < B; ++b)
    batch_idx_[b] = eval ? static_cast<std::uint32_t>((first + b) % d.size()) : cursor_.batch_examples()[b];

  if (warm_start_) {
    // Each example starts from the free fixed point the same slot of the batch before reached
    // (a test batch: the states it ended on; a training batch: its free phase's, kept in s_free_,
    // not the nudged states learning left), so only the change of input (and of the weights)
    // has to travel. The slab is overwritten below.
    if (stage_ != Stage::Eval) {
      c_.s = s_free_;
      c_.ro.r = r_free_;
    }
    if (c_.ro.active()) cube::refresh_drive(c_);
  } else {
    std::fill(c_.s.begin(), c_.s.end(), 0.0f);
    std::fill(c_.ro.r.begin(), c_.ro.r.end(), 0.0f);
    std::fill(c_.ro.drive.begin(), c_.ro.drive.end(), 0.0f);
  }
  std::fill(c_.target.begin(), c_.target.end(), 0.0f);
  const int n = c_.n;
  for (std::size_t b = 0; b < B; ++b) {
    const float* x = d.example(batch_idx_[b]);
    c_.target[uz(d.y[batch_idx_[b]]) * B + b] = 1.0f;
    for (int z = 0; z < c_.depth; ++z)
      for (int y = 0; y < n; ++y)
        for (int xx = 0; xx < n; ++xx) {
          float v = 0;
          if (direct_image_) {
            const int r = y - image_y0_, col = xx - image_x0_;
            if (r >= 0 && r < d.rows && col >= 0 && col < d.cols) v = x[r * d.cols + col];
          } else {
            const std::size_t k = (uz(z) * uz(n) + uz(y)) * uz(n) + uz(xx);
            const float* row = proj_.data() + k * uz(d.dim);
            float a = 0.5f + proj_bias_[k];
            for (int j = 0; j < d.dim; ++j) a += row[j] * x[j];
            v = std::clamp(a, 0.0f, 1.0f);
          }
          c_.s[c_.idx(xx, y, z) * B + b] = v;
        }
  }
  for (std::size_t p = 0; p < c_.cells; ++p)  // frozen neurons keep nothing across examples either
    if (c_.alive[p] == 2)
      for (std::size_t b = 0; b < B; ++b) c_.s[p * B + b] = 0.0f;
  c_.beta = 0;
  stage_ = eval ? Stage::Eval : Stage::Free;
  phase_step_ = 0;
  cube::mark_all(c_, relax_t_);
}

}  // namespace obs
