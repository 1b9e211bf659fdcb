// The resonance view's lineage, driven by clicks: a mitosis child's bar on the lifetime timeline
// opens its inspector, which names the carrier it split from; clicking that name inspects the
// parent (an initial carrier, with no parent of its own).
#include <doctest/doctest.h>
#include "gui_session.hpp"


using namespace obs;
using obs::test::UiDriver;

TEST_CASE("gui_carrier_lineage: a child's lifetime bar opens its inspector, and 'split from' leads to the parent") {
  test::GuiSession session("resonance_two_groups.json", "lineage");
  UiDriver& ui = session.ui;
  REQUIRE(ui.step_to(25));  // before the mitosis (step 30): one carrier, no lineage
  CHECK(ui.exists("carrier/lifetime/1"));
  CHECK_FALSE(ui.exists("carrier/lifetime/2"));
  REQUIRE(ui.step_to(80));
  REQUIRE(ui.exists("carrier/lifetime/2"));
  CHECK_FALSE(ui.exists("carrier/parent"));  // no inspector open yet

  ui.click("carrier/lifetime/2");
  REQUIRE(ui.frames_until([&] { return ui.exists("carrier/parent"); }, 10));
  ui.click("carrier/parent");
  // The inspector now shows carrier #1, born at the start: no 'split from' button.
  CHECK(ui.frames_until([&] { return !ui.exists("carrier/parent"); }, 10));
  CHECK(ui.exists("carrier/lifetime/1"));
  // And back to the child from its bar, clicked near its start: the inspector window now sits
  // over the right end of the timeline, and a click there belongs to the window.
  const ui::Mark bar = ui.find("carrier/lifetime/2");
  ui.click_at({bar.min.x + 6, bar.centre().y});
  CHECK(ui.frames_until([&] { return ui.exists("carrier/parent"); }, 10));
}
