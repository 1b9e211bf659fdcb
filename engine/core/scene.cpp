#include "core/scene.hpp"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <cmath>
#include <memory>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/input_error.hpp"
#include "core/json_locator.hpp"

namespace obs {
namespace {

// "MAJOR.MINOR" as two digit strings without leading zeros; false when malformed. The parts
// stay text so that no component can overflow: "4294967296.1" once wrapped to 0.1 through an
// int and was accepted as older than this build.
struct Version {
  std::string major, minor;
};
bool parse_version(const std::string& s, Version& v) {
  const auto dot = s.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == s.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (i != dot && (s[i] < '0' || s[i] > '9')) return false;
  auto trim = [](std::string d) {
    const auto nz = d.find_first_not_of('0');
    return nz == std::string::npos ? std::string("0") : d.substr(nz);
  };
  v = {trim(s.substr(0, dot)), trim(s.substr(dot + 1))};
  return true;
}
// Numeric order of two digit strings without leading zeros: the longer is larger.
int compare_digits(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : a == b ? 0 : 1;
}
bool newer_than(const Version& a, const Version& b) {
  const int major = compare_digits(a.major, b.major);
  return major > 0 || (major == 0 && compare_digits(a.minor, b.minor) > 0);
}

std::string got(const nlohmann::json& v) {
  const std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

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

// The views keep their settings in floats; put into JSON they widen to doubles and print as
// 0.3499999940395355 for the 0.35 that was typed. A value that is exactly a float is written
// as the shortest decimal that reads back as that float, which is what the person typed (and
// loads back to the same float). Parameters are doubles and already print shortest.
void shorten_float_values(nlohmann::json& j) {
  if (j.is_structured()) {
    for (auto& v : j) shorten_float_values(v);
    return;
  }
  if (!j.is_number_float()) return;
  const double d = j.get<double>();
  const float f = static_cast<float>(d);
  if (!std::isfinite(d) || static_cast<double>(f) != d) return;
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f);
  double shortest = d;
  if (ec == std::errc() && std::from_chars(buf, end, shortest).ec == std::errc()) j = shortest;
}

}  // namespace

SceneLocator::SceneLocator(const Scene& scene) : scene_(scene) {}
SceneLocator::~SceneLocator() = default;

void SceneLocator::fail(const std::string& pointer, const std::string& message) const { rethrow(InputError(pointer, message)); }

void SceneLocator::rethrow(const InputError& e) const { throw e.located(scene_.source, position(e.pointer())); }

SourcePos SceneLocator::position(const std::string& pointer) const {
  if (scene_.text.empty()) return {};
  if (!locator_) locator_ = std::make_unique<JsonLocator>(scene_.text);
  return locator_->find(pointer);
}

std::string SceneLocator::warning(const std::string& pointer, const std::string& text) const {
  const SourcePos pos = position(pointer);
  return escape_control(scene_.source + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " + pointer +
                        ": " + text);
}

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
  scene.text = text;
  const SceneLocator at(scene);
  if (!doc.is_object()) at.fail("", "expected a JSON object (a scene), got " + got(doc));

  for (auto& [key, value] : doc.items()) {
    const std::string ptr = child_pointer("", key);
    if (key == "format") {
      if (!value.is_string() || value.get<std::string>() != kSceneFormat)
        at.fail(ptr, std::string("expected \"") + kSceneFormat + "\", got " + got(value));
    } else if (key == "version" || key == "minVersion") {
      Version v, ours;
      if (!value.is_string() || !parse_version(value.get<std::string>(), v))
        at.fail(ptr, "expected a version string \"MAJOR.MINOR\", got " + got(value));
      parse_version(kSceneVersion, ours);
      const bool newer = newer_than(v, ours);
      if (key == "minVersion" && newer)
        at.fail(ptr, "this scene needs a reader of version " + value.get<std::string>() +
                         " or newer; this build reads " + kSceneVersion);
      if (key == "version" && newer)
        scene.warnings.push_back(escape_control(source + ": scene version " + value.get<std::string>() +
                                                " is newer than " + kSceneVersion +
                                                "; reading what this build understands"));
    } else if (key == "system") {
      // Whether a system of that kind exists is the registry's to say (instantiate).
      if (!value.is_string()) at.fail(ptr, "expected a system id string, got " + got(value));
      scene.system = value.get<std::string>();
    } else if (key == "seed") {
      if (!value.is_number_unsigned()) at.fail(ptr, "expected a non-negative integer seed, got " + got(value));
      scene.seed = value.get<std::uint64_t>();
    } else if (key == "params") {
      if (!value.is_object()) at.fail(ptr, "expected an object of parameters, got " + got(value));
      scene.params = value;
    } else if (key == "description") {
      if (!value.is_string()) at.fail(ptr, "expected a string, got " + got(value));
      scene.description = value.get<std::string>();
    } else if (key == "state") {
      if (!value.is_object()) at.fail(ptr, "expected an object {\"file\": ..., \"checksum\": ...}, got " + got(value));
      SceneState st;
      for (auto& [k, v] : value.items()) {
        const std::string p = child_pointer(ptr, k);
        if (k != "file" && k != "checksum") at.fail(p, "unknown key; a state has \"file\" and \"checksum\"");
        if (!v.is_string()) at.fail(p, "expected a string, got " + got(v));
        (k == "file" ? st.file : st.checksum) = v.get<std::string>();
      }
      if (st.file.empty()) at.fail(ptr + "/file", "expected the name of the state file");
      const std::filesystem::path file(st.file), from(source);
      st.path = file.is_absolute() || source.empty() || source.front() == '<' ? st.file : (from.parent_path() / file).string();
      scene.state = st;
    } else if (key == "view") {
      if (!value.is_object()) at.fail(ptr, "expected an object of view settings, got " + got(value));
      scene.view = value;
    } else {
      scene.extra[key] = value;
      scene.warnings.push_back(at.warning(ptr, "unknown key kept as is"));
    }
  }
  return scene;
}

std::optional<ParamOverride> parse_override(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  return ParamOverride{text.substr(0, eq), text.substr(eq + 1)};
}

std::string state_checksum_text(std::uint64_t checksum) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "fnv1a64:%016llx", static_cast<unsigned long long>(checksum));
  return buf;
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

Scene capture_scene(const System& system, const nlohmann::json& view, const nlohmann::json& extra) {
  return capture_scene(std::string(system.kind()), system.seed(), system.params(), view, extra);
}

Scene capture_scene(std::string kind, std::uint64_t seed, const ParamSet& params, const nlohmann::json& view,
                    const nlohmann::json& extra) {
  Scene s;
  s.system = std::move(kind);
  s.seed = seed;
  s.params = params.to_json();
  s.view = view;
  shorten_float_values(s.view);
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
  if (scene.state) {
    j["state"]["file"] = scene.state->file;
    if (!scene.state->checksum.empty()) j["state"]["checksum"] = scene.state->checksum;
  }
  for (auto& [key, value] : scene.extra.items()) j[key] = nlohmann::ordered_json::parse(value.dump());
  return j.dump(2) + "\n";
}

void save_scene(const std::string& path, const Scene& scene) {
  const std::string text = scene_to_text(scene);
  write_file_atomically(path, [&](std::ostream& out) { out << text; });
}

}  // namespace obs
