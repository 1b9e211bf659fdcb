#pragma once
// Drives a real App as a person does: the mouse moves, presses and releases over named
// widgets, drags, scrolls, and keys are pressed and text typed, each through App::run_frame,
// the loop a user's window runs. Widgets are found by the names the panels give them
// (input/ui_marks.hpp), so "drag N by 20 px" survives layout changes.
#include <GLFW/glfw3.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "app.hpp"
#include "input/synthetic_input.hpp"
#include "input/ui_marks.hpp"

namespace obs::test {

class UiDriver {
 public:
  explicit UiDriver(App& app);
  ~UiDriver();
  UiDriver(const UiDriver&) = delete;
  UiDriver& operator=(const UiDriver&) = delete;

  void frames(int n = 1);
  // Runs frames until `done` or `max_frames`; true if `done` became true.
  template <class F>
  bool frames_until(F done, int max_frames = 600) {
    for (int i = 0; i < max_frames; ++i) {
      if (done()) return true;
      frames(1);
    }
    return done();
  }

  // Steps the paused run `steps` times at full speed, frames running until the runner is there,
  // then two more so the panels show it; false if it never got there.
  bool step_to(std::uint64_t step);

  // The widget's rectangle, scrolled into view (wheel over its window) if it is not; throws
  // std::runtime_error naming the widget if it is not drawn at all.
  ui::Mark find(const std::string& name);
  bool exists(const std::string& name);

  void move_to(ImVec2 at);
  void press(int button = 0);
  void release(int button = 0);
  void click_at(ImVec2 at, int button = 0);
  void click(const std::string& name, int button = 0);
  // Press on the widget's centre, move by (dx, dy) over `steps` frames, release.
  void drag(const std::string& name, float dx, float dy = 0, int steps = 6);
  void drag_at(ImVec2 from, float dx, float dy, int steps = 6, int button = 0);
  void wheel(float notches);
  // A key press and release (one frame each) with modifiers held around it.
  void key(int glfw_key, std::initializer_list<int> modifiers = {});
  void type(const std::string& utf8);
  // Opens a combo and clicks one of its entries (marked "<combo>/<choice>"). A person whose
  // click landed while the panel was still moving (a restart re-lays it) clicks again: so does
  // this, up to three times, before it reports the entry missing.
  void choose(const std::string& combo, const std::string& choice);
  // Ctrl+click a slider (or click a text field), select all, type, Enter.
  void type_into(const std::string& name, const std::string& text);

  App& app;
  SyntheticInput input;
};

}  // namespace obs::test
