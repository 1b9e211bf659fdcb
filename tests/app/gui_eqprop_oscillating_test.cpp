// Single-phase learning switched on from the parameter panel, as a person would: the combo's
// entry chosen with the mouse, the run going on under it. The engine then learns by the
// oscillating nudge, and the view's showcase is the free fixed point followed by two periods of
// the orbit (the nudge's sign alternating); switching back restores the nudged phase.
#include <doctest/doctest.h>

#include "eqprop/eqprop_snapshot.hpp"
#include "gui_session.hpp"

using namespace obs;

TEST_CASE("gui_eqprop_oscillating: the nudge_schedule combo switches the learning to one oscillating relaxation and back") {
  test::GuiSession session("eqprop_moons.json", "oscillating");
  App& app = session.app;
  auto& ui = session.ui;
  app.session.runner->set_speed(0);
  app.session.runner->set_playing(true);
  ui.frames(2);

  ui.choose("param/nudge_schedule", "oscillating");
  ui.drag("param/osc_period", 20);  // longer periods: the drag moves it up from 16
  ui.frames(20);
  auto s = test::snapshot_as<eqprop::EqPropSnapshot>(app);
  REQUIRE(s);
  const int period = s->osc_period;
  CHECK(period > 16);
  CHECK(period == static_cast<int>(app.session.params.at("osc_period").value));
  // The free frames, then two whole periods, each frame nudged with the sign of its sine.
  REQUIRE(static_cast<int>(s->trajectory.size()) == s->free_steps + 2 * period);
  int minus = 0, plus = 0;
  for (int f = s->free_steps; f < static_cast<int>(s->trajectory.size()); ++f) {
    minus += s->trajectory[f].phase == eqprop::RelaxPhase::NudgedMinus;
    plus += s->trajectory[f].phase == eqprop::RelaxPhase::NudgedPlus;
  }
  CHECK(minus > period / 2);
  CHECK(plus > period / 2);
  const std::uint64_t at = s->step;
  ui.frames(10);
  CHECK(test::snapshot_as<eqprop::EqPropSnapshot>(app)->step > at);  // still training

  ui.choose("param/nudge_schedule", "phases");
  ui.frames(10);
  s = test::snapshot_as<eqprop::EqPropSnapshot>(app);
  CHECK(s->osc_period == 0);
  CHECK(static_cast<int>(s->trajectory.size()) > s->free_steps);
  for (int f = s->free_steps; f < static_cast<int>(s->trajectory.size()); ++f) CHECK(s->trajectory[f].phase == eqprop::RelaxPhase::NudgedPlus);
}
