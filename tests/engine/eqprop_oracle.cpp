// The settling-time oracle (issue 16): its bookkeeping on hand-made examples, and on the
// system, scores that exist exactly when they can (settling needs a relaxation; the
// out-of-distribution pair needs ood != none) and say something on a net that has learned.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "eqprop/settling_oracle.hpp"
#include "eqprop_test_util.hpp"
#include "scene_test_support.hpp"

using namespace eqprop_test;
using obs::eqprop::OodKind;

TEST_CASE("oracle: AUROCs, means and histograms of a hand-made pass") {
  obs::eqprop::SettlingOracle o;
  o.start(8, 10);
  // Right answers settle in 3 and 4 sweeps with margins 2 and 1.5; wrong ones in 9 and 10 (never
  // settled) with margins 0.1 and 1.8; two out-of-distribution inputs in 6 and 10 sweeps.
  o.add(3, 2.0, false, false);
  o.add(4, 1.5, false, false);
  o.add(9, 0.1, true, false);
  o.add(10, 1.8, true, false);
  o.add(6, 0.5, false, true);
  o.add(10, 0.2, false, true);
  const auto s = o.finish();
  CHECK(s.settle_auroc == 1.0);   // every wrong answer took longer than every right one
  CHECK(s.margin_auroc == 0.75);  // -margins: wrong {-0.1, -1.8} vs right {-2, -1.5}: 3 of 4 pairs
  // Out of distribution {6, 10} against the four others {3, 4, 9, 10}: 6 beats 2, 10 beats 3 and ties 1: (2 + 3.5) / 8.
  CHECK(s.ood_settle_auroc == doctest::Approx(5.5 / 8));
  CHECK(s.settle_right == 3.5);
  CHECK(s.settle_wrong == 9.5);
  CHECK(s.settle_ood == 8);
  REQUIRE(s.hist_right.size() == 11);
  CHECK(s.hist_right[3] == 1);
  CHECK(s.hist_right[4] == 1);
  CHECK(s.hist_wrong[9] == 1);
  CHECK(s.hist_wrong[10] == 1);
  // A new pass starts empty.
  o.start(8, 10);
  CHECK(std::isnan(o.finish().settle_auroc));
}

TEST_CASE("oracle: out-of-distribution inputs are the image inverted, or noise in [0, 1)") {
  const std::vector<float> x{0.0f, 0.25f, 1.0f};
  std::vector<float> out(3);
  obs::Rng rng(1);
  obs::eqprop::make_ood_input(OodKind::Inverted, x.data(), 3, out.data(), rng);
  CHECK(out == std::vector<float>{1.0f, 0.75f, 0.0f});
  obs::eqprop::make_ood_input(OodKind::Noise, x.data(), 3, out.data(), rng);
  for (float v : out) CHECK((v >= 0.0f && v < 1.0f));
}

TEST_CASE("oracle: on the system, scores after each test pass; settling only with a relaxation, OOD only when asked") {
  const nlohmann::json moons = {{"dataset", "moons"}, {"train_size", 600}, {"test_size", 300}, {"data_noise", 0.3}, {"hidden_units", 32},
                                {"output", "activation"}, {"batch", 20}, {"lr_first", 0.2}, {"lr_last", 0.1},
                                {"momentum", 0.9}, {"map_every", 0}, {"showcase_every", 0}};
  for (const char* algorithm : {"eqprop", "backprop"}) {
    for (const char* ood : {"none", "noise"}) {
      CAPTURE(algorithm);
      CAPTURE(ood);
      nlohmann::json p = moons;
      p["algorithm"] = algorithm;
      p["ood"] = ood;
      p["ood_count"] = 200;
      auto s = make(p, 2);
      CHECK(std::isnan(scene_test::metric(*s, "margin_auroc")));  // before the first test pass
      while (s->epoch() < 4) s->step();
      const bool relaxes = std::string(algorithm) == "eqprop", with_ood = std::string(ood) != "none";
      const double settle = scene_test::metric(*s, "settle_auroc"), margin = scene_test::metric(*s, "margin_auroc");
      MESSAGE(std::string(algorithm) << ", ood " << std::string(ood) << ": test " << s->test_accuracy() << ", settle AUROC " << settle << ", margin AUROC " << margin
                        << ", OOD settle " << scene_test::metric(*s, "ood_settle_auroc") << ", OOD margin "
                        << scene_test::metric(*s, "ood_margin_auroc"));
      CHECK(std::isfinite(margin));
      CHECK(margin > 0.6);  // a learned net is less sure where it is wrong
      CHECK(std::isfinite(settle) == relaxes);
      if (relaxes) {
        CHECK(settle > 0.6);
        CHECK(scene_test::metric(*s, "settle_wrong") > scene_test::metric(*s, "settle_right"));
      }
      CHECK(std::isfinite(scene_test::metric(*s, "ood_margin_auroc")) == with_ood);
      CHECK(std::isfinite(scene_test::metric(*s, "ood_settle_auroc")) == (with_ood && relaxes));
    }
  }
}
