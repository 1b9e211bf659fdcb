#include "gfx/orbit_camera.hpp"

#include <glm/gtc/matrix_transform.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/input_error.hpp"

namespace obs::gfx {

void OrbitCamera::reset(glm::vec3 t, float d) {
  target = t;
  distance = d;
  yaw = 0.6f;
  pitch = 0.45f;
}

glm::vec3 OrbitCamera::eye() const {
  const glm::vec3 offset{std::cos(pitch) * std::sin(yaw), std::sin(pitch), std::cos(pitch) * std::cos(yaw)};
  return target + distance * offset;
}

glm::mat4 OrbitCamera::view() const { return glm::lookAt(eye(), target, {0, 1, 0}); }

glm::mat4 OrbitCamera::projection(float aspect) const {
  return glm::perspective(fov_y, std::max(aspect, 1e-3f), 0.05f * distance, 20.0f * distance);
}

Ray OrbitCamera::ray(ImVec2 pixel, ImVec2 size) const {
  const float x = pixel.x / size.x * 2 - 1, y = 1 - pixel.y / size.y * 2;
  const glm::mat4 inv = glm::inverse(projection(size.x / std::max(1.0f, size.y)) * view());
  glm::vec4 near = inv * glm::vec4(x, y, -1, 1), far = inv * glm::vec4(x, y, 1, 1);
  near /= near.w;
  far /= far.w;
  return {glm::vec3(near), glm::normalize(glm::vec3(far - near))};
}

void OrbitCamera::handle_mouse(const ImGuiIO& io, ImVec2 size) {
  if (io.MouseWheel != 0) distance = std::clamp(distance * std::pow(0.88f, io.MouseWheel), 0.5f, 500.0f);
  const bool pan = ImGui::IsMouseDragging(ImGuiMouseButton_Right) || (io.KeyShift && ImGui::IsMouseDragging(ImGuiMouseButton_Left));
  if (pan) {
    // Move the target in the view plane, by as much as the scene under the cursor moved.
    const glm::mat4 v = view();
    const glm::vec3 right{v[0][0], v[1][0], v[2][0]}, up{v[0][1], v[1][1], v[2][1]};
    const float units_per_px = 2 * distance * std::tan(fov_y / 2) / std::max(1.0f, size.y);
    target += (-io.MouseDelta.x * right + io.MouseDelta.y * up) * units_per_px;
  } else if (ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
    yaw -= io.MouseDelta.x * 0.008f;
    pitch = std::clamp(pitch + io.MouseDelta.y * 0.008f, -1.5f, 1.5f);
  }
}

nlohmann::json OrbitCamera::save() const {
  return {{"yaw", yaw}, {"pitch", pitch}, {"distance", distance}, {"target", {target.x, target.y, target.z}}};
}

void OrbitCamera::load(const nlohmann::json& j, const char* prefix) {
  auto number = [&](const char* key, float& out, float lo, float hi) {
    if (!j.contains(key)) return;
    const auto& v = j.at(key);
    if (!v.is_number() || v.get<double>() < lo || v.get<double>() > hi)
      throw InputError(std::string(prefix) + "/" + key, "expected a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v.dump());
    out = v.get<float>();
  };
  number("yaw", yaw, -100.0f, 100.0f);
  number("pitch", pitch, -1.5f, 1.5f);
  number("distance", distance, 0.5f, 500.0f);
  if (j.contains("target")) {
    const auto& t = j.at("target");
    auto ok = [](const nlohmann::json& x) { return x.is_number() && std::abs(x.get<double>()) <= 1e4; };
    if (!t.is_array() || t.size() != 3 || !ok(t[0]) || !ok(t[1]) || !ok(t[2]))
      throw InputError(std::string(prefix) + "/target", "expected [x, y, z] with each |.| <= 10000, got " + t.dump());
    target = {t[0].get<float>(), t[1].get<float>(), t[2].get<float>()};
  }
}

}  // namespace obs::gfx
