#pragma once
// Output files written as a Unix tool writes them, and input files read with limits.
//
// A regular file (or a path that does not exist yet) is replaced atomically: a temporary file
// NAME.tmp.PID beside it, flushed to disk, then renamed over it, so a crash or a failing writer
// leaves the old file whole. A symbolic link is followed and the file it points to is replaced
// that way, keeping the link. Anything else (a character device such as /dev/null or
// /dev/stdout, a FIFO) is written straight through: renaming over it would replace the device
// node with a regular file.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace obs {

// Calls `write` with a stream to the output. If `write` throws, or any I/O step fails, the
// temporary is removed, the target is untouched, and std::runtime_error is thrown naming the
// path and the system's reason in lower case ("no space left on device").
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// The same for standard output (the "-" of --metrics -): straight through, with write errors
// (a closed pipe, a full disk behind a redirection) reported like a file's.
void write_to_stdout(const std::function<void(std::ostream&)>& write);

// Checks, before any work is done, that write_file_atomically(path) can succeed as far as the
// file system can tell: the path is not empty and not a directory, an existing device or FIFO
// is writable, and otherwise the folder (created here when missing) lets a file be created.
// Throws std::runtime_error naming the path and the reason.
void check_writable(const std::string& path);

// The folder an output to `path` lands in (after following symbolic links).
std::string output_folder(const std::string& path);

// Temporary files NAME.tmp.PID in `folder` whose process no longer runs: left by a run that was
// killed outright (SIGKILL, a power cut). Names only; nothing is removed.
std::vector<std::string> stale_temp_files(const std::string& folder);

// SIGINT, SIGTERM and SIGHUP remove the temporary files being written, then the signal takes
// its default course (the process ends with it). Call once, early in main. Signals the parent
// set to be ignored (nohup) stay ignored.
void remove_temp_files_on_signals();

// Puts a temporary file that another process writes for this one (ffmpeg's NAME.part) under the
// same removal on those signals, for as long as the object lives. With every slot taken (16 at
// once) the file is simply not covered.
class RemoveOnSignal {
 public:
  explicit RemoveOnSignal(const std::string& path);
  ~RemoveOnSignal();
  RemoveOnSignal(const RemoveOnSignal&) = delete;
  RemoveOnSignal& operator=(const RemoveOnSignal&) = delete;

 private:
  int slot_;
};

// The most read_file reads: a scene is a few kilobytes; 64 MiB is far past any real one and
// small enough to refuse /dev/zero or a mistyped disk image in a fraction of a second.
inline constexpr std::uint64_t kMaxReadBytes = 64ull << 20;

// Reads a whole file; throws std::runtime_error naming the path when it cannot. Directories,
// FIFOs and sockets are refused for what they are (a FIFO would block the reader), and a file
// larger than `max_bytes` is refused before it is read (a device is read to that limit).
std::string read_file(const std::string& path, std::uint64_t max_bytes = kMaxReadBytes);

}  // namespace obs
