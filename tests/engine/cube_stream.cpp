// Streaming inference on the cube (cube/cube_stream.hpp): the built-in streams against hand
// counts, the slab clamping, and the two chains: warm-started dense relaxation reaches the
// same fixed point as relaxation from rest, the lazy chain reaches dense's, and a frame that
// changes nothing costs the lazy chain nothing but the readout.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "cube/cube_stream.hpp"
#include "cube_test_util.hpp"

using obs::cube::Cube;
using obs::cube::StreamKind;

namespace {

// An 8 x 8 image with distinct values in (0, 1).
std::vector<float> ramp(float shift) {
  std::vector<float> img(64);
  for (int i = 0; i < 64; ++i) img[static_cast<std::size_t>(i)] = 0.1f + 0.8f * static_cast<float>((i * 37 + 11) % 64) / 64.0f + shift;
  return img;
}

// A 16^3 cube, batch 1, the 8 x 8 patterns on a one-plane slab, strongly contractive (L = 0.5)
// so a local change stays local; its weights as the scene initialises them.
Cube small_cube(const char* readout = "neuron") {
  auto sys = cube_test::make({{"n", 16},
                              {"batch", 1},
                              {"dataset", "patterns"},
                              {"train_size", 64},
                              {"test_size", 64},
                              {"input_depth", 1},
                              {"lipschitz_target", 0.5},
                              {"tol", 1e-5},
                              {"readout", readout}});
  return sys->lattice();
}

}  // namespace

TEST_CASE("the occluder stream slides a black square along the middle row and back") {
  // 4 x 6 image, side 2: the square covers rows 1-2, columns x0 .. x0 + 1, x0 = 0 1 2 3 4 3 2 1 0 ...
  std::vector<float> a(24, 0.5f);
  const auto frames = obs::cube::make_stream(StreamKind::Occluder, a.data(), nullptr, 4, 6, 10, 2);
  REQUIRE(frames.size() == 10);
  const int expected_x0[10] = {0, 1, 2, 3, 4, 3, 2, 1, 0, 1};
  for (int f = 0; f < 10; ++f)
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 6; ++x) {
        const bool covered = y >= 1 && y <= 2 && x >= expected_x0[f] && x <= expected_x0[f] + 1;
        CHECK(frames[static_cast<std::size_t>(f)][static_cast<std::size_t>(y * 6 + x)] == (covered ? 0.0f : 0.5f));
      }
}

TEST_CASE("the morph stream blends the first image into the second") {
  const std::vector<float> a = {0.0f, 1.0f, 0.5f, 0.25f}, b = {1.0f, 0.0f, 0.5f, 0.75f};
  const auto frames = obs::cube::make_stream(StreamKind::Morph, a.data(), b.data(), 2, 2, 5, 0);
  CHECK(frames.front() == a);
  CHECK(frames.back() == b);
  for (std::size_t i = 0; i < 4; ++i) CHECK(frames[2][i] == doctest::Approx(0.5f * (a[i] + b[i])));
}

TEST_CASE("clamping an image writes every slab plane and wakes only the neurons that changed") {
  Cube c = small_cube();
  c.depth = 2;  // two slab planes: each pixel is two neurons
  std::vector<float> img = ramp(0);
  CHECK(obs::cube::clamp_image(c, img.data(), 8, 8, 10) == 2u * 64u);
  // Centred: (16 - 8) / 2 = 4.
  CHECK(c.s[c.idx(4, 4, 0)] == img[0]);
  CHECK(c.s[c.idx(11, 11, 1)] == img[63]);
  CHECK(c.s[c.idx(3, 4, 0)] == 0.0f);
  std::fill(c.moved_at.begin(), c.moved_at.end(), obs::cube::kNever);
  CHECK(obs::cube::clamp_image(c, img.data(), 8, 8, 20) == 0u);
  for (auto m : c.moved_at) CHECK(m == obs::cube::kNever);
  img[8 * 2 + 5] = 0.0f;  // row 2, column 5 -> x = 9, y = 6: its row block (0, 6) in both planes
  CHECK(obs::cube::clamp_image(c, img.data(), 8, 8, 30) == 2u);
  std::size_t marked = 0;
  for (auto m : c.moved_at) marked += m != obs::cube::kNever ? 1 : 0;
  CHECK(marked == 2);
  CHECK(c.moved_at[c.block(0, 6, 0)] == 29);  // moved "at step t - 1": step t updates its neighbourhood
  CHECK(c.moved_at[c.block(0, 6, 1)] == 29);
  CHECK(c.s[c.idx(9, 6, 1)] == 0.0f);
  const std::vector<float> big(17 * 17, 0.0f);
  CHECK_THROWS_AS(obs::cube::clamp_image(c, big.data(), 17, 17, 40), std::invalid_argument);
}

TEST_CASE("streamed frames reach the fixed point a relaxation from rest reaches, lazily too") {
  for (const char* readout : {"neuron", "face"}) {
    CAPTURE(readout);
    const Cube start = small_cube(readout);
    const auto img = ramp(0);
    const auto frames = obs::cube::make_stream(StreamKind::Occluder, img.data(), nullptr, 8, 8, 6, 3);
    const float tol = 1e-5f;
    const auto costs = obs::cube::run_stream(start, frames, 8, 8, tol, 5000);
    REQUIRE(costs.size() == 5);

    for (const auto& f : costs) {
      CHECK(f.settled);
      CHECK(f.max_diff <= 10 * tol);      // the lazy chain at dense's fixed point
      CHECK(f.lazy_macs < f.dense_macs);  // and cheaper: a 3 x 3 square moved by one pixel
      CHECK(f.oracle_macs <= f.dense_macs);
      CHECK(f.updated_share > 0.0);
      CHECK(f.updated_share < 1.0);
    }

    // At tol 0 the lazy chain skips only blocks whose neighbourhood did not change at all, whose
    // update would give the same bits: the two chains agree exactly.
    const auto exact = obs::cube::run_stream(start, {frames.front(), frames.back()}, 8, 8, 0.0f, 400);
    REQUIRE(exact.size() == 1);
    CHECK(exact[0].max_diff == 0.0f);

    // Second method: warm start and cold start reach the same fixed point (the map is a
    // contraction at L = 0.5, so it is unique), both relaxed densely to machine precision.
    Cube rest = start;
    std::fill(rest.s.begin(), rest.s.end(), 0.0f);
    obs::cube::clamp_image(rest, frames.back().data(), 8, 8, 0);
    cube_test::settle(rest);
    Cube warm = start;
    std::fill(warm.s.begin(), warm.s.end(), 0.0f);
    obs::cube::clamp_image(warm, frames.front().data(), 8, 8, 0);
    cube_test::settle(warm);
    obs::cube::clamp_image(warm, frames.back().data(), 8, 8, 0);
    cube_test::settle(warm);
    float gap = 0;
    for (std::size_t p = 0; p < rest.cells; ++p)
      if (rest.relaxes[p]) gap = std::max(gap, std::fabs(rest.s[p] - warm.s[p]));
    CHECK(gap <= 1e-6f);
  }
}

TEST_CASE("a frame that changes nothing costs the lazy chain only the readout units") {
  const Cube start = small_cube("face");
  const auto img = ramp(0);
  const std::vector<std::vector<float>> frames(3, img);
  const auto costs = obs::cube::run_stream(start, frames, 8, 8, 1e-5f, 5000);
  REQUIRE(costs.size() == 2);
  const std::uint64_t readout = 2ull * static_cast<std::uint64_t>(start.ro.K) * static_cast<std::uint64_t>(start.ro.F);
  for (const auto& f : costs) {
    CHECK(f.lazy_steps == 1);
    CHECK(f.lazy_macs == readout);
    CHECK(f.updated_share == 0.0);
    CHECK(f.dense_macs >= start.dense_macs);  // dense pays at least one full sweep to see it
    CHECK(f.max_diff <= 1e-5f);  // dense's extra sweep still nudges neurons by less than tol
  }
}

// ---- step_mode = stream: the same frames inside the cube system -----------------------------

namespace {

nlohmann::json stream_params(const char* engine) {
  return {{"n", 12},          {"batch", 1},          {"dataset", "patterns"}, {"train_size", 64},
          {"test_size", 16},  {"input_depth", 1},    {"lipschitz_target", 0.5}, {"tol", 1e-5},
          {"free_steps", 600}, {"engine", engine},   {"step_mode", "stream"},  {"occluder", 3}};
}

}  // namespace

TEST_CASE("a stream step relaxes one frame: lazy reaches dense's fixed point with less work, and says how much") {
  auto lazy = cube_test::make(stream_params("lazy"));
  auto dense = cube_test::make(stream_params("dense"));
  for (int f = 0; f < 8; ++f) {
    lazy->step();
    dense->step();
  }
  const auto ls = std::dynamic_pointer_cast<const obs::cube::CubeSnapshot>(lazy->snapshot());
  const auto ds = std::dynamic_pointer_cast<const obs::cube::CubeSnapshot>(dense->snapshot());
  REQUIRE(ls);
  REQUIRE(ds);
  CHECK(ls->streaming);
  CHECK(ls->frame == 8);
  float gap = 0;
  for (std::size_t i = 0; i < ls->activation.size(); ++i) gap = std::max(gap, std::fabs(ls->activation[i] - ds->activation[i]));
  CHECK(gap <= 10 * 1e-5f);
  // The input the view shows is the stream's frame 7: a 3-pixel square on an 8 x 8 image moves
  // over x0 = 0..5 and back (period 10), so at frame 7 it is at x0 = 3, rows 2..4.
  REQUIRE(ls->input.size() == 64);
  for (int y = 2; y <= 4; ++y)
    for (int x = 3; x <= 5; ++x) CHECK(ls->input[static_cast<std::size_t>(y * 8 + x)] == 0.0f);
  CHECK(*std::max_element(ls->input.begin(), ls->input.end()) > 0.0f);

  const double share = cube_test::metric(*lazy, "frame_work_share"), ratio = cube_test::metric(*lazy, "frame_mac_ratio");
  CHECK(share > 0.0);
  CHECK(share < 1.0);
  CHECK(ratio > 1.0);
  // The work channel marks exactly the relaxing neurons of the share.
  std::size_t marked = 0, relaxing = 0;
  for (std::size_t i = 0; i < ls->work.size(); ++i) {
    marked += ls->work[i] > 0 ? 1 : 0;
    relaxing += static_cast<int>(i / 144) >= ls->input_depth && ls->alive[i] ? 1 : 0;
  }
  CHECK(static_cast<double>(marked) / static_cast<double>(relaxing) == doctest::Approx(share));
  // Dense updates everything every sweep: ratio 1, share 1.
  CHECK(cube_test::metric(*dense, "frame_mac_ratio") == doctest::Approx(1.0));
  CHECK(cube_test::metric(*dense, "frame_work_share") == doctest::Approx(1.0));
}

TEST_CASE("leaving the stream puts the batch back and learning goes on; streams need an image that fits") {
  auto sys = cube_test::make(stream_params("lazy"));
  for (int f = 0; f < 3; ++f) sys->step();
  CHECK(std::isfinite(cube_test::metric(*sys, "frame_work_share")));
  sys->params().set_value("step_mode", 0);  // relaxation
  sys->apply_params();
  for (int k = 0; k < 400; ++k) sys->step();
  CHECK(std::isnan(cube_test::metric(*sys, "frame_work_share")));
  const auto snap = std::dynamic_pointer_cast<const obs::cube::CubeSnapshot>(sys->snapshot());
  REQUIRE(snap);
  CHECK_FALSE(snap->streaming);
  CHECK(snap->work.empty());

  // Moons have no image; patterns do not fit a 6^3 face; the morph needs a next test image.
  CHECK_THROWS_WITH_AS(cube_test::make({{"n", 8}, {"dataset", "moons"}, {"step_mode", "stream"}}),
                       doctest::Contains("/params/step_mode"), obs::InputError);
  CHECK_THROWS_WITH_AS(cube_test::make({{"n", 6}, {"dataset", "patterns"}, {"input_depth", 1}, {"step_mode", "stream"}}),
                       doctest::Contains("patterns with n >= 8"), obs::InputError);
  CHECK_THROWS_WITH_AS(cube_test::make({{"n", 8}, {"dataset", "patterns"}, {"test_size", 16}, {"stream_image", 15}, {"step_mode", "stream"}}),
                       doctest::Contains("/params/stream_image"), obs::InputError);
}
