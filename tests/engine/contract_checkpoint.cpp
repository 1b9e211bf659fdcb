// The checkpoint clause of the system contract, over the registry: a checkpoint read back gives
// a system with the writer's step, seed, parameters and state hash, which then steps to the same
// hash at every later step as the run that wrote it; a truncated, corrupt, foreign or newer
// checkpoint is refused with a CheckpointError saying which.
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "contract_support.hpp"
#include "core/checkpoint.hpp"
#include "core/registry.hpp"
#include "temp_dir.hpp"

namespace {

using obs::contract::build;
using obs::contract::small_params;

std::vector<std::uint64_t> hashes(obs::System& s, int n) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) {
    s.step();
    out.push_back(s.state_hash());
  }
  return out;
}

// Writes at `at` steps, reads back, and checks the restored system against the writer for
// `after` more steps.
void check_round_trip(obs::System& writer, int after) {
  const std::string bytes = obs::write_checkpoint(writer);
  std::unique_ptr<obs::System> restored = obs::read_checkpoint(bytes, std::string(writer.kind()));
  REQUIRE(restored);
  CHECK(restored->kind() == writer.kind());
  CHECK(restored->steps() == writer.steps());
  CHECK(restored->seed() == writer.seed());
  CHECK(restored->params().to_json() == writer.params().to_json());
  CHECK(restored->state_hash() == writer.state_hash());
  CHECK(hashes(*restored, after) == hashes(writer, after));
  // Written again, the restored state is the same checkpoint: nothing was lost or added.
  CHECK(obs::write_checkpoint(*restored).size() == obs::write_checkpoint(writer).size());
}

void check_checkpoints(const std::string& kind, const nlohmann::json& params) {
  auto run = build(kind, params);
  SUBCASE("fresh") { check_round_trip(*run, 7); }
  SUBCASE("after 13 steps") {
    for (int i = 0; i < 13; ++i) run->step();
    check_round_trip(*run, 11);
  }
  SUBCASE("after a perturbation and a parameter edit") {
    for (int i = 0; i < 5; ++i) run->step();
    obs::Perturbation noise;
    noise.amplitude = 0.3;
    run->perturb(noise);
    for (const obs::Param& p : run->params().all()) {
      if (p.restart_ || p.type != obs::ParamType::Real || !(p.max > p.min)) continue;
      CAPTURE(p.name);
      run->params().set_value(p.name, p.min + 0.25 * (p.max - p.min));
      run->apply_params();
      break;
    }
    for (int i = 0; i < 4; ++i) run->step();
    check_round_trip(*run, 9);
  }
}

}  // namespace

TEST_CASE("contract: a checkpoint restores the running state exactly") {
  for (const auto& entry : obs::system_registry()) {
    SUBCASE(entry.kind.c_str()) { check_checkpoints(entry.kind, small_params().at(entry.kind)); }
  }
}

TEST_CASE("contract: a checkpoint holds the optional parts of the state") {
  for (const auto& v : obs::contract::optional_part_variants()) {
    SUBCASE(v.label.c_str()) { check_checkpoints(v.kind, v.params); }
  }
}

TEST_CASE("checkpoint: every damaged byte, a truncation, a foreign file and another kind are refused") {
  auto run = build("kuramoto", {{"N", 40}});
  for (int i = 0; i < 3; ++i) run->step();
  const std::string good = obs::write_checkpoint(*run);
  REQUIRE(obs::read_checkpoint(good)->state_hash() == run->state_hash());

  int refused = 0;
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    try {
      obs::read_checkpoint(bad);
    } catch (const obs::CheckpointError&) {
      ++refused;
    }
  }
  CHECK(refused == static_cast<int>(good.size()));

  for (std::size_t keep : {std::size_t{0}, std::size_t{5}, std::size_t{12}, good.size() / 2, good.size() - 1}) {
    CAPTURE(keep);
    CHECK_THROWS_AS(obs::read_checkpoint(good.substr(0, keep)), obs::CheckpointError);
  }
  CHECK_THROWS_WITH_AS(obs::read_checkpoint(good + "x"), doctest::Contains("checksum"), obs::CheckpointError);
  CHECK_THROWS_WITH_AS(obs::read_checkpoint("{\"format\": \"observatory-scene\"}"), doctest::Contains("not an Observatory checkpoint"),
                       obs::CheckpointError);
  CHECK_THROWS_WITH_AS(obs::read_checkpoint(good, "pump"), doctest::Contains("is of system kuramoto, not pump"), obs::CheckpointError);

  std::string newer = good;
  newer[8] = 2;  // the format version follows the 8-byte magic
  CHECK_THROWS_WITH_AS(obs::read_checkpoint(newer), doctest::Contains("newer than this build reads"), obs::CheckpointError);
  CHECK(obs::read_checkpoint_header(good).step == 3);
  CHECK(obs::read_checkpoint_header(good).kind == "kuramoto");
}

TEST_CASE("checkpoint: files are written whole and refused by path") {
  test_support::TempDir dir("checkpoint");
  auto run = build("kuramoto", {{"N", 40}});
  for (int i = 0; i < 4; ++i) run->step();
  const std::string path = dir.file("k.state");
  obs::save_checkpoint_file(path, *run);
  CHECK(obs::load_checkpoint_file(path)->state_hash() == run->state_hash());
  CHECK(dir.entries().size() == 1);  // no temporary left beside it

  {
    std::ofstream cut(path, std::ios::binary | std::ios::trunc);
    cut << "OBSSTATE";
  }
  const std::string named = path + ": truncated checkpoint";
  CHECK_THROWS_WITH_AS(obs::load_checkpoint_file(path), doctest::Contains(named.c_str()), obs::CheckpointError);
  CHECK_THROWS_AS(obs::load_checkpoint_file(dir.file("missing.state")), std::runtime_error);
}
