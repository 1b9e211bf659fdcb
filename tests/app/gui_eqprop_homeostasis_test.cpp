// Homeostasis switched on from the parameter panel, as a person would: a learning rate of 10
// typed in (the fixed rule diverges there), the homeostasis box clicked, the target velocity
// typed. The plots' history then shows every layer's gain braked below 1 and its velocity held
// at or under twice the target; unticking the box takes the homeostat out again.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "gui_session.hpp"

using namespace obs;

TEST_CASE("gui_eqprop_homeostasis: the homeostasis box brakes a learning rate of 10 to the target velocity") {
  test::GuiSession session("eqprop_moons.json", "homeostasis");
  App& app = session.app;
  auto& ui = session.ui;
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
    const double gain = test::newest_metric(app, "homeo_gain_" + layer);
    const double velocity = test::newest_metric(app, "homeo_velocity_" + layer);
    MESSAGE(layer << ": gain " << gain << ", velocity " << velocity);
    CHECK(gain < 1);  // braked: lr 10 steps are far above twice the target
    CHECK(velocity <= 2 * 0.01 * (1 + 1e-6));
  }
  CHECK(test::newest_metric(app, "discarded_batches") == 0);

  ui.click("param/homeostasis");
  ui.frames(2);
  REQUIRE(app.session.params.at("homeostasis").value == 0);
  REQUIRE(ui.step_to(70));
  CHECK(std::isnan(test::newest_metric(app, "homeo_gain_W0")));
}
