#pragma once
// Checkpoints: a running system's whole state in one binary file, to reopen a trained network
// instead of training it again (`--save-state`, `--load-state`, scenes saved with their state).
//
// Layout (every integer little-endian, written by core/state_archive.hpp):
//   "OBSSTATE"            8 bytes, so a foreign file is named as such before anything else
//   format version        u32 (kCheckpointVersion; a newer one is refused)
//   system kind           string
//   parameters            string: the JSON of params().to_json()
//   parameter hash        u64, FNV-1a of that JSON
//   step, seed            u64, u64
//   state hash            u64, state_hash() when written: checked again after reading
//   state                 string: the system's write_state()
//   checksum              u64, FNV-1a of every byte before it
//
// Reading builds a new system (the registry's kind, the file's parameters, reset with its seed),
// reads the state into it and checks that its state hash is the one written. A truncated,
// corrupt or foreign file, or one whose state does not come back whole, is refused with a
// CheckpointError saying which; nothing already running is touched.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/scene.hpp"
#include "core/state_archive.hpp"
#include "core/system.hpp"

namespace obs {

inline constexpr std::uint32_t kCheckpointVersion = 1;
// A checkpoint is read whole into memory; the real ones measured are at most a few megabytes
// (docs/checkpoints.md), and anything above this is refused unread.
inline constexpr std::uint64_t kMaxCheckpointBytes = 4ull << 30;

// What the header says, readable without building the system.
struct CheckpointHeader {
  std::uint32_t version = 0;
  std::string kind;
  std::string params_json;
  std::uint64_t params_hash = 0, step = 0, seed = 0, state_hash = 0;
};

std::string write_checkpoint(const System& system);
// `expected_kind` (when not empty) refuses a checkpoint of another system by name.
std::unique_ptr<System> read_checkpoint(std::string_view bytes, const std::string& expected_kind = {});
CheckpointHeader read_checkpoint_header(std::string_view bytes);

// FNV-1a of a whole checkpoint file: what a scene stores to name the state it goes with.
std::uint64_t checkpoint_checksum(std::string_view bytes);

// Files: written atomically (core/atomic_file.hpp); read with the limit a state can reach.
void save_checkpoint_file(const std::string& path, const System& system);
// A state file's bytes. It must be a regular file: a device or a pipe (/dev/stdin, /dev/zero)
// would block or be read to the limit. std::runtime_error naming the path otherwise.
std::string read_checkpoint_bytes(const std::string& path, std::uint64_t max_bytes = kMaxCheckpointBytes);
// Errors name the path.
std::unique_ptr<System> load_checkpoint_file(const std::string& path, const std::string& expected_kind = {});

// The scene a state file stands for on its own (`--load-state FILE` without a scene): its
// system, seed and parameters, with the file as its state. InputError naming the file when it
// cannot be read as a checkpoint.
Scene scene_of_checkpoint_file(const std::string& path);

}  // namespace obs
