// Picking a neuron in the neural cube view makes it the engine's probe through the App's one
// parameter-edit path: the probe_* parameters follow the pick, the probe_* metrics are that
// neuron's values at every step, clearing the pick turns the probe off, a probe set from the
// parameter side moves the pick, and a refused edit rolls back everywhere.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app.hpp"
#include "app_test_support.hpp"
#include "cube/cube_snapshot.hpp"
#include "platform/gl_window.hpp"

using namespace obs;

namespace {

const std::string kScenes = std::string(OBS_SOURCE_DIR) + "/scenes/";
constexpr int kN = 16;  // cube_demo.json's side

int index_of(int x, int y, int z) { return (z * kN + y) * kN + x; }

struct Probe {
  std::int64_t x = -2, y = -2, z = -2;
  bool operator==(const Probe&) const = default;
};

Probe engine_probe(App& app) {
  Probe p;
  app.session.runner->inspect([&](const System& s) {
    p = {s.params().integer("probe_x"), s.params().integer("probe_y"), s.params().integer("probe_z")};
  });
  return p;
}

Probe panel_probe(const App& app) {
  return {app.session.params.integer("probe_x"), app.session.params.integer("probe_y"), app.session.params.integer("probe_z")};
}

struct Row {
  std::uint64_t step = 0;
  double activation = NAN, velocity = NAN, nudge = NAN;
  bool finite() const { return std::isfinite(activation) && std::isfinite(velocity) && std::isfinite(nudge); }
  bool all_nan() const { return std::isnan(activation) && std::isnan(velocity) && std::isnan(nudge); }
};

Row last_row(App& app) {
  Row r;
  app.session.runner->with_series([&](const SeriesStore& s) {
    if (s.size() == 0) return;
    const auto& names = s.names();
    auto column = [&](const char* name) {
      const auto it = std::find(names.begin(), names.end(), name);
      REQUIRE(it != names.end());
      return s.value_at(s.size() - 1, static_cast<std::size_t>(it - names.begin()));
    };
    r = {s.step_at(s.size() - 1), column("probe_activation"), column("probe_velocity"), column("probe_nudge")};
  });
  return r;
}

// Runs the real frame loop (events drained, view edits applied, the simulation playing at full
// speed) a few frames at a time until `done`, at most ~`max_frames`.
template <typename Done>
bool run_until(App& app, Done done, int max_frames = 400) {
  app.paced_speed = 0;  // as fast as it goes
  for (int f = 0; f < max_frames; f += 4) {
    app.options.frames = 4;
    app.run();
    if (done()) return true;
  }
  return false;
}

void require_display() {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
}

App make_app(GlWindow& window, int selected) {
  Scene scene = load_scene(kScenes + "cube_demo.json");
  REQUIRE(scene.params.at("n") == kN);
  scene.view["selected"] = selected;
  return App(window, make_session(scene), Options{});
}

}  // namespace

TEST_CASE("cube_probe: picking a neuron probes it every step, and clearing the pick stops the probe") {
  require_display();
  GlWindow window(1000, 640, "test", /*visible=*/false);
  // Three different coordinates, so a swapped axis names another neuron.
  const int x = 3, y = 5, z = 7, picked = index_of(x, y, z);
  App app = make_app(window, picked);  // the view's scene key for the pick
  CHECK(panel_probe(app) == Probe{-1, -1, -1});  // the scene itself probes nothing

  REQUIRE(run_until(app, [&] { return engine_probe(app) == Probe{x, y, z} && last_row(app).finite(); }));
  CHECK(panel_probe(app) == Probe{x, y, z});  // the panel shows what the engine runs

  // The recorded values are the picked neuron's: compare them with the snapshot of the same
  // step, read at the lattice index the view picked.
  app.session.runner->set_playing(false);
  std::shared_ptr<const Snapshot> snap;
  std::uint64_t step = 0;
  app.session.runner->inspect([&](const System& s) {
    snap = s.snapshot();
    step = s.steps();
  });
  const auto* cube = dynamic_cast<const cube::CubeSnapshot*>(snap.get());
  REQUIRE(cube);
  REQUIRE(cube->n == kN);
  const Row row = last_row(app);
  REQUIRE(row.step == step);
  const auto i = static_cast<std::size_t>(picked);
  CHECK(row.activation == static_cast<double>(cube->activation[i]));
  CHECK(row.velocity == static_cast<double>(cube->velocity[i]));
  CHECK(row.nudge == static_cast<double>(cube->nudge[i]));
  // The comparison can tell neurons apart: some neuron of the cube holds another value than the
  // picked one. (It used to name the neuron with x and z swapped; at some steps both are at 0 -
  // activity is sparse - and which step the runner pauses at depends on the machine's speed.)
  CHECK(std::any_of(cube->activation.begin(), cube->activation.end(), [&](float v) { return v != cube->activation[i]; }));

  // Clearing the pick (as closing the inspector does) turns the probe off.
  app.session.view->load({{"selected", -1}});
  REQUIRE(run_until(app, [&] { return engine_probe(app) == Probe{-1, -1, -1} && last_row(app).step > step && last_row(app).all_nan(); }));
  CHECK(panel_probe(app) == Probe{-1, -1, -1});
  CHECK(app.session.view->save().at("selected") == -1);
}

TEST_CASE("cube_probe: a probe set through the parameters moves the pick, and a refused edit rolls back") {
  require_display();
  GlWindow window(1000, 640, "test", /*visible=*/false);
  App app = make_app(window, -1);
  REQUIRE(run_until(app, [&] { return app.session.runner->status().step > 0; }));
  CHECK(app.session.view->save().at("selected") == -1);

  // The panel's path (as a slider edit): the view's pick follows the probe.
  const ParamEdit edits[] = {{"probe_x", 2, {}}, {"probe_y", 9, {}}, {"probe_z", 4, {}}};
  REQUIRE(app.edit_params(edits));
  REQUIRE(run_until(app, [&] { return app.session.view->save().at("selected") == index_of(2, 9, 4); }));
  CHECK(engine_probe(app) == Probe{2, 9, 4});

  // One edit of two structural parameters the engine refuses together (the input slab leaves
  // no room to relax): both roll back, the log names the parameter, the panel's copy follows,
  // and the pick and probe stay where they were.
  app.session.runner->inspect([](const System&) {});  // the step under way, if any, has ended
  const std::uint64_t step_before = app.session.runner->status().step;
  REQUIRE(step_before > 0);
  const ParamEdit bad[] = {{"n", 8, {}}, {"input_depth", 7, {}}};
  REQUIRE(app.edit_params(bad));
  const auto logged = [&] {
    for (const auto& line : app.log_lines)
      if (line.level == Event::Level::Error && line.text.find("/params/input_depth") != std::string::npos) return true;
    return false;
  };
  REQUIRE(run_until(app, logged));
  CHECK(app.session.params.integer("n") == kN);
  CHECK(app.session.params.integer("input_depth") == 1);
  app.session.runner->inspect([&](const System& s) {
    CHECK(s.params().integer("n") == kN);
    CHECK(s.params().integer("input_depth") == 1);
  });
  CHECK(engine_probe(app) == Probe{2, 9, 4});
  CHECK(app.session.view->save().at("selected") == index_of(2, 9, 4));
  // The refusal left the run going on from where it was, not rebuilt from step 0.
  CHECK(app.session.runner->status().step >= step_before);

  // A name the system does not have is refused before anything is posted.
  const std::size_t lines = app.log_lines.size();
  const ParamEdit unknown[] = {{"probe_w", 1, {}}};
  CHECK_FALSE(app.edit_params(unknown));
  REQUIRE(app.log_lines.size() == lines + 1);
  CHECK(app.log_lines.back().text.find("probe_w") != std::string::npos);

  // Reset-all-to-defaults style: the probe back to -1 clears the pick.
  const ParamEdit off[] = {{"probe_x", -1, {}}, {"probe_y", -1, {}}, {"probe_z", -1, {}}};
  REQUIRE(app.edit_params(off));
  REQUIRE(run_until(app, [&] { return app.session.view->save().at("selected") == -1; }));
  CHECK(engine_probe(app) == Probe{-1, -1, -1});
}

TEST_CASE("cube_probe: the cube view asks for the picked neuron's coordinates, and only where probe parameters exist") {
  require_display();
  GlWindow window(800, 600, "test", /*visible=*/false);  // the view draws: it needs a GL context
  Scene cube_scene = load_scene(kScenes + "cube_demo.json"), kuramoto_scene = load_scene(kScenes + "default.json");
  auto cube_system = instantiate(cube_scene);
  auto kuramoto_system = instantiate(kuramoto_scene);
  auto view = make_view("cube");
  REQUIRE(view);
  view->load({{"selected", index_of(11, 2, 6)}});
  std::vector<ParamEdit> edits;
  view->take_param_edits(cube_system->params(), edits);
  CHECK(edits.empty());  // no cube drawn yet: an index cannot be mapped to coordinates
  view->draw(*cube_system->snapshot(), 320, 240);

  view->take_param_edits(kuramoto_system->params(), edits);
  CHECK(edits.empty());  // a system without probe_x/y/z is never asked to set them

  view->take_param_edits(cube_system->params(), edits);
  REQUIRE(edits.size() == 3);
  CHECK(edits[0].name == "probe_x");
  CHECK(edits[0].value == 11);
  CHECK(edits[1].name == "probe_y");
  CHECK(edits[1].value == 2);
  CHECK(edits[2].name == "probe_z");
  CHECK(edits[2].value == 6);
  // Asked once: the pick is now what the view last sent.
  edits.clear();
  ParamSet probed = cube_system->params();
  probed.set_value("probe_x", 11);
  probed.set_value("probe_y", 2);
  probed.set_value("probe_z", 6);
  view->take_param_edits(probed, edits);
  CHECK(edits.empty());
}
