#include "views/voxel_packet_view.hpp"

#include <glm/gtc/matrix_transform.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/input_error.hpp"
#include "gfx/colormap.hpp"
#include "pump/pump_snapshot.hpp"
#include "views/colorbar.hpp"

namespace obs {
namespace {

constexpr float kVoxelSize = 0.56f;

glm::vec3 centre(int voxel) {
  const int x = voxel % 4, y = (voxel / 4) % 4, z = voxel / 16;
  // z runs up the screen so the packet stands like the design's drawings.
  return {static_cast<float>(x) - 1.5f, static_cast<float>(z) - 1.5f, static_cast<float>(y) - 1.5f};
}

glm::vec4 colormap(double t, float alpha) {
  const gfx::Rgb c = gfx::sample(gfx::Colormap::Viridis, static_cast<float>(t));
  return {c.r, c.g, c.b, alpha};
}

// Model matrix of a unit mesh stretched along the segment a->b (x axis of the mesh) with the
// given cross-section. Face edges are axis-aligned, so the frame is a permutation.
glm::mat4 along(glm::vec3 a, glm::vec3 b, float width) {
  const glm::vec3 d = b - a;
  const float len = glm::length(d);
  const glm::vec3 x = d / len;
  const glm::vec3 helper = std::abs(x.y) < 0.9f ? glm::vec3(0, 1, 0) : glm::vec3(1, 0, 0);
  const glm::vec3 y = glm::normalize(glm::cross(helper, x)), z = glm::cross(x, y);
  glm::mat4 m(1.0f);
  m[0] = glm::vec4(x * len, 0);
  m[1] = glm::vec4(y * width, 0);
  m[2] = glm::vec4(z * width, 0);
  m[3] = glm::vec4((a + b) * 0.5f, 1);
  return m;
}

// A stable pseudo-random offset per walker, so walkers sharing a voxel do not overlap.
glm::vec3 jitter(std::size_t i) {
  auto h = static_cast<std::uint32_t>(i * 2654435761u);
  auto unit = [&h] {
    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    return static_cast<float>(h & 0xffff) / 65535.0f - 0.5f;
  };
  return {unit() * 0.4f, unit() * 0.4f, unit() * 0.4f};
}

// An exact fraction of thousands of digits, shortened for display: "123...789/456...012
// (2104/2110 digits)". Short ones pass through.
std::string abbreviated(const std::string& fraction) {
  if (fraction.size() <= 48) return fraction;
  auto shorten = [](std::string_view digits, std::string& out) {
    if (digits.size() <= 16) out.append(digits);
    else out.append(digits.substr(0, 8)).append("...").append(digits.substr(digits.size() - 6));
  };
  const std::string_view f = fraction;
  const auto slash = f.find('/');
  const std::string_view num = f.substr(0, slash), den = slash == std::string_view::npos ? std::string_view() : f.substr(slash + 1);
  std::string out;
  shorten(num, out);
  if (!den.empty()) out.push_back('/'), shorten(den, out);
  out.append(" (").append(std::to_string(num.size()));
  if (!den.empty()) out.append("/").append(std::to_string(den.size()));
  return out.append(" digits)");
}

bool ray_hits_box(const gfx::Ray& r, glm::vec3 c, float half, float& t_hit) {
  float t0 = -1e30f, t1 = 1e30f;
  for (int a = 0; a < 3; ++a) {
    if (std::abs(r.dir[a]) < 1e-9f) {
      if (r.origin[a] < c[a] - half || r.origin[a] > c[a] + half) return false;
      continue;
    }
    float ta = (c[a] - half - r.origin[a]) / r.dir[a], tb = (c[a] + half - r.origin[a]) / r.dir[a];
    if (ta > tb) std::swap(ta, tb);
    t0 = std::max(t0, ta);
    t1 = std::min(t1, tb);
  }
  t_hit = t0;
  return t0 <= t1 && t1 > 0;
}

}  // namespace

VoxelPacketView::VoxelPacketView() {
  reset_camera();
  settings_.choice("color_by", color_by_, {{"pi", "stationary pi"}, {"p", "p(t)"}}, "colour by")
      .flag("currents", show_currents_, "currents")
      .flag("walkers", show_walkers_, "walkers")
      .beside()
      .number("voxel_alpha", voxel_alpha_, 0.05f, 0.6f, "voxel alpha")
      .number("arrow_scale", arrow_scale_, 0.3f, 3.0f, "arrow width", "x%.2f")
      .integer("selected", selected_, -1, 63, nullptr);  // a voxel, or -1 for none; picked in the view
}

void VoxelPacketView::reset_camera() { camera_.reset({0.4f, 0, 0}, 11.0f); }

float VoxelPacketView::walker_progress(const PumpSnapshot& s) {
  const auto now = std::chrono::steady_clock::now();
  if (s.step != anim_step_) {
    if (anim_step_ != UINT64_MAX && s.step == anim_step_ + 1) {
      const double dt = std::chrono::duration<double>(now - anim_start_).count();
      step_interval_ = std::clamp(0.7 * step_interval_ + 0.3 * dt, 1.0 / 240, 2.0);
    }
    // The first state a view sees has nothing to move from: show it settled. (This also makes
    // a headless screenshot, drawn twice a few milliseconds apart, independent of the clock.)
    const bool first = anim_step_ == UINT64_MAX;
    anim_step_ = s.step;
    anim_start_ = first ? now - std::chrono::seconds(10) : now;
  }
  return static_cast<float>(std::clamp(std::chrono::duration<double>(now - anim_start_).count() / step_interval_, 0.0, 1.0));
}

void VoxelPacketView::draw_snapshot(const PumpSnapshot& typed, int width_px, int height_px) {
  const auto* s = &typed;
  if (!s->info) return;
  if (!boxes_) {
    boxes_ = std::make_unique<gfx::InstancedMesh>(gfx::MeshShape::Box);
    pyramids_ = std::make_unique<gfx::InstancedMesh>(gfx::MeshShape::Pyramid);
    spheres_ = std::make_unique<gfx::InstancedMesh>(gfx::MeshShape::Sphere);
  }
  const auto& info = *s->info;
  const glm::mat4 vp = camera_.projection(static_cast<float>(width_px) / static_cast<float>(std::max(1, height_px))) * camera_.view();
  const glm::vec3 eye = camera_.eye();

  glEnable(GL_DEPTH_TEST);
  glDepthFunc(GL_LESS);
  glEnable(GL_BLEND);
  glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);

  // Opaque first: current arrows and walkers write depth.
  if (show_currents_) {
    double jmax = 0;
    for (const auto& e : info.edges) jmax = std::max(jmax, std::abs(e.J));
    scratch_.clear();
    heads_.clear();
    for (const auto& e : info.edges) {
      if (jmax <= 0 || std::abs(e.J) < 1e-3 * jmax) continue;
      const bool forward = e.J > 0;
      const glm::vec3 a = centre(forward ? e.a : e.b), b = centre(forward ? e.b : e.a);
      const glm::vec3 d = glm::normalize(b - a);
      const float w = arrow_scale_ * (0.02f + 0.10f * static_cast<float>(std::abs(e.J) / jmax));
      // Orange with the winding, blue against it, grey where the arms disagree.
      const glm::vec4 color = e.drive == 0 ? glm::vec4(0.7f, 0.7f, 0.72f, 1)
                              : (e.drive > 0) == forward ? glm::vec4(1.0f, 0.55f, 0.15f, 1)
                                                         : glm::vec4(0.3f, 0.6f, 1.0f, 1);
      const glm::vec3 from = a + d * (kVoxelSize * 0.5f), tip = b - d * (kVoxelSize * 0.5f);
      const glm::vec3 neck = tip - d * 0.16f;
      scratch_.push_back({along(from, neck, w), color});
      heads_.push_back({along(neck, tip, std::max(2.4f * w, 0.09f)), color});
    }
    boxes_->draw(scratch_, vp, eye);
    pyramids_->draw(heads_, vp, eye);
  }
  if (show_walkers_ && !s->walkers.empty()) {
    const float t = walker_progress(*s);
    scratch_.clear();
    const std::size_t n = std::min<std::size_t>(s->walkers.size(), 4000);
    for (std::size_t i = 0; i < n; ++i) {
      const int now = s->walkers[i], prev = i < s->walkers_prev.size() ? s->walkers_prev[i] : now;
      const glm::vec3 p = glm::mix(centre(prev), centre(now), t) + jitter(i);
      glm::mat4 m = glm::translate(glm::mat4(1.0f), p);
      m = glm::scale(m, glm::vec3(0.075f));
      const bool frozen = i >= s->moving_walkers;
      scratch_.push_back({m, frozen ? glm::vec4(0.5f, 0.5f, 0.5f, 1) : glm::vec4(0.95f, 0.95f, 1.0f, 1)});
    }
    spheres_->draw(scratch_, vp, eye);
  }

  // Translucent voxels last, back to front, without depth writes.
  const double lo = color_by_ == ColorBy::Pi ? info.pi_min : *std::min_element(s->p.begin(), s->p.end());
  const double hi = color_by_ == ColorBy::Pi ? info.pi_max : *std::max_element(s->p.begin(), s->p.end());
  std::array<int, 64> order;
  for (int i = 0; i < 64; ++i) order[static_cast<std::size_t>(i)] = i;
  std::sort(order.begin(), order.end(), [&](int a, int b) { return glm::distance(centre(a), eye) > glm::distance(centre(b), eye); });
  scratch_.clear();
  for (int i : order) {
    const double v = color_by_ == ColorBy::Pi ? info.pi[static_cast<std::size_t>(i)] : s->p[static_cast<std::size_t>(i)];
    const double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    const bool core = info.core[static_cast<std::size_t>(i)];
    const float alpha = core ? std::min(1.0f, voxel_alpha_ * 2.6f) : voxel_alpha_;
    glm::mat4 m = glm::translate(glm::mat4(1.0f), centre(i));
    m = glm::scale(m, glm::vec3(core ? kVoxelSize * 1.08f : kVoxelSize));
    scratch_.push_back({m, std::isfinite(t) ? colormap(t, alpha) : glm::vec4(1, 0, 1, alpha)});
    if (i == selected_) {
      glm::mat4 halo = glm::scale(glm::translate(glm::mat4(1.0f), centre(i)), glm::vec3(kVoxelSize * 1.3f));
      scratch_.push_back({halo, {1, 1, 1, 0.18f}});
    }
  }
  glDepthMask(GL_FALSE);
  boxes_->draw(scratch_, vp, eye);
  glDepthMask(GL_TRUE);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_BLEND);
}

void VoxelPacketView::overlay_snapshot(const PumpSnapshot& typed, ImDrawList* dl, const ViewRect& rect) {
  const auto* s = &typed;
  if (!s->info) return;
  const auto& info = *s->info;
  const float em = ImGui::GetFontSize();
  ImVec2 at{rect.min.x + em * 0.6f, rect.min.y + em * 0.5f};
  auto line = [&](ImU32 color, const char* text) {
    dl->AddText(at, color, text);
    at.y += em * 1.25f;
  };
  char buf[200];
  std::snprintf(buf, sizeof buf, "J0 = %.6g   sigma = %.4g   |p - pi|_TV = %.3g   p(t): %s", info.J0, info.entropy_production,
                s->tv_to_pi, s->exact_mode ? "exact rationals" : "doubles (past the exact horizon)");
  line(IM_COL32(230, 232, 240, 255), buf);
  auto badge = [&](bool ok, const std::string& what) {
    const std::string text = (ok ? "[ok]    " : "[FAIL]  ") + what;
    line(ok ? IM_COL32(120, 220, 140, 255) : IM_COL32(255, 110, 100, 255), text.c_str());
  };
  badge(info.badges.rows_sum_to_one, "every row of K sums to exactly 1");
  badge(info.badges.pi_K_equals_pi, "pi K = pi, exactly");
  badge(info.badges.J0_positive, "pump current J0 > 0");
  std::snprintf(buf, sizeof buf, "handshake parity: winding %% 7 = %d, core = %d", info.winding_mod7, info.core_residue);
  badge(info.badges.parity_holds, buf);
  std::snprintf(buf, sizeof buf, "float Gibbs path: winding %% 7 = %d, core = %d (%s)", info.float_winding_mod7, info.float_core_residue,
                info.float_parity_holds ? "holds" : "fails");
  line(IM_COL32(170, 175, 190, 255), buf);
  line(IM_COL32(150, 155, 170, 255), "arrows: net current J (orange: with the winding, blue: against)");
  draw_colorbar(dl, rect, gfx::Colormap::Viridis, color_by_ == ColorBy::Pi ? info.pi_min : *std::min_element(s->p.begin(), s->p.end()),
                color_by_ == ColorBy::Pi ? info.pi_max : *std::max_element(s->p.begin(), s->p.end()),
                color_by_ == ColorBy::Pi ? "pi_i" : "p_i(t)");
}

int VoxelPacketView::pick(ImVec2 pixel, ImVec2 size) const {
  const gfx::Ray r = camera_.ray(pixel, size);
  int best = -1;
  float best_t = 1e30f;
  for (int i = 0; i < 64; ++i) {
    float t = 0;
    if (ray_hits_box(r, centre(i), kVoxelSize * 0.5f, t) && t < best_t) {
      best_t = t;
      best = i;
    }
  }
  return best;
}

void VoxelPacketView::handle_mouse(const ImGuiIO& io, const ViewRect& rect) {
  camera_.handle_mouse(io, {rect.width(), rect.height()});
  // A click is a press and release without a drag: it picks; a drag orbits.
  if (ImGui::IsMouseReleased(ImGuiMouseButton_Left) && io.MouseDragMaxDistanceSqr[0] < 16.0f)
    selected_ = pick({io.MousePos.x - rect.min.x, io.MousePos.y - rect.min.y}, {rect.width(), rect.height()});
  if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Right)) reset_camera();
}

void VoxelPacketView::settings_ui() {
  settings_.ui();
  if (ImGui::Button("reset camera")) reset_camera();
  ImGui::TextDisabled("drag: orbit, right-drag: pan, wheel: zoom,\nclick a voxel: inspect it");
}

void VoxelPacketView::windows_snapshot(const PumpSnapshot& typed, const ViewRect& rect) {
  const auto* s = &typed;
  if (!s || !s->info || selected_ < 0 || selected_ >= 64) return;
  const auto& info = *s->info;
  const auto& row = info.rows[static_cast<std::size_t>(selected_)];
  const float em = ImGui::GetFontSize();
  ImGui::SetNextWindowPos({rect.min.x + em, rect.max.y - em}, ImGuiCond_Appearing, {0, 1});
  ImGui::SetNextWindowSize({em * 40, em * 22}, ImGuiCond_Appearing);
  bool open = true;
  char title[64];
  std::snprintf(title, sizeof title, "Voxel %d (%d,%d,%d)%s###voxel", row.voxel, row.x, row.y, row.z, row.core ? " core" : "");
  ImGui::Begin(title, &open);
  ImGui::Text("spinor q = (w, m):  w = %s,  m = (%s, %s, %s)", row.w.c_str(), row.m[0].c_str(), row.m[1].c_str(), row.m[2].c_str());
  ImGui::Text("lift (1/w)(1, m) = (%s, %s, %s, %s)", row.lift[0].c_str(), row.lift[1].c_str(), row.lift[2].c_str(), row.lift[3].c_str());
  ImGui::Text("beta = %s   beta' = %s   tau = %s   support %d of %d", row.beta.c_str(), row.beta_eff.c_str(), row.tau.c_str(),
              row.support_size, row.count);
  ImGui::Text("pi = %s  (%.6g);  p(t) = %.6g", abbreviated(row.pi).c_str(), info.pi[static_cast<std::size_t>(selected_)],
              s->p[static_cast<std::size_t>(selected_)]);
  ImGui::SameLine();
  if (ImGui::SmallButton("copy exact pi")) ImGui::SetClipboardText(row.pi.c_str());
  if (ImGui::BeginTable("row", 10, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollX | ImGuiTableFlags_SizingFixedFit)) {
    for (const char* h : {"to", "chi", "Q_h", "logit z", "A", "rho", "sparsemax P", "base W", "kernel K", "supp"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (int k = 0; k < row.count; ++k) {
      const auto i = static_cast<std::size_t>(k);
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text(k == 0 ? "%d (self)" : "%d", row.to[i]);
      ImGui::TableNextColumn();
      ImGui::Text("%d", row.chi[i]);
      for (const std::string* v : {&row.qh[i], &row.logit[i], &row.A[i], &row.rho[i], &row.P[i], &row.W[i], &row.K[i]}) {
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(abbreviated(*v).c_str());
      }
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.support[i] ? "yes" : "");
    }
    ImGui::EndTable();
  }
  ImGui::Separator();
  ImGui::TextDisabled("Octet residuals Q_h(doubles) - Q_h(exact), display only (max over all rows %.3g):", info.octet_max_all);
  for (std::size_t k = 0; k < info.octet.size(); ++k) {
    ImGui::Text("voxel %2d: %+.3e", info.octet_voxel[k], info.octet[k]);
    if (k % 4 != 3) ImGui::SameLine();
  }
  ImGui::End();
  if (!open) selected_ = -1;
}

nlohmann::json VoxelPacketView::save() const {
  nlohmann::json out = {{"camera", camera_.save()}};
  settings_.save(out);
  return out;
}

void VoxelPacketView::load(const nlohmann::json& v) {
  const auto commit = settings_.read(v);
  if (v.contains("camera")) {
    if (!v.at("camera").is_object()) throw InputError("/view/camera", "expected an object");
    camera_.load(v.at("camera"), "/view/camera");
  }
  commit();
}

}  // namespace obs
