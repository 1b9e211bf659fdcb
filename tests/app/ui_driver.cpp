#include "ui_driver.hpp"

#include <optional>
#include <stdexcept>

namespace obs::test {

UiDriver::UiDriver(App& a) : app(a) {
  ui::set_marks_enabled(true);
  app.synthetic_input = &input;
  frames(2);  // lay the panels out once so their widgets can be found
}

UiDriver::~UiDriver() { app.synthetic_input = nullptr; }

void UiDriver::frames(int n) {
  for (int i = 0; i < n; ++i) app.run_frame();
}

bool UiDriver::step_to(std::uint64_t step) {
  SimRunner& runner = *app.session.runner;
  runner.set_speed(0);
  const std::uint64_t now = runner.status().step;
  if (step > now) runner.step_once(static_cast<int>(step - now));
  const bool there = frames_until([&] { return runner.status().step == step; });
  frames(2);
  return there;
}

bool UiDriver::exists(const std::string& name) { return ui::find_mark(name).has_value(); }

ui::Mark UiDriver::find(const std::string& name) {
  std::optional<ui::Mark> previous;
  for (int attempt = 0; attempt < 60; ++attempt) {
    const auto m = ui::find_mark(name);
    if (!m) throw std::runtime_error("no widget named '" + name + "' was drawn in the last frame");
    // A layout settles over a frame or two (a scrollbar appears, text re-wraps): aim only at
    // a widget that stayed where it was.
    const bool settled = previous && previous->min.x == m->min.x && previous->min.y == m->min.y;
    previous = m;
    if (m->visible && settled) return *m;
    if (m->visible) {
      frames(1);
      continue;
    }
    // Scroll its window towards it: the wheel over the window, as a person would.
    move_to({(m->window_min.x + m->window_max.x) * 0.5f, (m->window_min.y + m->window_max.y) * 0.5f});
    wheel(m->min.y < m->window_min.y ? 1.0f : -1.0f);
  }
  throw std::runtime_error("widget '" + name + "' could not be scrolled into view");
}

void UiDriver::move_to(ImVec2 at) {
  input.mouse = at;
  frames(1);
}

void UiDriver::press(int button) {
  input.buttons[button] = true;
  frames(1);
}

void UiDriver::release(int button) {
  input.buttons[button] = false;
  frames(1);
}

void UiDriver::click_at(ImVec2 at, int button) {
  move_to(at);
  press(button);
  release(button);
}

void UiDriver::click(const std::string& name, int button) { click_at(find(name).centre(), button); }


void UiDriver::choose(const std::string& combo, const std::string& choice) {
  const std::string entry = combo + "/" + choice;
  for (int attempt = 0; attempt < 3; ++attempt) {
    click(combo);
    if (frames_until([&] { return exists(entry); }, 5)) {
      click(entry);
      return;
    }
    key(GLFW_KEY_ESCAPE);  // whatever did open closes again
  }
  find(entry);  // throws, naming the entry
}

void UiDriver::drag_at(ImVec2 from, float dx, float dy, int steps, int button) {
  move_to(from);
  press(button);
  for (int i = 1; i <= steps; ++i) move_to({from.x + dx * static_cast<float>(i) / static_cast<float>(steps), from.y + dy * static_cast<float>(i) / static_cast<float>(steps)});
  release(button);
}

void UiDriver::drag(const std::string& name, float dx, float dy, int steps) { drag_at(find(name).centre(), dx, dy, steps); }

void UiDriver::wheel(float notches) {
  input.wheel = notches;
  frames(1);
}

void UiDriver::key(int glfw_key, std::initializer_list<int> modifiers) {
  for (int m : modifiers) input.keys.insert(m);
  if (modifiers.size()) frames(1);
  input.keys.insert(glfw_key);
  frames(1);
  input.keys.erase(glfw_key);
  frames(1);
  for (int m : modifiers) input.keys.erase(m);
  if (modifiers.size()) frames(1);
}

void UiDriver::type(const std::string& utf8) {
  input.text = utf8;
  frames(1);
}

void UiDriver::type_into(const std::string& name, const std::string& text) {
  const ImVec2 at = find(name).centre();
  // Ctrl+click turns a slider or drag into a text field; on a text field it is a plain click.
  input.keys.insert(GLFW_KEY_LEFT_CONTROL);
  click_at(at);
  input.keys.erase(GLFW_KEY_LEFT_CONTROL);
  frames(1);
  key(GLFW_KEY_A, {GLFW_KEY_LEFT_CONTROL});  // select what is there
  type(text);
  key(GLFW_KEY_ENTER);
}

}  // namespace obs::test
