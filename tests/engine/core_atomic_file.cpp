// Atomic save: temp file + rename. A writer that dies midway must leave the old file
// byte-identical (same inode, never renamed over) and no temporary file behind.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
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
  // The target is a directory: refused for what it is, before any temp file is made.
  const fs::path target = dir.path / "adir";
  fs::create_directories(target / "inside");
  CHECK_THROWS_WITH_AS(obs::write_file_atomically(target.string(), [](std::ostream& out) { out << "x"; }),
                       doctest::Contains("is a directory"), std::runtime_error);
  CHECK(dir.entries() == std::vector<std::string>{"adir"});
  CHECK(fs::is_directory(target / "inside"));

  try {
    obs::read_file((dir.path / "nope").string());
    FAIL("read_file of a missing file did not throw");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("nope") != std::string::npos);
  }
}

namespace {

bool is_link(const fs::path& p) { return fs::is_symlink(fs::symlink_status(p)); }

std::string what_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

}  // namespace

TEST_CASE("core: writing through a symlink replaces the file it points to and keeps the link") {
  TempDir dir("atomic_link");
  const fs::path real = dir.path / "real.csv", link = dir.path / "link.csv";
  { std::ofstream(real) << "old"; }
  fs::create_symlink("real.csv", link);  // relative, as `ln -s` usually makes them
  obs::write_file_atomically(link.string(), [](std::ostream& out) { out << "new"; });
  CHECK(is_link(link));
  CHECK(fs::read_symlink(link) == "real.csv");
  CHECK(obs::read_file(real.string()) == "new");
  CHECK(dir.entries().size() == 2);  // no temp file left, and no regular file in the link's place

  // A dangling link is written through too: its target is created, as the shell's > does.
  const fs::path dangling = dir.path / "dangling.json";
  fs::create_symlink(dir.path / "sub" / "made.json", dangling);
  fs::create_directories(dir.path / "sub");
  obs::write_file_atomically(dangling.string(), [](std::ostream& out) { out << "{}"; });
  CHECK(is_link(dangling));
  CHECK(obs::read_file((dir.path / "sub" / "made.json").string()) == "{}");
}

TEST_CASE("core: a FIFO is written straight through, never replaced by a regular file") {
  TempDir dir("atomic_fifo");
  const std::string fifo = dir.file("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string received;
  std::thread reader([&] {
    std::ifstream in(fifo, std::ios::binary);  // read_file refuses FIFOs; a plain reader here
    std::ostringstream ss;
    ss << in.rdbuf();
    received = ss.str();
  });
  obs::write_file_atomically(fifo, [](std::ostream& out) { out << "through the pipe"; });
  reader.join();
  CHECK(received == "through the pipe");
  struct stat st {};
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  CHECK(dir.entries() == std::vector<std::string>{"pipe"});
}

TEST_CASE("core: a full device is written in place and the error says no space left on device") {
  // /dev/full is a character device: it must be written straight through (never renamed over:
  // the check below would catch that) and every write fails with ENOSPC.
  struct stat before {};
  if (::stat("/dev/full", &before) != 0 || !S_ISCHR(before.st_mode)) return;
  const std::string what = what_of([] {
    obs::write_file_atomically("/dev/full", [](std::ostream& out) { out << std::string(200000, 'x'); });
  });
  CHECK(what == "cannot write /dev/full: no space left on device");
  struct stat after {};
  REQUIRE(::stat("/dev/full", &after) == 0);
  CHECK(S_ISCHR(after.st_mode));
  CHECK(after.st_rdev == before.st_rdev);
}

TEST_CASE("core: read_file refuses directories, FIFOs and oversized files by what they are") {
  TempDir dir("read_limits");
  CHECK(what_of([&] { obs::read_file(dir.path.string()); }).find("is a directory") != std::string::npos);
  const std::string fifo = dir.file("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // Refused at once: opening it for reading must not wait for a writer.
  CHECK(what_of([&] { obs::read_file(fifo); }) == "cannot open " + fifo + ": is a FIFO, not a regular file");
  const std::string big = dir.file("big.json");
  { std::ofstream(big) << std::string(1001, ' '); }
  CHECK(obs::read_file(big, 1001).size() == 1001);
  CHECK(what_of([&] { obs::read_file(big, 1000); }).find("1001 bytes") != std::string::npos);
  // A device reports no size: it is read to the limit and no further.
  const auto start = std::chrono::steady_clock::now();
  CHECK(what_of([] { obs::read_file("/dev/zero", 1 << 20); }).find("more than 1 MiB") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(obs::kMaxReadBytes == 64ull << 20);
}

TEST_CASE("core: check_writable refuses empty paths and directories, and makes missing folders") {
  TempDir dir("writable");
  CHECK(what_of([] { obs::check_writable(""); }).find("empty path") != std::string::npos);
  CHECK(what_of([&] { obs::check_writable(dir.path.string()); }).find("is a directory") != std::string::npos);
  const fs::path nested = dir.path / "a" / "b" / "out.csv";
  obs::check_writable(nested.string());
  CHECK(fs::is_directory(dir.path / "a" / "b"));
  CHECK_FALSE(fs::exists(nested));  // checked, not written
  // A folder that cannot be made (/proc takes no new folders, even from root).
  CHECK(what_of([] { obs::check_writable("/proc/no/such/dir/m.csv"); }).find("cannot create the folder") !=
        std::string::npos);
  // A plain file where a folder should be.
  { std::ofstream(dir.file("plain")) << "x"; }
  CHECK(what_of([&] { obs::check_writable(dir.file("plain") + "/out.csv"); }).find("cannot") != std::string::npos);
  obs::check_writable("/dev/null");  // a device is written in place: fine when writable
}

TEST_CASE("core: stale_temp_files lists temporaries of dead processes, not of live ones") {
  TempDir dir("stale");
  for (const std::string& name : std::vector<std::string>{"m.csv.tmp.999999999", "s.json.tmp." + std::to_string(::getpid()),
                                                          "notes.tmp.txt", "x.json"})
    std::ofstream(dir.file(name)) << "x";
  CHECK(obs::stale_temp_files(dir.path.string()) == std::vector<std::string>{"m.csv.tmp.999999999"});
}

TEST_CASE("core: SIGTERM during an atomic write removes the temporary file, then ends the process") {
  TempDir dir("signal");
  const std::string target = dir.file("out.csv");
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    obs::remove_temp_files_on_signals();
    obs::write_file_atomically(target, [&](std::ostream& out) {
      out << "partial" << std::flush;
      (void)!::write(ready[1], "x", 1);
      for (;;) ::pause();  // a long run, interrupted
    });
    ::_exit(0);
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  CHECK(dir.entries() == std::vector<std::string>{"out.csv.tmp." + std::to_string(child)});
  ::kill(child, SIGTERM);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);  // re-raised: the parent sees the signal, not an exit code
  CHECK(dir.entries().empty());
  ::close(ready[0]);
  ::close(ready[1]);
}
