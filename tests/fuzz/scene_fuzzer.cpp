// libFuzzer target over the scene loader: the bytes are a scene file. It goes through the same
// calls as `observatory SCENE.json --headless`: parse_scene, then instantiate through the
// registry (every parameter validated, the system reset). A loader may refuse input only with
// InputError (the CLI's exit 2); any other exception, a crash or a sanitizer report is a bug.
// A scene that loads must also survive the save path: capture -> text -> parse.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>

#include "core/input_error.hpp"
#include "core/scene.hpp"

namespace {

// The size guard: states above this are refused before reset allocates them. Absurd sizes
// (N = 10^9) are refused at once, and the inputs that do load stay fast enough (under ASan) for
// the fuzzer to make progress; the systems' own size checks still run on everything below it.
constexpr std::uint64_t kByteLimit = 8ull << 20;

// An escaped control character in an error message would split the one-line message the CLI
// promises; check every refusal for it.
void check_one_line(const std::string& what) {
  for (const unsigned char c : what)
    if (c < 0x20 || c == 0x7f) {
      std::fprintf(stderr, "raw control character 0x%02x in error message: %s\n", c, what.c_str());
      std::abort();
    }
}

void load(const std::string& text) {
  obs::Scene scene = obs::parse_scene(text, "fuzz.json");
  for (const auto& w : scene.warnings) check_one_line(w);
  auto system = obs::instantiate(scene, {}, kByteLimit);
  for (const auto& w : scene.warnings) check_one_line(w);
  // What loaded must save and parse again to the same parameters. (Not instantiated a second
  // time: a reset is most of an input's cost, and the parameters it would check are the ones
  // compared here, which already passed validation once.)
  obs::Scene saved = obs::capture_scene(*system, scene.view, scene.extra);
  saved.description = scene.description;
  const std::string again = obs::scene_to_text(saved);
  const obs::Scene reread = obs::parse_scene(again, "fuzz-saved.json");
  if (reread.params != system->params().to_json() || reread.system != scene.system || reread.seed != scene.seed) {
    std::fprintf(stderr, "save/load changed the scene:\n%s\n", again.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Scene files are refused above 64 MiB by load_scene; libFuzzer's -max_len keeps inputs far
  // smaller, so parse_scene is called directly here.
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    load(text);
  } catch (const obs::InputError& e) {
    check_one_line(e.what());
  }
  return 0;
}
