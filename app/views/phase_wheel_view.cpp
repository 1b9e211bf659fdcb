#include "views/phase_wheel_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "core/input_error.hpp"
#include "kuramoto/kuramoto_system.hpp"
#include "views/colorbar.hpp"

namespace obs {
namespace {

constexpr float kFit = 1.4f;  // half-extent of the visible square at zoom 1, in view units

float point_size_for(std::size_t n) {
  // Large populations become a density cloud; small ones stay individually visible.
  if (n <= 500) return 7.0f;
  if (n <= 5000) return 4.5f;
  if (n <= 50000) return 3.0f;
  return 2.0f;
}

}  // namespace

void PhaseWheelView::create_gl() {
  points_ = gfx::Program("phase_points.vert", "phase_points.frag");
  lines_ = std::make_unique<gfx::LineBatch>();
  glGenVertexArrays(1, &vao_);
  glGenBuffers(1, &vbo_phase_);
  glGenBuffers(1, &vbo_omega_);
  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, vbo_phase_);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 1, GL_FLOAT, GL_FALSE, 0, nullptr);
  glBindBuffer(GL_ARRAY_BUFFER, vbo_omega_);
  glEnableVertexAttribArray(1);
  glVertexAttribPointer(1, 1, GL_FLOAT, GL_FALSE, 0, nullptr);
  glBindVertexArray(0);
}

PhaseWheelView::PhaseWheelView() {
  settings_.number("zoom", zoom_, 0.2f, 50.0f, "zoom", "%.2f", nullptr, true)
      .number("ring_spread", ring_spread_, 0.0f, 0.8f, "ring spread", "%.2f",
              "0: every oscillator on the unit circle.\n>0: radius encodes natural frequency, so locked and drifting populations separate.")
      .number("point_scale", point_scale_, 0.25f, 4.0f, "point size", "x%.2f", nullptr, true)
      .flag("arrow", show_arrow_, "order-parameter arrow")
      .number("max_points", max_points_, 10000, 2000000, "max points",
              "Above this many oscillators, every k-th is drawn (a fixed stride, so the\nsame oscillators every frame). The simulation always runs all of them.",
              true);
}

PhaseWheelView::~PhaseWheelView() {
  if (!vao_) return;
  glDeleteBuffers(1, &vbo_phase_);
  glDeleteBuffers(1, &vbo_omega_);
  glDeleteVertexArrays(1, &vao_);
}

std::size_t PhaseWheelView::draw_stride(std::size_t n) const {
  const auto cap = static_cast<std::size_t>(std::max(1, max_points_));
  return n <= cap ? 1 : (n + cap - 1) / cap;
}

void PhaseWheelView::transform(float aspect, float out[4]) const {
  const float s = zoom_ / kFit;
  out[0] = aspect >= 1 ? s / aspect : s;
  out[1] = aspect >= 1 ? s : s * aspect;
  out[2] = -pan_x_ * out[0];
  out[3] = -pan_y_ * out[1];
}

ImVec2 PhaseWheelView::to_screen(float x, float y, const ViewRect& rect) const {
  float t[4];
  transform(rect.width() / std::max(1.0f, rect.height()), t);
  const float cx = x * t[0] + t[2], cy = y * t[1] + t[3];  // clip space
  return {rect.min.x + (cx * 0.5f + 0.5f) * rect.width(), rect.min.y + (0.5f - cy * 0.5f) * rect.height()};
}

void PhaseWheelView::draw_snapshot(const KuramotoSnapshot& typed, int width_px, int height_px) {
  const auto* snap = &typed;
  if (!vao_) create_gl();
  // Upload only when the simulation has produced a new snapshot.
  const std::size_t stride = draw_stride(snap->phase.size());
  if (snap != uploaded_snap_ || snap->step != uploaded_step_ || stride != uploaded_stride_) {
    // Beyond max_points_ a fixed stride is drawn: past ~10^5 points the wheel is a density
    // cloud either way, and every point costs the software rasteriser the same.
    const float* phase = snap->phase.data();
    const float* omega = snap->omega.data();
    if (stride > 1) {
      strided_phase_.clear();
      strided_omega_.clear();
      for (std::size_t i = 0; i < snap->phase.size(); i += stride) {
        strided_phase_.push_back(snap->phase[i]);
        strided_omega_.push_back(snap->omega[i]);
      }
      phase = strided_phase_.data();
      omega = strided_omega_.data();
    }
    count_ = static_cast<GLsizei>((snap->phase.size() + stride - 1) / stride);
    glBindBuffer(GL_ARRAY_BUFFER, vbo_phase_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(count_ * sizeof(float)), phase, GL_STREAM_DRAW);
    glBindBuffer(GL_ARRAY_BUFFER, vbo_omega_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(count_ * sizeof(float)), omega, GL_STREAM_DRAW);
    uploaded_snap_ = snap;
    uploaded_step_ = snap->step;
    uploaded_stride_ = stride;
  }
  float t[4];
  transform(static_cast<float>(width_px) / static_cast<float>(std::max(1, height_px)), t);

  // Guides: the unit circle and axes, drawn under the points.
  lines_->clear();
  const gfx::Rgba guide{0.45f, 0.47f, 0.55f, 0.9f};
  lines_->circle(0, 0, 1, guide, 256);
  lines_->line(-1.1f, 0, 1.1f, 0, {0.3f, 0.32f, 0.38f, 0.8f});
  lines_->line(0, -1.1f, 0, 1.1f, {0.3f, 0.32f, 0.38f, 0.8f});
  lines_->draw(t[0], t[1], t[2], t[3]);

  glEnable(GL_BLEND);
  glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
  glEnable(GL_PROGRAM_POINT_SIZE);
  points_.use();
  glUniform4f(points_.uniform("u_transform"), t[0], t[1], t[2], t[3]);
  glUniform2f(points_.uniform("u_omega_range"), static_cast<float>(snap->omega_lo), static_cast<float>(snap->omega_hi));
  glUniform1f(points_.uniform("u_ring_spread"), ring_spread_);
  const float dpi = ImGui::GetIO().DisplayFramebufferScale.x;
  glUniform1f(points_.uniform("u_point_size"), point_size_for(snap->phase.size()) * point_scale_ * std::max(1.0f, dpi) * std::sqrt(zoom_));
  glUniform1i(points_.uniform("u_moving"), static_cast<GLint>((snap->moving + stride - 1) / stride));
  const auto cmap = gfx::stops(gfx::Colormap::Viridis);
  glUniform3fv(points_.uniform("u_stops"), 10, &cmap[0].r);
  glBindVertexArray(vao_);
  glDrawArrays(GL_POINTS, 0, count_);
  glBindVertexArray(0);

  // The order parameter on top: r e^{i psi} from the centre (length r on the unit circle).
  if (show_arrow_) {
    lines_->clear();
    const float r = static_cast<float>(snap->r), psi = static_cast<float>(snap->psi);
    const gfx::Rgba arrow{1.0f, 0.35f, 0.25f, 1.0f};
    lines_->arrow(0, 0, r * std::cos(psi), r * std::sin(psi), 0.008f, 0.06f, 0.03f, arrow);
    lines_->draw(t[0], t[1], t[2], t[3]);
  }
  glDisable(GL_BLEND);
}

void PhaseWheelView::overlay_snapshot(const KuramotoSnapshot& typed, ImDrawList* dl, const ViewRect& rect) {
  const auto* snap = &typed;
  const float em = ImGui::GetFontSize();
  char buf[160];
  std::snprintf(buf, sizeof buf, "r = %.4f   psi = %+.3f rad   K = %.3g (K_c = %.3g)   N = %zu%s", snap->r, snap->psi, snap->K,
                snap->Kc, snap->phase.size() + snap->removed, snap->removed ? " (some removed)" : "");
  // Lines wrapped at the pane's width: a twin's half-width pane would clip them.
  const float wrap = std::max(rect.width() - em * 1.2f, em * 8);
  float line_y = rect.min.y + em * 0.5f;
  auto line = [&](ImU32 colour) {
    dl->AddText(ImGui::GetFont(), em, {rect.min.x + em * 0.6f, line_y}, colour, buf, nullptr, wrap);
    line_y += ImGui::CalcTextSize(buf, nullptr, false, wrap).y + em * 0.3f;
  };
  line(IM_COL32(230, 232, 240, 255));
  if (snap->moving < snap->phase.size()) {
    std::snprintf(buf, sizeof buf, "%zu frozen (grey)", snap->phase.size() - snap->moving);
    line(IM_COL32(170, 170, 170, 255));
  }
  if (const std::size_t stride = draw_stride(snap->phase.size()); stride > 1) {
    std::snprintf(buf, sizeof buf, "drawing every %zu%s oscillator (%zu points; View > max points)", stride,
                  stride % 10 == 1 && stride != 11 ? "st" : stride % 10 == 2 && stride != 12 ? "nd" : stride % 10 == 3 && stride != 13 ? "rd" : "th",
                  (snap->phase.size() + stride - 1) / stride);
    line(IM_COL32(170, 170, 170, 255));
  }

  draw_colorbar(dl, rect, gfx::Colormap::Viridis, snap->omega_lo, snap->omega_hi, "omega_i");

  // Angle labels on the circle.
  const ImU32 label = IM_COL32(150, 155, 170, 255);
  const ImVec2 p0 = to_screen(1.12f, 0, rect), p1 = to_screen(0, 1.12f, rect), p2 = to_screen(-1.12f, 0, rect),
               p3 = to_screen(0, -1.12f, rect);
  dl->AddText({p0.x, p0.y - em * 0.5f}, label, "0");
  dl->AddText({p1.x - em * 0.8f, p1.y - em * 1.1f}, label, "pi/2");
  dl->AddText({p2.x - em * 1.3f, p2.y - em * 0.5f}, label, "pi");
  dl->AddText({p3.x - em * 1.0f, p3.y + em * 0.1f}, label, "-pi/2");
}

void PhaseWheelView::handle_mouse(const ImGuiIO& io, const ViewRect& rect) {
  if (io.MouseWheel != 0) {
    // Zoom about the cursor: the view point under the mouse stays put.
    const float aspect = rect.width() / std::max(1.0f, rect.height());
    float t[4];
    transform(aspect, t);
    const float cx = (io.MousePos.x - rect.min.x) / rect.width() * 2 - 1;
    const float cy = 1 - (io.MousePos.y - rect.min.y) / rect.height() * 2;
    const float wx = (cx - t[2]) / t[0], wy = (cy - t[3]) / t[1];
    zoom_ = std::clamp(zoom_ * std::pow(1.15f, io.MouseWheel), 0.2f, 50.0f);
    transform(aspect, t);
    pan_x_ += wx - (cx - t[2]) / t[0];
    pan_y_ += wy - (cy - t[3]) / t[1];
  }
  if (ImGui::IsMouseDragging(ImGuiMouseButton_Left) || ImGui::IsMouseDragging(ImGuiMouseButton_Right)) {
    const float units_per_px = 2 * kFit / zoom_ / std::min(rect.width(), rect.height());
    pan_x_ -= io.MouseDelta.x * units_per_px;
    pan_y_ += io.MouseDelta.y * units_per_px;
  }
  if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) reset_camera();
}

void PhaseWheelView::settings_ui() {
  settings_.ui();
  if (ImGui::Button("reset camera")) reset_camera();
}

void PhaseWheelView::reset_camera() {
  zoom_ = 1.0f;
  pan_x_ = pan_y_ = 0.0f;
}

nlohmann::json PhaseWheelView::save() const {
  nlohmann::json out = {{"pan", {pan_x_, pan_y_}}};
  settings_.save(out);
  return out;
}

void PhaseWheelView::load(const nlohmann::json& v) {
  const auto commit = settings_.read(v);
  float pan[2] = {pan_x_, pan_y_};
  if (v.contains("pan")) {
    const auto& p = v.at("pan");
    auto ok = [](const nlohmann::json& x) { return x.is_number() && std::abs(x.get<double>()) <= 1e4; };
    if (!p.is_array() || p.size() != 2 || !ok(p[0]) || !ok(p[1]))
      throw InputError("/view/pan", "expected [x, y] with |x|, |y| <= 10000, got " + p.dump());
    pan[0] = p[0].get<float>();
    pan[1] = p[1].get<float>();
  }
  commit();
  pan_x_ = pan[0];
  pan_y_ = pan[1];
}

}  // namespace obs
