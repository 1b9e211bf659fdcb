// The eqprop channel view: the R/G/B channels computed from a hand-made relaxation against
// values worked out by hand, and the view state's save/load with its /view/<key> errors.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "app_test_support.hpp"
#include "core/input_error.hpp"
#include "eqprop/eqprop_snapshot.hpp"
#include "views/channel_frames.hpp"
#include "views/eqprop_view.hpp"

using obs::eqprop::EqPropSnapshot;
using obs::eqprop::RelaxPhase;

namespace {

// Two free layers (2 hidden units, 1 output); 3 free frames then 2 nudged ones.
EqPropSnapshot hand_made() {
  EqPropSnapshot s;
  s.layer_sizes = {2, 2, 1};
  s.class_names = {"only"};
  s.free_steps = 3;
  auto frame = [&](RelaxPhase ph, float a, float b, float o) { s.trajectory.push_back({ph, {{a, b}, {o}}}); };
  frame(RelaxPhase::Free, 0.5f, -0.2f, 0.1f);
  frame(RelaxPhase::Free, 0.7f, -0.3f, 0.15f);
  frame(RelaxPhase::Free, 0.75f, -0.3f, 0.16f);
  frame(RelaxPhase::NudgedPlus, 0.75f, -0.25f, 0.36f);
  frame(RelaxPhase::NudgedPlus, 0.80f, -0.20f, 0.46f);
  return s;
}

std::string load_error(const nlohmann::json& view) {
  obs::EqPropView v;
  try {
    v.load(view);
  } catch (const obs::InputError& e) {
    return e.pointer() + ": " + e.message();
  }
  return "";
}

}  // namespace

TEST_CASE("data_eqprop_view: channels are |s|, |s_t - s_t-1| and s - s_free") {
  const auto s = hand_made();
  obs::ChannelFrames ch;
  ch.compute(s, /*shared_scale=*/false, 3.0f);
  REQUIRE(ch.frames() == 5);
  REQUIRE(ch.layers() == 2);
  CHECK(ch.free_frames() == 3);
  CHECK_FALSE(ch.nudged(2));
  CHECK(ch.nudged(3));
  CHECK(ch.red(1, 0, 1) == doctest::Approx(0.3));
  CHECK(ch.green(0, 0, 0) == doctest::Approx(0.5));   // the first sweep is measured from rest
  CHECK(ch.green(1, 0, 0) == doctest::Approx(0.2));
  CHECK(ch.green(3, 1, 0) == doctest::Approx(0.2));   // nudged phase continues from the free fixed point
  for (int f = 0; f < 3; ++f) CHECK(ch.blue(f, 1, 0) == 0.0f);
  CHECK(ch.blue(3, 1, 0) == doctest::Approx(0.20));  // 0.36 - 0.16
  CHECK(ch.blue(4, 0, 1) == doctest::Approx(0.10));  // -0.20 - (-0.30)
  CHECK(ch.non_finite() == 0);

  // Per-layer robust scale: the 99th percentile of few values is the largest.
  CHECK(ch.scale(1).red == doctest::Approx(0.46));
  CHECK(ch.scale(1).blue == doctest::Approx(0.30));
  CHECK(ch.red01(4, 1, 0) == doctest::Approx(1.0));
  CHECK(ch.blue11(3, 1, 0) == doctest::Approx(0.20 / 0.30));
  // Green on a log scale: one decade below the scale is 1 - 1/3 with 3 decades.
  const float g = ch.green(1, 1, 0), gs = ch.scale(1).green;
  CHECK(ch.green01(1, 1, 0) == doctest::Approx(1.0 + std::log10(g / gs) / 3.0));

  // A shared scale is the same for every layer and covers both.
  obs::ChannelFrames shared;
  shared.compute(s, true, 3.0f);
  CHECK(shared.scale(0).red == shared.scale(1).red);
  CHECK(shared.scale(0).red == doctest::Approx(0.80));
}

TEST_CASE("data_eqprop_view: a NaN in the trajectory is counted and stays NaN, not spread") {
  auto s = hand_made();
  s.trajectory[1].s[0][0] = std::nanf("");
  obs::ChannelFrames ch;
  ch.compute(s, false, 3.0f);
  CHECK(ch.non_finite() == 1);
  CHECK(std::isnan(ch.red01(1, 0, 0)));
  CHECK(std::isfinite(ch.red01(1, 0, 1)));
  CHECK(std::isfinite(ch.scale(0).red));
  for (float m : ch.mean_red()) CHECK(std::isfinite(m));
}

TEST_CASE("data_eqprop_view: view state round-trips and bad values name /view/<key>") {
  obs::EqPropView a;
  a.load({{"mode", "channels"}, {"speed", 3.5}, {"shared_scale", true}, {"green_decades", 4}, {"loop", false}});
  const auto saved = a.save();
  CHECK(saved.at("mode") == "channels");
  CHECK(saved.at("speed").get<double>() == doctest::Approx(3.5));
  CHECK(saved.at("shared_scale") == true);
  CHECK(saved.at("loop") == false);
  obs::EqPropView b;
  b.load(saved);
  CHECK(b.save() == saved);

  CHECK(load_error({{"mode", "sideways"}}).rfind("/view/mode:", 0) == 0);
  CHECK(load_error({{"speed", 0}}).rfind("/view/speed:", 0) == 0);
  CHECK(load_error({{"speed", "fast"}}).rfind("/view/speed:", 0) == 0);
  CHECK(load_error({{"green_decades", 100}}).rfind("/view/green_decades:", 0) == 0);
  CHECK(load_error({{"playing", 1}}).rfind("/view/playing:", 0) == 0);
  CHECK(load_error({{"unknown_key", 1}}).empty());  // unknown keys are ignored, as for every view
}

TEST_CASE("data_eqprop_view: a bad view value in a scene exits 2 naming it") {
  const auto dir = obs::test::temp_dir("data_eqprop_view");
  const auto path = dir / "bad_view.json";
  obs::test::write_text(path, R"({"format": "observatory-scene", "version": "1.0", "system": "eqprop",
    "params": {"dataset": "moons", "train_size": 100, "test_size": 20}, "view": {"mode": "sideways"}})");
  const auto r = obs::test::run_observatory("--headless " + obs::test::quoted(path.string()));
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("/view/mode") != std::string::npos);
}
