// The Observatory: one binary, GUI by default, --headless for scripted runs.
#include <cstdio>
#include <filesystem>
#include <string>

#include "app.hpp"
#include "cli.hpp"
#include "core/atomic_file.hpp"
#include "core/input_error.hpp"
#include "core/registry.hpp"
#include "core/twin_pair.hpp"
#include "headless.hpp"
#include "lab/dashboard_command.hpp"
#include "session.hpp"
#include "sweep.hpp"
#include "platform/gl_window.hpp"

int main(int argc, char** argv) {
  using namespace obs;
  // Ctrl+C or a kill during a save or a headless run must not leave NAME.tmp.PID files behind.
  remove_temp_files_on_signals();
  if (argc >= 2 && std::string(argv[1]) == "sweep") {
    for (int i = 2; i < argc; ++i)
      if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
        std::fputs(sweep_usage_text(), stdout);
        return 0;
      }
    return exit_code_of([&] {
      const SweepOptions sweep = parse_sweep_command_line(argc - 2, argv + 2);
      // The runs are this binary's headless mode.
      std::error_code ec;
      const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
      return run_sweep(sweep, ec ? std::string(argv[0]) : self.string());
    });
  }
  if (argc >= 2 && std::string(argv[1]) == "dashboard") {
    for (int i = 2; i < argc; ++i)
      if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
        std::fputs(lab::dashboard_usage_text(), stdout);
        return 0;
      }
    return exit_code_of([&] { return lab::run_dashboard_command(argc - 2, argv + 2); });
  }
  Options options;
  try {
    options = parse_command_line(argc, argv);
  } catch (const InputError& e) {
    std::fprintf(stderr, "observatory: %s\n", e.what());
    return 2;
  }
  if (options.help) {
    std::fputs(usage_text(), stdout);
    return 0;
  }
  if (options.version) {
    std::printf("observatory %s\n", OBS_VERSION);
    return 0;
  }
  if (options.list_systems) {
    for (const auto& e : system_registry()) std::printf("%-10s %s\n", e.kind.c_str(), e.summary.c_str());
    return 0;
  }
  if (options.headless) return run_headless(options);

  return exit_code_of([&] {
    Scene scene = scene_from_options(options);
    // Everything is validated before a window appears; the built system is then reused.
    std::unique_ptr<System> system = instantiate(scene, options.sets);
    // --twin in the window: A and B side by side from the start, as if forked at step 0 and edited.
    if (!options.twin_sets.empty()) system = std::make_unique<TwinPair>(std::move(system), instantiate_twin(scene, options));
    make_scene_view(scene);
    GlWindow window(options.width, options.height, "The Observatory", /*visible=*/true);
    App app(window, make_session_for(std::move(system), scene), options);
    return app.run();
  });
}
