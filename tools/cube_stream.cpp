// cube_stream: streaming inference on a cube scene, dense against lazy against the ideal
// scheduler (cube/cube_stream.hpp). Frames are Fashion-MNIST test images (a sliding occluder over
// one image, or one image morphing into the next), clamped pixel for pixel on the input slab.
//
//   build/cube_stream SCENE.json [--frames F] [--stream occluder|morph] [--occluder K]
//                     [--image I] [--train-batches N] [--per-frame] [--set NAME=VALUE]...
//
// The scene must be a cube whose face holds a 28 x 28 image (n >= 28). --train-batches trains the
// scene as it is (its batch size) for N batches first and streams with the learned weights.
// Prints medians over the frames. Exit status 2 for bad input, as the app's.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/input_error.hpp"
#include "core/scene.hpp"
#include "cube/cube_stream.hpp"
#include "cube/cube_system.hpp"
#include "data/dataset.hpp"
#include "tool_args.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: cube_stream SCENE.json [--frames F] [--stream occluder|morph] [--occluder K] [--image I]\n"
               "                   [--train-batches N] [--per-frame] [--set NAME=VALUE]...\n");
  return 2;
}

bool parse_count(const char* s, long long lo, long long hi, long long& out) {
  char* end = nullptr;
  out = std::strtoll(s, &end, 10);
  return *end == '\0' && out >= lo && out <= hi;
}

template <class F>
double median_of(const std::vector<obs::cube::FrameCost>& v, F field) {
  std::vector<double> x;
  for (const auto& f : v) x.push_back(static_cast<double>(field(f)));
  std::sort(x.begin(), x.end());
  const std::size_t m = x.size() / 2;
  return x.size() % 2 ? x[m] : 0.5 * (x[m - 1] + x[m]);
}

std::unique_ptr<obs::System> load_cube(const std::string& path, const std::vector<obs::ParamOverride>& sets) {
  obs::Scene scene = obs::load_scene(path);
  if (scene.system != "cube") throw std::invalid_argument(path + " is a " + scene.system + " scene, not a cube scene");
  return obs::instantiate(scene, sets);
}

}  // namespace

int main(int argc, char** argv) {
  std::string path, stream = "occluder";
  long long frames = 41, occluder = 8, image = 0, train_batches = 0;
  bool per_frame = false;
  std::vector<obs::ParamOverride> sets;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool takes_value = a == "--frames" || a == "--stream" || a == "--occluder" || a == "--image" ||
                             a == "--train-batches";
    if (takes_value && i + 1 >= argc) return usage();
    if (a == "--frames") {
      if (!parse_count(argv[++i], 2, 100000, frames)) return usage();
    } else if (a == "--occluder") {
      if (!parse_count(argv[++i], 1, 28, occluder)) return usage();
    } else if (a == "--image") {
      if (!parse_count(argv[++i], 0, 9998, image)) return usage();
    } else if (a == "--train-batches") {
      if (!parse_count(argv[++i], 0, 1000000, train_batches)) return usage();
    } else if (a == "--stream") {
      stream = argv[++i];
      if (stream != "occluder" && stream != "morph") return usage();
    } else if (a == "--per-frame") {
      per_frame = true;
    } else if (tool_args::take_scene_or_set(argc, argv, i, path, sets) != tool_args::Took::Argument) {
      return usage();
    }
  }
  if (path.empty()) return usage();

  try {
    // The streaming cube relaxes one example; a trained twin at the scene's batch lends its weights.
    auto streaming_sets = sets;
    streaming_sets.push_back({"batch", "1"});
    auto streamer = load_cube(path, streaming_sets);
    auto* cube = dynamic_cast<obs::CubeSystem*>(streamer.get());
    // The stream clamps pixels as the scene's own direct-image encoding does (cube_input.cpp).
    if (cube->params().choice("dataset") != "fashion-mnist" || cube->params().choice("projection") != "auto")
      throw std::invalid_argument(path + " reads " + cube->params().choice("dataset") + " through the " +
                                  cube->params().choice("projection") +
                                  " projection: the stream is Fashion-MNIST images clamped pixel for pixel "
                                  "(dataset=fashion-mnist, projection=auto, n >= 28)");
    obs::cube::Cube start = cube->lattice();
    if (train_batches > 0) {
      auto trainer = load_cube(path, sets);
      for (long long b = 0; b < train_batches; ++b) trainer->step();
      const auto& learned = dynamic_cast<obs::CubeSystem&>(*trainer).lattice();
      start.w = learned.w;
      start.bias = learned.bias;
      start.mask = learned.mask;
      start.alive = learned.alive;
      start.ro.u = learned.ro.u;
      start.ro.bias = learned.ro.bias;
      start.ro.mu = learned.ro.mu;
      start.recount();
      start.weights_changed();
      const auto& t = dynamic_cast<obs::CubeSystem&>(*trainer);
      std::printf("trained %lld batches (epoch %d, train accuracy so far %.4f)\n", train_batches, t.epoch(), t.train_accuracy());
    }
    const auto split = obs::data::load_fashion_mnist(obs::data::kFashionMnistDir, 1, 10000);
    const auto& test = split.test;
    const auto i0 = static_cast<std::size_t>(image), i1 = i0 + 1;
    const auto kind = stream == "morph" ? obs::cube::StreamKind::Morph : obs::cube::StreamKind::Occluder;
    const auto images = obs::cube::make_stream(kind, test.example(i0), test.example(i1), test.rows, test.cols,
                                               static_cast<int>(frames), static_cast<int>(occluder));
    const auto tol = static_cast<float>(cube->params().real("tol"));
    const auto costs = obs::cube::run_stream(start, images, test.rows, test.cols, tol, 20000);

    if (per_frame) {
      std::printf("%5s %6s %6s %12s %12s %12s %9s %9s %9s %8s\n", "frame", "dsteps", "lsteps", "dense MACs", "lazy MACs",
                  "oracle MACs", "dense ms", "lazy ms", "max|ds|", "updated");
      for (std::size_t f = 0; f < costs.size(); ++f) {
        const auto& c = costs[f];
        std::printf("%5zu %6d %6d %12llu %12llu %12llu %9.3f %9.3f %9.2e %8.4f%s\n", f + 1, c.dense_steps, c.lazy_steps,
                    static_cast<unsigned long long>(c.dense_macs), static_cast<unsigned long long>(c.lazy_macs),
                    static_cast<unsigned long long>(c.oracle_macs), c.dense_seconds * 1e3, c.lazy_seconds * 1e3, c.max_diff,
                    c.updated_share, c.settled ? "" : "  (not settled)");
      }
    }
    using FC = obs::cube::FrameCost;
    const double dm = median_of(costs, [](const FC& c) { return c.dense_macs; });
    const double lm = median_of(costs, [](const FC& c) { return c.lazy_macs; });
    const double om = median_of(costs, [](const FC& c) { return c.oracle_macs; });
    const double dt = median_of(costs, [](const FC& c) { return c.dense_seconds; });
    const double lt = median_of(costs, [](const FC& c) { return c.lazy_seconds; });
    float worst = 0;
    bool all_settled = true;
    for (const auto& c : costs) {
      worst = std::max(worst, c.max_diff);
      all_settled = all_settled && c.settled;
    }
    std::printf("%s stream, %zu frames, n = %d, tol %.1e: medians per frame\n", stream.c_str(), costs.size(), start.n, tol);
    std::printf("  dense  %.4g MACs  %.3f ms  %.0f steps\n", dm, dt * 1e3,
                median_of(costs, [](const FC& c) { return c.dense_steps; }));
    std::printf("  lazy   %.4g MACs  %.3f ms  %.0f steps  updated share %.4f\n", lm, lt * 1e3,
                median_of(costs, [](const FC& c) { return c.lazy_steps; }),
                median_of(costs, [](const FC& c) { return c.updated_share; }));
    std::printf("  oracle %.4g MACs\n", om);
    std::printf("  dense/lazy MACs %.2fx, wall %.2fx; lazy/oracle MACs %.2fx; max |s_lazy - s_dense| %.2e (%.1f tol)%s\n",
                dm / lm, dt / lt, lm / om, worst, worst / tol, all_settled ? "" : "; some frames did not settle");
  } catch (const obs::InputError& e) {
    std::fprintf(stderr, "cube_stream: %s\n", e.what());
    return 2;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "cube_stream: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cube_stream: %s\n", e.what());
    return 1;
  }
  return 0;
}
