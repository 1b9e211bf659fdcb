#pragma once
// An orbit camera: yaw/pitch about a target at a distance, perspective projection, and the
// mouse mapping people expect (left-drag orbits, right-drag or shift-drag pans, wheel zooms).
#include <imgui.h>

#include <glm/glm.hpp>
#include <nlohmann/json_fwd.hpp>

namespace obs::gfx {

struct Ray {
  glm::vec3 origin, dir;  // dir normalised
};

class OrbitCamera {
 public:
  void handle_mouse(const ImGuiIO& io, ImVec2 rect_size);
  void reset(glm::vec3 target, float distance);

  glm::mat4 view() const;
  glm::mat4 projection(float aspect) const;
  glm::vec3 eye() const;
  // The ray through a point of the view, given in pixels from its top-left corner.
  Ray ray(ImVec2 pixel, ImVec2 rect_size) const;

  nlohmann::json save() const;
  void load(const nlohmann::json& j, const char* pointer_prefix);  // throws InputError

  float yaw = 0.6f, pitch = 0.45f, distance = 10.0f, fov_y = 0.7f;
  glm::vec3 target{0.0f};
};

}  // namespace obs::gfx
