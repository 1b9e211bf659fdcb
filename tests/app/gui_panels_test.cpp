// Every panel of every system, driven by synthetic mouse and keys through the frame loop: each
// parameter widget is moved and then put back with R, the run controls, the perturbation
// buttons, CSV export and picking in the cube view. After each action the engine's parameters
// equal the panel's (an edit the engine refused is rolled back in both, and logged).
#include <doctest/doctest.h>

#include <GLFW/glfw3.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "app.hpp"
#include "input/ui_marks.hpp"
#include "app_test_support.hpp"
#include "platform/gl_window.hpp"
#include "sparse/sparse_system.hpp"
#include "ui_driver.hpp"
#include "views/sparse_mask_view.hpp"

using namespace obs;

namespace {

namespace fs = std::filesystem;
const std::string kScenes = std::string(OBS_SOURCE_DIR) + "/scenes/";

struct Fixture {
  Fixture(const std::string& scene_name, const fs::path& dir) : Fixture(copy(scene_name, dir)) {}
  explicit Fixture(const std::string& scene_file)
      : window(1280, 800, "panels", /*visible=*/false), app(window, make_session(load_scene(scene_file)), Options{}) {
    app.session.runner->set_speed(0);
    app.session.runner->set_playing(true);
  }
  static std::string copy(const std::string& name, const fs::path& dir) {
    fs::copy_file(kScenes + name, dir / name, fs::copy_options::overwrite_existing);
    return (dir / name).string();
  }
  GlWindow window;
  App app;
};

// The parameter where the panel and the engine disagree, or "" when they agree.
std::string disagreement(App& app) {
  ParamSet engine;
  app.session.runner->inspect([&](const System& s) { engine = s.params(); });
  for (const Param& p : app.session.params.all()) {
    const Param& e = engine.at(p.name);
    if (p.type == ParamType::Rational ? p.text != e.text : p.value != e.value) return p.name + " panel " + p.value_text() + " engine " + e.value_text();
  }
  return "";
}

bool log_has(const App& app, const std::string& text) {
  for (const auto& line : app.log_lines)
    if (line.text.find(text) != std::string::npos) return true;
  return false;
}

// Moves one parameter's widget as a person would: a checkbox clicked, another combo entry
// chosen, a slider or drag pulled sideways, an exact rational retyped.
void move_widget(test::UiDriver& ui, const Param& p) {
  const std::string name = "param/" + p.name;
  switch (p.type) {
    case ParamType::Bool: ui.click(name); break;
    case ParamType::Choice: {
      const std::size_t next = (static_cast<std::size_t>(p.value) + 1) % p.choices.size();
      ui.choose(name, p.choices[next]);
      break;
    }
    case ParamType::Rational: ui.type_into(name, p.text); break;
    case ParamType::Int:
    case ParamType::Real: ui.drag(name, 12); break;
  }
}

void sweep_every_parameter(const std::string& scene) {
  const auto dir = test::temp_dir("panels_sweep");
  Fixture f(scene, dir);
  test::UiDriver ui(f.app);
  const std::vector<Param> params = f.app.session.params.all();
  ui.frames(2);
  // Every name fits between its widget and its R button (projection_smoothing ran under it): a
  // widget's marked rectangle is ImGui's item rectangle, which includes its label.
  for (const Param& p : params) {
    CAPTURE(p.name);
    const auto widget = obs::ui::find_mark("param/" + p.name), back = obs::ui::find_mark("param/" + p.name + "/R");
    REQUIRE(widget);
    REQUIRE(back);
    CHECK(widget->max.x <= back->min.x);
  }
  int moved = 0, typed = 0;
  for (const Param& p : params) {
    CAPTURE(p.name);
    move_widget(ui, f.app.session.params.at(p.name));
    ui.frames(2);
    f.app.session.runner->sync();
    ui.frames(1);  // a refusal reaches the log and the panel on the next frame
    CHECK(disagreement(f.app) == "");
    const Param& now = f.app.session.params.at(p.name);
    moved += now.type == ParamType::Rational ? now.text != p.text : now.value != p.value;
    typed += p.type == ParamType::Rational;  // retyped as it was: not expected to move
    ui.click("param/" + p.name + "/R");
    ui.frames(2);
    f.app.session.runner->sync();
    ui.frames(1);
    CHECK(disagreement(f.app) == "");
  }
  MESSAGE(scene << ": " << params.size() << " parameters, " << moved << " moved by their widget");
  // Most widgets change their value (a few are refused by the engine or sit at a limit).
  CHECK(moved * 2 > static_cast<int>(params.size()) - typed);
  CHECK_FALSE(f.app.dirty());  // every R went back to the file's value
}

}  // namespace

TEST_CASE("gui_panels: every kuramoto parameter widget moves and R puts it back") { sweep_every_parameter("default.json"); }
TEST_CASE("gui_panels: every eqprop parameter widget moves and R puts it back") { sweep_every_parameter("eqprop_moons.json"); }
TEST_CASE("gui_panels: every cube parameter widget moves and R puts it back") { sweep_every_parameter("cube_demo.json"); }
TEST_CASE("gui_panels: every pump parameter widget moves and R puts it back") { sweep_every_parameter("pump_default.json"); }
TEST_CASE("gui_panels: every resonance parameter widget moves and R puts it back") { sweep_every_parameter("resonance_two_groups.json"); }
TEST_CASE("gui_panels: every sparse parameter widget moves and R puts it back") { sweep_every_parameter("sparse_demo.json"); }

TEST_CASE("gui_panels: run controls, seed, perturbations and CSV export do what they say") {
  const auto dir = test::temp_dir("panels_run");
  for (const std::string scene : {"default.json", "eqprop_moons.json", "cube_demo.json", "pump_default.json", "resonance_two_groups.json",
                                  "sparse_demo.json"}) {
    CAPTURE(scene);
    Fixture f(scene, dir);
    test::UiDriver ui(f.app);
    SimRunner& runner = *f.app.session.runner;
    ui.click("run/play");
    ui.frames(1);
    CHECK_FALSE(runner.status().playing);
    // A step already under way when Pause was pressed still lands: an edit posted now runs
    // after it, so once it has run the count is still.
    runner.post([](System&) {});
    runner.sync();
    const auto at = runner.status().step;
    ui.click("run/step");
    CHECK(ui.frames_until([&] { return runner.status().step == at + 1; }, 300));
    ui.click("run/reset");
    runner.sync();
    ui.frames(1);
    CHECK(runner.status().step == 0);
    ui.type_into("run/seed", "42");
    runner.sync();
    ui.frames(1);
    CHECK(runner.status().seed == 42);
    ui.click("run/new seed");
    runner.sync();
    ui.frames(1);
    CHECK(runner.status().seed == 43);
    CHECK(f.app.dirty());  // the seed is part of the scene
    ui.click("run/play");
    ui.frames(3);
    CHECK(runner.status().playing);

    // Every perturbation the system offers: logged in the app, applied on the sim thread.
    for (const char* button : {"perturb/noise", "perturb/ablate", "perturb/nan", "perturb/inf"}) {
      if (!ui.exists(button)) continue;
      const std::size_t lines = f.app.log_lines.size();
      ui.click(button);
      runner.sync();
      ui.frames(2);
      CHECK(f.app.log_lines.size() > lines);
    }
    // The faults leave the app running and stepping.
    const auto before = runner.status().step;
    CHECK(ui.frames_until([&] { return runner.status().step > before; }, 600));

    f.app.metrics_csv_path = (dir / (scene + ".csv")).string();
    ui.click("metrics/export");
    CHECK(fs::exists(f.app.metrics_csv_path));
    CHECK(log_has(f.app, "metrics written to"));
  }
}

TEST_CASE("gui_panels: a click in the cube view picks a neuron and makes it the probe; the log splitter drags") {
  const auto dir = test::temp_dir("panels_pick");
  Fixture f("cube_demo.json", dir);
  test::UiDriver ui(f.app);
  ui.frames(5);
  // The view is the space between the panels; the cube sits in its middle.
  // A person clicks on a neuron they can see; the test tries points around the middle until
  // one lands on a drawn neuron (the quiet ones are hidden by the view's threshold).
  const float left = f.app.left_panel_w, right = 1280 - f.app.right_panel_w, mid = (left + right) * 0.5f;
  for (int i = 0; i < 49 && f.app.session.params.integer("probe_x") < 0; ++i) {
    ui.click_at({mid + static_cast<float>(i % 7 - 3) * 25, 400 + static_cast<float>(i / 7 - 3) * 25});
    ui.frames(2);
    f.app.session.runner->sync();
  }
  CHECK(f.app.session.params.integer("probe_x") >= 0);
  CHECK(disagreement(f.app) == "");

  const float log_before = f.app.log_h;
  ui.drag("metrics/splitter", 0, -80);
  CHECK(f.app.log_h > log_before + 40);
  // The side panel's inner edge drags too.
  const float panel_before = f.app.left_panel_w;
  ui.drag_at({f.app.left_panel_w - 1, 400}, 60, 0);
  ui.frames(2);
  CHECK(f.app.left_panel_w > panel_before + 30);
}

TEST_CASE("gui_panels: the mouse over a sparse layer's picture names its cell, and nothing when it leaves") {
  const auto dir = test::temp_dir("panels_sparse_hover");
  Fixture f("sparse_demo.json", dir);
  test::UiDriver ui(f.app);
  ui.frames(3);
  const auto* view = dynamic_cast<const SparseMaskView*>(f.app.session.view.get());
  REQUIRE(view);
  // Across the window at the height of layer 1's picture: over the panels nothing, over the
  // picture a cell of layer 1 (64 units x 64 inputs, one entry per cell).
  std::string seen;
  for (float x = 0; x < 1280 && seen.empty(); x += 16) {
    ui.move_to({x, 200});
    ui.frames(1);
    seen = view->hovered();
  }
  INFO(seen);
  CHECK(seen.rfind("layer 1, unit ", 0) == 0);
  CHECK(seen.find(" Hot, mean |w| ") != std::string::npos);
  ui.move_to({640, 790});  // the rewiring timeline: no cell
  ui.frames(1);
  CHECK(view->hovered().empty());
}

TEST_CASE("gui_panels: the evidence planner's Warm regions are drawn, and the mouse over one says what its probe measured") {
  const auto dir = test::temp_dir("panels_sparse_warm");
  Fixture f("sparse_grow.json", dir);
  test::UiDriver ui(f.app);
  const auto* view = dynamic_cast<const SparseMaskView*>(f.app.session.view.get());
  REQUIRE(view);
  for (int i = 0; i < 400 && view->warm_drawn().empty(); ++i) ui.frames(1);  // the first cycle at step 20
  REQUIRE(!view->warm_drawn().empty());
  ui.key(GLFW_KEY_SPACE);  // pause, so the regions stay where they are
  ui.frames(2);
  REQUIRE(!view->warm_drawn().empty());
  const ViewRect r = view->warm_drawn().front();
  ui.move_to({(r.min.x + r.max.x) / 2, (r.min.y + r.max.y) / 2});
  ui.frames(1);
  INFO(view->hovered());
  CHECK(view->hovered().rfind("Warm region, layer ", 0) == 0);
  CHECK(view->hovered().find("SNR ") != std::string::npos);
  CHECK(view->hovered().find("wins ") != std::string::npos);
}

TEST_CASE("gui_panels: with the baselines on, the sparse view plots them beside the network; a click on a unit opens its inspector") {
  const auto dir = test::temp_dir("panels_sparse_inspect");
  // sparse_demo.json with SET and RigL trained beside it.
  nlohmann::json scene;
  std::ifstream(kScenes + "sparse_demo.json") >> scene;
  scene["params"]["baselines"] = true;
  const std::string file = (dir / "sparse_baselines.json").string();
  std::ofstream(file) << scene.dump(2);
  Fixture f(file);
  test::UiDriver ui(f.app);
  const auto* view = dynamic_cast<const SparseMaskView*>(f.app.session.view.get());
  REQUIRE(view);
  ui.frames(2);
  CHECK(view->curves_drawn().width() > 300);  // the strip is there from the start, its curves after an epoch
  double set_accuracy = NAN;
  REQUIRE(ui.frames_until([&] {
    f.app.session.runner->inspect([&](const System& s) {
      set_accuracy = dynamic_cast<const SparseSystem&>(s).baselines().at(0).test_accuracy();
    });
    return std::isfinite(set_accuracy);
  }));
  ui.key(GLFW_KEY_SPACE);  // pause, so the unit under the mouse stays put
  ui.frames(2);
  // Find a cell of layer 1, then click it.
  ImVec2 at{-1, -1};
  for (float x = 0; x < 1280 && at.x < 0; x += 16) {
    ui.move_to({x, 200});
    ui.frames(1);
    if (view->hovered().rfind("layer 1, unit ", 0) == 0) at = {x, 200};
  }
  REQUIRE(at.x >= 0);
  CHECK(view->hovered().find("(click: inspect unit ") != std::string::npos);
  CHECK(view->selected().layer == -1);
  ui.click_at(at);
  ui.frames(2);
  CHECK(view->selected().layer == 0);
  const int unit = view->selected().unit;
  REQUIRE(ui.exists("sparse/unit/next"));
  ui.click("sparse/unit/next");
  ui.frames(2);
  CHECK(view->selected().unit == unit + 1);
  ui.click("sparse/unit/prev");
  ui.frames(2);
  CHECK(view->selected().unit == unit);
  // A screenshot with the inspector open (the README's picture of it is taken here).
  f.app.screenshot_dir = (dir / "shots").string();
  f.app.take_screenshot();
  ui.frames(2);
  CHECK(fs::exists(dir / "shots" / "observatory_0001.png"));
  MESSAGE("screenshot: " << (dir / "shots" / "observatory_0001.png").string());
}
