// Homeostasis switched on from the parameter panel, as a person would: a learning rate of 10
// typed in (the fixed rule diverges there), the homeostasis box clicked, the target velocity
// typed. The plots' history then shows every layer's gain braked below 1 and its velocity held
// at or under twice the target; unticking the box takes the homeostat out again.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "gui_session.hpp"

using namespace obs;

namespace {

// The newest recorded value of a metric column (NaN when there is none).
double newest(SimRunner& runner, const std::string& name) {
  double v = std::nan("");
  runner.with_series([&](const SeriesStore& s) {
    for (std::size_t m = 0; m < s.names().size(); ++m)
      if (s.names()[m] == name && s.size() > 0) v = s.value_at(s.size() - 1, m);
  });
  return v;
}

}  // namespace

TEST_CASE("gui_eqprop_homeostasis: the homeostasis box brakes a learning rate of 10 to the target velocity") {
  test::GuiSession session("eqprop_moons.json", "homeostasis");
  App& app = session.app;
  auto& ui = session.ui;
  SimRunner& runner = *app.session.runner;
  REQUIRE(ui.step_to(2));
  ui.type_into("param/lr_first", "10");
  ui.type_into("param/lr_last", "10");
  ui.type_into("param/homeo_velocity", "0.01");
  ui.click("param/homeostasis");
  ui.frames(2);
  REQUIRE(app.session.params.at("homeostasis").value == 1);
  REQUIRE(app.session.params.at("lr_first").value == 10);
  CHECK(app.session.params.at("homeo_velocity").value == doctest::Approx(0.01));

  REQUIRE(ui.step_to(60));
  for (const std::string layer : {"W0", "W1"}) {
    CAPTURE(layer);
    const double gain = newest(runner, "homeo_gain_" + layer);
    const double velocity = newest(runner, "homeo_velocity_" + layer);
    MESSAGE(layer << ": gain " << gain << ", velocity " << velocity);
    CHECK(gain < 1);  // braked: lr 10 steps are far above twice the target
    CHECK(velocity <= 2 * 0.01 * (1 + 1e-6));
  }
  CHECK(newest(runner, "discarded_batches") == 0);

  ui.click("param/homeostasis");
  ui.frames(2);
  REQUIRE(app.session.params.at("homeostasis").value == 0);
  REQUIRE(ui.step_to(70));
  CHECK(std::isnan(newest(runner, "homeo_gain_W0")));
}
