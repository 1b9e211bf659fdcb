#include "core/checkpoint.hpp"

#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <ostream>

#include "core/atomic_file.hpp"
#include "core/input_error.hpp"
#include "core/scene.hpp"
#include "core/state_hash.hpp"

namespace obs {
namespace {

constexpr char kMagic[8] = {'O', 'B', 'S', 'S', 'T', 'A', 'T', 'E'};

std::uint64_t fnv(std::string_view bytes) {
  StateHash h;
  h.bytes(bytes.data(), bytes.size());
  return h.digest();
}

std::string hex(std::uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// The header and the state's bytes, after the envelope (magic, checksum) was checked.
struct Parsed {
  CheckpointHeader header;
  std::string_view state;
};

Parsed parse(std::string_view bytes) {
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw CheckpointError("not an Observatory checkpoint (it does not begin with OBSSTATE)");
  if (bytes.size() < sizeof kMagic + sizeof(std::uint32_t) + sizeof(std::uint64_t))
    throw CheckpointError("truncated checkpoint: " + std::to_string(bytes.size()) + " bytes");
  const std::string_view body = bytes.substr(0, bytes.size() - sizeof(std::uint64_t));
  std::uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + body.size(), sizeof stored);
  Parsed p;
  StateReader in(body.substr(sizeof kMagic));
  in(p.header.version);
  // The version is read before the checksum is trusted, so a newer format is named as such
  // even when its layout (and so where its checksum sits) differs.
  if (p.header.version > kCheckpointVersion)
    throw CheckpointError("checkpoint format version " + std::to_string(p.header.version) +
                          " is newer than this build reads (" + std::to_string(kCheckpointVersion) + ")");
  if (fnv(body) != stored)
    throw CheckpointError("corrupt or truncated checkpoint: checksum " + hex(fnv(body)) + " does not match the stored " +
                          hex(stored));
  try {
    in(p.header.kind, p.header.params_json, p.header.params_hash, p.header.step, p.header.seed, p.header.state_hash);
    const std::size_t n = in.count(1);
    const std::size_t at = sizeof kMagic + in.position();
    p.state = bytes.substr(at, n);
    if (in.remaining() != n) throw CheckpointError("corrupt checkpoint: bytes after the state");
  } catch (const CheckpointError& e) {
    throw CheckpointError(std::string(e.what()) + " (in the header)");
  }
  if (fnv(p.header.params_json) != p.header.params_hash)
    throw CheckpointError("corrupt checkpoint: the parameters do not match their hash");
  return p;
}

}  // namespace

std::uint64_t checkpoint_checksum(std::string_view bytes) { return fnv(bytes); }

std::string write_checkpoint(const System& system) {
  StateWriter state;
  system.write_state(state);
  const std::string params = system.params().to_json().dump();
  StateWriter out;
  out.raw(kMagic, sizeof kMagic);
  out(kCheckpointVersion, std::string(system.kind()), params, fnv(params), system.steps(), system.seed(),
      system.state_hash(), state.bytes());
  std::string bytes = out.take();
  const std::uint64_t sum = fnv(bytes);
  bytes.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  return bytes;
}

CheckpointHeader read_checkpoint_header(std::string_view bytes) { return parse(bytes).header; }

std::unique_ptr<System> read_checkpoint(std::string_view bytes, const std::string& expected_kind) {
  const Parsed p = parse(bytes);
  const CheckpointHeader& h = p.header;
  if (!expected_kind.empty() && h.kind != expected_kind)
    throw CheckpointError("the checkpoint is of system " + h.kind + ", not " + expected_kind);
  Scene scene;
  scene.system = h.kind;
  scene.seed = h.seed;
  scene.source = "<checkpoint>";
  std::unique_ptr<System> system;
  try {
    scene.params = nlohmann::json::parse(h.params_json);
    system = instantiate(scene);
  } catch (const std::exception& e) {
    throw CheckpointError(std::string("the checkpoint's parameters are refused by this build: ") + e.what());
  }
  if (!scene.warnings.empty())
    throw CheckpointError("the checkpoint's parameters do not match this build's " + h.kind + ": " + scene.warnings.front());
  StateReader in(p.state);
  try {
    system->restore_state(in, h.step);
  } catch (const CheckpointError& e) {
    throw CheckpointError(std::string(e.what()) + " (in the " + h.kind + " state)");
  }
  if (in.remaining() != 0)
    throw CheckpointError("the " + h.kind + " state is " + std::to_string(in.remaining()) +
                          " bytes longer than this build reads: written by another version?");
  if (system->state_hash() != h.state_hash)
    throw CheckpointError("the restored " + h.kind + " state hashes to " + hex(system->state_hash()) +
                          ", not the " + hex(h.state_hash) + " it was written with: written by another version?");
  return system;
}

void save_checkpoint_file(const std::string& path, const System& system) {
  const std::string bytes = write_checkpoint(system);
  write_file_atomically(path, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

std::string read_checkpoint_bytes(const std::string& path, std::uint64_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw std::runtime_error(path + " is not a regular file; expected a saved state");
  return read_file(path, max_bytes);
}

std::unique_ptr<System> load_checkpoint_file(const std::string& path, const std::string& expected_kind) {
  const std::string bytes = read_checkpoint_bytes(path);
  try {
    return read_checkpoint(bytes, expected_kind);
  } catch (const CheckpointError& e) {
    throw CheckpointError(path + ": " + e.what());
  }
}

Scene scene_of_checkpoint_file(const std::string& path) {
  Scene scene;
  try {
    const CheckpointHeader h = read_checkpoint_header(read_checkpoint_bytes(path));
    scene.system = h.kind;
    scene.seed = h.seed;
    scene.params = nlohmann::json::parse(h.params_json);
  } catch (const std::exception& e) {
    throw InputError("", e.what(), {}, path);
  }
  // No scene file: Save asks for a path, and never writes a scene over the state file.
  scene.source = "<scene>";
  scene.state = SceneState{path, "", path};
  return scene;
}

}  // namespace obs
