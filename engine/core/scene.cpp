#include "core/scene.hpp"

#include <cstdio>
#include <memory>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/input_error.hpp"
#include "core/json_locator.hpp"
#include "core/registry.hpp"

namespace obs {
namespace {

// "MAJOR.MINOR" -> comparable pair; false when malformed.
bool parse_version(const std::string& s, int& major, int& minor) {
  char tail = 0;
  return std::sscanf(s.c_str(), "%d.%d%c", &major, &minor, &tail) == 2 && major >= 0 && minor >= 0;
}

std::string got(const nlohmann::json& v) {
  const std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

// Errors from the envelope and parameters gain the file name and the value's position.
struct Located {
  const Scene& scene;
  const std::string* text;  // null when the scene was not parsed from text
  [[noreturn]] void fail(const std::string& pointer, const std::string& message) const {
    rethrow(InputError(pointer, message));
  }
  [[noreturn]] void rethrow(const InputError& e) const { throw e.located(scene.source, position(e.pointer())); }
  // One scan of the text, made on first need and reused: a file with thousands of unknown
  // keys must not be rescanned per key.
  SourcePos position(const std::string& pointer) const {
    if (!text) return {};
    if (!locator) locator = std::make_unique<JsonLocator>(*text);
    return locator->find(pointer);
  }
  mutable std::unique_ptr<JsonLocator> locator;
};

// Deeper nesting than any scene needs is refused before anything recurses over it (the
// copies, dumps and the locator all recurse once per level; 10^5 levels overflow the stack).
constexpr int kMaxDepth = 64;
void check_depth(const std::string& text, const std::string& source) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth)
        throw InputError("", "nested deeper than " + std::to_string(kMaxDepth) + " levels; expected a scene",
                         position_of_offset(text, i), source);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

}  // namespace

Scene parse_scene(const std::string& text, const std::string& source) {
  Scene scene;
  scene.source = source;
  nlohmann::json doc;
  check_depth(text, source);
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 3, column 5: syntax
    // error while parsing value - unexpected '}'; expected ..."; keep the part after the position.
    std::string what = e.what();
    if (const auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
    throw InputError(pointer_at_offset(text, at), text.empty() ? "the file is empty; expected a JSON object" : what,
                     position_of_offset(text, at), source);
  } catch (const nlohmann::json::out_of_range& e) {
    // 406: a number beyond a double ("1e400"). nlohmann gives no position here, but the text is
    // well-formed, and the first literal spelled like the refused token is the refused one.
    const std::string what = e.what();
    const auto open = what.find('\''), close = what.rfind('\'');
    const std::string token = open < close ? what.substr(open + 1, close - open - 1) : std::string();
    const JsonLocator locator(text);
    const std::string pointer = locator.first_literal(token);
    throw InputError(pointer, "number " + token + " is out of range; expected a finite number",
                     locator.find(pointer), source);
  }
  const Located at{scene, &text, nullptr};
  if (!doc.is_object()) at.fail("", "expected a JSON object (a scene), got " + got(doc));

  for (auto& [key, value] : doc.items()) {
    const std::string ptr = child_pointer("", key);
    if (key == "format") {
      if (!value.is_string() || value.get<std::string>() != kSceneFormat)
        at.fail(ptr, std::string("expected \"") + kSceneFormat + "\", got " + got(value));
    } else if (key == "version" || key == "minVersion") {
      int major = 0, minor = 0, our_major = 0, our_minor = 0;
      if (!value.is_string() || !parse_version(value.get<std::string>(), major, minor))
        at.fail(ptr, "expected a version string \"MAJOR.MINOR\", got " + got(value));
      parse_version(kSceneVersion, our_major, our_minor);
      const bool newer = major > our_major || (major == our_major && minor > our_minor);
      if (key == "minVersion" && newer)
        at.fail(ptr, "this scene needs a reader of version " + value.get<std::string>() +
                         " or newer; this build reads " + kSceneVersion);
      if (key == "version" && newer)
        scene.warnings.push_back(source + ": scene version " + value.get<std::string>() +
                                 " is newer than " + kSceneVersion + "; reading what this build understands");
    } else if (key == "system") {
      if (!value.is_string()) at.fail(ptr, "expected a system id string, got " + got(value));
      scene.system = value.get<std::string>();
      if (!make_system(scene.system)) {
        std::string known;
        for (const auto& e : system_registry()) known += (known.empty() ? "" : ", ") + e.kind;
        at.fail(ptr, "unknown system \"" + scene.system + "\"; expected one of: " + known);
      }
    } else if (key == "seed") {
      if (!value.is_number_unsigned()) at.fail(ptr, "expected a non-negative integer seed, got " + got(value));
      scene.seed = value.get<std::uint64_t>();
    } else if (key == "params") {
      if (!value.is_object()) at.fail(ptr, "expected an object of parameters, got " + got(value));
      scene.params = value;
    } else if (key == "description") {
      if (!value.is_string()) at.fail(ptr, "expected a string, got " + got(value));
      scene.description = value.get<std::string>();
    } else if (key == "view") {
      if (!value.is_object()) at.fail(ptr, "expected an object of view settings, got " + got(value));
      scene.view = value;
    } else {
      scene.extra[key] = value;
      const SourcePos pos = at.position(ptr);
      scene.warnings.push_back(source + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) +
                               ": " + ptr + ": unknown key kept as is");
    }
  }
  scene.text = text;
  return scene;
}

Scene load_scene(const std::string& path) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const std::runtime_error& e) {
    throw InputError("", e.what(), {}, path);
  }
  return parse_scene(text, path);
}

std::unique_ptr<System> instantiate(Scene& scene, const std::vector<ParamOverride>& overrides) {
  const Located at{scene, scene.text.empty() ? nullptr : &scene.text, nullptr};
  auto system = make_system(scene.system);
  if (!system) at.fail("/system", "unknown system \"" + scene.system + "\"");
  try {
    for (auto& [name, value] : scene.params.items()) {
      const std::string ptr = child_pointer("/params", name);
      if (!system->params().find(name)) {
        const SourcePos pos = at.position(ptr);
        scene.warnings.push_back(scene.source + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) +
                                 ": " + ptr + ": " + scene.system + " has no parameter \"" + name +
                                 "\"; ignored");
        continue;
      }
      system->params().set_json(name, value, ptr);
    }
  } catch (const InputError& e) {
    at.rethrow(e);
  }
  for (const auto& o : overrides) {
    const std::string ptr = child_pointer("/params", o.name);
    if (!system->params().find(o.name))
      throw InputError(ptr, scene.system + " has no parameter \"" + o.name + "\"", {}, "--set");
    try {
      system->params().set_text(o.name, o.value, ptr);
    } catch (const InputError& e) {
      throw e.located("--set " + o.name + "=" + o.value, {});
    }
  }
  try {
    system->reset(scene.seed);
  } catch (const InputError& e) {
    at.rethrow(e);
  }
  return system;
}

Scene capture_scene(const System& system, const nlohmann::json& view, const nlohmann::json& extra) {
  Scene s;
  s.system = std::string(system.kind());
  s.seed = system.seed();
  s.params = system.params().to_json();
  s.view = view;
  s.extra = extra;
  return s;
}

std::string scene_to_text(const Scene& scene) {
  // ordered_json keeps the envelope first, so files read well and diff cleanly.
  nlohmann::ordered_json j;
  j["format"] = kSceneFormat;
  j["version"] = kSceneVersion;
  j["system"] = scene.system;
  j["seed"] = scene.seed;
  if (!scene.description.empty()) j["description"] = scene.description;
  j["params"] = nlohmann::ordered_json::parse(scene.params.dump());
  j["view"] = nlohmann::ordered_json::parse(scene.view.dump());
  for (auto& [key, value] : scene.extra.items()) j[key] = nlohmann::ordered_json::parse(value.dump());
  return j.dump(2) + "\n";
}

void save_scene(const std::string& path, const Scene& scene) {
  const std::string text = scene_to_text(scene);
  write_file_atomically(path, [&](std::ostream& out) { out << text; });
}

}  // namespace obs
