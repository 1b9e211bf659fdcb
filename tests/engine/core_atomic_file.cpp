// Atomic save: temp file + rename. A writer that dies midway must leave the old file
// byte-identical (same inode, never renamed over) and no temporary file behind.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "temp_dir.hpp"
#include "core/atomic_file.hpp"
#include "core/scene.hpp"

namespace fs = std::filesystem;

namespace {

using test_support::TempDir;

std::string raw_bytes() {
  std::string s = "{\"old\": true}\n";
  s += std::string("\0\x01\xff tail", 8);  // not text: the comparison must be byte-exact
  return s;
}

ino_t inode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST_CASE("core: write_file_atomically writes, replaces, and read_file reads back exactly") {
  TempDir dir("atomic");
  const std::string path = (dir.path / "scene.json").string();
  obs::write_file_atomically(path, [](std::ostream& out) { out << raw_bytes(); });
  CHECK(obs::read_file(path) == raw_bytes());
  obs::write_file_atomically(path, [](std::ostream& out) { out << "new"; });
  CHECK(obs::read_file(path) == "new");
  CHECK(dir.entries() == std::vector<std::string>{"scene.json"});
}

TEST_CASE("core: an interrupted save leaves the old file byte-identical and no temp file") {
  TempDir dir("atomic");
  const std::string path = (dir.path / "scene.json").string();
  {
    std::ofstream(path, std::ios::binary) << raw_bytes();
  }
  const ino_t before = inode_of(path);

  // The writer gets far enough for a large partial temp file to reach the disk, then fails.
  bool wrote_partial = false;
  try {
    obs::write_file_atomically(path, [&](std::ostream& out) {
      const std::string chunk(64 * 1024, 'x');
      for (int i = 0; i < 32; ++i) out << chunk;
      out.flush();
      // The temp file really exists beside the target while the writer runs.
      wrote_partial = dir.entries().size() == 2;
      throw std::runtime_error("simulated crash midway");
    });
    FAIL("the writer's failure was swallowed");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "simulated crash midway");
  }
  CHECK(wrote_partial);
  CHECK(obs::read_file(path) == raw_bytes());
  CHECK(inode_of(path) == before);  // never renamed over
  CHECK(dir.entries() == std::vector<std::string>{"scene.json"});

  // An interrupted save_scene-style write of a scene text behaves the same.
  const std::string scene_text = obs::scene_to_text(obs::Scene{});
  try {
    obs::write_file_atomically(path, [&](std::ostream& out) {
      out << scene_text.substr(0, scene_text.size() / 2);
      throw std::logic_error("half a scene");
    });
    FAIL("the writer's failure was swallowed");
  } catch (const std::logic_error&) {
  }
  CHECK(obs::read_file(path) == raw_bytes());
  CHECK(dir.entries() == std::vector<std::string>{"scene.json"});
}

TEST_CASE("core: atomic save failures are runtime_errors naming the path, and leave nothing") {
  TempDir dir("atomic");
  // No such directory: the temp file cannot be created.
  const std::string nowhere = (dir.path / "missing" / "s.json").string();
  CHECK_THROWS_AS(obs::write_file_atomically(nowhere, [](std::ostream& out) { out << "x"; }), std::runtime_error);
  try {
    obs::write_file_atomically(nowhere, [](std::ostream& out) { out << "x"; });
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find((dir.path / "missing").string()) != std::string::npos);
  }
  // The target is a directory: the rename fails after the temp file was written.
  const fs::path target = dir.path / "adir";
  fs::create_directories(target / "inside");
  CHECK_THROWS_AS(obs::write_file_atomically(target.string(), [](std::ostream& out) { out << "x"; }),
                  std::runtime_error);
  CHECK(dir.entries() == std::vector<std::string>{"adir"});
  CHECK(fs::is_directory(target / "inside"));

  try {
    obs::read_file((dir.path / "nope").string());
    FAIL("read_file of a missing file did not throw");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("nope") != std::string::npos);
  }
}
