#pragma once
// Everything that belongs to the scene being watched: the running simulation, its view,
// and a UI-side mirror of its parameters. Loading a scene builds a whole new Session and
// swaps it in only if every step succeeded, so a bad scene never disturbs the running one.
#include <memory>
#include <string>
#include <vector>

#include "core/scene.hpp"
#include "core/sim_runner.hpp"
#include "views/view.hpp"

namespace obs {

struct Session {
  std::unique_ptr<SimRunner> runner;
  std::unique_ptr<View> view;
  std::unique_ptr<View> twin_view;  // B's, beside `view` while the run has a twin
  ParamSet params;  // the panel edits this copy and posts each change to the runner
  std::vector<PerturbKind> perturbations;
  Scene scene;  // as loaded (source path, unknown keys kept for saving)
  // What the scene file says (declared defaults, then the file's parameters, without any
  // --set): "Revert to scene" goes back to it, and a difference is an unsaved change.
  ParamSet file_params;
  std::uint64_t file_seed = 0;
};

// The scene's own values for a system's parameters: `declared` reset to its defaults, then
// the scene's "params" applied (keys the system does not have are skipped: the loader has
// already warned about them).
ParamSet scene_file_params(const ParamSet& declared, const Scene& scene);

// Needs a current GL context (the view owns GL objects). Throws InputError naming the
// JSON pointer and line:column of the first problem; builds nothing on failure.
Session make_session(Scene scene, const std::vector<ParamOverride>& overrides = {});
// The scene's main view with its "view" settings applied; needs no GL context, so headless
// runs validate a scene's view too. Throws InputError located in the scene text.
std::unique_ptr<View> make_scene_view(const Scene& scene);

// The same around a system that already exists (headless: render after the run).
Session make_session_for(std::unique_ptr<System> system, Scene scene);

// The part of opening a scene file that needs no GL context and may take a while (building a
// large state, reading a dataset): the app runs it on a worker thread so the window stays live.
struct LoadedScene {
  Scene scene;
  std::unique_ptr<System> system;
  std::unique_ptr<View> view;
  std::unique_ptr<View> twin_view;  // B's, beside `view` while the run has a twin
};
LoadedScene load_scene_parts(const std::string& path);
Session make_session_from(LoadedScene loaded);

// The scene file's text for the running session: the engine's current parameters and seed (as
// the runner published them; it waits only while an edit is still queued), the view state, and
// the unknown keys the file came with. `params`, if given, receives the parameters written.
Scene current_scene(Session& session, ParamSet* params = nullptr);

}  // namespace obs
