#include "session.hpp"

#include "core/input_error.hpp"
#include "core/json_locator.hpp"

namespace obs {

Session make_session(Scene scene, const std::vector<ParamOverride>& overrides) {
  auto system = instantiate(scene, overrides);
  return make_session_for(std::move(system), std::move(scene));
}

std::unique_ptr<View> make_scene_view(const Scene& scene) {
  auto view = make_view(scene.system);
  if (!view) throw InputError("/system", "no view is registered for system \"" + scene.system + "\"", {}, scene.source);
  try {
    view->load(scene.view);
  } catch (const InputError& e) {
    throw e.located(scene.source, scene.text.empty() ? SourcePos{} : JsonLocator(scene.text).find(e.pointer()));
  }
  return view;
}

Session make_session_for(std::unique_ptr<System> system, Scene scene) {
  LoadedScene loaded;
  loaded.view = make_scene_view(scene);
  loaded.system = std::move(system);
  loaded.scene = std::move(scene);
  return make_session_from(std::move(loaded));
}

LoadedScene load_scene_parts(const std::string& path) {
  LoadedScene loaded;
  loaded.scene = load_scene(path);
  loaded.system = instantiate(loaded.scene);
  loaded.view = make_scene_view(loaded.scene);
  return loaded;
}

Session make_session_from(LoadedScene loaded) {
  Session s;
  std::unique_ptr<System> system = std::move(loaded.system);
  Scene scene = std::move(loaded.scene);
  s.view = std::move(loaded.view);
  s.params = system->params();
  s.perturbations = system->supported_perturbations();
  s.file_params = scene_file_params(s.params, scene);
  s.file_seed = scene.seed;
  s.runner = std::make_unique<SimRunner>(std::move(system));
  s.scene = std::move(scene);
  return s;
}

ParamSet scene_file_params(const ParamSet& declared, const Scene& scene) {
  ParamSet out = declared;
  for (const Param& p : declared.all()) out.reset_to_default(p.name);
  if (!scene.params.is_object()) return out;
  for (const auto& [name, value] : scene.params.items()) {
    if (!out.find(name)) continue;
    try {
      out.set_json(name, value, "/params/" + name);
    } catch (const std::exception&) {
      // The loader validated the same value before the system ran: nothing new to report.
    }
  }
  return out;
}

Scene current_scene(Session& session, ParamSet* params) {
  SimRunner::ParamsRecord record = session.runner->params_record();
  if (!record.current) {
    session.runner->sync();  // an edit is queued: what it leaves is what gets saved
    record = session.runner->params_record();
  }
  Scene out = capture_scene(session.runner->status().kind, record.seed, record.params, session.view->save(), session.scene.extra);
  if (params) *params = std::move(record.params);
  out.source = session.scene.source;
  out.description = session.scene.description;
  return out;
}

}  // namespace obs
