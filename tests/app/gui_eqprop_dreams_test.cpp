// The eqprop view's dreams, driven by the pointer through the frame loop: on image data the ten
// pictures under the maps, on 2-D data the diamonds on the decision map; hovering one shows which
// class it is a dream of and what the net answers to it (the answer the engine published), and
// the pointer moved away takes the tooltip with it.
#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "app.hpp"
#include "app_test_support.hpp"
#include "core/scene.hpp"
#include "eqprop/eqprop_snapshot.hpp"
#include "gui_session.hpp"
#include "platform/gl_window.hpp"

using namespace obs;
using obs::test::UiDriver;

namespace {

std::string tooltip(int c, int answer) { return "eqprop/dream_tooltip/" + std::to_string(c) + "/answer/" + std::to_string(answer); }

// Hovers each class's dream and checks its tooltip names the answer the engine published.
void hover_every_dream(App& app, UiDriver& ui, int classes) {
  ui.frames(3);
  const auto snap = std::dynamic_pointer_cast<const eqprop::EqPropSnapshot>(app.session.runner->snapshot());
  REQUIRE(snap);
  REQUIRE(static_cast<int>(snap->dream_answers.size()) == classes);
  for (int c = 0; c < classes; ++c) {
    CAPTURE(c);
    const std::string name = "eqprop/dream/" + std::to_string(c);
    REQUIRE(ui.exists(name));
    ui.move_to(ui.find(name).centre());
    ui.frames(2);
    CHECK(ui.exists(tooltip(c, snap->dream_answers[static_cast<std::size_t>(c)])));
  }
  ui.move_to({2, 790});  // off the view
  ui.frames(2);
  for (int c = 0; c < classes; ++c) CHECK_FALSE(ui.exists(tooltip(c, snap->dream_answers[static_cast<std::size_t>(c)])));
}

}  // namespace

TEST_CASE("gui_eqprop_dreams: the moons' dreams are diamonds on the decision map, and hovering one reads it") {
  test::GuiSession session("eqprop_moons.json", "dreams");
  session.app.session.runner->set_playing(false);
  hover_every_dream(session.app, session.ui, 2);
}

TEST_CASE("gui_eqprop_dreams: image dreams sit under the maps, one per class, and hovering one reads it") {
  const auto dir = test::temp_dir("gui_eqprop_dreams");
  const auto path = dir / "patterns_dreams.json";
  test::write_text(path, R"({"format": "observatory-scene", "version": "1.1", "system": "eqprop",
    "params": {"dataset": "patterns", "train_size": 120, "test_size": 30, "hidden_units": 32, "batch": 20,
               "dreams": 2, "dream_steps": 20}})");
  GlWindow window(1280, 800, "dreams", /*visible=*/false);
  App app(window, make_session(load_scene(path.string())), Options{});
  app.session.runner->set_playing(false);
  UiDriver ui(app);
  hover_every_dream(app, ui, 6);  // the patterns: six classes
}
