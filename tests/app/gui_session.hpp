#pragma once
// What a GUI test starts from: the app on a scene from scenes/, in a hidden 1280x800 window,
// with a driver that feeds it real input through its own frame loop.
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "app.hpp"
#include "app_test_support.hpp"
#include "core/scene.hpp"
#include "platform/gl_window.hpp"
#include "ui_driver.hpp"

namespace obs::test {

struct GuiSession {
  GlWindow window;
  App app;
  UiDriver ui;

  GuiSession(const std::string& scene, const char* title)
      : window((require_display(), 1280), 800, title, /*visible=*/false),
        app(window, make_session(load_scene(std::string(OBS_SOURCE_DIR) + "/scenes/" + scene)), Options{}),
        ui(app) {}

 private:
  static void require_display() {
    if (!have_display()) throw std::runtime_error("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
  }
};

// The runner's latest snapshot (after a sync) as the system's own snapshot type; null for another.
template <class T>
std::shared_ptr<const T> snapshot_as(App& app) {
  app.session.runner->sync();
  return std::dynamic_pointer_cast<const T>(app.session.runner->snapshot());
}

// The newest value of a metric column in the plots' history (the runner's series store); NaN
// when the column or any row is missing.
inline double newest_metric(App& app, const std::string& name) {
  double v = std::nan("");
  app.session.runner->with_series([&](const SeriesStore& s) {
    for (std::size_t m = 0; m < s.names().size(); ++m)
      if (s.names()[m] == name && s.size() > 0) v = s.value_at(s.size() - 1, m);
  });
  return v;
}

}  // namespace obs::test
