// A noise kick landed mid-relaxation from the panels, as a person would: kick_at typed into its
// field, Inject noise clicked, one step. The showcase then settles for kick_at sweeps, jumps at
// the next, and relaxes back: the Green channel's spike in the view, read here from the frames.
#include <doctest/doctest.h>

#include "eqprop/eqprop_snapshot.hpp"
#include "gui_session.hpp"

using namespace obs;

TEST_CASE("gui_eqprop_kick: kick_at typed, Inject noise clicked: the showcase is hit after that many free sweeps") {
  test::GuiSession session("eqprop_gradcheck.json", "kick");  // three hidden layers
  App& app = session.app;
  auto& ui = session.ui;
  REQUIRE(ui.step_to(2));
  ui.type_into("param/kick_at", "12");
  ui.frames(2);
  REQUIRE(app.session.params.at("kick_at").value == 12);
  ui.click("perturb/noise");
  REQUIRE(ui.step_to(3));
  const auto s = test::snapshot_as<eqprop::EqPropSnapshot>(app);
  REQUIRE(s);
  REQUIRE(s->free_steps > 13);
  const auto& t = s->trajectory;
  const double before = t[11].largest_change_from(t[10]), hit = t[12].largest_change_from(t[11]);
  MESSAGE("largest change at sweep 11: " << before << ", at sweep 12 (the kick): " << hit);
  CHECK(hit > 10 * before);
  const auto last = static_cast<std::size_t>(s->free_steps) - 1;
  CHECK(t[last].largest_change_from(t[last - 1]) < hit / 10);
}
