// The Lab experiments section driven as a person would: the header opened with a click, every
// experiment's switch clicked on and off again, the sweep a perturbation lands at typed in.
// Each click must reach the running engine (its parameter mirror, and for homeostasis its
// metrics), restarts included; a switch shows on at any value but its "off" (the moons scene
// dreams 5 per class: on, and off takes it to 0); the section is not drawn for other systems.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "gui_session.hpp"

using namespace obs;

TEST_CASE("gui_lab_experiments: every switch turns its experiment on and off in the running engine") {
  test::GuiSession session("eqprop_moons.json", "lab experiments");
  App& app = session.app;
  auto& ui = session.ui;
  REQUIRE(ui.step_to(2));
  ui.click("header/Lab experiments");
  ui.frames(2);

  // (parameter, the value a click on sets, the value off): choices by index in their declared order.
  const std::vector<std::pair<std::string, std::pair<double, double>>> switches = {
      {"algorithm", {1, 0}},      {"feedback", {1, 0}}, {"homeostasis", {1, 0}}, {"nudge_schedule", {1, 0}},
      {"weights", {1, 0}},        {"robustness", {1, 0}}, {"ood", {1, 0}},       {"dreams", {10, 0}}};
  for (const auto& [param, values] : switches) {
    CAPTURE(param);
    const std::string mark = "lab/experiment/" + param;
    REQUIRE(ui.exists(mark));
    if (app.session.params.at(param).value != values.second) {  // the scene has it on (moons: 5 dreams): off first
      ui.click(mark);
      ui.frames(3);
      CHECK(app.session.params.at(param).value == values.second);
    }
    ui.click(mark);
    ui.frames(3);
    CHECK(app.session.params.at(param).value == values.first);
    if (param == "homeostasis") {  // the engine itself regulates now: its gains are measured
      const std::uint64_t at = app.session.runner->status().step;
      REQUIRE(ui.step_to(at + 5));
      CHECK(std::isfinite(test::newest_metric(app, "homeo_gain_W0")));
    }
    ui.click(mark);
    ui.frames(3);
    CHECK(app.session.params.at(param).value == values.second);
  }

  ui.type_into("lab/kick_at", "7");
  ui.frames(2);
  CHECK(app.session.params.at("kick_at").value == 7);
  REQUIRE(ui.step_to(app.session.runner->status().step + 3));
  CHECK(app.session.runner->status().step > 2);  // still running after all the restarts
}

TEST_CASE("gui_lab_experiments: the section is drawn for eqprop scenes only") {
  test::GuiSession session("default.json", "lab experiments, kuramoto");
  session.ui.frames(3);
  CHECK_FALSE(session.ui.exists("header/Lab experiments"));
}
