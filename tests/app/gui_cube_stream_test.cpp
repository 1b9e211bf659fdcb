// Streaming inference as a person runs it: cube_stream.json opened, paused, reset and stepped
// frame by frame with the Right key; the view's Blue channel shows the neurons the lazy engine
// updated (the work channel) and the frame metrics are plotted. step_mode is switched with the
// mouse to batch (the run trains, the work channel goes) and back to stream.
#include <doctest/doctest.h>

#include <GLFW/glfw3.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cube/cube_snapshot.hpp"
#include "gui_session.hpp"

using namespace obs;

namespace {

// Pixels of the view's middle where blue clearly leads red and green: the work channel (the
// legend's blue words are in the top rows, left out).
int blue_pixels(App& app, test::UiDriver& ui, const std::filesystem::path& dir, int shot) {
  app.take_screenshot();
  ui.frames(2);  // written by the next frame drawn
  char name[32];
  std::snprintf(name, sizeof name, "observatory_%04d.png", shot);
  const test::Png png = test::read_png((dir / name).string());
  const int left = static_cast<int>(app.left_panel_w), right = png.width - static_cast<int>(app.right_panel_w);
  int count = 0;
  for (int y = png.height * 2 / 10; y < png.height * 7 / 10; ++y)
    for (int x = left; x < right; ++x) {
      const int r = png.at(x, y, 0), g = png.at(x, y, 1), b = png.at(x, y, 2);
      count += b > 100 && b > r + 40 && b > g + 40 ? 1 : 0;
    }
  return count;
}

}  // namespace

TEST_CASE("gui_cube_stream: frames stepped by key show the lazy engine's work in blue; step_mode switches by mouse") {
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")) {
    MESSAGE("dataset-fashion-mnist is not installed (scripts/setup installs it): cube_stream.json cannot open");
    return;
  }
  test::GuiSession session("cube_stream.json", "cube_stream");
  App& app = session.app;
  auto& ui = session.ui;
  const auto dir = test::temp_dir("gui_cube_stream");
  app.screenshot_dir = dir.string();
  app.session.runner->set_playing(false);
  ui.frames(2);
  ui.key(GLFW_KEY_BACKSPACE);
  ui.frames(2);
  // n steps by the Right key; the snapshot they reach.
  auto step_by_key = [&](int n) {
    for (int k = 0; k < n; ++k) {
      ui.key(GLFW_KEY_RIGHT);
      ui.frames(1);
    }
    auto snap = test::snapshot_as<cube::CubeSnapshot>(app);
    REQUIRE(snap);
    return snap;
  };
  const auto s = step_by_key(6);
  CHECK(s->streaming);
  CHECK(s->frame == 6);
  const double share = test::newest_metric(app, "frame_work_share");
  CHECK(share > 0.02);
  CHECK(share < 0.6);  // a local change, a local front (L = 0.5)
  CHECK(test::newest_metric(app, "frame_mac_ratio") > 1.5);
  ui.frames(2);
  const int streaming_blue = blue_pixels(app, ui, dir, 1);
  MESSAGE("stream: " << streaming_blue << " blue pixels, work share " << share);
  CHECK(streaming_blue > 2000);

  // The occluder moved: the next frame's input and work differ.
  const auto next = step_by_key(1);
  CHECK(next->frame == 7);
  CHECK(next->work != s->work);
  CHECK(next->input != s->input);

  // To batch by the mouse: a step trains one batch; no work channel, no frame metrics.
  ui.choose("param/step_mode", "batch");
  ui.frames(2);
  const auto batch = step_by_key(1);
  CHECK_FALSE(batch->streaming);
  CHECK(batch->batch >= 1);
  CHECK(std::isnan(test::newest_metric(app, "frame_work_share")));
  ui.frames(2);
  const int batch_blue = blue_pixels(app, ui, dir, 2);
  MESSAGE("batch: " << batch_blue << " blue pixels");
  CHECK(batch_blue < streaming_blue / 4);

  // And back: the stream goes on from its frame count.
  ui.choose("param/step_mode", "stream");
  ui.frames(2);
  const auto again = step_by_key(1);
  CHECK(again->streaming);
  CHECK(again->frame == 8);
}
